"""Bodies and headers of the Roles API (2023-08-30-preview): every check, with this service's wording.

The permission names of each area come from the catalog (the document's ``ChatPermissions`` and
``CallingPermissions`` definitions), never from a list here. What was decided where the
document is silent (emulator/README.md, "Roles"):

- ``POST /roles`` takes a whole ``Role``: ``name`` (a non-empty string), ``isEnabled`` and every
  permission of both areas, as the document requires. ``id``, ``createdAt`` and ``updatedAt`` are
  read-only and ignored when sent; any other member is refused (a misspelt permission would
  otherwise be lost).
- ``PATCH /roles/{id}`` takes a JSON merge patch (``application/merge-patch+json``, or
  ``application/json``) of ``RoleCreateOrUpdate``: what it gives changes, a ``null`` is refused
  (no member of a role can be removed).
"""

from __future__ import annotations

from typing import Any

from . import _errors
from ._auth import parse_imf_fixdate
from ._bodies import Body, load_json
from ._formats import parse_date_time
from ._versions import property_versions

AREAS = {"chat": "ChatPermissions", "calling": "CallingPermissions"}
_READ_ONLY = frozenset({"id", "createdAt", "updatedAt"})
MERGE_PATCH = "application/merge-patch+json"


def permission_names(api_version: str, area: str) -> tuple[str, ...]:
    """The permissions of ``area`` (``chat`` or ``calling``) in ``api_version``'s document."""
    prefix = AREAS[area] + "."
    return tuple(
        key[len(prefix) :]
        for key, versions in property_versions().items()
        if key.startswith(prefix) and api_version in versions
    )


def _object(value: Any, target: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _errors.validation(f"{target} must be a JSON object.", target)
    return value


def _permissions(value: Any, api_version: str, whole: bool) -> dict[str, dict[str, bool]]:
    given = _object(value, "permissions")
    out: dict[str, dict[str, bool]] = {}
    for area in given:
        if area not in AREAS:
            raise _errors.validation(f"permissions has no area '{area}'; it has chat and calling.", "permissions")
    for area in AREAS:
        if area not in given:
            if whole:
                raise _errors.validation(f"permissions.{area} is required.", f"permissions.{area}")
            continue
        flags = _object(given[area], f"permissions.{area}")
        names = permission_names(api_version, area)
        for name, allowed in flags.items():
            if name not in names:
                raise _errors.validation(
                    f"permissions.{area} has no permission '{name}'.", f"permissions.{area}.{name}"
                )
            if not isinstance(allowed, bool):
                raise _errors.validation(
                    f"permissions.{area}.{name} must be true or false.", f"permissions.{area}.{name}"
                )
        if whole:
            missing = [n for n in names if n not in flags]
            if missing:
                raise _errors.validation(
                    f"permissions.{area} must give every permission; missing: {', '.join(missing)}.",
                    f"permissions.{area}",
                )
        out[area] = dict(flags)
    return out


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _errors.validation("name must be a non-empty string.", "name")
    return value


def _enabled(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _errors.validation("isEnabled must be true or false.", "isEnabled")
    return value


def _body(raw: bytes) -> Body:
    body = load_json(raw)
    if body is None:
        raise _errors.validation("The request body is required: a role as a JSON object.")
    return body


def new_role(raw: bytes, api_version: str) -> tuple[str, bool, dict[str, dict[str, bool]]]:
    """``POST /roles``: (name, isEnabled, permissions), all required."""
    body = _body(raw)
    for key in body:
        if key not in ("name", "isEnabled", "permissions") and key not in _READ_ONLY:
            raise _errors.validation(f"A role has no member '{key}'.", key)
    for key in ("name", "isEnabled", "permissions"):
        if key not in body:
            raise _errors.validation(f"{key} is required.", key)
    return _name(body["name"]), _enabled(body["isEnabled"]), _permissions(body["permissions"], api_version, whole=True)


def role_patch(raw: bytes, content_type: str, api_version: str) -> dict[str, Any]:
    """``PATCH /roles/{id}``: the members given (``name``, ``isEnabled``, ``permissions``), checked."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in (MERGE_PATCH, "application/json"):
        raise _errors.ServiceError(
            415, "UnsupportedMediaType", f"A role is changed with a JSON merge patch ({MERGE_PATCH}), not '{media}'."
        )
    body = _body(raw)
    patch: dict[str, Any] = {}
    for key, value in body.items():
        if value is None:
            raise _errors.validation(f"{key} cannot be removed (null in a merge patch).", key)
        if key == "name":
            patch["name"] = _name(value)
        elif key == "isEnabled":
            patch["isEnabled"] = _enabled(value)
        elif key == "permissions":
            patch["permissions"] = _permissions(value, api_version, whole=False)
        elif key not in _READ_ONLY:
            raise _errors.validation(f"A role has no member '{key}'.", key)
    return patch


def http_date(value: str | None, header: str) -> float | None:
    """An ``If-(Un)Modified-Since`` value: an HTTP date (IMF-fixdate) or RFC 3339, else 400."""
    if value is None:
        return None
    parsed = parse_imf_fixdate(value)
    if parsed is not None:
        return parsed
    try:
        return parse_date_time(value)
    except ValueError:
        raise _errors.validation(f"{header} must be an HTTP date or an RFC 3339 date-time.", header) from None


def etags(value: str | None) -> list[str] | None:
    """An ``If-Match``/``If-None-Match`` list (``*`` included), or None when absent."""
    if value is None:
        return None
    return [tag.strip() for tag in value.split(",") if tag.strip()]
