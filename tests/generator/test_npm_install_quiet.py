"""Installing the pinned AutoRest toolchain prints no warning that invites the user to act.

npm 11.16+ reads an ``allowScripts`` field in package.json and, for every dependency whose
install script it does not cover, warns "install scripts not yet covered by allowScripts ...
run npm install-scripts approve" (npm 12 will skip such scripts). generator/package.json
approves, by name, the four whose scripts the toolchain runs today (the lockfile pins their
versions), so the first ``make generate`` / ``npm ci`` on a fresh clone is quiet.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

GENERATOR = Path(__file__).resolve().parents[2] / "generator"
NPM = shutil.which("npm")
pytestmark = pytest.mark.skipif(NPM is None, reason="npm is not installed")


def _npm(*args: str, cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    assert NPM is not None
    env = {**os.environ, "YARN_IGNORE_ENGINES": "true"}
    return subprocess.run([NPM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _npm_version() -> tuple[int, ...]:
    done = _npm("--version", cwd=GENERATOR, timeout=60)
    return tuple(int(part) for part in re.findall(r"\d+", done.stdout)[:2])


def test_every_install_script_of_the_toolchain_is_reviewed() -> None:
    """Fast: what npm reports for the installed toolchain (``make test`` installs it)."""
    if _npm_version() < (11, 16):
        pytest.skip("this npm has no allowScripts")
    if not (GENERATOR / "node_modules").is_dir():
        pytest.fail("generator/node_modules is missing: run `make node` (make test does)")
    done = _npm("install-scripts", "ls", cwd=GENERATOR, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "No packages with unreviewed install scripts." in done.stdout, done.stdout + done.stderr


@pytest.mark.slow
def test_npm_ci_on_a_fresh_copy_prints_no_warning(tmp_path: Path) -> None:
    """The Makefile's own install command, on a copy of generator/ without node_modules."""
    if _npm_version() < (11, 16):
        pytest.skip("this npm has no allowScripts")
    for name in ("package.json", "package-lock.json", ".npmrc"):
        shutil.copy2(GENERATOR / name, tmp_path / name)
    done = _npm("ci", "--no-audit", "--no-fund", cwd=tmp_path, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    assert "allowScripts" not in output, output
    assert "install-scripts" not in output, output
    assert not re.search(r"^npm warn", output, re.M), output
