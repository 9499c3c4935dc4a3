"""API versions the emulator speaks, and which operations exist in which version.

Everything here is read from the catalog that ``make generate`` writes from the swagger
documents (``azure.communication.administration._generated._catalog``, in this same
distribution): a version is served from the day its ``swagger/<version>.json`` is added.

The real service answers every request on a matched route with an
``api-supported-versions`` header listing the versions of *that route*
(comma + space separated); here that is every version whose document has the path.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

_CATALOG = "azure.communication.administration._generated._catalog"


def _load_catalog() -> ModuleType:
    """The catalog module, without running the client package's ``__init__``.

    ``import azure.communication.administration._generated._catalog`` would first import the
    client (azure-core and all), which measured at about 40% of this service's import time.
    The catalog is plain literals with no imports, so it is found (the installed wheel keeps it
    in ``administration/_generated/``; an editable install maps ``generated/`` with its own
    finder) and run on its own, under its real name, so the client shares the same module.
    """
    loaded = sys.modules.get(_CATALOG)
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("azure.communication.administration")  # finds, does not run it
    paths = [os.path.join(p, "_generated") for p in (package.submodule_search_locations or [])] if package else []
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        spec = find_spec(_CATALOG, paths) if find_spec is not None else None
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            sys.modules[_CATALOG] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[_CATALOG]
                raise
            return module
    return importlib.import_module(_CATALOG)  # any other layout: the ordinary (slower) way


_catalog = _load_catalog()

#: Every version the emulator serves, oldest first (one per swagger document).
ALL_VERSIONS: tuple[str, ...] = _catalog.VERSIONS

#: The GA line, oldest first.
GA_VERSIONS: tuple[str, ...] = _catalog.GA_VERSIONS

_LAYER: dict[str, str] = _catalog.VERSION_LAYER
_OPERATIONS: dict[str, tuple[tuple[str, str, str], ...]] = _catalog.OPERATIONS
_SCOPES: dict[str, tuple[str, ...]] = _catalog.SCOPES
_LIFETIMES: dict[str, tuple[int, int, int] | None] = _catalog.EXPIRES_IN_MINUTES
_ENUMS: dict[str, dict[str, tuple[str, ...]]] = _catalog.ENUMS

#: The versions of the 2020 preview protocol (``POST /identities`` answers 200 ``{id}``).
PREVIEW_2020_VERSIONS: frozenset[str] = frozenset(v for v in ALL_VERSIONS if _LAYER[v] == "preview2020")


def _default_lifetime() -> int:
    """The service's default token lifetime in minutes: the ``default`` of ``expiresInMinutes``.

    Versions whose documents have no ``expiresInMinutes`` get the same default lifetime
    from the service; their documents cannot say so, the later ones do.
    """
    for version in ALL_VERSIONS:
        bounds = _LIFETIMES[version]
        if bounds is not None:
            return bounds[2]
    raise RuntimeError("no swagger document declares expiresInMinutes, so there is no default token lifetime")


#: Token lifetime when the request does not choose one (minutes).
DEFAULT_EXPIRES_IN_MINUTES: int = _default_lifetime()

#: The longest lifetime any version lets an ACS token have (minutes): the largest
#: ``expiresInMinutes`` maximum, or the default where a version has no such property.
#: (Teams exchanges take their lifetime from the Entra token instead.)
LONGEST_EXPIRES_IN_MINUTES: int = max(
    DEFAULT_EXPIRES_IN_MINUTES if bounds is None else bounds[1] for bounds in _LIFETIMES.values()
)


def operations() -> dict[tuple[str, str], tuple[str, ...]]:
    """``(METHOD, path template) -> versions that have it``, in document order."""
    found: dict[tuple[str, str], list[str]] = {}
    for version in ALL_VERSIONS:
        for _, method, path in _OPERATIONS[version]:
            found.setdefault((method, path), []).append(version)
    return {key: tuple(versions) for key, versions in found.items()}


def operation_ids(method: str, path: str) -> tuple[str, ...]:
    """The operationIds the documents give ``method path`` (they were renamed in 2025-06-30)."""
    ids: list[str] = []
    for version in ALL_VERSIONS:
        for operation_id, m, p in _OPERATIONS[version]:
            if (m, p) == (method, path) and operation_id not in ids:
                ids.append(operation_id)
    return tuple(ids)


def speaks_2020_protocol(api_version: str) -> bool:
    return api_version in PREVIEW_2020_VERSIONS


def allowed_scopes(api_version: str) -> frozenset[str]:
    """The token scopes accepted under ``api_version``, as its document enumerates them.

    The 2020 preview document has free-string scopes; the catalog gives it the values of the
    nearest document that enumerates them (``chat``, ``voip``), as the client does, so a typo
    or a scope of a later version is refused rather than minted into a token.
    """
    return frozenset(_SCOPES[api_version])


def lifetime_bounds(api_version: str) -> tuple[int, int, int] | None:
    """``(minimum, maximum, default)`` of ``expiresInMinutes``, or None where the version has none."""
    return _LIFETIMES[api_version]


def enum_values(api_version: str, enum: str) -> tuple[str, ...]:
    """The values of the enum definition ``enum`` in ``api_version``'s document (empty if none)."""
    return _ENUMS[api_version].get(enum, ())


def header_value(versions: tuple[str, ...]) -> str:
    """Format a version list the way the service does: comma + space."""
    return ", ".join(versions)
