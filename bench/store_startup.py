"""Start-up time and memory of the local Identity service with many live identities (a benchmark, not a test).

Builds two file stores, one empty and one with ``--identities`` live identities (1,000,000 by
default), then starts the service (``start_emulator``, default options) on each, alternating, for
``--rounds`` rounds, and prints for each start: the time from launching the process to its
connection-string line, and the server process's resident memory then (``VmRSS``, and the peak
``VmHWM``; the signing helper process, the same for any store, is reported apart).  The ratios
full/empty of each round are measured back to back, so machine load shifts both sides alike.

It also checks that the big store serves its identities (``--requests`` token requests for random
identities of it after each of its starts, with the memory after them) and, in this process, what
one identity lookup by primary key costs on that store (``Store.identity``), for random
identities and for a few hot ones, next to a dict lookup (what an in-memory mirror would cost).

    python bench/store_startup.py                    # 1,000,000 identities, 5 rounds
    python bench/store_startup.py --identities 200000 --rounds 3

The stores are built with the service's own schema: each is created by starting the service on
it once (which also generates its keys), then the identities are inserted with SQLite directly in
one transaction (creating a million through HTTP would take several minutes and measure nothing
more).  Goal: the big store starts within 1.5x of the empty one's time and memory.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from typing import Optional
from urllib.parse import quote

try:
    from acs_identity_emulator.testing import EmulatorProcess, start_emulator
except ImportError:  # running from a source checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))
    from acs_identity_emulator.testing import EmulatorProcess, start_emulator

from emulator_load import API_VERSION, BODY, Signer, children, has_token


def _status_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def _prepare(path: str) -> str:
    """Create the store by starting the service on it once; return its resource id."""
    start_emulator(db=path).stop()
    with closing(sqlite3.connect(path)) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'resource_id'").fetchone()
    return str(row[0])


def _fill(path: str, resource: str, count: int) -> None:
    now = time.time()
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO identities (id, created_at) VALUES (?, ?)",
            ((f"8:acs:{resource}_{uuid.uuid4()}", now) for _ in range(count)),
        )
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _sample_ids(path: str, count: int) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        total = db.execute("SELECT MAX(rowid) FROM identities").fetchone()[0] or 0
        ids: list[str] = []
        for rowid in random.sample(range(1, total + 1), min(count, total)):
            row = db.execute("SELECT id FROM identities WHERE rowid = ?", (rowid,)).fetchone()
            if row is not None:
                ids.append(row[0])
    return ids


def _issue_tokens(port: int, access_key: str, ids: list[str]) -> int:
    """Issue one token for each id on one keep-alive connection; return the failures."""
    signer = Signer(access_key, f"127.0.0.1:{port}")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    failures = 0
    try:
        for identity in ids:
            pq = f"/identities/{quote(identity, safe='')}/:issueAccessToken?api-version={API_VERSION}"
            conn.request("POST", pq, body=BODY, headers=signer.headers("POST", pq, BODY))
            reply = conn.getresponse()
            failures += not has_token(reply.status, reply.read())
    finally:
        conn.close()
    return failures


def _helpers_kib(pid: int) -> int:
    """Resident memory of the process's children (the signing helper)."""
    return sum(_status_kib(child, "VmRSS") for child in children(pid))


def _start(path: str) -> tuple[float, int, int, int, EmulatorProcess]:
    started = time.perf_counter()
    emu = start_emulator(db=path, startup_timeout=300)
    elapsed = time.perf_counter() - started
    return elapsed, _status_kib(emu.pid, "VmRSS"), _status_kib(emu.pid, "VmHWM"), _helpers_kib(emu.pid), emu


def _best_per_item(fn: Callable[[str], object], items: list[str]) -> float:
    """Seconds per call of ``fn`` over ``items``, best of 3."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, (time.perf_counter() - t0) / len(items))
    return best


def _lookups(path: str, ids: list[str]) -> None:
    """Per-lookup cost of ``Store.identity`` on the big store, in this process."""
    from acs_identity_emulator._store import Store

    store = Store(path)
    try:
        hot = ids[:32] * (len(ids) // 32)
        results = {
            label: _best_per_item(store.identity, sample) for label, sample in (("random", ids), ("hot (32 ids)", hot))
        }
        mirror = {i: None for i in ids}
        best = _best_per_item(mirror.get, ids)
    finally:
        store.close()
    print(f"lookup by primary key  {', '.join(f'{k} {v * 1e6:.1f} us' for k, v in results.items())}", end="")
    print(f"; dict lookup {best * 1e6:.2f} us (best of 3 over {len(ids)} ids)")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--identities", type=int, default=1_000_000, help="live identities in the big store")
    parser.add_argument("--rounds", type=int, default=5, help="starts of each store (default 5)")
    parser.add_argument("--requests", type=int, default=1000, help="token requests after each big start")
    parser.add_argument("--dir", default=None, help="where to build the stores (default: a temporary folder)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="store-startup-", dir=args.dir) as folder:
        empty, full = os.path.join(folder, "empty.db"), os.path.join(folder, "full.db")
        _prepare(empty)
        resource = _prepare(full)
        t0 = time.perf_counter()
        _fill(full, resource, args.identities)
        size = os.path.getsize(full)
        print(
            f"built a store of {args.identities} live identities in {time.perf_counter() - t0:.1f} s "
            f"({size / 2**20:.1f} MiB)"
        )
        ids = _sample_ids(full, max(args.requests, 20_000))
        print(
            f"{'round':5}  {'empty: s, RSS, peak MiB':>24}  {'full: s, RSS, peak MiB':>24}  {'after requests':>14}"
            "  ratio time  RSS  peak"
        )
        ratios: dict[str, list[float]] = {"time": [], "rss": [], "peak": []}
        per_identity: list[float] = []
        helper: list[int] = []
        failures = 0
        for n in range(args.rounds):
            figures = {}
            order = (empty, full) if n % 2 == 0 else (full, empty)
            for path in order:
                elapsed, rss, hwm, helper_kib, emu = _start(path)
                helper.append(helper_kib)
                after = 0
                try:
                    if path == full and args.requests:
                        failures += _issue_tokens(emu.port, emu.access_key, random.sample(ids, args.requests))
                        after = _status_kib(emu.pid, "VmRSS")
                finally:
                    emu.stop()
                figures[path] = (elapsed, rss, hwm, after)
            e, f = figures[empty], figures[full]
            ratios["time"].append(f[0] / e[0])
            ratios["rss"].append(f[1] / e[1])
            ratios["peak"].append(f[2] / e[2])
            per_identity.append((f[1] - e[1]) * 1024 / args.identities)
            print(
                f"{n + 1:5}  {e[0]:8.2f} {e[1] / 1024:7.1f} {e[2] / 1024:7.1f}"
                f"  {f[0]:8.2f} {f[1] / 1024:7.1f} {f[2] / 1024:7.1f}  {f[3] / 1024:10.1f} MiB"
                f"  {ratios['time'][-1]:10.2f} {ratios['rss'][-1]:4.2f} {ratios['peak'][-1]:5.2f}"
            )
        print(
            f"median ratio full/empty: start-up time {statistics.median(ratios['time']):.2f}, "
            f"resident memory {statistics.median(ratios['rss']):.2f} (peak {statistics.median(ratios['peak']):.2f}); "
            f"goal <= 1.5"
        )
        print(f"memory per live identity: {statistics.median(per_identity):.0f} bytes (median of the RSS differences)")
        print(
            f"signing helper process: {min(helper) / 1024:.1f}-{max(helper) / 1024:.1f} MiB resident in every start "
            "(not in the figures above)"
        )
        if args.requests:
            print(f"token requests on the big store: {args.requests * args.rounds}, {failures} failed")
        _lookups(full, ids)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
