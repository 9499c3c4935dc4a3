"""Soak benchmark of the local Identity service: create/delete churn for a long time (a benchmark, not a test).

Starts the service on a file store (``--tombstone-retention`` short, 60 s by default, so deleted
identities are forgotten within minutes), then keeps ``--connections`` keep-alive connections
(8) each looping: create an identity, issue 3 tokens for it, revoke its tokens, delete it; every
request HMAC-signed (the generator and signing of ``emulator_load.py``), one in flight per
connection.  Every ``--sample-every`` seconds it samples the server process's resident memory
(and the signing helper's), its open files (by kind), the store's size on disk (database,
``-wal``, ``-shm``) and its rows (live identities, tombstones), and prints a line.  At the end it
prints, for the time after ``--warmup``: the growth of each figure (last sample minus the first
after warm-up) and its range, the request rate and the errors.

    python bench/emulator_soak.py -d 300                    # 5 minutes, retention 60 s
    python bench/emulator_soak.py -d 1800 --warmup 120      # the 30-minute run of bench/README.md

A request counts as an error unless its answer is the right one: 201 with an identity id for a
create, 200 with a JWT for an issue, 204 for a revoke and a delete.  The exit status is 1 if any
request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import quote

try:
    from acs_identity_emulator.testing import start_emulator
except ImportError:  # running from a source checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))
    from acs_identity_emulator.testing import start_emulator

from emulator_load import (
    API_VERSION,
    BODY,
    BODY_HASH,
    EMPTY_HASH,
    Http1Connection,
    Signer,
    _event_loop_runner,
    children,
    has_token,
)

MIB = 2**20
#: (name, method, path after the id or None for create, body, its hash, expected status) of one cycle.
CYCLE = (
    ("create", "POST", None, b"", EMPTY_HASH, 201),
    ("issue", "POST", "/:issueAccessToken", BODY, BODY_HASH, 200),
    ("issue", "POST", "/:issueAccessToken", BODY, BODY_HASH, 200),
    ("issue", "POST", "/:issueAccessToken", BODY, BODY_HASH, 200),
    ("revoke", "POST", "/:revokeAccessTokens", b"", EMPTY_HASH, 204),
    ("delete", "DELETE", "", b"", EMPTY_HASH, 204),
)


@dataclass
class Totals:
    """Requests, errors and latencies, counted from the start."""

    requests: int = 0
    errors: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)

    def failed(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)


class ChurnConnection(Http1Connection):
    """Loops create, 3x issue, revoke, delete until told to stop."""

    def __init__(self, signer: Signer, totals: Totals) -> None:
        super().__init__()
        self._signer = signer
        self._totals = totals
        self._step = 0
        self._identity: Optional[str] = None
        self.stopping = False
        self.idle: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def next(self) -> None:
        if self.stopping:
            if not self.idle.done():
                self.idle.set_result(None)
            return
        _, method, suffix, body, body_hash, _ = CYCLE[self._step]
        if suffix is None:
            path = f"/identities?api-version={API_VERSION}"
        else:
            assert self._identity is not None
            path = f"/identities/{quote(self._identity, safe='')}{suffix}?api-version={API_VERSION}"
        self.send(self._signer.request(method, path, body, body_hash))

    def on_response(self, status: int, body: bytes, latency: float) -> None:
        name, method, suffix, _, _, expected = CYCLE[self._step]
        totals = self._totals
        totals.requests += 1
        totals.latencies.setdefault(name, []).append(latency)
        ok = status == expected
        if ok and suffix is None:
            try:
                self._identity = json.loads(body)["identity"]["id"]
            except (ValueError, KeyError, TypeError):
                ok = False
        elif ok and status == 200:
            ok = has_token(status, body)
        if not ok:
            totals.failed(f"{method} {suffix or '/identities'}: HTTP {status} {body[:200]!r}")
            if suffix is None:  # no identity to go on with: create again
                self.next()
                return
        self._step = (self._step + 1) % len(CYCLE)
        self.next()

    def on_lost(self) -> None:
        self._totals.failed("the server closed a connection")
        if not self.idle.done():
            self.idle.set_result(None)


# -- sampling -----------------------------------------------------------------------------------
def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _open_files(pid: int) -> Counter[str]:
    """Open file descriptors by kind: socket, pipe, anon_inode:..., or the file's name."""
    kinds: Counter[str] = Counter()
    folder = f"/proc/{pid}/fd"
    for fd in os.listdir(folder):
        try:
            target = os.readlink(os.path.join(folder, fd))
        except OSError:
            continue
        kind = target.split(":", 1)[0] if target.startswith(("socket:", "pipe:")) else target
        kinds[os.path.basename(kind) if kind.startswith("/") else kind] += 1
    return kinds


def _store_bytes(db: str) -> int:
    return sum(os.path.getsize(db + suffix) for suffix in ("", "-wal", "-shm") if os.path.exists(db + suffix))


@dataclass
class Sample:
    at: float
    requests: int
    errors: int
    rss: float
    helper_rss: float
    files: Counter[str]
    store: int
    live: int
    tombstones: int

    @property
    def open_files(self) -> int:
        return sum(self.files.values())


async def _sampler(
    pid: int, helpers: list[int], db: str, totals: Totals, every: float, started: float, out: list[Sample]
) -> None:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as reader:
        while True:
            live, tombstones = reader.execute(
                "SELECT COUNT(*) - COUNT(deleted_at), COUNT(deleted_at) FROM identities"
            ).fetchone()
            sample = Sample(
                at=time.perf_counter() - started,
                requests=totals.requests,
                errors=totals.errors,
                rss=_rss_mib(pid),
                helper_rss=sum(_rss_mib(h) for h in helpers),
                files=_open_files(pid),
                store=_store_bytes(db),
                live=live,
                tombstones=tombstones,
            )
            previous = out[-1] if out else None
            out.append(sample)
            rate = 0.0 if previous is None else (sample.requests - previous.requests) / (sample.at - previous.at)
            print(
                f"{sample.at:7.0f} {rate:8.0f} {sample.errors:6} {sample.rss:8.1f} {sample.helper_rss:8.1f} "
                f"{sample.open_files:5} {sample.store / MIB:8.2f} {sample.live:6} {sample.tombstones:8}",
                flush=True,
            )
            await asyncio.sleep(every)


def _growth(label: str, values: list[float], unit: str, digits: int = 1) -> str:
    return (
        f"{label:18} first {values[0]:.{digits}f}, last {values[-1]:.{digits}f}, "
        f"growth {values[-1] - values[0]:+.{digits}f} {unit}"
        f" (range {min(values):.{digits}f} to {max(values):.{digits}f}, spread {max(values) - min(values):.{digits}f})"
    )


async def run(args: argparse.Namespace, endpoint: str, access_key: str, pid: int, db: str) -> int:
    host = endpoint.split("//", 1)[1].rstrip("/")
    port = int(host.rsplit(":", 1)[1])
    signer = Signer(access_key, host)
    totals = Totals()
    loop = asyncio.get_running_loop()
    connections: list[ChurnConnection] = []
    before = sum(_open_files(pid).values())
    for _ in range(args.connections):
        _, protocol = await loop.create_connection(lambda: ChurnConnection(signer, totals), "127.0.0.1", port)
        await protocol.ready
        connections.append(protocol)
    # The server holds one file per connection from its accept(), which may come just after ours.
    deadline = time.perf_counter() + 5
    while sum(_open_files(pid).values()) < before + args.connections and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    print(
        f"open files of the server: {before} before connecting, {sum(_open_files(pid).values())} with the connections"
    )
    helpers = children(pid)
    samples: list[Sample] = []
    print(
        f"{'s':>7} {'req/s':>8} {'errors':>6} {'RSS MiB':>8} {'helper':>8} {'files':>5} {'store MiB':>8} "
        f"{'live':>6} {'tombstones':>8}"
    )
    started = time.perf_counter()
    sampler = asyncio.create_task(_sampler(pid, helpers, db, totals, args.sample_every, started, samples))
    for connection in connections:
        connection.next()
    try:
        await asyncio.sleep(args.duration)
    finally:
        for connection in connections:
            connection.stopping = True
        await asyncio.wait_for(asyncio.gather(*(c.idle for c in connections)), 60)
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        for connection in connections:
            connection.close()

    measured = [s for s in samples if s.at >= args.warmup]
    if len(measured) < 2:
        print("the run was too short to measure after the warm-up", file=sys.stderr)
        return 1
    first, last = measured[0], measured[-1]
    rate = (last.requests - first.requests) / (last.at - first.at)

    def spread(values: list[float]) -> str:
        ordered = sorted(values)
        at = lambda p: ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000  # noqa: E731
        return f"p50 {at(0.5):.2f} ms, p99 {at(0.99):.2f} ms, max {ordered[-1] * 1000:.2f} ms"

    print()
    print(f"after the {args.warmup:g} s warm-up, {last.at - first.at:.0f} s in {len(measured)} samples:")
    print(f"requests          {last.requests - first.requests} at {rate:.0f}/s, {last.errors - first.errors} errors")
    print(f"in all            {totals.requests} requests, {totals.errors} errors")
    print(f"latency           all: {spread([v for values in totals.latencies.values() for v in values])}")
    for name, values in totals.latencies.items():
        print(f"{'':18}{name}: {spread(values)}")
    print(_growth("resident memory", [s.rss for s in measured], "MiB"))
    print(_growth("signing helper", [s.helper_rss for s in measured], "MiB"))
    print(_growth("open files", [float(s.open_files) for s in measured], "", 0))
    print(_growth("store on disk", [s.store / MIB for s in measured], "MiB", 2))
    print(_growth("live identities", [float(s.live) for s in measured], "", 0))
    print(_growth("tombstones", [float(s.tombstones) for s in measured], "", 0))
    kinds = sorted(set().union(*(s.files for s in samples)))
    moved = {k: (min(s.files[k] for s in samples), max(s.files[k] for s in samples)) for k in kinds}
    print(
        "open files by kind (min-max over the whole run): "
        + ", ".join(f"{k} {lo}-{hi}" for k, (lo, hi) in moved.items())
    )
    deletes_per_s = rate / len(CYCLE)
    bound = args.tombstone_retention * deletes_per_s
    most = max(s.tombstones for s in measured)
    print(
        f"retention bound   {args.tombstone_retention:g} s x {deletes_per_s:.0f} deletions/s = {bound:.0f} tombstones; "
        f"most seen {most}"
    )
    for what in totals.first_errors:
        print(f"error: {what}", file=sys.stderr)
    return 0 if totals.errors == 0 else 1


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", "-d", type=float, default=300.0, help="seconds of churn (default 300)")
    parser.add_argument("--connections", "-c", type=int, default=8, help="keep-alive connections (default 8)")
    parser.add_argument("--warmup", type=float, default=90.0, help="seconds not counted in the growth (default 90)")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between samples (default 5)")
    parser.add_argument(
        "--tombstone-retention",
        type=float,
        default=60.0,
        help="the service's --tombstone-retention (default 60; 0 passes none: the service's default, or a "
        "service without the option)",
    )
    parser.add_argument("--db", default=None, help="the store file (default: one in a temporary folder)")
    parser.add_argument("--emulator-args", default="", help="extra service options (split on spaces)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="emulator-soak-") as folder:
        db = args.db or os.path.join(folder, "identity.db")
        extra = args.emulator_args.split()
        if args.tombstone_retention > 0:
            extra += ["--tombstone-retention", f"{args.tombstone_retention:g}"]
        emu = start_emulator(db=db, extra_args=extra)
        try:
            return _event_loop_runner()(run(args, emu.endpoint, emu.access_key, emu.pid, db))
        finally:
            emu.stop()


if __name__ == "__main__":
    raise SystemExit(main())
