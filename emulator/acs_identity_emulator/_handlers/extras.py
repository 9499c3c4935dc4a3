"""This service's own routes (no ``api-version``): the token signing key and token introspection."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .. import _bodies
from .._dispatch import Call, Result, extra_route
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
