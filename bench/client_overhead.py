"""Client-side CPU per call: our client vs the official azure-communication-identity 1.5.0.

A benchmark, not a test.  One run starts the local Identity service
(``acs_identity_emulator``), then runs, each in its own subprocess, a loop of
create_user / issue_token / revoke_tokens / delete_user with

* ours: ``azure.communication.administration.CommunicationIdentityClient``,
  with the project's ``.venv`` interpreter (``issue_token``), and
* official: ``azure.communication.identity.CommunicationIdentityClient`` 1.5.0,
  in its own virtual environment (``get_token``), created on first use under
  ``~/.cache/acs-bench/venv-official`` (``python -m venv`` + ``pip install``).

Both speak the same API version (the official client's default unless
``--api-version``) and run with the same environment, with ``NO_PROXY`` /
``no_proxy`` extended by ``127.0.0.1,localhost`` so loopback is never proxied.
Client CPU is ``time.process_time()`` deltas in the client process around each
batch of N calls (after a warm-up); the server runs in another process, so its
CPU is not counted.  Each client is run ``--rounds`` times, alternating, and
the lowest CPU per op is kept.  Wall time per call is shown for context.

    .venv/bin/python bench/client_overhead.py [--calls 300] [--official-venv PATH]
    .venv/bin/python bench/client_overhead.py --profile ours   # cProfile of our loop

Target: ours at most 0.5x the official client's CPU per call.  Exits 0 whatever
the ratio, non-zero only if something failed to run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OFFICIAL_PACKAGE = "azure-communication-identity"
OFFICIAL_VERSION = "1.5.0"
OPS = ("create_user", "issue_token", "revoke_tokens", "delete_user")
TARGET = 0.5
SCOPES = ["chat"]
REPO = Path(__file__).resolve().parent.parent


# ----- the worker: runs in the client's own interpreter; stdlib imports only at module level -----


def _make_client(kind: str, endpoint: str, key: str, api_version: str) -> tuple[Any, Any]:
    """The client and its token call (``issue_token`` for ours, ``get_token`` for 1.5.0).

    Both are built the same way, from the endpoint and an ``AzureKeyCredential``: 1.5.0's
    ``from_connection_string`` drops the endpoint's scheme and would speak https to the local
    http server.
    """
    from azure.core.credentials import AzureKeyCredential

    if kind == "ours":
        from azure.communication.administration import CommunicationIdentityClient

        client = CommunicationIdentityClient(endpoint, AzureKeyCredential(key), api_version=api_version)
        return client, client.issue_token
    from azure.communication.identity import CommunicationIdentityClient as Official

    client = Official(endpoint, AzureKeyCredential(key), api_version=api_version)
    return client, client.get_token


def _run_ops(client: Any, token: Any, n: int, timings: dict[str, list[float]] | None) -> None:
    """n calls of each op, batch by batch; ``timings[op] = [cpu_s, wall_s]`` when given."""

    def batch(op: str, fn: Any, args: list[Any]) -> list[Any]:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        results = [fn(a) if a is not None else fn() for a in args]
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if timings is not None:
            timings[op] = [cpu, wall]
        return results

    users = batch("create_user", client.create_user, [None] * n)
    tokens = batch("issue_token", lambda u: token(u, SCOPES), users)
    if any(not getattr(t, "token", None) for t in tokens):
        raise RuntimeError("a token call returned no token")
    batch("revoke_tokens", client.revoke_tokens, users)
    batch("delete_user", client.delete_user, users)


def worker(kind: str, api_version: str, calls: int, warmup: int, profile: bool) -> int:
    endpoint, key = os.environ["ACS_BENCH_ENDPOINT"], os.environ["ACS_BENCH_KEY"]
    client, token = _make_client(kind, endpoint, key, api_version)
    try:  # 1.5.0's sync client is not a context manager
        _run_ops(client, token, warmup, None)
        timings: dict[str, list[float]] = {}
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile(time.process_time)  # CPU time, not wall time
            profiler.enable()
            _run_ops(client, token, calls, timings)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
            print(
                f"\n=== cProfile (CPU time) of {kind}: {calls} calls of each op, sorted by tottime ===", file=sys.stderr
            )
            stats.sort_stats("tottime").print_stats(25)
            print(f"=== {kind}: sorted by cumulative ===", file=sys.stderr)
            stats.sort_stats("cumulative").print_stats(40)
        else:
            _run_ops(client, token, calls, timings)
    finally:
        close = getattr(client, "close", None) or getattr(
            getattr(client, "_identity_service_client", None), "close", None
        )
        if close is not None:
            close()
    result = {op: {"cpu_ms": cpu / calls * 1000, "wall_ms": wall / calls * 1000} for op, (cpu, wall) in timings.items()}
    print(json.dumps({"kind": kind, "python": sys.version.split()[0], "ops": result}))
    return 0


# ----- the parent: venv, server, subprocesses, table -----


def _default_official_venv() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "acs-bench" / "venv-official"


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _official_info(python: Path) -> dict[str, str] | None:
    """Installed version and default API version of the official package, or None."""
    code = (
        "import json, importlib.metadata as m\n"
        "from azure.communication.identity._api_versions import DEFAULT_VERSION\n"
        f"print(json.dumps({{'version': m.version({OFFICIAL_PACKAGE!r}), 'api_version': DEFAULT_VERSION.value}}))"
    )
    if not python.exists():
        return None
    proc = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir(), check=False
    )
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ensure_official_venv(venv: Path) -> tuple[Path, str]:
    """The official venv's python and its default API version; creates or repairs the venv."""
    python = _venv_python(venv)
    info = _official_info(python)
    if info is None or info["version"] != OFFICIAL_VERSION:
        print(f"setting up {OFFICIAL_PACKAGE}=={OFFICIAL_VERSION} in {venv} ...", file=sys.stderr)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"{OFFICIAL_PACKAGE}=={OFFICIAL_VERSION}",
            ],
            check=True,
        )
        info = _official_info(python)
        if info is None or info["version"] != OFFICIAL_VERSION:
            raise RuntimeError(f"could not install {OFFICIAL_PACKAGE}=={OFFICIAL_VERSION} in {venv}")
    return python, info["api_version"]


def client_env() -> dict[str, str]:
    """The parent's environment (proxy variables included), loopback exempt from proxies."""
    env = dict(os.environ)
    for name in ("NO_PROXY", "no_proxy"):
        entries = [e for e in env.get(name, "").split(",") if e.strip()]
        for host in ("127.0.0.1", "localhost"):
            if host not in entries:
                entries.append(host)
        env[name] = ",".join(entries)
    env.pop("PYTHONPATH", None)  # each interpreter sees only its own environment's packages
    return env


def run_worker(
    python: Path, kind: str, emu: Any, api_version: str, args: argparse.Namespace, env: dict[str, str]
) -> dict[str, Any]:
    cmd = [
        str(python),
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--api-version",
        api_version,
        "--calls",
        str(args.calls),
        "--warmup",
        str(args.warmup),
    ]
    if args.profile == kind:
        cmd.append("--profile-worker")
    # cwd outside the repo, so the repo's own ``azure/`` folder never shadows the official package.
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        env={**env, "ACS_BENCH_ENDPOINT": emu.endpoint.rstrip("/"), "ACS_BENCH_KEY": emu.access_key},
        check=False,
    )
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"{kind} worker failed (exit status {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _running_emulator() -> Any:
    try:
        from acs_identity_emulator.testing import running_emulator
    except ImportError:  # running from a source checkout without the emulator installed
        sys.path.insert(0, str(REPO / "emulator"))
        from acs_identity_emulator.testing import running_emulator
    return running_emulator


def print_table(best: dict[str, dict[str, dict[str, float]]], api_version: str, args: argparse.Namespace) -> float:
    off, ours = best["official"], best["ours"]
    print(
        f"\nclient CPU per call, {args.calls} calls per op after {args.warmup} warm-up, best of "
        f"{args.rounds} round(s), API version {api_version}"
    )
    header = (
        f"{'op':<15}{'official CPU ms':>16}{'ours CPU ms':>13}{'ratio':>8}{'official wall ms':>18}{'ours wall ms':>14}"
    )
    print(header)
    print("-" * len(header))
    for op in OPS:
        o, u = off[op], ours[op]
        print(
            f"{op:<15}{o['cpu_ms']:>16.3f}{u['cpu_ms']:>13.3f}{u['cpu_ms'] / o['cpu_ms']:>8.2f}"
            f"{o['wall_ms']:>18.3f}{u['wall_ms']:>14.3f}"
        )
    total_off = sum(off[op]["cpu_ms"] for op in OPS)
    total_ours = sum(ours[op]["cpu_ms"] for op in OPS)
    wall_off = sum(off[op]["wall_ms"] for op in OPS)
    wall_ours = sum(ours[op]["wall_ms"] for op in OPS)
    overall = total_ours / total_off
    print("-" * len(header))
    print(f"{'all 4 (sum)':<15}{total_off:>16.3f}{total_ours:>13.3f}{overall:>8.2f}{wall_off:>18.3f}{wall_ours:>14.3f}")
    verdict = "met" if overall <= TARGET else "NOT met"
    print(f"\noverall ratio ours/official = {overall:.2f} (target <= {TARGET:.2f}, {verdict})")
    return overall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="timed calls per op (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed calls per op first (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each client, best kept (default 3)")
    parser.add_argument(
        "--official-venv",
        type=Path,
        default=_default_official_venv(),
        help=f"venv for {OFFICIAL_PACKAGE}=={OFFICIAL_VERSION}, created if missing (default: %(default)s)",
    )
    parser.add_argument("--ours-python", type=Path, default=None, help="default: the repo's .venv python")
    parser.add_argument("--api-version", default=None, help="default: the official client's default")
    parser.add_argument(
        "--profile",
        choices=("ours", "official"),
        default=None,
        help="also print a cProfile of that client's timed loop (stderr); its CPU figures then include profiling",
    )
    # worker mode (internal)
    parser.add_argument("--worker", choices=("ours", "official"), help=argparse.SUPPRESS)
    parser.add_argument("--profile-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.calls < 1 or args.warmup < 0 or args.rounds < 1:
        parser.error("--calls and --rounds must be >= 1, --warmup >= 0")

    if args.worker:
        return worker(args.worker, args.api_version, args.calls, args.warmup, args.profile_worker)

    try:
        official_python, official_default = ensure_official_venv(args.official_venv.expanduser())
        ours_python = args.ours_python or _venv_python(REPO / ".venv")
        if not ours_python.exists():
            ours_python = Path(sys.executable)
        api_version = args.api_version or official_default
        env = client_env()
        pythons = {"official": official_python, "ours": ours_python}
        best: dict[str, dict[str, dict[str, float]]] = {}
        with _running_emulator()() as emu:
            for round_no in range(args.rounds):
                for kind in ("official", "ours") if round_no % 2 == 0 else ("ours", "official"):
                    result = run_worker(pythons[kind], kind, emu, api_version, args, env)
                    summary = " ".join(f"{op}={v['cpu_ms']:.3f}" for op, v in result["ops"].items())
                    print(f"round {round_no + 1} {kind:<8} CPU ms/call: {summary}", file=sys.stderr)
                    kept = best.setdefault(kind, result["ops"])
                    for op, value in result["ops"].items():
                        if value["cpu_ms"] < kept[op]["cpu_ms"]:
                            kept[op] = value
        print(f"official: {official_python}\nours:     {ours_python}")
        print_table(best, api_version, args)
    except (RuntimeError, OSError, subprocess.CalledProcessError, KeyError, ValueError) as exc:
        print(f"client_overhead: failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
