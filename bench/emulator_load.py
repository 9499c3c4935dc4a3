"""Load benchmark for the ACS Identity emulator (a benchmark, not a test).

Starts the emulator as a subprocess on a free port, creates one identity per
client, then runs N concurrent clients issuing tokens with HMAC-signed GA
``:issueAccessToken`` calls for a fixed duration (or request count) and
prints tokens/s, p50/p99 latency and the CPU seconds of the emulator and of
this load generator.

    python bench/emulator_load.py --concurrency 32 --duration 10

Target on a 2-core machine: >= 1500 tokens/s with p99 < 25 ms at 32
concurrent requests.  The load generator shares the cores, so it signs each
request cheaply (one HMAC; the body hash and date string are reused).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import os
import resource
import sys
import time
from email.utils import formatdate
from urllib.parse import quote

import aiohttp
from yarl import URL

try:
    from acs_identity_emulator.testing import start_emulator
except ImportError:  # running from a source checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))
    from acs_identity_emulator.testing import start_emulator

API_VERSION = "2023-10-01"
BODY = b'{"scopes":["chat"]}'


class Signer:
    """Cheap HMAC signer: caches the body hash and the per-second date."""

    def __init__(self, access_key: str, host: str) -> None:
        self._key = base64.b64decode(access_key)
        self._host = host
        self._date_second = -1
        self._date = ""
        self.body_hash = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
        self._empty_hash = base64.b64encode(hashlib.sha256(b"").digest()).decode()

    def headers(self, method: str, path_query: str, body: bytes = BODY) -> dict[str, str]:
        now = int(time.time())
        if now != self._date_second:
            self._date_second = now
            self._date = formatdate(now, usegmt=True)
        body_hash = (
            self.body_hash
            if body is BODY
            else (self._empty_hash if not body else base64.b64encode(hashlib.sha256(body).digest()).decode())
        )
        to_sign = f"{method}\n{path_query}\n{self._date};{self._host};{body_hash}"
        sig = base64.b64encode(hmac.new(self._key, to_sign.encode(), hashlib.sha256).digest())
        return {
            "x-ms-date": self._date,
            "x-ms-content-sha256": body_hash,
            "Authorization": "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + sig.decode(),
            "Content-Type": "application/json",
        }


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its live children (e.g. signing helpers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(args: argparse.Namespace, endpoint: str, access_key: str, pid: int) -> int:
    host = endpoint.split("//", 1)[1].rstrip("/")
    signer = Signer(access_key, host)
    connector = aiohttp.TCPConnector(limit=args.concurrency, force_close=False)
    latencies: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(endpoint.rstrip("/"), connector=connector) as session:
        ids: list[str] = []
        for _ in range(args.concurrency):
            pq = f"/identities?api-version={API_VERSION}"
            async with session.post(pq, data=b"", headers=signer.headers("POST", pq, b"")) as r:
                r.raise_for_status()
                ids.append((await r.json())["identity"]["id"])

        stop_at = 0.0
        remaining = args.count
        measuring = False

        async def client(identity: str) -> None:
            nonlocal errors, remaining
            pq = f"/identities/{quote(identity, safe='')}/:issueAccessToken?api-version={API_VERSION}"
            url = URL(endpoint.rstrip("/") + pq, encoded=True)
            while time.perf_counter() < stop_at and (args.count == 0 or remaining > 0):
                if args.count:
                    remaining -= 1
                started = time.perf_counter()
                async with session.post(url, data=BODY, headers=signer.headers("POST", pq)) as r:
                    await r.read()
                    ok = r.status == 200
                if measuring:
                    if ok:
                        latencies.append(time.perf_counter() - started)
                    else:
                        errors += 1

        # warm-up (not measured)
        stop_at = time.perf_counter() + args.warmup
        await asyncio.gather(*(client(i) for i in ids))

        measuring = True
        latencies.clear()
        cpu_emu0, cpu_self0 = _proc_cpu_seconds(pid), _self_cpu_seconds()
        t0 = time.perf_counter()
        stop_at = t0 + (args.duration if args.count == 0 else 3600.0)
        await asyncio.gather(*(client(i) for i in ids))
        elapsed = time.perf_counter() - t0
        cpu_emu, cpu_self = _proc_cpu_seconds(pid) - cpu_emu0, _self_cpu_seconds() - cpu_self0

    latencies.sort()
    n = len(latencies)
    if n == 0:
        print("no successful requests", file=sys.stderr)
        return 1

    def pct(p: float) -> float:
        return latencies[min(n - 1, int(p * n))] * 1000

    print(f"concurrency       {args.concurrency}  (CPUs: {os.cpu_count()})")
    print(f"tokens issued     {n} in {elapsed:.2f} s ({errors} errors)")
    print(f"tokens/s          {n / elapsed:.0f}")
    print(f"latency p50       {pct(0.50):.2f} ms")
    print(f"latency p99       {pct(0.99):.2f} ms")
    print(f"latency max       {latencies[-1] * 1000:.2f} ms")
    print(f"emulator CPU      {cpu_emu:.2f} s ({cpu_emu / elapsed * 100:.0f}% of one core, incl. signing processes)")
    print(f"load gen CPU      {cpu_self:.2f} s ({cpu_self / elapsed * 100:.0f}% of one core)")
    return 0 if errors == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", "-c", type=int, default=32)
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--count", "-n", type=int, default=0, help="stop after N requests instead")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--db", default=":memory:", help="emulator --db (default :memory:)")
    parser.add_argument(
        "--signing-processes",
        type=int,
        default=None,
        help="emulator --signing-processes (default: the emulator's own default)",
    )
    args = parser.parse_args(argv)
    extra = [] if args.signing_processes is None else ["--signing-processes", str(args.signing_processes)]
    emu = start_emulator(db=args.db, extra_args=extra)
    try:
        return asyncio.run(run(args, emu.endpoint, emu.access_key, emu.pid))
    finally:
        emu.stop()


if __name__ == "__main__":
    raise SystemExit(main())
