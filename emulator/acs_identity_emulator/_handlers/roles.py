"""Roles (2023-08-30-preview): list (paged), create, read, create-or-update (merge patch), delete.

What the document leaves open is decided here and in ``_role_bodies`` (emulator/README.md, "Roles"):

- Ids: ``POST /roles`` makes a UUID; ``PATCH /roles/{id}`` may create a role under an id of the
  caller's (1 to 128 of ``A-Z a-z 0-9 . _ -``, starting with a letter or digit).
- Listing: in id order, :data:`PAGE_SIZE` a page (``maxpagesize`` asks for fewer); ``nextLink`` is
  absolute, on the host the request was sent to, with an opaque ``continuationToken``.
- ETags: a quoted random tag, new at every write, on every single-role answer. ``If-Match`` /
  ``If-None-Match`` (lists and ``*``) and ``If-Unmodified-Since`` / ``If-Modified-Since`` hold
  as HTTP says: a failed condition is 412 ``ConditionNotMet``, except a read whose
  ``If-None-Match`` or ``If-Modified-Since`` fails, which is 304 with no body.
- ``DELETE`` of a role that does not exist is 204 (deleting is idempotent), unless a condition
  asks for the role (``If-Match``), then 412.
- Repeatable (``Repeatability-*``, as the document declares on create, update and delete): done
  by ``_repeatability``, which also replays ``Location`` and ``ETag``.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from .. import _errors, _role_bodies
from .._dispatch import Call, Result, handles
from .._formats import format_expires_on
from .._store import Role

if TYPE_CHECKING:
    from .._app import Emulator

#: Roles per page of ``GET /roles`` (and the most ``maxpagesize`` may ask for).
PAGE_SIZE = 100
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def to_json(role: Role) -> dict[str, Any]:
    """The wire shape of ``Role``."""
    return {
        "id": role.id,
        "name": role.name,
        "isEnabled": role.is_enabled,
        "createdAt": format_expires_on(role.created_at),
        "updatedAt": format_expires_on(role.updated_at),
        "permissions": role.permissions,
    }


def _role_id(call: Call) -> str:
    (role_id,) = call.params
    if not _ID_RE.match(role_id):
        raise _errors.validation(
            "A role id is 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit.", "id"
        )
    return role_id


def _new_etag() -> str:
    return f'"{uuid.uuid4().hex}"'


def _check(call: Call, current: Role | None, *, read: bool) -> bool:
    """Apply the conditional headers to ``current``; False means "not modified" (reads only)."""
    headers = call.request.headers
    match = _role_bodies.etags(headers.get("If-Match"))
    if match is not None and (current is None or ("*" not in match and current.etag not in match)):
        raise _errors.condition_not_met("If-Match")
    none_match = _role_bodies.etags(headers.get("If-None-Match"))
    if none_match is not None and current is not None and ("*" in none_match or current.etag in none_match):
        if read:
            return False
        raise _errors.condition_not_met("If-None-Match")
    unmodified = _role_bodies.http_date(headers.get("If-Unmodified-Since"), "If-Unmodified-Since")
    if unmodified is not None and current is not None and int(current.updated_at) > unmodified:
        raise _errors.condition_not_met("If-Unmodified-Since")
    modified = _role_bodies.http_date(headers.get("If-Modified-Since"), "If-Modified-Since")
    # A read of a role unchanged since If-Modified-Since is "not modified".
    return not (read and modified is not None and current is not None and int(current.updated_at) <= modified)


def _answer(call: Call, status: int, role: Role) -> Result:
    call.response_headers["ETag"] = role.etag
    return status, to_json(role)


def _page_request(call: Call) -> tuple[int, str | None]:
    query = parse_qs(call.request.query_string, keep_blank_values=True)
    size = PAGE_SIZE
    if "maxpagesize" in query:
        text = query["maxpagesize"][0]
        if not text.isdigit() or not 1 <= int(text) <= PAGE_SIZE:
            raise _errors.validation(f"maxpagesize must be a whole number from 1 to {PAGE_SIZE}.", "maxpagesize")
        size = int(text)
    after = None
    if "continuationToken" in query:
        try:
            token = query["continuationToken"][0].encode("ascii")
            after = base64.b64decode(token, altchars=b"-_", validate=True).decode("utf-8")
            if not after:
                raise ValueError("empty")
        except (ValueError, UnicodeError):
            raise _errors.validation("continuationToken is not one this service gave.", "continuationToken") from None
    return size, after


@handles("GET /roles")
async def list_roles(service: Emulator, call: Call) -> Result:
    """GET /roles -> 200, a page of roles and, when there are more, ``nextLink``."""
    size, after = _page_request(call)
    roles = service.store.roles.page(after, size + 1)
    body: dict[str, Any] = {"value": [to_json(role) for role in roles[:size]]}
    if len(roles) > size:
        token = base64.urlsafe_b64encode(roles[size - 1].id.encode("utf-8")).decode("ascii")
        request = call.request
        body["nextLink"] = (
            f"{request.scheme}://{request.host}/roles?api-version={quote(call.api_version)}"
            f"&maxpagesize={size}&continuationToken={quote(token)}"
        )
    return 200, body


@handles("POST /roles")
async def create_role(service: Emulator, call: Call) -> Result:
    """POST /roles -> 201 with ``Location`` and ``ETag``, no body."""
    name, enabled, permissions = _role_bodies.new_role(call.body, call.api_version)
    _check(call, None, read=False)
    now = time.time()
    role = Role(str(uuid.uuid4()), name, enabled, permissions, now, now, _new_etag())
    service.store.roles.put(role)
    request = call.request
    call.response_headers["Location"] = f"{request.scheme}://{request.host}/roles/{role.id}"
    call.response_headers["ETag"] = role.etag
    return 201, None


@handles("GET /roles/{id}")
async def get_role(service: Emulator, call: Call) -> Result:
    """GET /roles/{id} -> 200 (304 when a read condition says it is unchanged; 404 when there is none)."""
    role_id = _role_id(call)
    role = service.store.roles.get(role_id)
    if role is None:
        raise _errors.role_not_found(role_id)
    if not _check(call, role, read=True):
        call.response_headers["ETag"] = role.etag
        return 304, None
    return _answer(call, 200, role)


@handles("PATCH /roles/{id}")
async def create_or_update_role(service: Emulator, call: Call) -> Result:
    """PATCH /roles/{id} (merge patch) -> 200 changed / 201 created."""
    role_id = _role_id(call)
    patch = _role_bodies.role_patch(call.body, call.request.headers.get("Content-Type", ""), call.api_version)
    current = service.store.roles.get(role_id)
    _check(call, current, read=False)
    now = time.time()
    if current is None:
        if "name" not in patch:
            raise _errors.validation("name is required to create a role.", "name")
        given = patch.get("permissions", {})
        permissions = {
            area: {
                n: bool(given.get(area, {}).get(n, False))
                for n in _role_bodies.permission_names(call.api_version, area)
            }
            for area in _role_bodies.AREAS
        }
        role = Role(role_id, patch["name"], patch.get("isEnabled", True), permissions, now, now, _new_etag())
        service.store.roles.put(role)
        return _answer(call, 201, role)
    permissions = {area: dict(flags) for area, flags in current.permissions.items()}
    for area, flags in patch.get("permissions", {}).items():
        permissions.setdefault(area, {}).update(flags)
    role = Role(
        role_id,
        patch.get("name", current.name),
        patch.get("isEnabled", current.is_enabled),
        permissions,
        current.created_at,
        now,
        _new_etag(),
    )
    service.store.roles.put(role)
    return _answer(call, 200, role)


@handles("DELETE /roles/{id}")
async def delete_role(service: Emulator, call: Call) -> Result:
    """DELETE /roles/{id} -> 204 (also when there is none, unless a condition asks for it: 412)."""
    role_id = _role_id(call)
    _check(call, service.store.roles.get(role_id), read=False)
    service.store.roles.delete(role_id)
    return 204, None
