"""Load benchmark for the ACS Identity emulator (a benchmark, not a test).

Starts the emulator as a subprocess on a free port, creates one identity per
connection, then keeps N keep-alive connections busy issuing tokens with
HMAC-signed GA ``:issueAccessToken`` calls (one request in flight per
connection) for a fixed duration or request count, and prints tokens/s,
p50/p99 latency and the CPU of the emulator (with its signing helper), of
this load generator and of anything else that ran on the machine meanwhile.

    python bench/emulator_load.py -d 8            # 32 connections, 8 s
    python bench/emulator_load.py -c 64 -n 20000 --client aiohttp

Target on a 2-core machine: >= 1500 tokens/s with p99 < 25 ms at 32
concurrent requests.

Fairness: the load generator shares the cores with the emulator, so by
default it is a small HTTP/1.1 client written on ``asyncio.Protocol`` (no
client framework), which costs a fraction of what aiohttp's client does.  It
still does everything a real caller does: every request gets its own HMAC
signature (string to sign with the path, the ``x-ms-date`` of the current
second, the host and the body hash) over TCP, and a request counts only if
the answer is a 2xx whose JSON body holds a JWT in ``token``; anything else
counts as an error (and the exit status is 1).  ``--client aiohttp`` runs the
same load through aiohttp's client for comparison.  "other CPU" is the CPU
time the rest of the machine used during the run: a figure far from zero
means the run was disturbed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Coroutine
from email.utils import formatdate
from typing import Any, Optional, cast
from urllib.parse import quote

try:
    from acs_identity_emulator.testing import start_emulator
except ImportError:  # running from a source checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))
    from acs_identity_emulator.testing import start_emulator

API_VERSION = "2023-10-01"
BODY = b'{"scopes":["chat"]}'
BODY_HASH = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
EMPTY_HASH = base64.b64encode(hashlib.sha256(b"").digest()).decode()


class Signer:
    """HMAC-SHA256 request signing as the SDKs do it (one signature per request).

    The ``x-ms-date`` string is formatted once per second (every SDK sends the
    same string for the whole second); the body hash is of the exact body sent.
    """

    def __init__(self, access_key: str, host: str) -> None:
        self._key = base64.b64decode(access_key)
        self.host = host
        self._date_second = -1
        self._date = ""

    def date(self) -> str:
        now = int(time.time())
        if now != self._date_second:
            self._date_second = now
            self._date = formatdate(now, usegmt=True)
        return self._date

    def signature(self, method: str, path_query: str, date: str, body_hash: str) -> str:
        to_sign = f"{method}\n{path_query}\n{date};{self.host};{body_hash}"
        return base64.b64encode(hmac.new(self._key, to_sign.encode(), hashlib.sha256).digest()).decode()

    def request(self, method: str, path_query: str, body: bytes, body_hash: str) -> bytes:
        """A whole signed HTTP/1.1 request (``body_hash`` is the base64 SHA-256 of ``body``)."""
        date = self.date()
        sig = self.signature(method, path_query, date, body_hash)
        return (
            f"{method} {path_query} HTTP/1.1\r\nHost: {self.host}\r\nx-ms-date: {date}\r\n"
            f"Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}\r\n"
            f"x-ms-content-sha256: {body_hash}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    def headers(self, method: str, path_query: str, body: bytes) -> dict[str, str]:
        date = self.date()
        body_hash = BODY_HASH if body == BODY else base64.b64encode(hashlib.sha256(body).digest()).decode()
        sig = self.signature(method, path_query, date, body_hash)
        return {
            "x-ms-date": date,
            "x-ms-content-sha256": body_hash,
            "Authorization": f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}",
            "Content-Type": "application/json",
        }


def has_token(status: int, body: bytes) -> bool:
    """A 2xx answer whose JSON body holds a JWT in ``token``."""
    if not 200 <= status < 300:
        return False
    try:
        token = json.loads(body).get("token")
    except (ValueError, AttributeError):
        return False
    return isinstance(token, str) and token.count(".") == 2 and token.startswith("ey")


class Stats:
    """Latencies of the measured phase and the error count."""

    def __init__(self) -> None:
        self.measuring = False
        self.latencies: list[float] = []
        self.errors = 0

    def record(self, ok: bool, latency: float) -> None:
        if not self.measuring:
            return
        if ok:
            self.latencies.append(latency)
        else:
            self.errors += 1


class Budget:
    """When to stop starting requests: a deadline, and an optional request count."""

    def __init__(self) -> None:
        self.stop_at = 0.0
        self.remaining = 0  # 0: unlimited

    def take(self) -> bool:
        if time.perf_counter() >= self.stop_at:
            return False
        if self.remaining:
            self.remaining -= 1
            if self.remaining == 0:
                self.stop_at = 0.0  # that was the last one
        return True


# -- raw client ---------------------------------------------------------------
def _content_length(head: bytes) -> int:
    """The Content-Length of a response head (0 when absent)."""
    lowered = head.lower()
    at = lowered.find(b"\r\ncontent-length:")
    if at < 0:
        return 0
    end = lowered.find(b"\r\n", at + 2)
    return int(lowered[at + 17 : end if end >= 0 else len(lowered)])


class Http1Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection with one request in flight: :meth:`send`, then :meth:`on_response`.

    Responses are framed by ``Content-Length`` (the emulator always sends it).
    """

    def __init__(self) -> None:
        self._transport: Optional[asyncio.Transport] = None
        self._buffer = b""
        self._started = 0.0
        self.lost = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self.ready.set_result(None)

    def send(self, request: bytes) -> None:
        assert self._transport is not None
        self._started = time.perf_counter()
        self._transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            self._buffer = buffer
            return
        length = _content_length(buffer[:end])
        if len(buffer) < end + 4 + length:
            self._buffer = buffer
            return
        latency = time.perf_counter() - self._started
        self._buffer = buffer[end + 4 + length :]
        status = int(buffer[9:12])  # "HTTP/1.1 200 OK"
        self.on_response(status, buffer[end + 4 : end + 4 + length], latency)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.lost = True
        self.on_lost()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def on_response(self, status: int, body: bytes, latency: float) -> None:
        raise NotImplementedError

    def on_lost(self) -> None:
        """The server closed the connection."""


class RawConnection(Http1Connection):
    """Issues tokens for one identity, back to back."""

    def __init__(self, signer: Signer, identity: str, stats: Stats, budget: Budget) -> None:
        super().__init__()
        self._signer = signer
        self._path = f"/identities/{quote(identity, safe='')}/:issueAccessToken?api-version={API_VERSION}"
        self._head = f"POST {self._path} HTTP/1.1\r\nHost: {signer.host}\r\n".encode()
        self._tail = (
            f"x-ms-content-sha256: {BODY_HASH}\r\nContent-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
        ).encode() + BODY
        self._stats = stats
        self._budget = budget
        self._idle: Optional[asyncio.Future[None]] = None

    def run(self) -> asyncio.Future[None]:
        """Issue tokens until the budget says stop; the future resolves when idle."""
        self._idle = asyncio.get_running_loop().create_future()
        if self.lost:  # the server closed this connection earlier: it sends no more
            self._idle.set_result(None)
        else:
            self._send()
        return self._idle

    def _send(self) -> None:
        assert self._idle is not None
        if not self._budget.take():
            if not self._idle.done():
                self._idle.set_result(None)
            return
        date = self._signer.date()
        sig = self._signer.signature("POST", self._path, date, BODY_HASH)
        self.send(
            self._head
            + f"x-ms-date: {date}\r\nAuthorization: HMAC-SHA256 "
            f"SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}\r\n".encode()
            + self._tail
        )

    def on_response(self, status: int, body: bytes, latency: float) -> None:
        self._stats.record(has_token(status, body), latency)
        self._send()

    def on_lost(self) -> None:
        if self._idle is not None and not self._idle.done():
            self._stats.record(False, 0.0)
            self._idle.set_result(None)


async def _raw_phase(connections: list[RawConnection]) -> None:
    await asyncio.gather(*(c.run() for c in connections))


async def _raw_connections(
    signer: Signer, port: int, ids: list[str], stats: Stats, budget: Budget
) -> tuple[list[RawConnection], Callable[[], None]]:
    loop = asyncio.get_running_loop()
    connections: list[RawConnection] = []
    transports: list[asyncio.BaseTransport] = []
    for identity in ids:
        transport, protocol = await loop.create_connection(
            lambda identity=identity: RawConnection(signer, identity, stats, budget), "127.0.0.1", port
        )
        await protocol.ready
        connections.append(protocol)
        transports.append(transport)

    def close() -> None:
        for transport in transports:
            transport.close()

    return connections, close


# -- aiohttp client (for comparison) -----------------------------------------
async def _aiohttp_phase(
    session: Any, endpoint: str, signer: Signer, ids: list[str], stats: Stats, budget: Budget
) -> None:
    from yarl import URL

    async def client(identity: str) -> None:
        pq = f"/identities/{quote(identity, safe='')}/:issueAccessToken?api-version={API_VERSION}"
        url = URL(endpoint.rstrip("/") + pq, encoded=True)
        while budget.take():
            started = time.perf_counter()
            try:
                async with session.post(url, data=BODY, headers=signer.headers("POST", pq, BODY)) as r:
                    ok = has_token(r.status, await r.read())
            except OSError:
                ok = False
            stats.record(ok, time.perf_counter() - started)

    await asyncio.gather(*(client(i) for i in ids))


# -- CPU accounting -------------------------------------------------------------
def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _proc_cpu_seconds(pid: int) -> tuple[float, float]:
    """utime + stime of a process and of its live children (e.g. signing helpers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    own = children = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except OSError:
            continue
        if int(entry) == pid:
            own += int(fields[11]) + int(fields[12])
        elif int(fields[1]) == pid:
            children += int(fields[11]) + int(fields[12])
    return own / ticks, children / ticks


def children(pid: int) -> list[int]:
    """The ids of a process's live child processes (e.g. signing helpers), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat_fields(int(entry))[1]) == pid:
                    found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def _self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent not idle since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


# -- driver ---------------------------------------------------------------------
def _create_identities(port: int, signer: Signer, count: int) -> list[str]:
    ids: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for _ in range(count):
            pq = f"/identities?api-version={API_VERSION}"
            conn.request("POST", pq, body=b"", headers=signer.headers("POST", pq, b""))
            reply = conn.getresponse()
            data = reply.read()
            if reply.status != 201:
                raise RuntimeError(f"create identity: HTTP {reply.status}")
            ids.append(json.loads(data)["identity"]["id"])
    finally:
        conn.close()
    return ids


async def run(args: argparse.Namespace, endpoint: str, access_key: str, pid: int) -> int:
    host = endpoint.split("//", 1)[1].rstrip("/")
    port = int(host.rsplit(":", 1)[1])
    signer = Signer(access_key, host)
    ids = _create_identities(port, signer, args.concurrency)
    stats, budget = Stats(), Budget()
    session: Any = None
    if args.client == "raw":
        connections, close = await _raw_connections(signer, port, ids, stats, budget)

        async def phase() -> None:
            await _raw_phase(connections)

    else:
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency))

        async def phase() -> None:
            await _aiohttp_phase(session, endpoint, signer, ids, stats, budget)

    try:
        budget.stop_at = time.perf_counter() + args.warmup  # warm-up, not measured
        await asyncio.wait_for(phase(), args.warmup + 60)

        stats.measuring = True
        cpu_emu0, cpu_self0, busy0 = _proc_cpu_seconds(pid), _self_cpu_seconds(), _machine_busy_seconds()
        t0 = time.perf_counter()
        budget.remaining = args.count
        budget.stop_at = t0 + (args.duration if args.count == 0 else 3600.0)
        await asyncio.wait_for(phase(), (args.duration if args.count == 0 else 3600.0) + 60)
        elapsed = time.perf_counter() - t0
        cpu_emu1 = _proc_cpu_seconds(pid)
        cpu_server, cpu_helpers = cpu_emu1[0] - cpu_emu0[0], cpu_emu1[1] - cpu_emu0[1]
        cpu_emu, cpu_self = cpu_server + cpu_helpers, _self_cpu_seconds() - cpu_self0
        cpu_other = max(_machine_busy_seconds() - busy0 - cpu_emu - cpu_self, 0.0)
    except asyncio.TimeoutError:
        print("the emulator stopped answering (a phase overran by 60 s)", file=sys.stderr)
        return 1
    finally:
        if session is not None:
            await session.close()
        else:
            close()

    latencies = sorted(stats.latencies)
    n = len(latencies)
    if n == 0:
        print("no successful requests", file=sys.stderr)
        return 1

    def pct(p: float) -> float:
        return latencies[min(n - 1, int(p * n))] * 1000

    def pct_core(seconds: float) -> str:
        return f"{seconds / elapsed * 100:.0f}%"

    def share(seconds: float) -> str:
        return f"{seconds:.2f} s ({seconds / elapsed * 100:.0f}% of one core)"

    loop = type(asyncio.get_running_loop()).__module__.split(".")[0]
    print(f"concurrency       {args.concurrency}  (CPUs: {os.cpu_count()}, client: {args.client} on {loop})")
    print(f"tokens issued     {n} in {elapsed:.2f} s ({stats.errors} errors)")
    print(f"tokens/s          {n / elapsed:.0f}")
    print(f"latency p50       {pct(0.50):.2f} ms")
    print(f"latency p99       {pct(0.99):.2f} ms")
    print(f"latency max       {latencies[-1] * 1000:.2f} ms")
    print(f"emulator CPU      {share(cpu_emu)}: server {pct_core(cpu_server)}, signing {pct_core(cpu_helpers)}")
    # Per request, so runs on a busy machine compare: load slows a run down, it adds little CPU to each request.
    print(f"CPU per token     server {cpu_server / n * 1e6:.0f} us, signing {cpu_helpers / n * 1e6:.0f} us")
    print(f"load gen CPU      {share(cpu_self)}")
    print(f"other CPU         {share(cpu_other)}")
    return 0 if stats.errors == 0 else 1


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, int]], int]:
    """uvloop's runner when it is installed (it is part of the [emulator] extra), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    run: Callable[[Coroutine[Any, Any, int]], int] = uvloop.run
    return run


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--concurrency", "-c", type=int, default=32, help="connections = requests in flight")
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--count", "-n", type=int, default=0, help="stop after N requests instead")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--db", default=":memory:", help="emulator --db (default :memory:)")
    parser.add_argument("--client", choices=("raw", "aiohttp"), default="raw", help="load generator (default raw)")
    parser.add_argument(
        "--signing-processes",
        type=int,
        default=None,
        help="emulator --signing-processes (default: the emulator's own default)",
    )
    parser.add_argument(
        "--emulator-args",
        default="",
        help="extra emulator options, e.g. '--signing-processes 0' (split on spaces)",
    )
    args = parser.parse_args(argv)
    extra = args.emulator_args.split()
    if args.signing_processes is not None:
        extra += ["--signing-processes", str(args.signing_processes)]
    emu = start_emulator(db=args.db, extra_args=extra)
    try:
        return _event_loop_runner()(run(args, emu.endpoint, emu.access_key, emu.pid))
    finally:
        emu.stop()


if __name__ == "__main__":
    raise SystemExit(main())
