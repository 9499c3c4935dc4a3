"""Runs code of the published 2020 package, ``azure-communication-administration`` 1.0.0b4.

That package ships the same import path as this project's, so it cannot live in
``.venv``: it gets a virtual environment of its own, ``.venv-2020/`` at the
repository root (git-ignored), created on first use from
``requirements-2020.txt`` and reused while that file is unchanged (a stamp
holds the file's SHA-256).  Its code runs as subprocesses of ``run_2020.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENV = REPO / ".venv-2020"
REQUIREMENTS = HERE / "requirements-2020.txt"
SCRIPT = HERE / "run_2020.py"


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run_quietly(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
        pytest.fail(f"{what} failed (exit {proc.returncode}): {lines[-1] if lines else 'no output'}", pytrace=False)


def ensure_venv_2020() -> Path:
    """The interpreter of ``.venv-2020``, (re)created when missing or out of date."""
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = VENV / ".installed"
    python = _venv_python()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    _run_quietly([sys.executable, "-m", "venv", "--clear", str(VENV)], f"creating {VENV}")
    _run_quietly(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
        f"installing {REQUIREMENTS.name} into {VENV}",
    )
    stamp.write_text(wanted + "\n")
    return python


def _child_env() -> dict[str, str]:
    """This environment (proxies included) with loopback exempt from proxies and no PYTHONPATH."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the child sees only .venv-2020's packages
    for name in ("NO_PROXY", "no_proxy"):
        entries = [e for e in env.get(name, "").split(",") if e.strip()]
        entries += [h for h in ("127.0.0.1", "localhost") if h not in entries]
        env[name] = ",".join(entries)
    return env


class Runner2020:
    """Runs ``run_2020.py`` commands with the 2020 package's interpreter."""

    def __init__(self, python: Path) -> None:
        self.python = python

    def __call__(self, command: str, config: dict[str, Any] | None = None) -> Any:
        proc = subprocess.run(
            [str(self.python), str(SCRIPT), command],
            input=json.dumps(config or {}),
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tempfile.gettempdir(),  # never this checkout: its azure/ would shadow the 2020 package
            env=_child_env(),
            check=False,
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.splitlines()[-15:])
            pytest.fail(f"run_2020.py {command} exited {proc.returncode}:\n{tail}", pytrace=False)
        return json.loads(proc.stdout.strip().splitlines()[-1])
