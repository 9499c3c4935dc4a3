"""Building the API reference for the tests (``sphinx-build -W --keep-going -n -E``).

The build goes to a temporary folder, fresh each session (``-E``: a warning is only reported
when its page is read, so an incremental build could hide one). Its output, exit status and
time are kept for the tests; the build time is printed in the terminal summary.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@dataclass(frozen=True)
class DocsBuild:
    html: Path
    returncode: int
    output: str
    seconds: float


def build_docs(out: Path, source: Path = DOCS) -> DocsBuild:
    """Run the same command as ``make docs``, into ``out``."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-E", "-q", str(source), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    return DocsBuild(out, done.returncode, done.stdout + done.stderr, time.perf_counter() - started)
