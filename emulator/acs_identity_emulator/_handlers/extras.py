"""This service's own routes (no ``api-version``): the token signing key, token introspection, the Entra issuer."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from .. import _bodies, _entra
from .._dispatch import Call, Result, extra_route
from .._formats import format_expires_on
from .._store import revocation_boundary

if TYPE_CHECKING:
    from .._app import Emulator


@extra_route("GET /.well-known/jwks.json", auth="none")
async def jwks(service: Emulator, call: Call) -> Result:
    """GET /.well-known/jwks.json: the token signing key (no auth)."""
    return 200, service.signer.jwks()


@extra_route("POST /emulator/introspect")
async def introspect(service: Emulator, call: Call) -> Result:
    """POST /emulator/introspect {"token"} -> 200 {active, reason, claims}."""
    return 200, judge(service, _bodies.introspect_token(call.body))


def judge(service: Emulator, token: str) -> dict[str, Any]:
    """Is this token, issued by this store, still usable?

    Reasons when inactive: ``invalid_signature`` (not signed by this
    store, or not a JWT), ``expired``, ``identity_deleted``, ``revoked``
    (``:revokeAccessTokens`` or preview ``tokensValidFrom``).  A token this
    store signed for an identity it no longer has can only be a deleted
    one's (its tombstone is gone once the retention has passed), so that
    is ``identity_deleted`` too.
    """
    claims = service.signer.verify(token)
    if claims is None:
        return {"active": False, "reason": "invalid_signature", "claims": {}}
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= time.time():
        return {"active": False, "reason": "expired", "claims": claims}
    skypeid = claims.get("skypeid")
    if isinstance(skypeid, str) and skypeid.startswith("acs:"):
        state = service.store.identity("8:" + skypeid)
        if state is None or state.deleted_at is not None:
            return {"active": False, "reason": "identity_deleted", "claims": claims}
        iat = claims.get("iat")
        boundary = revocation_boundary(state.valid_from)
        if boundary is not None and (not isinstance(iat, (int, float)) or iat < boundary):
            return {"active": False, "reason": "revoked", "claims": claims}
    return {"active": True, "reason": None, "claims": claims}


@extra_route("POST /emulator/entra/token")
async def entra_token(service: Emulator, call: Call) -> Result:
    """POST /emulator/entra/token {tenantId, objectId, appId[, scopes, expiresInMinutes, claims, resource]} -> 200.

    The answer is ``{"token", "expiresOn"}`` (``expiresOn`` ``null`` when ``claims`` replaced
    ``exp`` with something that is not a time).

    The token is a signed Entra-shaped access token of that user for that application, which the Teams user and
    Teams Phone exchanges of this service accept (see ``_entra``); with ``"resource": "clients"``, one for the
    Communication Services Clients resource, which its Entra ID user exchange accepts. HMAC-signed like every
    call: only a holder of the resource's key can mint one.
    """
    request = _bodies.entra_token_request(call.body, _entra.MAX_LIFETIME_MINUTES, tuple(_entra.RESOURCES))
    audience, default_scopes = _entra.RESOURCES[request.resource]
    token, exp = await service.entra.mint(
        request.tenant_id,
        request.object_id,
        request.app_id,
        default_scopes if request.scopes is None else request.scopes,
        _entra.DEFAULT_LIFETIME_MINUTES if request.lifetime_minutes is None else request.lifetime_minutes,
        request.claims,
        audience,
    )
    expires_on = format_expires_on(exp) if math.isfinite(exp) and 0 <= exp <= _entra.MAX_ENTRA_EXP else None
    return 200, {"token": token, "expiresOn": expires_on}
