"""``acs-identity-emulator`` once its arguments are good: the store, TLS, listening, start-up lines.

:func:`serve` opens the store (one line and exit status 1 or 2 when it cannot), serves until
SIGINT/SIGTERM, and leaves no new file behind when the start fails. What it prints: the
connection string on stdout (the one place the key is printed), ``certificate=<path>`` for a
TLS start, and on stderr the line that makes this project's clients trust a local CA.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import os
import resource
import shlex
import shutil
import signal
import sqlite3
import ssl
import sys
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._store import Store, StoreInUseError, sweep_tombstones

if TYPE_CHECKING:
    from ._app import Emulator
    from ._faults import FaultRule

log = logging.getLogger("acs_identity_emulator")

#: Exit status for bad input (options, files, a store that cannot be opened).
EXIT_USAGE = 2


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


async def serve(args: argparse.Namespace, prog: str, access_key: str | None) -> int:
    """Open the store, serve until SIGINT/SIGTERM, close; return the exit status (errors: one line)."""
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
    """The rules of ``--fault`` and ``--faults-file``, in that order (checked by ``_cli.main``)."""
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
