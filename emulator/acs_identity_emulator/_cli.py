"""Command line: ``acs-identity-emulator`` / ``python -m acs_identity_emulator``.

Only the standard library (and the SQLite store) is imported up front, so that ``--help``
works and a missing ``[emulator]`` extra is one line naming the fix (exit status 2), not a
traceback; the service's modules are imported once the arguments are good.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import math
import os
import signal
import stat
import sys
from collections.abc import Callable, Coroutine
from importlib import metadata
from typing import TYPE_CHECKING, Any, NoReturn

from ._limits import DEFAULT_IDLE_TIMEOUT
from ._serve import EXIT_USAGE, serve
from ._store import DEFAULT_TOMBSTONE_RETENTION, MIN_TOMBSTONE_RETENTION

if TYPE_CHECKING:
    from ._faults import FaultRule

PROG = "acs-identity-emulator"
#: Environment variable read for the access key when ``--access-key`` is not given.
#: Unlike a command-line argument, other local users cannot read it (``/proc/<pid>/environ``
#: is owner-only); it is removed from the environment once read.
ACCESS_KEY_ENV = "ACS_IDENTITY_EMULATOR_ACCESS_KEY"
DISTRIBUTION = "azure-communication-administration"
EXTRA_HINT = f"pip install '{DISTRIBUTION}[emulator]'"
#: The command that asks a running service for an Entra token (``_entra_command``).
ENTRA_TOKEN_COMMAND = "entra-token"  # noqa: S105 - a command name
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
        epilog=f"commands: '{prog} {ENTRA_TOKEN_COMMAND} --tenant ID --object ID --app ID' prints a signed Entra ID "
        f"token of a Teams user that the running service's Teams exchanges accept (see '{prog} "
        f"{ENTRA_TOKEN_COMMAND} --help').",
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
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == [ENTRA_TOKEN_COMMAND]:
        from . import _entra_command

        return _entra_command.main(arguments[1:], f"{prog} {ENTRA_TOKEN_COMMAND}")
    parser = _parser(prog)
    args = parser.parse_args(arguments)
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
        return run(serve(args, prog, access_key))
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
