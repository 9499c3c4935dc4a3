"""No module of this distribution imports another distribution's private (``_``-prefixed) module or name.

A private module of azure-core (or aiohttp, urllib3, ...) can change or vanish
in any release, and our dependencies have no upper bounds. The check reads
every source file with :mod:`ast` (nothing is imported, so optional
dependencies need not be installed): ``import a._b``, ``from a._b import c``,
``from a import _b`` and ``importlib.import_module("a._b")`` all count.
Our own packages (the handwritten layer, its generated layer, the local
service) may use their own private modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {
    "azure.communication.administration": ROOT / "azure" / "communication" / "administration",
    "azure.communication.administration._generated": ROOT / "generated",
    "acs_identity_emulator": ROOT / "emulator" / "acs_identity_emulator",
}
OURS = tuple(SOURCES)


def _is_ours(module: str) -> bool:
    return any(module == own or module.startswith(own + ".") for own in OURS)


def _private(dotted: str) -> bool:
    return any(
        part.startswith("_") and not (part.startswith("__") and part.endswith("__")) for part in dotted.split(".")
    )


def private_imports(source: str, filename: str = "<source>") -> list[str]:
    """``module`` or ``module:name`` for each private import of a foreign distribution in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if not _is_ours(alias.name) and _private(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and not _is_ours(node.module):
            if _private(node.module):
                found.append(node.module)
            found += [f"{node.module}:{a.name}" for a in node.names if a.name != "*" and _private(a.name)]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not _is_ours(node.args[0].value)
            and _private(node.args[0].value)
        ):
            found.append(node.args[0].value)
    return found


def _files() -> list[Path]:
    # Not through azure/.../_generated, the link `make venv` makes to generated/ (walked as itself).
    return sorted(
        p for folder in SOURCES.values() for p in folder.rglob("*.py") if "_generated" not in p.relative_to(ROOT).parts
    )


def _param(path: Path) -> object:
    return pytest.param(path, id=path.relative_to(ROOT).as_posix())


def test_every_package_is_walked() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _files()}
    assert "azure/communication/administration/aio/_client.py" in names
    assert "emulator/acs_identity_emulator/_app.py" in names
    assert "generated/ga/_client.py" in names


@pytest.mark.parametrize("path", [_param(p) for p in _files()])
def test_no_private_import_of_another_distribution(path: Path) -> None:
    assert private_imports(path.read_text(encoding="utf-8"), str(path)) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import azure.core._private", ["azure.core._private"]),
        ("from azure.core.rest._http_response_impl import HttpResponseImpl", ["azure.core.rest._http_response_impl"]),
        ("from azure.core.pipeline import _tools", ["azure.core.pipeline:_tools"]),
        ("import importlib\nimportlib.import_module('aiohttp._http_parser')", ["aiohttp._http_parser"]),
        ("def f():\n    from urllib3.util import _url\n", ["urllib3.util:_url"]),
        ("from azure.core.rest import HttpRequest", []),
        ("from __future__ import annotations", []),
        ("from . import _auth\nfrom ._auth import _host_of", []),
        ("from azure.communication.administration._generated.ga import models", []),
        ("from acs_identity_emulator._auth import HmacVerifier", []),
        ("import azure.communication.administrationx._y", ["azure.communication.administrationx._y"]),
    ],
)
def test_the_check_itself(source: str, expected: list[str]) -> None:
    assert private_imports(source) == expected
