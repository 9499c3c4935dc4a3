"""Client-side cost: our client vs the official azure-communication-identity 1.5.0, in one run.

A benchmark, not a test.  It starts the local Identity service twice (HTTP, and HTTPS
with its own CA), then runs each measurement in a fresh subprocess per client,
alternating ours and official for ``--rounds`` rounds and keeping each one's best:

* construct+close: build a sync client for an https endpoint and close it (no request);
* client-per-request: build a sync client, ``create_user`` over TLS, close it; the
  client trusts a full CA bundle (certifi's bundle plus the local service's CA, one
  file, as ``connection_verify``), the way a web app that builds a client per request
  pays for it;
* sync CPU per call: create_user / token / revoke_tokens / delete_user on one client
  (token: ``issue_token`` for ours, ``get_token`` for 1.5.0), plain HTTP;
* async CPU per call: the same four operations with each package's ``aio`` client;
* import: CPU time of ``import azure.communication.administration`` vs ``import
  azure.communication.identity`` in a fresh interpreter (median of ``--imports`` runs),
  and the same with azure-core imported first (each package's own share; azure-core's
  ~100 ms are common to both and dominate the first figure).

Client CPU is ``time.process_time()`` deltas in the client process after a warm-up;
the service runs in another process, so its CPU is not counted.  Both clients run
with the same interpreter (the repo's ``.venv``, where ``make dev`` installs 1.5.0)
from a folder outside the repo, with ``NO_PROXY`` extended by ``127.0.0.1,localhost``.

    .venv/bin/python bench/client_overhead.py [--calls 300] [--rounds 3] [--only sync ...]
    .venv/bin/python bench/client_overhead.py --only sync --profile ours   # cProfile of a loop

Goals: construct+close <= 1.0x, client-per-request <= 0.5x, sync per call <= 0.5x, async per
call <= 0.7x, import <= 1.0x.  Exits 0 whatever the ratios, non-zero only if something failed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OFFICIAL_PACKAGE = "azure-communication-identity"
OFFICIAL_VERSION = "1.5.0"
OPS = ("create_user", "issue_token", "revoke_tokens", "delete_user")
SCOPES = ["chat"]
REPO = Path(__file__).resolve().parent.parent
MODULES = {"ours": "azure.communication.administration", "official": "azure.communication.identity"}
# measurement -> (goal, what one unit is)
GOALS = {
    "construct": (1.0, "construct+close of a sync client (https endpoint), CPU ms"),
    "per_request": (0.5, "client per request: construct, create_user over TLS, close, CPU ms"),
    "sync": (0.5, "sync CPU per call, 4 ops summed, ms"),
    "async": (0.7, "async CPU per call, 4 ops summed, ms"),
    "import": (1.0, "import of the package, CPU ms (median)"),
    "import_own": (1.0, "  the same, azure-core already imported (the package's own share)"),
}
# What both packages import first; "import_own" loads it before the clock starts.
AZURE_CORE = ("azure.core", "azure.core.credentials", "azure.core.pipeline.policies", "azure.core.tracing.decorator")


# ----- the worker: runs in a fresh interpreter; stdlib imports only at module level -----


def _client_class(kind: str, is_async: bool) -> Any:
    if kind == "ours":
        if is_async:
            from azure.communication.administration.aio import CommunicationIdentityClient
        else:
            from azure.communication.administration import CommunicationIdentityClient
        return CommunicationIdentityClient
    if is_async:
        from azure.communication.identity.aio import CommunicationIdentityClient as Official
    else:
        from azure.communication.identity import CommunicationIdentityClient as Official
    return Official


def _make_client(kind: str, endpoint: str, key: str, api_version: str, is_async: bool = False, **kw: Any) -> Any:
    """Built from the endpoint and an ``AzureKeyCredential``: 1.5.0's ``from_connection_string``
    drops the endpoint's scheme and would speak https to the local http server."""
    from azure.core.credentials import AzureKeyCredential

    return _client_class(kind, is_async)(endpoint, AzureKeyCredential(key), api_version=api_version, **kw)


def _close(client: Any) -> None:
    close = getattr(client, "close", None) or client._identity_service_client.close  # 1.5.0 sync has no close()
    close()


def _token_call(kind: str, client: Any) -> Any:
    return client.issue_token if kind == "ours" else client.get_token


def _profiled(kind: str, run: Any) -> Any:
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)  # CPU time, not wall time
    profiler.enable()
    try:
        return run()
    finally:
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        print(f"\n=== cProfile (CPU time) of {kind}, sorted by tottime ===", file=sys.stderr)
        stats.sort_stats("tottime").print_stats(30)
        print(f"=== {kind}: sorted by cumulative ===", file=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)


def _sync_ops(kind: str, client: Any, n: int, timings: dict[str, float] | None) -> None:
    token = _token_call(kind, client)

    def batch(op: str, fn: Any, args: list[Any]) -> list[Any]:
        cpu0 = time.process_time()
        results = [fn(a) if a is not None else fn() for a in args]
        if timings is not None:
            timings[op] = (time.process_time() - cpu0) / max(n, 1) * 1000
        return results

    users = batch("create_user", client.create_user, [None] * n)
    tokens = batch("issue_token", lambda u: token(u, SCOPES), users)
    if any(not getattr(t, "token", None) for t in tokens):
        raise RuntimeError("a token call returned no token")
    batch("revoke_tokens", client.revoke_tokens, users)
    batch("delete_user", client.delete_user, users)


async def _async_ops(kind: str, client: Any, n: int, timings: dict[str, float] | None) -> None:
    token = _token_call(kind, client)

    async def batch(op: str, fn: Any, args: list[Any]) -> list[Any]:
        cpu0 = time.process_time()
        results = [await (fn(a) if a is not None else fn()) for a in args]
        if timings is not None:
            timings[op] = (time.process_time() - cpu0) / max(n, 1) * 1000
        return results

    users = await batch("create_user", client.create_user, [None] * n)
    tokens = await batch("issue_token", lambda u: token(u, SCOPES), users)
    if any(not getattr(t, "token", None) for t in tokens):
        raise RuntimeError("a token call returned no token")
    await batch("revoke_tokens", client.revoke_tokens, users)
    await batch("delete_user", client.delete_user, users)


def worker(mode: str, kind: str, api_version: str, calls: int, warmup: int, profile: bool) -> dict[str, Any]:
    endpoint, key = os.environ["ACS_BENCH_ENDPOINT"], os.environ["ACS_BENCH_KEY"]
    if mode == "construct":
        tls_endpoint = os.environ["ACS_BENCH_TLS_ENDPOINT"]

        def construct(n: int) -> None:
            for _ in range(n):
                _close(_make_client(kind, tls_endpoint, key, api_version))

        construct(warmup)
        cpu0 = time.process_time()
        _profiled(kind, lambda: construct(calls)) if profile else construct(calls)
        return {"total": (time.process_time() - cpu0) / calls * 1000}
    if mode == "per_request":
        tls_endpoint, bundle = os.environ["ACS_BENCH_TLS_ENDPOINT"], os.environ["ACS_BENCH_BUNDLE"]

        def per_request(n: int) -> None:
            for _ in range(n):
                client = _make_client(kind, tls_endpoint, key, api_version, connection_verify=bundle)
                client.create_user()
                _close(client)

        per_request(warmup)
        cpu0 = time.process_time()
        _profiled(kind, lambda: per_request(calls)) if profile else per_request(calls)
        return {"total": (time.process_time() - cpu0) / calls * 1000}
    timings: dict[str, float] = {}
    if mode == "sync":
        client = _make_client(kind, endpoint, key, api_version)
        try:
            _sync_ops(kind, client, warmup, None)
            run = lambda: _sync_ops(kind, client, calls, timings)  # noqa: E731
            _profiled(kind, run) if profile else run()
        finally:
            _close(client)
    else:
        import asyncio

        async def main() -> None:
            async with _make_client(kind, endpoint, key, api_version, is_async=True) as client:
                await _async_ops(kind, client, warmup, None)
                if profile:
                    import cProfile
                    import pstats

                    profiler = cProfile.Profile(time.process_time)
                    profiler.enable()
                    await _async_ops(kind, client, calls, timings)
                    profiler.disable()
                    stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
                    print(f"\n=== cProfile (CPU time) of async {kind} ===", file=sys.stderr)
                    stats.sort_stats("tottime").print_stats(30)
                    stats.sort_stats("cumulative").print_stats(45)
                else:
                    await _async_ops(kind, client, calls, timings)

        asyncio.run(main())
    return {"ops": timings, "total": sum(timings.values())}


def import_worker(kind: str, own: bool = False) -> dict[str, Any]:
    """CPU time of importing the package (the interpreter's own start-up is not counted)."""
    import importlib

    for name in AZURE_CORE if own else ():
        importlib.import_module(name)
    cpu0 = time.process_time()
    importlib.import_module(MODULES[kind])
    return {"total": (time.process_time() - cpu0) * 1000}


# ----- the parent: services, subprocesses, table -----


def client_env() -> dict[str, str]:
    """The parent's environment (proxy variables included), loopback exempt from proxies."""
    env = dict(os.environ)
    for name in ("NO_PROXY", "no_proxy"):
        entries = [e for e in env.get(name, "").split(",") if e.strip()]
        for host in ("127.0.0.1", "localhost"):
            if host not in entries:
                entries.append(host)
        env[name] = ",".join(entries)
    env.pop("PYTHONPATH", None)  # the interpreter sees only its own environment's packages
    return env


def run_worker(python: Path, mode: str, kind: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    cmd = [str(python), str(Path(__file__).resolve()), "--worker", mode, kind, "--api-version", args.api_version]
    calls = {"construct": args.construct_calls, "per_request": args.per_request_calls}.get(mode, args.calls)
    cmd += ["--calls", str(calls)]
    cmd += ["--warmup", str(args.warmup)]
    if args.profile == kind:
        cmd.append("--profile-worker")
    # cwd outside the repo, so the repo's own ``azure/`` folder never shadows an installed package.
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tempfile.gettempdir(), env=env, check=False)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"{kind} {mode} worker failed (exit status {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def package_folders(python: Path) -> list[str]:
    """The folders ``python`` imports our two packages from, outside the repository as the workers run."""
    script = (
        "import importlib.util, json\n"
        "names = ('azure.communication.administration', 'acs_identity_emulator')\n"
        "print(json.dumps([p for n in names for p in importlib.util.find_spec(n).submodule_search_locations]))\n"
    )
    done = subprocess.run(
        [str(python), "-c", script], capture_output=True, text=True, cwd=tempfile.gettempdir(), check=True
    )
    folders: list[str] = json.loads(done.stdout)
    return folders


def _running_emulator() -> Any:
    try:
        from acs_identity_emulator.testing import running_emulator
    except ImportError:  # running from a source checkout without the emulator installed
        sys.path.insert(0, str(REPO / "emulator"))
        from acs_identity_emulator.testing import running_emulator
    return running_emulator


def full_bundle(certificate: str, folder: str) -> str:
    """certifi's CA bundle with the local service's CA appended: what a real deployment trusts, plus ours."""
    import certifi

    path = os.path.join(folder, "bundle.pem")
    with open(path, "w", encoding="ascii") as out:
        out.write(Path(certifi.where()).read_text(encoding="ascii"))
        out.write("\n" + Path(certificate).read_text(encoding="ascii"))
    return path


def check_official(python: Path) -> None:
    code = f"import importlib.metadata as m; print(m.version({OFFICIAL_PACKAGE!r}))"
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0 or proc.stdout.strip() != OFFICIAL_VERSION:
        raise RuntimeError(f"{python} needs {OFFICIAL_PACKAGE}=={OFFICIAL_VERSION} (make dev installs it)")


def print_summary(best: dict[str, dict[str, dict[str, Any]]], args: argparse.Namespace) -> None:
    print(f"\nbest of {args.rounds} round(s) each; API version {args.api_version}; lower is better")
    header = f"{'measurement':<72}{'official':>10}{'ours':>10}{'ratio':>8}{'goal':>7}  verdict"
    print(header)
    print("-" * len(header))
    for mode, (goal, label) in GOALS.items():
        if mode not in best:
            continue
        off, ours = best[mode]["official"]["total"], best[mode]["ours"]["total"]
        ratio = ours / off
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"{label:<72}{off:>10.3f}{ours:>10.3f}{ratio:>8.2f}{goal:>7.2f}  {verdict}")
    for mode in ("sync", "async"):
        if mode in best:
            off, ours = best[mode]["official"]["ops"], best[mode]["ours"]["ops"]
            detail = ", ".join(f"{op} {off[op]:.3f}/{ours[op]:.3f}" for op in OPS)
            print(f"  {mode} per op, official/ours ms: {detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="timed calls per op (default 300)")
    parser.add_argument("--construct-calls", type=int, default=2000, help="timed construct+close (default 2000)")
    parser.add_argument("--per-request-calls", type=int, default=40, help="timed clients per request (default 40)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed calls per op first (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each client, best kept (default 3)")
    parser.add_argument("--imports", type=int, default=15, help="fresh interpreters per import timing (15)")
    parser.add_argument("--python", type=Path, default=None, help="default: the repo's .venv python")
    parser.add_argument("--api-version", default="2023-10-01", help="spoken by both clients (default 2023-10-01)")
    parser.add_argument("--only", choices=sorted(GOALS), action="append", help="run only these measurements")
    parser.add_argument(
        "--profile",
        choices=("ours", "official"),
        default=None,
        help="also print a cProfile of that client's timed loop (stderr); its figures then include profiling",
    )
    # worker mode (internal)
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "KIND"), help=argparse.SUPPRESS)
    parser.add_argument("--profile-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.calls < 1 or args.warmup < 0 or args.rounds < 1 or args.imports < 1:
        parser.error("--calls, --rounds and --imports must be >= 1, --warmup >= 0")

    if args.worker:
        mode, kind = args.worker
        if mode in ("import", "import_own"):
            result = import_worker(kind, own=mode == "import_own")
        else:
            result = worker(mode, kind, args.api_version, args.calls, args.warmup, args.profile_worker)
        print(json.dumps(result))
        return 0

    modes = args.only or list(GOALS)
    try:
        python = args.python or REPO / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if not python.exists():
            python = Path(sys.executable)
        check_official(python)
        # Bytecode for our package, as ``pip install`` of a wheel writes it (the official package has its own);
        # without it every import would compile our sources (PYTHONDONTWRITEBYTECODE is common in dev shells).
        # Compiled where the workers import it from: the editable install's link tree keeps its own __pycache__.
        subprocess.run(
            [str(python), "-m", "compileall", "-q", *package_folders(python)], check=True, stdout=subprocess.DEVNULL
        )
        env = client_env()
        best: dict[str, dict[str, dict[str, Any]]] = {}
        per_round: dict[str, dict[str, list[float]]] = {}  # mode -> kind -> total of each round
        running = _running_emulator()
        with (
            tempfile.TemporaryDirectory() as folder,
            running() as emu,
            running(access_key=emu.access_key, tls=True) as tls_emu,
        ):
            env.update(
                ACS_BENCH_ENDPOINT=emu.endpoint.rstrip("/"),
                ACS_BENCH_KEY=emu.access_key,
                ACS_BENCH_TLS_ENDPOINT=tls_emu.endpoint.rstrip("/"),
                ACS_BENCH_BUNDLE=full_bundle(tls_emu.certificate, folder),
            )
            for round_no in range(args.rounds):
                for mode in modes:
                    if mode.startswith("import"):
                        continue
                    for kind in ("official", "ours") if round_no % 2 == 0 else ("ours", "official"):
                        result = run_worker(python, mode, kind, args, env)
                        print(f"round {round_no + 1} {mode:<12}{kind:<9} {result['total']:.3f} ms", file=sys.stderr)
                        kept = best.setdefault(mode, {}).get(kind)
                        if kept is None or result["total"] < kept["total"]:
                            best[mode][kind] = result
                        per_round.setdefault(mode, {}).setdefault(kind, []).append(result["total"])
            for mode in ("import", "import_own"):
                if mode not in modes:
                    continue
                samples: dict[str, list[float]] = {"official": [], "ours": []}
                for i in range(args.imports):
                    for kind in ("official", "ours") if i % 2 == 0 else ("ours", "official"):
                        samples[kind].append(run_worker(python, mode, kind, args, env)["total"])
                best[mode] = {kind: {"total": statistics.median(v)} for kind, v in samples.items()}
                for kind, values in samples.items():
                    print(f"{mode} {kind}: " + " ".join(f"{v:.1f}" for v in values), file=sys.stderr)
        print(f"python: {python}")
        print_summary(best, args)
        # Each round runs both clients back to back, so its ratio sees the same machine load.
        for mode, kinds in per_round.items():
            ratios = [o / f for o, f in zip(kinds["ours"], kinds["official"], strict=True)]
            shown = " ".join(f"{r:.2f}" for r in ratios)
            print(f"  {mode}: ratio per round {shown}; median {statistics.median(ratios):.2f}")
    except (RuntimeError, OSError, subprocess.CalledProcessError, KeyError, ValueError) as exc:
        print(f"client_overhead: failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
