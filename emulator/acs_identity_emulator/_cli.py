"""Command line: ``acs-identity-emulator`` / ``python -m acs_identity_emulator``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from aiohttp import web

from ._app import create_app, emulator_of

log = logging.getLogger("acs_identity_emulator")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="acs-identity-emulator",
        description="A local Azure Communication Services Identity service.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    parser.add_argument(
        "--db",
        default="./identity.db",
        help="SQLite file holding the state, or :memory: (default ./identity.db)",
    )
    parser.add_argument(
        "--access-key",
        default=None,
        help="base64 access key; by default one is generated once and kept in the store",
    )
    parser.add_argument(
        "--signing-processes",
        type=int,
        default=None,
        help="helper processes for RSA token signing; 0 signs in the server process "
        "(default: 1 on a machine with 2+ CPUs, else 0)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request line to stderr")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    return parser


def _endpoint_host(host: str) -> str:
    if host in ("0.0.0.0", ""):  # noqa: S104 - only for display
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


async def _serve(args: argparse.Namespace) -> int:
    try:
        signing = args.signing_processes
        if signing is None:
            # One helper measured best on 2 cores: the event loop keeps the
            # other core; more helpers only add scheduling noise.
            signing = 1 if (os.cpu_count() or 1) >= 2 else 0
        app = create_app(args.db, args.access_key, max(signing, 0))
    except ValueError as error:  # bad key: message never echoes the key
        print(f"acs-identity-emulator: {error}", file=sys.stderr)
        return 2
    emulator = emulator_of(app)
    runner = web.AppRunner(
        app,
        access_log=log if args.access_log else None,
        handle_signals=False,
    )
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    try:
        await site.start()
    except OSError as error:
        print(f"acs-identity-emulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        await runner.cleanup()
        return 1
    # The real port, also when --port 0 let the OS pick one.
    port = int(runner.addresses[0][1])

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # The one place the key is printed: the connection string, on stdout.
    print(
        f"endpoint=http://{_endpoint_host(args.host)}:{port}/;accesskey={emulator.access_key}",
        flush=True,
    )
    await stop.wait()
    await runner.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until SIGINT/SIGTERM; return the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 130
