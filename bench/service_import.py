"""Import time of the local Identity service: this checkout against another, in one run.

Usage::

    .venv/bin/python bench/service_import.py --compare-with /path/to/other/checkout [--rounds 20]

Each round imports ``acs_identity_emulator._app`` (everything a request needs) in a fresh
interpreter of this checkout's ``.venv``, once from this checkout's install and once with the
other checkout's ``azure/`` and ``emulator/`` first on ``PYTHONPATH`` (that checkout needs its
generated layer reachable as ``azure/communication/administration/_generated``; a link to its
``generated/`` does it), in alternating order. The time is taken inside the child, around the
import alone (the interpreter's own start is left out). Prints each side's median and quartiles
and the median of the per-round ratios (this / other), which both sides of a round see under the
same machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

CODE = (
    "import time; t = time.perf_counter(); import acs_identity_emulator._app; print((time.perf_counter() - t) * 1000)"
)


def _once(env: dict[str, str]) -> float:
    done = subprocess.run([sys.executable, "-c", CODE], env=env, cwd="/", capture_output=True, text=True, check=True)
    return float(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare-with", type=Path, required=True, help="another checkout (for example main before)")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    other = args.compare_with.resolve()
    this_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    other_env = dict(this_env, PYTHONPATH=f"{other}{os.pathsep}{other / 'emulator'}")
    this: list[float] = []
    that: list[float] = []
    for round_ in range(args.rounds):
        if round_ % 2:
            that.append(_once(other_env))
            this.append(_once(this_env))
        else:
            this.append(_once(this_env))
            that.append(_once(other_env))
    print(f"load average before the last round: {os.getloadavg()[0]:.1f}")
    for name, times in (("this checkout", this), (f"{other}", that)):
        low, _, high = statistics.quantiles(times, n=4)
        print(f"{name}: median {statistics.median(times):.0f} ms (quartiles {low:.0f}-{high:.0f}, n={len(times)})")
    ratios = [a / b for a, b in zip(this, that, strict=True)]
    print(f"this / other, median of per-round ratios: {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
