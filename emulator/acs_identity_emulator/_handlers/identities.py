"""Identities and their tokens: create, read, delete, issue, revoke, and the 2020 preview's forms."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .. import _bodies, _errors, _versions
from .._dispatch import Call, Result, handles
from .._formats import format_expires_on, identity_resource, new_identity_id
from .._store import IdentityState

if TYPE_CHECKING:
    from .._app import Emulator


def live_identity(service: Emulator, identity_id: str) -> IdentityState:
    """The state of an existing, not deleted identity of this resource (else 400 or 404)."""
    if identity_resource(identity_id) is None:
        raise _errors.invalid_identity(identity_id)
    state = service.store.identity(identity_id)
    if state is None or state.deleted_at is not None:
        raise _errors.identity_not_found(identity_id)
    return state


@handles("POST /identities")
async def create_identity(service: Emulator, call: Call) -> Result:
    """POST /identities (preview: 200 {id}; GA: 201 {identity[, accessToken]}).

    With a caller-chosen id (``customId`` / ``externalId``, where the version has one) that an
    alive identity already has, that identity is answered instead of a new one: 200 for
    ``externalId`` (its document's answer for that case), 201 for ``customId`` (its document
    has no other), with a new token when scopes were asked for.
    """
    preview = _versions.speaks_2020_protocol(call.api_version)
    scopes: list[str] | None = None
    minutes = _versions.DEFAULT_EXPIRES_IN_MINUTES
    chosen: tuple[str, str] | None = None
    if not preview:
        body = _bodies.load_json(call.body) or {}
        minutes = _bodies.expires_in_minutes(body, call.api_version)
        scopes = _bodies.scopes(body.get("createTokenWithScopes"), call.api_version, "CreateTokenWithScopes", False)
        chosen = _bodies.custom_id(body, call.api_version)
    identity_id = new_identity_id(service.resource_id)
    status, existing = 201, False
    if chosen is not None:  # claimed before the identity is written: no await in between
        claimed = service.store.details.claim(chosen[1], identity_id, lambda i: _alive(service, i))
        if claimed != identity_id:
            identity_id, existing = claimed, True
            status = 200 if chosen[0] == "externalId" else 201
    if not existing:
        service.store.create_identity(identity_id, time.time())
    if preview:
        return 200, {"id": identity_id}
    identity: dict[str, Any] = {"id": identity_id}
    if chosen is not None:
        identity[chosen[0]] = chosen[1]
    result: dict[str, Any] = {"identity": identity}
    if scopes:
        token, expires_on = await service.mint(
            identity_id, lambda: live_identity(service, identity_id), scopes, minutes * 60
        )
        service.store.details.token_issued(identity_id, time.time())
        result["accessToken"] = {"token": token, "expiresOn": expires_on}
    return status, result


def _alive(service: Emulator, identity_id: str) -> bool:
    state = service.store.identity(identity_id)
    return state is not None and state.deleted_at is None


@handles("GET /identities/{id}")
async def get_identity(service: Emulator, call: Call) -> Result:
    """GET /identities/{id} -> 200 {id[, customId | externalId][, lastTokenIssuedAt]}."""
    identity_id = call.params[0]
    live_identity(service, identity_id)
    details = service.store.details.get(identity_id)
    body: dict[str, Any] = {"id": identity_id}
    name = _versions.custom_id_property(call.api_version)
    if name is not None and details.custom_id is not None:
        body[name] = details.custom_id
    if details.last_token_at is not None:
        body["lastTokenIssuedAt"] = format_expires_on(details.last_token_at)
    return 200, body


@handles("DELETE /identities/{id}")
async def delete_identity(service: Emulator, call: Call) -> Result:
    """DELETE /identities/{id} -> 204."""
    identity_id = call.params[0]
    live_identity(service, identity_id)
    service.store.delete_identity(identity_id, time.time())
    return 204, None


@handles("POST /identities/{id}/:issueAccessToken")
async def issue_token(service: Emulator, call: Call) -> Result:
    """POST /identities/{id}/:issueAccessToken -> 200 {token, expiresOn}."""
    identity_id = call.params[0]
    body = _bodies.load_json(call.body) or {}
    minutes = _bodies.expires_in_minutes(body, call.api_version)
    scopes = _bodies.required_scopes(body, call.api_version)
    token, expires_on = await service.mint(
        identity_id, lambda: live_identity(service, identity_id), scopes, minutes * 60
    )
    service.store.details.token_issued(identity_id, time.time())
    return 200, {"token": token, "expiresOn": expires_on}


@handles("POST /identities/{id}/:revokeAccessTokens")
async def revoke_tokens(service: Emulator, call: Call) -> Result:
    """POST /identities/{id}/:revokeAccessTokens -> 204."""
    identity_id = call.params[0]
    live_identity(service, identity_id)
    service.store.revoke_now(identity_id, time.time())
    return 204, None


@handles("POST /identities/{id}/token")
async def issue_token_preview(service: Emulator, call: Call) -> Result:
    """POST /identities/{id}/token (2020 preview) -> 200 {id, token, expiresOn}."""
    identity_id = call.params[0]
    body = _bodies.load_json(call.body) or {}
    scopes = _bodies.required_scopes(body, call.api_version)
    token, expires_on = await service.mint(
        identity_id, lambda: live_identity(service, identity_id), scopes, _versions.DEFAULT_EXPIRES_IN_MINUTES * 60
    )
    service.store.details.token_issued(identity_id, time.time())
    return 200, {"id": identity_id, "token": token, "expiresOn": expires_on}


@handles("PATCH /identities/{id}")
async def update_identity_preview(service: Emulator, call: Call) -> Result:
    """PATCH /identities/{id} (2020 preview, merge-patch) -> 204.

    ``tokensValidFrom`` revokes every token issued before it; ``{}`` (or
    null) means "now", which is what the preview SDK sends for "revoke all".
    """
    identity_id = call.params[0]
    instant = _bodies.tokens_valid_from(_bodies.load_json(call.body) or {})
    live_identity(service, identity_id)
    if instant is None:
        service.store.revoke_now(identity_id, time.time())
    else:
        service.store.revoke_before(identity_id, instant)
    return 204, None
