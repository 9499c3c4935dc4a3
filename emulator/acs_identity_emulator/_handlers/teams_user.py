"""The Teams user exchange: an Entra token of a Teams user for an ACS token."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .. import _bodies, _entra, _errors
from .._dispatch import Call, Result, handles
from .._formats import format_expires_on
from .._tokens import TEAMS_USER_SCP

if TYPE_CHECKING:
    from .._app import Emulator

#: Scopes the emulator writes into Teams user tokens.
TEAMS_USER_SCOPES = "voip,chat"


@handles("POST /teamsUser/:exchangeAccessToken")
async def exchange_teams_user(service: Emulator, call: Call) -> Result:
    """POST /teamsUser/:exchangeAccessToken -> 200 {token, expiresOn}."""
    request = _bodies.teams_user_exchange(call.body)
    claims = _entra.entra_claims(service.entra, request.token, _entra.TEAMS_USER_SCOPES)
    claimed_app = claims.get("appid", claims.get("azp"))
    if not isinstance(claimed_app, str) or claimed_app.lower() != request.app_id.lower():
        raise _errors.validation("AAD application is not the expected one.", "appId")
    oid = claims.get("oid")
    if not isinstance(oid, str) or oid.lower() != request.user_id.lower():
        raise _errors.validation("Provided AAD token issued for unexpected user.", "userId")
    exp = int(claims["exp"])  # finite and in range: checked by entra_claims
    iat = int(time.time())
    token_claims = {
        "skypeid": f"orgid:{oid.lower()}",
        "scp": TEAMS_USER_SCP,
        "csi": str(iat),
        "exp": exp,
        "rgn": "amer",
        "acsScope": TEAMS_USER_SCOPES,
        "resourceId": service.resource_id,
        "resourceLocation": "unitedstates",
        "tid": str(claims.get("tid", "")),
        "iat": iat,
    }
    return 200, {"token": await service.signer.sign_async(token_claims), "expiresOn": format_expires_on(exp)}
