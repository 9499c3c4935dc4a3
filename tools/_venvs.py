"""What the test-matrix scripts share: setup.py's declarations, read without running it, and cached venvs.

Each virtual environment lives in ``.venvs/<name>`` (git-ignored), is created
on first use and reused while the files that decide its contents are
unchanged (a stamp holds their hash), so a warm run only runs tests.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".venvs"
#: Development pins a test run needs (from requirements-dev.txt); the rest (linters, type checker, build) it does not.
TEST_TOOLS = ("pytest", "requests", "cryptography", "aiohttp", "uvloop", "azure-communication-identity")


def _setup_call() -> ast.Call:
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"), "setup.py")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setup":
            return node
    raise SystemExit("setup.py has no setup(...) call")


def setup_keyword(name: str) -> object:
    """A literal keyword argument of ``setup()``; names that are not literals are left out of lists and dicts."""
    for keyword in _setup_call().keywords:
        if keyword.arg == name:
            return _literal(keyword.value)
    raise SystemExit(f"setup.py declares no {name}=")


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.List):
        return [v for v in (_literal(e) for e in node.elts) if v is not None]
    if isinstance(node, ast.Dict):
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    if isinstance(node, ast.Constant):
        return node.value
    return None  # a name or call: not needed by these scripts


def declared_minimum_python() -> tuple[int, int]:
    """The lowest minor version of ``python_requires`` (``>=3.10`` gives (3, 10))."""
    spec = str(setup_keyword("python_requires"))
    match = re.search(r">=\s*3\.(\d+)", spec)
    if not match:
        raise SystemExit(f"python_requires={spec!r} has no '>=3.N' lower bound")
    return 3, int(match.group(1))


def find_interpreter(minor: int) -> str | None:
    """A working ``python3.<minor>``: pyenv's newest patch release of it, else one on PATH."""
    candidates = []
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        releases = [p for p in pyenv.glob(f"3.{minor}.*") if re.fullmatch(rf"3\.{minor}\.\d+", p.name)]
        for release in sorted(releases, key=lambda p: int(p.name.split(".")[2]), reverse=True):
            candidates.append(str(release / "bin" / f"python3.{minor}"))
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidates.append(os.path.join(folder, f"python3.{minor}"))
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        try:  # a pyenv shim exists for versions it will refuse to run: ask the interpreter itself
            out = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.split() == ["3", str(minor)]:
            return candidate
    return None


def dev_pins(names: Iterable[str]) -> list[str]:
    """The lines of requirements-dev.txt that pin ``names`` (markers kept)."""
    wanted = {n.lower() for n in names}
    pins = []
    for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        name = re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower()
        if line and name in wanted:
            pins.append(line)
    return pins


def log(message: str) -> None:
    print(f"[{Path(sys.argv[0]).stem}] {message}", flush=True)


def ensure_venv(name: str, interpreter: str, installs: Sequence[Sequence[str]], inputs: Sequence[str]) -> Path:
    """``.venvs/<name>`` built by ``interpreter`` with each ``pip install`` argument list in ``installs``.

    Rebuilt from scratch when the interpreter, the install commands or one of the ``inputs`` files change.
    """
    venv = VENVS / name
    python = venv / "bin" / "python"
    digest = hashlib.sha256(repr((os.path.realpath(interpreter), [list(i) for i in installs])).encode())
    for path in inputs:
        digest.update((ROOT / path).read_bytes())
    stamp = venv / ".installed"
    if python.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest():
        return python
    log(f"creating {venv.relative_to(ROOT)} with {interpreter}")
    subprocess.run([interpreter, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip>=23.1"], check=True, cwd=ROOT)
    for args in installs:
        subprocess.run([*pip, *args], check=True, cwd=ROOT)
    stamp.write_text(digest.hexdigest())
    return python
