"""API versions the client speaks, and what each one can do.

Every fact here is read from the catalog that ``make generate`` writes from the swagger
documents (``_generated/_catalog.py``): the versions, the default (the newest GA version),
and the version that first has each operation or property. The checks run before any
request, so a call that the chosen version cannot serve fails locally with a message
naming the version that can.
"""

from __future__ import annotations

from typing import NoReturn, Union

from ._generated import _catalog
from ._generated._api_enums import ApiVersion
from ._redact import shown

__all__ = ["ApiVersion"]

# The class is rendered into _generated/ from swagger/ (members written out, so type
# checkers see them); its public home is here, which is also where pickle looks it up.
ApiVersion.__module__ = __name__

DEFAULT_API_VERSION = ApiVersion(_catalog.LATEST_GA)
_ORDER = list(ApiVersion)
# The catalog's tables under the names this module uses.
_LAYER: dict[str, str] = _catalog.VERSION_LAYER
_OPERATIONS: dict[str, tuple[tuple[str, str, str], ...]] = _catalog.OPERATIONS
_OPERATION_VERSIONS: dict[str, tuple[str, ...]] = _catalog.OPERATION_VERSIONS
_PROPERTY_VERSIONS: dict[str, tuple[str, ...]] = _catalog.PROPERTY_VERSIONS
_HEADER_PARAMETERS: dict[str, dict[str, tuple[str, ...]]] = _catalog.HEADER_PARAMETERS
_PREVIEWS: tuple[str, ...] = _catalog.PREVIEW_VERSIONS

# What the handwritten layer calls, named as in the documents; the catalog says since when.
IDENTITY_CREATE = "POST /identities"
TEAMS_USER_EXCHANGE = "POST /teamsUser/:exchangeAccessToken"
TEAMS_PHONE_EXCHANGE = "POST /access/teamsExtension/:exchangeAccessToken"
TEAMS_PHONE_ASSIGNMENT = "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}"
TOKEN_EXPIRES_IN = "CommunicationIdentityAccessTokenRequest.expiresInMinutes"  # noqa: S105 - a property name
IDENTITY_GET = "GET /identities/{id}"
#: The names the documents give a caller-chosen id on create (2025-03-02-preview ``customId``,
#: 2025-04-01-preview ``externalId``); which one a version has is the catalog's to say.
CUSTOM_ID_NAMES = ("customId", "externalId")
_CUSTOM_ID_OWNER = "CommunicationIdentityCreateRequest"


def parse_api_version(value: Union[str, ApiVersion, None]) -> ApiVersion:
    """Return the member for ``value``; ``None`` means the latest stable version."""
    if value is None:
        return DEFAULT_API_VERSION
    if isinstance(value, str):
        try:
            return ApiVersion(value.strip())
        except ValueError:
            pass
    supported = ", ".join(v.value for v in ApiVersion)
    raise ValueError(f"Unsupported api_version {shown(value)}; supported versions: {supported}.")


def layer_of(version: ApiVersion) -> str:
    """The generated layer that speaks ``version`` (``preview2020`` or ``ga``)."""
    return _LAYER[version.value]


def has_operation(version: ApiVersion, operation: str) -> bool:
    """Whether ``version``'s document has ``operation`` (``"METHOD path"``)."""
    return any(f"{method} {path}" == operation for _, method, path in _OPERATIONS[version.value])


def header_parameters(version: ApiVersion, operation: str) -> tuple[str, ...]:
    """The header parameters ``version``'s document declares for ``operation`` (``"METHOD path"``)."""
    return _HEADER_PARAMETERS[version.value].get(operation, ())


def has_property(version: ApiVersion, prop: str) -> bool:
    """Whether ``version``'s document has ``prop`` (``"Definition.property"``)."""
    return version.value in _PROPERTY_VERSIONS.get(prop, ())


def versions_with(feature: str) -> tuple[ApiVersion, ...]:
    """Every version whose document has ``feature`` (``"METHOD path"`` or ``"Definition.property"``)."""
    having = _OPERATION_VERSIONS.get(feature) or _PROPERTY_VERSIONS.get(feature) or ()
    return tuple(ApiVersion(v) for v in having)


def require_operation(version: ApiVersion, operation: str, feature: str) -> None:
    """Raise ``ValueError`` when ``version``'s document lacks ``operation``."""
    if not has_operation(version, operation):
        _refuse(version, operation, feature)


def require_property(version: ApiVersion, prop: str, feature: str) -> None:
    """Raise ``ValueError`` when ``version``'s document lacks ``prop``."""
    if not has_property(version, prop):
        _refuse(version, prop, feature)


def _lacking(having: tuple[ApiVersion, ...]) -> list[ApiVersion]:
    """The versions from the first of ``having`` on that are not in it."""
    return [v for v in _ORDER[_ORDER.index(having[0]) :] if v not in having]


def _refuse(version: ApiVersion, needed: str, feature: str) -> NoReturn:
    _refuse_having(version, versions_with(needed), feature)


def _refuse_having(version: ApiVersion, having: tuple[ApiVersion, ...], feature: str) -> NoReturn:
    """Raise the refusal of ``feature`` on ``version``, naming the versions (oldest first) that have it."""
    if not having:
        wanted = "a newer api_version"
    elif having == tuple(_ORDER[_ORDER.index(having[0]) :]):
        wanted = f"api_version {having[0].value} or later"
    elif all(v not in having and v.value in _PREVIEWS for v in _lacking(having)):
        # Every later version has it but a preview of another API (the Roles preview has no
        # identity operation): "or later", with those previews named.
        lacking = ", ".join(v.value for v in _lacking(having))
        wanted = f"api_version {having[0].value} or later, except {lacking}"
    else:
        # A preview can carry what later versions lack: name every version that has it.
        names = ", ".join(v.value for v in having)
        wanted = f"api_version {names}" if len(having) == 1 else f"one of api_version {names}"
    raise ValueError(f"{feature} requires {wanted}; this client uses {version.value}.")


def custom_id_property(version: ApiVersion) -> str | None:
    """The wire name of the create body's caller-chosen id under ``version`` (None where it has none)."""
    for name in CUSTOM_ID_NAMES:
        if has_property(version, f"{_CUSTOM_ID_OWNER}.{name}"):
            return name
    return None


def require_custom_id(version: ApiVersion, feature: str) -> str:
    """The wire name of the caller-chosen id under ``version``; ``ValueError`` where it has none."""
    name = custom_id_property(version)
    if name is None:
        having = {v for n in CUSTOM_ID_NAMES for v in versions_with(f"{_CUSTOM_ID_OWNER}.{n}")}
        _refuse_having(version, tuple(v for v in _ORDER if v in having), feature)
    return name
