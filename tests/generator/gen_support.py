"""Shared helpers for the generator tests: load ``generator/*.py`` (a folder of scripts,
not a package) as modules, and the repository paths they work on."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
GENERATOR_DIR = ROOT / "generator"
GENERATED_DIR = ROOT / "generated"
SWAGGER_DIR = ROOT / "swagger"
AUTOREST = GENERATOR_DIR / "node_modules" / ".bin" / "autorest"


def load_generator_module(name: str) -> ModuleType:
    """Import ``generator/<name>.py`` once, under the module name ``generator_<name>``."""
    module_name = f"generator_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, GENERATOR_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


def tree_files(folder: Path) -> dict[str, bytes]:
    """Relative POSIX path -> bytes for every file under ``folder`` (bytecode caches aside)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def driver_check(*args: str) -> subprocess.CompletedProcess[str]:
    """``generator/driver.py check`` (what ``make check-generated`` runs) with ``args``, from the repository root."""
    return subprocess.run(
        [sys.executable, str(GENERATOR_DIR / "driver.py"), "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
