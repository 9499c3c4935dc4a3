"""Request bodies: every check of a body's JSON and its fields, with the service's wording.

Handlers get plain values from here and never look into a body themselves, so each field is
checked (and each message worded) in one place. What a version accepts (scopes, lifetime
bounds, enum values) comes from the catalog (``_versions``). All failures are 400s from
``_errors``.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from . import _errors, _versions
from ._formats import is_guid, parse_date_time

#: A JSON object body (``None`` when the body is empty or ``null``).
Body = dict[str, Any]


def load_json(body: bytes) -> Body | None:
    """Parse an optional JSON-object body (empty body or ``null`` -> None)."""
    if not body.strip():
        return None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack (``[[[[...``).
        raise _errors.bad_json() from None
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _errors.not_json_object()
    return value


def scopes(value: Any, api_version: str, field: str, required: bool) -> list[str] | None:
    """Validate a scope list; ``None`` (not asked) only when not required."""
    if value is None:
        if required:
            raise _errors.validation(f"{field}: The {field} field is required.", field)
        return None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise _errors.validation(f"{field}: The {field} field must be an array of strings.", field)
    if not value:
        if required:
            raise _errors.validation(f"{field}: At least one scope is required.", field)
        return None  # create with [] is identity-only, like null
    allowed = _versions.allowed_scopes(api_version)
    result: list[str] = []
    for scope in value:
        if scope not in allowed:
            raise _errors.validation(f"Scope '{scope}' is not supported by api-version '{api_version}'.", field)
        if scope not in result:  # duplicates collapse, order kept
            result.append(scope)
    return result


def required_scopes(body: Body, api_version: str) -> list[str]:
    """The ``scopes`` of a token request (at least one)."""
    result = scopes(body.get("scopes"), api_version, "Scopes", True)
    assert result is not None  # required=True: None was refused
    return result


def expires_in_minutes(body: Body, api_version: str) -> int:
    """Lifetime in minutes; ignored (default) on versions whose document has no ``expiresInMinutes``."""
    bounds = _versions.lifetime_bounds(api_version)
    if bounds is None:
        return _versions.DEFAULT_EXPIRES_IN_MINUTES
    low, high, default = bounds
    value = body.get("expiresInMinutes")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise _errors.validation("ExpiresInMinutes: The value must be an integer.", "ExpiresInMinutes")
    if not low <= value <= high:
        raise _errors.expires_in_minutes_out_of_range(value, low, high)
    return value


def tokens_valid_from(body: Body) -> float | None:
    """The preview ``tokensValidFrom`` instant (epoch seconds); ``None`` (absent or null) means "now"."""
    value = body.get("tokensValidFrom")
    if value is None:
        return None
    message = "TokensValidFrom: The value is not a valid date-time."
    if not isinstance(value, str):
        raise _errors.validation(message, "TokensValidFrom")
    try:
        return parse_date_time(value)
    except (ValueError, OverflowError):
        raise _errors.validation(message, "TokensValidFrom") from None


class TeamsUserExchange(NamedTuple):
    """A Teams user exchange: the Entra token and the ids it must be for (GUIDs, as sent)."""

    token: str
    app_id: str
    user_id: str


def teams_user_exchange(raw: bytes) -> TeamsUserExchange:
    """The body of ``POST /teamsUser/:exchangeAccessToken``; a body that is not JSON is "missing"."""
    try:
        body = load_json(raw)
    except _errors.ServiceError:
        body = None
    if body is None or not isinstance(body.get("token"), str):
        raise _errors.validation(_errors.EXCHANGE_BODY_MISSING_MESSAGE)
    app_id = body.get("appId")
    user_id = body.get("userId")
    if not app_id:
        raise _errors.validation("AppId: The AppId field is required.", "AppId")
    if not user_id:
        raise _errors.validation("UserId: The UserId field is required.", "UserId")
    if not isinstance(app_id, str) or not is_guid(app_id):
        raise _errors.validation("Provided AppId has invalid format.", "appId")
    if not isinstance(user_id, str) or not is_guid(user_id):
        raise _errors.validation("Provided UserId has invalid format.", "userId")
    return TeamsUserExchange(body["token"], app_id, user_id)


def assignment(raw: bytes, api_version: str) -> tuple[str, tuple[str, ...] | None]:
    """``(principalType, clientIds)`` of a Teams Phone assignment (ids lower-cased, duplicates dropped)."""
    body = load_json(raw)
    if body is None:
        raise _errors.validation("The request body is required.")
    principal_type = body.get("principalType")
    if principal_type is None or principal_type == "":
        raise _errors.validation("PrincipalType: The PrincipalType field is required.", "PrincipalType")
    kinds = _versions.enum_values(api_version, "TeamsExtensionPrincipalType")
    if principal_type not in kinds:
        listing = ", ".join(f"'{kind}'" for kind in kinds)
        raise _errors.validation(f"PrincipalType must be one of {listing}.", "PrincipalType")
    raw_ids = body.get("clientIds")
    if raw_ids is None:
        return principal_type, None
    if not isinstance(raw_ids, list) or not all(isinstance(c, str) and is_guid(c) for c in raw_ids):
        raise _errors.validation("Provided ClientIds has invalid format.", "clientIds")
    return principal_type, tuple(dict.fromkeys(c.lower() for c in raw_ids))


class EntraAssignmentFields(NamedTuple):
    """The fields of an Entra access assignment (ids lower-cased, client ids without duplicates)."""

    tenant_id: str
    principal_type: str
    client_ids: tuple[str, ...]


def entra_assignment_fields(body: Body, api_version: str, object_id: str, where: str = "") -> EntraAssignmentFields:
    """Check one ``EntraAssignmentCreateOrUpdateRequest`` for ``object_id``; ``where`` prefixes messages."""

    def refuse(message: str, target: str) -> _errors.ServiceError:
        return _errors.validation(where + message, target)

    try:
        tenant_id = _guid_field(body, "tenantId")
    except _errors.ServiceError as error:
        raise refuse(error.message, error.target or "tenantId") from None
    principal_type = body.get("principalType")
    if principal_type is None or principal_type == "":
        raise refuse("PrincipalType: The PrincipalType field is required.", "PrincipalType")
    kinds = _versions.enum_values(api_version, "EntraPrincipalType")
    if principal_type not in kinds:
        listing = ", ".join(f"'{kind}'" for kind in kinds)
        raise refuse(f"PrincipalType must be one of {listing}.", "PrincipalType")
    raw_ids = body.get("clientIds")
    if raw_ids is None:
        raise refuse("ClientIds: The ClientIds field is required.", "ClientIds")
    if not isinstance(raw_ids, list) or not all(isinstance(c, str) and is_guid(c) for c in raw_ids):
        raise refuse("Provided ClientIds has invalid format.", "clientIds")
    if not raw_ids:
        raise refuse("ClientIds: At least one client id is required.", "ClientIds")
    if principal_type == "tenant" and object_id != tenant_id:
        raise refuse("An assignment of principalType 'tenant' has the tenant id as its objectId.", "objectId")
    return EntraAssignmentFields(tenant_id, principal_type, tuple(dict.fromkeys(c.lower() for c in raw_ids)))


def entra_assignment(raw: bytes, api_version: str, object_id: str) -> EntraAssignmentFields:
    """The body of ``PUT /access/entra/assignments/{objectId}``."""
    body = load_json(raw)
    if body is None:
        raise _errors.validation("The request body is required.")
    return entra_assignment_fields(body, api_version, object_id)


class EntraAssignmentsUpdate(NamedTuple):
    """A bulk update of Entra assignments: what to set (object id -> fields) and what to remove."""

    sets: dict[str, EntraAssignmentFields]
    removals: list[str]


def entra_assignments_update(raw: bytes, api_version: str) -> EntraAssignmentsUpdate:
    """The body of ``PATCH /access/entra/assignments``: object id -> assignment, or ``null`` to remove.

    Every entry is checked before anything is written; messages name the entry's object id (a
    GUID, once checked) or, for a key that is not one, its position.
    """
    body = load_json(raw)
    if body is None:
        raise _errors.validation("The request body is required.")
    sets: dict[str, EntraAssignmentFields] = {}
    removals: list[str] = []
    for position, (key, value) in enumerate(body.items(), start=1):
        if not is_guid(key):
            raise _errors.validation(
                f"Provided ObjectId has invalid format (entry {position} of the body).", "objectId"
            )
        object_id = key.lower()
        if object_id in sets or object_id in removals:
            raise _errors.validation(f"ObjectId '{object_id}' appears more than once in the body.", "objectId")
        if value is None:
            removals.append(object_id)
        elif isinstance(value, dict):
            sets[object_id] = entra_assignment_fields(value, api_version, object_id, f"Assignment '{object_id}': ")
        else:
            raise _errors.validation(
                f"Assignment '{object_id}': the value must be an object, or null to remove it.", "objectId"
            )
    return EntraAssignmentsUpdate(sets, removals)


def introspect_token(raw: bytes) -> str:
    """The ``token`` of ``POST /emulator/introspect``."""
    token = (load_json(raw) or {}).get("token")
    if not isinstance(token, str) or not token:
        raise _errors.validation("Token: The Token field is required.", "Token")
    return token


class EntraTokenRequest(NamedTuple):
    """``POST /emulator/entra/token``: whose token to mint, granting what, for how long."""

    tenant_id: str
    object_id: str
    app_id: str
    scopes: tuple[str, ...] | None
    lifetime_minutes: int | None
    claims: dict[str, Any]
    resource: str = "teams"


def _guid_field(body: Body, name: str) -> str:
    value = body.get(name)
    label = name[0].upper() + name[1:]
    if value is None or value == "":
        raise _errors.validation(f"{label}: The {label} field is required.", label)
    if not isinstance(value, str) or not is_guid(value):
        raise _errors.validation(f"Provided {label} has invalid format.", name)
    return value.lower()


def entra_token_request(raw: bytes, max_minutes: int, resources: tuple[str, ...] = ("teams",)) -> EntraTokenRequest:
    """The fields of ``POST /emulator/entra/token`` (ids lower-cased, as Entra writes them)."""
    body = load_json(raw)
    if body is None:
        raise _errors.validation("The request body is required.")
    tenant_id, object_id, app_id = (_guid_field(body, name) for name in ("tenantId", "objectId", "appId"))
    scopes = body.get("scopes")
    if scopes is not None and (
        not isinstance(scopes, list)
        or not all(isinstance(s, str) and s and not any(c.isspace() for c in s) for s in scopes)
    ):
        raise _errors.validation("Scopes: The Scopes field must be an array of scope names without spaces.", "Scopes")
    minutes = body.get("expiresInMinutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= max_minutes
    ):
        raise _errors.validation(
            f"ExpiresInMinutes: The value must be an integer within the [1, {max_minutes}] interval.",
            "ExpiresInMinutes",
        )
    claims = body.get("claims")
    if claims is not None and not isinstance(claims, dict):
        raise _errors.validation("Claims: The Claims field must be an object.", "Claims")
    resource = body.get("resource", resources[0])
    if resource not in resources:
        listing = ", ".join(f"'{name}'" for name in resources)
        raise _errors.validation(f"Resource must be one of {listing}.", "Resource")
    return EntraTokenRequest(
        tenant_id, object_id, app_id, None if scopes is None else tuple(scopes), minutes, claims or {}, resource
    )


#: The longest caller-chosen identity id the documents allow.
CUSTOM_ID_MAX_LENGTH = 256


def custom_id(body: Body, api_version: str) -> tuple[str, str] | None:
    """``(property, value)`` of the create body's caller-chosen id, where the version has one and it is given."""
    name = _versions.custom_id_property(api_version)
    if name is None or body.get(name) is None:
        return None
    value = body[name]
    field = name[0].upper() + name[1:]
    if not isinstance(value, str) or not 1 <= len(value) <= CUSTOM_ID_MAX_LENGTH:
        raise _errors.validation(
            f"{field}: The field {field} must be a string of 1 to {CUSTOM_ID_MAX_LENGTH} characters.", field
        )
    return name, value
