"""Command line: ``acs-identity-emulator`` / ``python -m acs_identity_emulator``.

Only the standard library (and the SQLite store) is imported up front, so that ``--help``
works and a missing ``[emulator]`` extra is one line naming the fix (exit status 2), not a
traceback; the service's modules are imported once the arguments are good.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import importlib
import json
import logging
import math
import os
import resource
import shlex
import shutil
import signal
import sqlite3
import ssl
import stat
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from importlib import metadata
from typing import TYPE_CHECKING, Any, NoReturn

from ._limits import DEFAULT_IDLE_TIMEOUT
from ._store import DEFAULT_TOMBSTONE_RETENTION, MIN_TOMBSTONE_RETENTION, Store, StoreInUseError, sweep_tombstones

if TYPE_CHECKING:
    from ._app import Emulator
    from ._faults import FaultRule

log = logging.getLogger("acs_identity_emulator")

PROG = "acs-identity-emulator"
#: Environment variable read for the access key when ``--access-key`` is not given.
#: Unlike a command-line argument, other local users cannot read it (``/proc/<pid>/environ``
#: is owner-only); it is removed from the environment once read.
ACCESS_KEY_ENV = "ACS_IDENTITY_EMULATOR_ACCESS_KEY"
DISTRIBUTION = "azure-communication-administration"
EXTRA_HINT = f"pip install '{DISTRIBUTION}[emulator]'"
EXIT_USAGE = 2
#: Largest --access-key-file read: a base64 key is 44 characters; anything much bigger is not one.
_KEY_FILE_LIMIT = 4096


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0 to 65535; 0 picks a free one)")
    return port


def _db(text: str) -> str:
    """``:memory:`` or a file whose folder exists (SQLite creates the file, not the folder)."""
    if text == ":memory:":
        return text
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"the folder {folder} does not exist; create it first or pick another path")
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(
            f"{text} is a folder; give a file path such as {os.path.join(text, 'identity.db')}"
        )
    return text


def _retention(text: str) -> float:
    """Seconds a tombstone is kept: a finite number, at least :data:`MIN_TOMBSTONE_RETENTION`."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        raise argparse.ArgumentTypeError(f"invalid number of seconds: {text!r}")
    if seconds < MIN_TOMBSTONE_RETENTION:
        raise argparse.ArgumentTypeError(
            f"{text} is too short: tombstones are kept at least {MIN_TOMBSTONE_RETENTION:g} second "
            f"(default {DEFAULT_TOMBSTONE_RETENTION:g}, the longest token lifetime)"
        )
    return seconds


def _fault(text: str) -> FaultRule:
    """``--fault JSON``: one rule, checked (the message names the field at fault)."""
    from ._faults import FaultRuleError, parse_rule

    try:
        value = json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"not JSON ({error}); give one rule object, such as "
            """'{"operation": "*", "status": 503}'"""
        ) from None
    try:
        return parse_rule(value)
    except FaultRuleError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _faults_file(path: str) -> list[FaultRule]:
    """``--faults-file FILE``: a JSON array of rules; the message names the file and ``[index].field``."""
    from ._faults import FaultRuleError, parse_rules

    try:
        with open(path, encoding="utf-8") as file:
            value = json.load(file)
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {error.strerror or error}") from None
    except ValueError as error:  # not JSON, or not UTF-8
        raise argparse.ArgumentTypeError(f"{path} is not JSON ({error})") from None
    try:
        return parse_rules(value)
    except FaultRuleError as error:
        raise argparse.ArgumentTypeError(f"{path}: {error}") from None


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, with the fix or where to find it; exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="A local Azure Communication Services Identity service.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    parser.add_argument(
        "--db",
        type=_db,
        default="./identity.db",
        help="SQLite file holding the state, or :memory: (default ./identity.db)",
    )
    parser.add_argument("--version", action=_Version, help="print the version of the distribution and exit")
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument(
        "--access-key",
        default=None,
        help="base64 access key; by default one is generated once and kept in the store. Other local users "
        "can read a command line: prefer --access-key-file",
    )
    keys.add_argument(
        "--access-key-file",
        metavar="FILE",
        default=None,
        help=f"read the base64 access key from FILE (read once, then closed; surrounding whitespace ignored); "
        f"it never reaches the command line or the environment. The {ACCESS_KEY_ENV} environment variable "
        f"works too, but stays readable in /proc/<pid>/environ to the same user",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="close a connection that sends no complete request head within SECONDS of opening or of the "
        "previous response (slow headers, idle keep-alive), and answer 408 to a body that takes longer "
        f"(default {DEFAULT_IDLE_TIMEOUT:g})",
    )
    parser.add_argument(
        "--signing-processes",
        type=int,
        default=None,
        help="helper processes for RSA token signing; 0 signs in the server process "
        "(default: 1 on a machine with 2+ CPUs, else 0)",
    )
    parser.add_argument(
        "--loop",
        choices=("auto", "uvloop", "asyncio"),
        default="auto",
        help="event loop: uvloop (faster; part of the [emulator] extra) or asyncio; auto uses uvloop "
        "when it is installed (default auto)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate for localhost/127.0.0.1 issued by a local CA generated once per "
        "store; the CA file to trust is printed after the connection string",
    )
    parser.add_argument("--cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain); needs --key")
    parser.add_argument("--key", metavar="FILE", help="the PEM private key of --cert")
    parser.add_argument(
        "--tombstone-retention",
        type=_retention,
        default=DEFAULT_TOMBSTONE_RETENTION,
        metavar="SECONDS",
        help="keep a deleted identity's tombstone SECONDS, then remove it (default "
        f"{DEFAULT_TOMBSTONE_RETENTION:g}: the longest lifetime a token can have, so every token of the "
        f"identity has expired by then; at least {MIN_TOMBSTONE_RETENTION:g}). Shorter values are for tests "
        "and benchmarks; answers do not change (see the README's Guarantees)",
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="JSON",
        help='a fault injection rule, such as \'{"operation": "CommunicationIdentity_Create", "status": 503, '
        "\"count\": 2}' (repeatable; see the README's Fault injection); rules added over HTTP come after these",
    )
    parser.add_argument(
        "--faults-file",
        type=_faults_file,
        default=[],
        metavar="FILE",
        help="fault injection rules from FILE, a JSON array of rule objects; they come after any --fault rules",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request line to stderr")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    return parser


class _Version(argparse.Action):
    """``--version``: the distribution's version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        try:
            version = metadata.version(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            version = f"(version unknown: the {DISTRIBUTION} distribution is not installed)"
        print(f"{parser.prog} {version}")
        parser.exit()


def _read_key_file(prog: str, path: str) -> str:
    """The key in ``path``: read once, closed, stripped; ``ValueError`` naming the file, never its content."""
    try:
        with open(path, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if stat.S_ISREG(mode) and mode & 0o077:
                print(
                    f"{prog}: warning: {path} can be read by other users; make it owner-only: chmod 600 {path}",
                    file=sys.stderr,
                )
            data = file.read(_KEY_FILE_LIMIT + 1)
    except OSError as error:
        raise ValueError(f"cannot read --access-key-file {path}: {error.strerror or error}") from None
    if len(data) > _KEY_FILE_LIMIT:
        raise ValueError(f"--access-key-file {path} is not an access key (over {_KEY_FILE_LIMIT} bytes)")
    try:
        key = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise ValueError(f"--access-key-file {path} does not hold a base64 access key (not ASCII)") from None
    if not key:
        raise ValueError(f"--access-key-file {path} is empty")
    return key


def _endpoint_host(host: str) -> str:
    if host in ("0.0.0.0", ""):  # noqa: S104 - only for display
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _tls_context(args: argparse.Namespace, emulator: Emulator) -> tuple[ssl.SSLContext, str | None, bytes | None]:
    """(server context, PEM file clients should trust when it is the user's, the store's CA to write)."""
    from . import _tls

    if args.cert:
        return _tls.context_from_files(args.cert, args.key), os.path.abspath(args.cert), None
    material = _tls.store_material(emulator.store, _tls.server_names(args.host))
    return _tls.context_from_material(material), None, material.ca_pem


@contextlib.contextmanager
def _ca_file(db: str, ca_pem: bytes) -> Iterator[str]:
    """The store's CA where clients can read it, for as long as the service runs.

    Beside the store (``<db>-ca.pem``, like SQLite's own -wal and -shm files), kept
    after exit so a trusted path stays valid; with ``--db :memory:`` in a private
    temporary folder, removed on every exit this process sees (SIGTERM and SIGINT
    included; not ``kill -9``).
    """
    from . import _tls

    if db != ":memory:":
        path = os.path.abspath(db) + "-ca.pem"
        _tls.write_ca_file(path, ca_pem)
        yield path
        return
    folder = tempfile.mkdtemp(prefix="acs-identity-emulator-")
    try:
        path = os.path.join(folder, "ca.pem")
        _tls.write_ca_file(path, ca_pem)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _trust_hint(prog: str, certificate: str) -> str:
    """The stderr line that says how this project's CLI and samples trust the local CA."""
    quoted = shlex.quote(certificate)
    return (
        f"{prog}: HTTPS with a local CA: clients must trust {certificate}. With the connection string above in "
        f"AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING, run the CLI as: acs-identity --ca-file {quoted} user create "
        f"(the samples likewise: SSL_CERT_FILE={quoted} python samples/identity_sync.py; "
        "in code: connection_verify=<that file>)"
    )


def _raise_open_file_limit() -> None:
    """Raise the soft limit on open files to the hard one.

    Each connection is a file descriptor; a low soft limit (often 1024) lets a
    burst of idle or half-sent connections lock legitimate clients out for the
    idle timeout.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 65536 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):  # not allowed here: keep the soft limit
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


async def _serve(args: argparse.Namespace, prog: str, access_key: str | None) -> int:
    signing = args.signing_processes
    if signing is None:
        # One helper measured best on 2 cores: the event loop keeps the
        # other core; more helpers only add scheduling noise.
        signing = 1 if (os.cpu_count() or 1) >= 2 else 0
    try:
        store = Store(args.db, tombstone_retention=args.tombstone_retention)
    except StoreInUseError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as error:  # not a database, no permission, hard links, ...
        print(f"{prog}: cannot open the store {args.db}: {error}", file=sys.stderr)
        return EXIT_USAGE
    from ._app import Emulator

    start = _Start()
    try:
        try:
            emulator = Emulator(store, access_key)
        except ValueError as error:  # bad key: message never echoes the key
            print(f"{prog}: {error}", file=sys.stderr)
            return EXIT_USAGE
        _add_faults(emulator, args.fault + args.faults_file)
        sweeper = asyncio.create_task(sweep_tombstones(store))
        try:
            return await _serve_emulator(args, prog, emulator, max(signing, 0), start)
        finally:
            sweeper.cancel()
            await asyncio.gather(sweeper, return_exceptions=True)
            emulator.signer.close()
    finally:
        if start.ready:
            store.close()
        else:
            # A start that failed (a busy port, bad TLS files, a signal before it was
            # ready) leaves no new store behind; a store that existed is only closed.
            store.discard()


def _add_faults(emulator: Emulator, rules: list[FaultRule]) -> None:
    """The rules of ``--fault`` and ``--faults-file``, in that order (checked by ``main``)."""
    from ._faults import attach

    emulator.faults.extend(rules)
    attach(emulator)
    for rule in rules:
        log.info("fault rule %s added: %s", rule.id, rule)


class _Start:
    """Whether the service got as far as printing its connection string (its store is then in use)."""

    ready = False


async def _serve_emulator(args: argparse.Namespace, prog: str, emulator: Emulator, signing: int, start: _Start) -> int:
    """Serve until SIGINT/SIGTERM; return the exit status."""
    from aiohttp import web

    from ._http import LISTEN_BACKLOG, make_server

    context: ssl.SSLContext | None = None
    certificate: str | None = None
    ca_pem: bytes | None = None
    if args.tls or args.cert:
        try:
            context, certificate, ca_pem = _tls_context(args, emulator)
        except (OSError, ssl.SSLError, ValueError) as error:  # names files, never key material
            print(f"{prog}: cannot set up TLS: {error}", file=sys.stderr)
            return 2
    _raise_open_file_limit()
    await emulator.signer.start_helpers(signing)
    server = make_server(emulator, args.idle_timeout, log if args.access_log else None)
    runner = web.ServerRunner(server, handle_signals=False)
    try:
        await runner.setup()
        site = web.TCPSite(runner, args.host, args.port, ssl_context=context, backlog=LISTEN_BACKLOG)
        try:
            await site.start()
        except OSError as error:
            print(f"{prog}: {_listen_error(args.host, args.port, error)}", file=sys.stderr)
            return 1
        # The real port, also when --port 0 let the OS pick one.
        port = int(runner.addresses[0][1])

        with contextlib.ExitStack() as stack:
            if ca_pem is not None:
                certificate = stack.enter_context(_ca_file(args.db, ca_pem))
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            start.ready = True
            # The one place the key is printed: the connection string, on stdout.
            endpoint = f"{'http' if context is None else 'https'}://{_endpoint_host(args.host)}:{port}/"
            print(f"endpoint={endpoint};accesskey={emulator.access_key}", flush=True)
            if certificate is not None:
                print(f"certificate={certificate}", flush=True)
                if ca_pem is not None:
                    print(_trust_hint(prog, certificate), file=sys.stderr, flush=True)
            await stop.wait()
            return 0
    finally:
        emulator.faults.stop()  # a fault rule's delay does not hold the stop up
        await runner.cleanup()


def _listen_error(host: str, port: int, error: OSError) -> str:
    """One line for a port that cannot be listened on, naming the fix."""
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use by another program; pick a free one with --port 0 (or another --port)"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port} on {host} (ports below 1024 need privileges); use --port 0"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def _check_fault_ids(parser: argparse.ArgumentParser, rules: list[FaultRule]) -> None:
    """Two rules of --fault / --faults-file with one ``id`` are a usage error naming it."""
    seen: set[str] = set()
    for rule in rules:
        if rule.id is not None:
            if rule.id in seen:
                parser.error(f"argument --fault/--faults-file: id: two rules have the id {rule.id!r}")
            seen.add(rule.id)


def _runner(choice: str) -> Callable[[Coroutine[Any, Any, int]], int] | None:
    """``asyncio.run`` or ``uvloop.run`` for ``--loop`` (``None``: uvloop asked for, not installed).

    uvloop (libuv, in C) takes a measurable share of the per-request CPU off
    the event loop; the emulator behaves the same on either loop.
    """
    if choice == "asyncio":
        return asyncio.run
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        return None if choice == "uvloop" else asyncio.run
    run: Callable[[Coroutine[Any, Any, int]], int] = uvloop.run
    return run


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """Run the emulator until SIGINT/SIGTERM; return the exit status.

    ``prog`` is the program name ``--help`` and usage errors show (``acs-identity
    serve`` passes its own).
    """
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if (args.cert is None) != (args.key is None):
        parser.error("--cert and --key go together")
    if not args.idle_timeout > 0:
        parser.error("--idle-timeout must be a positive number of seconds")
    _check_fault_ids(parser, args.fault + args.faults_file)
    # Read once and removed, so helper processes and anything they start do not inherit it.
    env_key = os.environ.pop(ACCESS_KEY_ENV, None)
    access_key = args.access_key if args.access_key is not None else env_key
    if args.access_key_file is not None:
        try:
            access_key = _read_key_file(prog, args.access_key_file)
        except ValueError as error:
            print(f"{prog}: {error}", file=sys.stderr)
            return EXIT_USAGE
    try:
        # aiohttp (through _http and _app) and cryptography (_tls): the [emulator] extra.
        importlib.import_module("acs_identity_emulator._http")
        importlib.import_module("acs_identity_emulator._tls")
    except ImportError as error:
        print(
            f"{prog}: the local service needs the [emulator] extra ({error}); install it with: {EXTRA_HINT}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    run = _runner(args.loop)
    if run is None:
        print(f"{prog}: --loop uvloop: uvloop is not installed", file=sys.stderr)
        return 2
    # Until the service is up and has its own handlers, SIGTERM unwinds like Ctrl-C
    # does, so what the start made (a new store, a temporary folder) is removed.
    try:
        previous = signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread: signals are not ours to handle
        previous = None
    try:
        return run(_serve(args, prog, access_key))
    except KeyboardInterrupt:  # Ctrl-C before the service was up, or a second one during shutdown
        return 130
    except _Terminated:
        return 128 + signal.SIGTERM
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(SystemExit):
    """SIGTERM before the service installed its own handler.

    A ``SystemExit``, so that event loops re-raise it from any callback (as they do
    ``KeyboardInterrupt``) instead of logging it and carrying on.
    """

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


def _terminated(signum: int, frame: object) -> NoReturn:
    raise _Terminated
