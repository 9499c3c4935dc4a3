"""The Roles API of ``2023-08-30-preview``: argument checks and conversions, for sync and async.

That preview has no identity operation; it manages *roles*: named sets of chat and calling
permissions (``GET``/``POST /roles``, ``GET``/``PATCH``/``DELETE /roles/{id}``). Its document is
generated into a layer of its own (``_generated/preview2023_08_30``); this module converts between
that layer's models and the public :class:`~azure.communication.administration.CommunicationRole`.

Permissions are mappings from a permission's name to ``True``/``False``. Names are read from the
generated models (so from the document, never listed here): Python's ``send_message`` or the
wire's ``sendMessage``; results always use the Python names. The document requires every
permission on create, so a permission that ``create_role`` is not given is ``False`` (a role
allows only what it says); ``update_role`` sends only what it is given (a JSON merge patch).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import unquote, urlsplit

from ._models import CommunicationRole
from ._redact import looks_secret, shown

if TYPE_CHECKING:
    from ._generated.preview2023_08_30 import models as roles_models

#: The operations each Roles method sends ("METHOD path", as in the document).
ROLE_OPERATIONS = {
    "list_roles": "GET /roles",
    "create_role": "POST /roles",
    "get_role": "GET /roles/{id}",
    "update_role": "PATCH /roles/{id}",
    "delete_role": "DELETE /roles/{id}",
}

_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]+")

#: The permission areas: keyword -> (the generated model's attribute on ``Permissions``).
_AREAS = ("chat", "calling")


def _models() -> Any:
    from ._generated.preview2023_08_30 import models as roles_models

    return roles_models


def _names(model: type) -> dict[str, str]:
    """Python name -> wire name of every permission a generated permissions model has."""
    attribute_map: dict[str, dict[str, str]] = model._attribute_map  # type: ignore[attr-defined]
    return {python: spec["key"] for python, spec in attribute_map.items()}


def role_id(value: Any) -> str:
    """A role id: a non-empty string (the service assigns them; ``update_role`` may choose one)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"role_id must be a non-empty string, got {shown(value)}.")
    text = value.strip()
    # A base64 key or a token pasted here would travel in the URL; ids the service makes (UUIDs)
    # and ids of letters, digits, '.', '_', '-' never look like one, however long.
    if looks_secret(text) and not _PLAIN_ID.fullmatch(text):
        raise ValueError("role_id looks like an access key or a token; expected a role id.")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise ValueError("role_id must not contain control characters.")
    return text


def _permissions(keyword: str, given: Any, model: type, *, fill: bool) -> Any:
    """The generated permissions model for ``given`` (a mapping of name -> bool)."""
    names = _names(model)
    by_any = {**{wire: python for python, wire in names.items()}, **{python: python for python in names}}
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise TypeError(f"{keyword} must be a mapping of permission name to True/False, got {type(given).__name__}.")
    values: dict[str, bool] = dict.fromkeys(names, False) if fill else {}
    for name, allowed in given.items():
        python = by_any.get(name) if isinstance(name, str) else None
        if python is None:
            valid = ", ".join(names)
            raise ValueError(f"{keyword}: unknown permission {shown(name)}; known permissions: {valid}.")
        if not isinstance(allowed, bool):
            raise TypeError(f"{keyword}[{name!r}] must be True or False, got {type(allowed).__name__}.")
        values[python] = allowed
    return model(**values)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"name must be a non-empty string, got {shown(value)}.")
    return value


def _enabled(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"is_enabled must be True or False, got {type(value).__name__}.")
    return value


def create_request(name: Any, is_enabled: Any, chat_permissions: Any, calling_permissions: Any) -> roles_models.Role:
    """``POST /roles``: every permission sent, those not given as ``False``."""
    m = _models()
    return m.Role(  # type: ignore[no-any-return]
        name=_name(name),
        is_enabled=_enabled(is_enabled),
        permissions=m.Permissions(
            chat=_permissions("chat_permissions", chat_permissions, m.ChatPermissions, fill=True),
            calling=_permissions("calling_permissions", calling_permissions, m.CallingPermissions, fill=True),
        ),
    )


def update_request(
    name: Any, is_enabled: Any, chat_permissions: Any, calling_permissions: Any
) -> roles_models.RoleCreateOrUpdate:
    """``PATCH /roles/{id}``: a merge patch of what is given (at least one thing)."""
    if name is None and is_enabled is None and chat_permissions is None and calling_permissions is None:
        raise ValueError("update_role needs at least one of name, is_enabled, chat_permissions, calling_permissions.")
    m = _models()
    permissions = None
    if chat_permissions is not None or calling_permissions is not None:
        permissions = m.PermissionsCreateOrUpdate(
            chat=None
            if chat_permissions is None
            else _permissions("chat_permissions", chat_permissions, m.ChatPermissionsCreateOrUpdate, fill=False),
            calling=None
            if calling_permissions is None
            else _permissions(
                "calling_permissions", calling_permissions, m.CallingPermissionsCreateOrUpdate, fill=False
            ),
        )
    return m.RoleCreateOrUpdate(  # type: ignore[no-any-return]
        name=None if name is None else _name(name),
        is_enabled=None if is_enabled is None else _enabled(is_enabled),
        permissions=permissions,
    )


def _flags(generated: Any) -> dict[str, bool]:
    if generated is None:
        return {}
    names = _names(type(generated))
    return {python: bool(getattr(generated, python)) for python in names if getattr(generated, python) is not None}


def public_role(generated: roles_models.Role, etag: Optional[str] = None) -> CommunicationRole:
    """The public role for a generated one (``etag`` from the response's ``ETag``, when there is one)."""
    permissions = generated.permissions
    return CommunicationRole(
        id=generated.id or "",
        name=generated.name,
        is_enabled=bool(generated.is_enabled),
        chat_permissions=_flags(getattr(permissions, "chat", None)),
        calling_permissions=_flags(getattr(permissions, "calling", None)),
        created_at=_utc(generated.created_at),
        updated_at=_utc(generated.updated_at),
        etag=etag,
    )


def _utc(value: Optional[datetime]) -> Optional[datetime]:
    return None if value is None else value.astimezone(timezone.utc)


def page_of_roles(generated: list[roles_models.Role]) -> list[CommunicationRole]:
    """A page of a listing, converted (``cls`` of the generated ``list_roles``)."""
    return [public_role(role) for role in generated]


#: What a generated Roles operation returns with ``cls=with_headers``: its model and response headers.
RoleWithHeaders = tuple["roles_models.Role", dict[str, Any]]


def with_headers(_response: Any, deserialized: Any, headers: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """``cls`` of a generated operation: its result and its response headers."""
    return deserialized, headers


def id_from_location(location: Optional[str]) -> str:
    """The new role's id: the last segment of the ``Location`` that ``POST /roles`` answers with."""
    path = urlsplit(location or "").path.rstrip("/")
    head, _, last = path.rpartition("/")
    if not last or not head.endswith("/roles"):
        from azure.core.exceptions import HttpResponseError

        raise HttpResponseError(
            message=f"The service created a role but answered with no usable Location ({shown(location)})."
        )
    return unquote(last)
