"""How long ``make generate`` takes, warm: this checkout's driver against other ways, in one run.

Usage::

    .venv/bin/python bench/generate_time.py [--rounds 3] [--compare-with /path/to/other/checkout]

Each round runs, back to back (so they see the same machine load), every variant, each
writing a whole generated tree into a temporary folder (``generated/`` is not touched):

- ``every layer``: ``generator/driver.py generate --no-cache``, the AutoRest layers side by
  side, every one of them run (what a fresh clone, or a change to the toolchain or the
  generator config, costs);
- ``one by one``: the same with ``--jobs 1`` (the layers one after another);
- ``one layer``: ``make generate`` after one document changed: the layer cache holds every
  layer but the ``ga`` one (the biggest), so AutoRest runs for that layer alone;
- ``no change``: ``make generate`` with nothing changed since the last run (every layer
  reused; the catalog, the sync client and the manifest are still written);
- ``other``: with ``--compare-with CHECKOUT``, that checkout's own driver with its own
  ``.venv`` and toolchain (for example main before this change).

The cached variants use a layer cache of their own in a temporary folder, filled by the
warm-up run. For each run it prints the wall time, the CPU time of the whole process tree
(user + system, from the children's resource usage), AutoRest's own time per layer where
the driver reports it (``--timings``), and the 1-minute load average before and after; then,
per round, each variant's wall time as a ratio of ``every layer``'s. One untimed run first
warms the disk cache and AutoRest's own cache (``~/.autorest``). The machine is shared: read
the load figures with the times.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_LAYER_RE = re.compile(r"AutoRest (\S+): ([0-9.]+) s")


@dataclass
class Variant:
    name: str
    python: Path
    driver: Path
    extra: list[str] = field(default_factory=list)
    timings: bool = True
    #: Layer cache entries to remove before the run (``one layer``: the layer that "changed").
    forget: tuple[str, ...] = ()


@dataclass
class Run:
    wall: float
    cpu: float
    layers: dict[str, float]
    load_before: float
    load_after: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _forget(cache: Path, layers: tuple[str, ...]) -> None:
    for layer in layers:
        for entry in cache.glob(f"{layer}-*"):
            shutil.rmtree(entry)


def run(variant: Variant, cache: Path | None = None) -> Run:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if cache is not None:
        _forget(cache, variant.forget)
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        command = [str(variant.python), str(variant.driver), "generate", "--generated", str(Path(tmp) / "generated")]
        command += variant.extra + (["--timings"] if variant.timings else [])
        load_before = os.getloadavg()[0]
        cpu_before, started = _children_cpu(), time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if done.returncode != 0:
        raise SystemExit(f"{variant.name} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    layers = {m.group(1).rstrip(":"): float(m.group(2)) for m in _LAYER_RE.finditer(done.stdout)}
    return Run(wall, cpu, layers, load_before, os.getloadavg()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare-with", type=Path, help="another checkout of this repository, with its .venv")
    args = parser.parse_args()
    driver = ROOT / "generator" / "driver.py"
    here = Variant("every layer", Path(sys.executable), driver, ["--no-cache"])
    cache = Path(tempfile.mkdtemp(prefix="bench-generate-cache-"))
    cached = ["--cache-dir", str(cache)]
    variants = [
        here,
        Variant("one by one", Path(sys.executable), driver, ["--no-cache", "--jobs", "1"]),
        Variant("one layer", Path(sys.executable), driver, cached, forget=("ga",)),
        Variant("no change", Path(sys.executable), driver, cached),
    ]
    if args.compare_with is not None:
        other = args.compare_with.resolve()
        variants.append(
            Variant(
                f"other ({other})", other / ".venv" / "bin" / "python", other / "generator" / "driver.py", timings=False
            )
        )
    print(f"warm-up (fills the layer cache): {run(variants[3], cache).wall:.1f} s")
    rounds: list[dict[str, Run]] = []
    for number in range(1, args.rounds + 1):
        results: dict[str, Run] = {}
        for variant in variants:
            result = results[variant.name] = run(variant, cache)
            layers = ", ".join(f"{k} {v:.1f} s" for k, v in result.layers.items()) or "not reported"
            print(
                f"round {number} {variant.name}: {result.wall:.1f} s wall, {result.cpu:.1f} s CPU; "
                f"AutoRest's own: {layers}; load {result.load_before:.2f} -> {result.load_after:.2f}"
            )
        rounds.append(results)
        ratios = ", ".join(f"{name} {r.wall / results[here.name].wall:.2f}x" for name, r in results.items())
        print(f"round {number} wall vs every layer: {ratios}")
    for variant in variants:
        walls = sorted(r[variant.name].wall for r in rounds)
        print(f"{variant.name}: best {walls[0]:.1f} s, median {walls[len(walls) // 2]:.1f} s over {len(walls)} rounds")
    shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
