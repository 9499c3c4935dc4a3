"""API versions the emulator speaks, and which operations exist in which version.

Everything here is read from the catalog that ``make generate`` writes from the swagger
documents (``azure.communication.administration._generated._catalog``, in this same
distribution): a version is served from the day its document is added to swagger/.
The catalog is plain literals, and the client package's ``__init__`` imports its public names
on first use (PEP 562), so importing it here costs no azure-core.

The real service answers every request on a matched route with an
``api-supported-versions`` header listing the versions of *that route*
(comma + space separated); here that is every version whose document has the path.
"""

from __future__ import annotations

import functools

from azure.communication.administration._generated import _catalog

#: Every version the emulator serves, oldest first (one per swagger document).
ALL_VERSIONS: tuple[str, ...] = _catalog.VERSIONS

#: The GA line, oldest first.
GA_VERSIONS: tuple[str, ...] = _catalog.GA_VERSIONS

_LAYER: dict[str, str] = _catalog.VERSION_LAYER
_OPERATIONS: dict[str, tuple[tuple[str, str, str], ...]] = _catalog.OPERATIONS
_SCOPES: dict[str, tuple[str, ...]] = _catalog.SCOPES
_LIFETIMES: dict[str, tuple[int, int, int] | None] = _catalog.EXPIRES_IN_MINUTES
_ENUMS: dict[str, dict[str, tuple[str, ...]]] = _catalog.ENUMS
_DOCUMENTS: dict[str, str] = _catalog.DOCUMENTS
_HEADERS: dict[str, dict[str, tuple[str, ...]]] = _catalog.HEADER_PARAMETERS
_PROPERTY_VERSIONS: dict[str, tuple[str, ...]] = _catalog.PROPERTY_VERSIONS

#: The names the documents give a caller-chosen identity id on create (2025-03-02-preview:
#: ``customId``; 2025-04-01-preview: ``externalId``); which one a version has is the catalog's.
CUSTOM_ID_NAMES = ("customId", "externalId")

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


def operation_key(name: str) -> tuple[str, str]:
    """``(METHOD, path template)`` of an operation named ``"METHOD /path"`` or by any of its operationIds.

    An operation renamed between versions (``CommunicationIdentity_Create`` up to 2023-10-01,
    ``IdentityOperations_Create`` from 2025-06-30) is one operation under either name. Raises
    ``ValueError`` naming ``name`` when no document has it.
    """
    method, _, path = name.partition(" ")
    key = (method.upper(), path) if path.startswith("/") else _operation_ids_to_keys().get(name)
    if key is None or key not in operations():
        raise ValueError(f"no swagger document has the operation {name!r}")
    return key


@functools.cache
def _operation_ids_to_keys() -> dict[str, tuple[str, str]]:
    return {operation_id: (m, p) for version in ALL_VERSIONS for operation_id, m, p in _OPERATIONS[version]}


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


def document(api_version: str) -> str:
    """Where ``api_version``'s swagger document is in the repository (``swagger/Identity/...``)."""
    return _DOCUMENTS[api_version]


def header_parameters(api_version: str, method: str, path: str) -> tuple[str, ...]:
    """The header parameters ``method path`` declares in ``api_version``'s document (empty if none)."""
    return _HEADERS.get(api_version, {}).get(f"{method} {path}", ())


def header_value(versions: tuple[str, ...]) -> str:
    """Format a version list the way the service does: comma + space."""
    return ", ".join(versions)


def property_versions() -> dict[str, tuple[str, ...]]:
    """``"Definition.property"`` -> every version whose document has it (the Roles API's permissions)."""
    return _PROPERTY_VERSIONS


def custom_id_property(api_version: str) -> str | None:
    """The create body's caller-chosen id property under ``api_version`` (None where it has none)."""
    for name in CUSTOM_ID_NAMES:
        if api_version in _PROPERTY_VERSIONS.get(f"CommunicationIdentityCreateRequest.{name}", ()):
            return name
    return None
