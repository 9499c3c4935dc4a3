"""Intersphinx inventories for Python and azure-core, made here instead of downloaded.

Why: the reference links ``AccessToken``, ``HttpResponseError``, ``TokenCredential``,
``datetime``, ``str``, ... to the Python and azure-core documentation sites, but a build must
work on a machine that reaches nothing but the package index. Intersphinx only needs each
site's ``objects.inv`` (name -> page#anchor). So, before the main build, ``conf.py`` asks
:func:`ensure` for one per site; each is written by a tiny Sphinx project of its own whose pages
are named and laid out like the real site's (``azure.core.html#azure.core.credentials.AccessToken``,
``library/datetime.html#datetime.datetime``, ``library/stdtypes.html#str``), declaring exactly
the names the *installed* packages define. ``intersphinx_mapping`` then pairs each local file
with the real site's URL, so the links in the built pages go to the real documentation.

What keeps it true:

- names come from the installed modules (``__all__``, or the classes and functions a module
  defines), never from a hand list, so nothing is declared that the installed version lacks;
- the modules and pages are the sites' own layout, stated once in :data:`PYTHON_MODULES` and
  :data:`AZURE_CORE_MODULES`; a name we reference that is in neither makes the main build fail
  (``nitpicky``), and the fix is to add its module here;
- the result is cached under ``docs/_build/inventories`` with a key of the Python and azure-core
  versions and this file's text; any change rebuilds it.

The small projects build in a subprocess: Sphinx keeps logging state per process, and a
second application inside the main one would take over its warning stream.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

PYTHON_URL = "https://docs.python.org/3/"
AZURE_CORE_URL = "https://azuresdkdocs.z19.web.core.windows.net/python/azure-core/latest/"

#: Standard-library modules the reference mentions; docs.python.org documents module ``m``
#: on ``library/m.html`` with anchors ``m.Name``.
PYTHON_MODULES = ("collections.abc", "datetime", "enum", "typing", "types")

#: Builtins: docs.python.org puts exceptions on ``library/exceptions.html``, these types on
#: ``library/stdtypes.html``, ``None`` on ``library/constants.html`` and the rest of the
#: builtin classes (int, bool, float, object, type, ...) on ``library/functions.html``.
STDTYPES = ("str", "bytes", "list", "tuple", "dict", "set", "frozenset", "range", "memoryview")

#: azure-core's site is one page, ``azure.core.html``, holding every module of the package.
AZURE_CORE_MODULES = (
    "azure.core",
    "azure.core.credentials",
    "azure.core.credentials_async",
    "azure.core.exceptions",
    "azure.core.paging",
    "azure.core.async_paging",
    "azure.core.rest",
)


def _public_names(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and (inspect.isclass(value) or inspect.isfunction(value))
            and getattr(value, "__module__", None) == module_name
        ]
    return [(name, getattr(module, name)) for name in sorted(names) if hasattr(module, name)]


def _directive(name: str, value: object) -> str:
    if inspect.isclass(value):
        kind = "exception" if issubclass(value, BaseException) else "class"
    elif callable(value):
        kind = "function"
    else:
        kind = "data"
    return f".. py:{kind}:: {name}\n   :no-index-entry:\n\n   {kind.title()} ``{name}``.\n"


def _module_page(module_name: str, title: str) -> str:
    body = [f"{title}\n{'=' * len(title)}\n", f".. py:module:: {module_name}\n"]
    body += [_directive(name, value) for name, value in _public_names(module_name)]
    return "\n".join(body)


def _python_pages() -> dict[str, str]:
    pages = {f"library/{m}": _module_page(m, m) for m in PYTHON_MODULES}
    exceptions, stdtypes, functions = [], [], []
    for name, value in sorted(vars(builtins).items()):
        if name.startswith("_") or not inspect.isclass(value):
            continue
        if issubclass(value, BaseException):
            exceptions.append(f".. py:exception:: {name}\n   :no-index-entry:\n\n   ``{name}``.\n")
        elif name in STDTYPES:
            stdtypes.append(f".. py:class:: {name}\n   :no-index-entry:\n\n   ``{name}``.\n")
        else:
            functions.append(f".. py:class:: {name}\n   :no-index-entry:\n\n   ``{name}``.\n")
    pages["library/exceptions"] = "Exceptions\n==========\n\n" + "\n".join(exceptions)
    pages["library/stdtypes"] = "Types\n=====\n\n" + "\n".join(stdtypes)
    pages["library/functions"] = "Functions\n=========\n\n" + "\n".join(functions)
    pages["library/constants"] = "Constants\n=========\n\n.. py:data:: None\n   :no-index-entry:\n\n   ``None``.\n"
    return pages


def _azure_core_pages() -> dict[str, str]:
    return {"azure.core": "\n".join(_module_page(m, m) for m in AZURE_CORE_MODULES)}


def _build(pages: dict[str, str], project: str, release: str, work: Path) -> Path:
    source = work / "src"
    for docname, text in pages.items():
        path = source / f"{docname}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    toctree = "\n".join(f"   {d}" for d in sorted(pages))
    (source / "index.rst").write_text(
        f"{project}\n{'=' * len(project)}\n\n.. toctree::\n\n{toctree}\n", encoding="utf-8"
    )
    (source / "conf.py").write_text(f"project = {project!r}\nrelease = version = {release!r}\n", encoding="utf-8")
    out = work / "html"
    done = subprocess.run(  # noqa: S603 (this interpreter's Sphinx on files written just above)
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", str(source), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the {project} inventory failed:\n{done.stdout}{done.stderr}")
    return out / "objects.inv"


def ensure(cache: Path) -> dict[str, tuple[str, str]]:
    """Build (once per key) and return ``intersphinx_mapping`` entries: name -> (URL, local file)."""
    python_release = f"{sys.version_info.major}.{sys.version_info.minor}"
    sites = {
        "python": (PYTHON_URL, "Python", python_release, _python_pages),
        "azure-core": (AZURE_CORE_URL, "azure-core", version("azure-core"), _azure_core_pages),
    }
    source_key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    mapping = {}
    for name, (url, project, release, pages) in sites.items():
        key = f"{project} {release} {source_key}"
        work = cache / name
        inventory = work / "html" / "objects.inv"
        stamp = work / "key.txt"
        if not (inventory.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == key):
            # Built aside and moved into place, so a build running at the same time (make docs
            # beside the tests) never reads a half-written inventory.
            cache.mkdir(parents=True, exist_ok=True)
            fresh = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache))
            _build(pages(), project, release, fresh)
            (fresh / "key.txt").write_text(key, encoding="utf-8")
            shutil.rmtree(work, ignore_errors=True)
            try:
                os.replace(fresh, work)
            except OSError:  # another build put the same inventory there first
                shutil.rmtree(fresh, ignore_errors=True)
        mapping[name] = (url, str(inventory))
    return mapping
