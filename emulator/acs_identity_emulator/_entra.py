"""Microsoft Entra ID tokens: the local issuer that mints them, and the checks of the two exchanges.

The service cannot reach Entra's keys, so it stands in for Entra itself: :class:`EntraIssuer`
signs Entra-shaped access tokens (RS256) with a key of its own, made the first time one is asked
for and kept in the store beside the ACS signing key (a different key, so an ACS token is never
an Entra token). ``POST /emulator/entra/token`` (HMAC-signed like every call) mints one; the
command ``acs-identity-emulator entra-token`` and ``acs_identity_emulator.testing.entra_token``
call that route.

Three operations read an Entra token, and accept only the ones this service minted: the Teams
user exchange (the token is in its body; :func:`entra_claims`), the Teams Phone exchange and the
Entra ID user exchange (the token is their ``Authorization: Bearer`` credential;
:func:`bearer_caller` and :func:`clients_caller`, those operations' authentication). What is
checked, in order, each failure a 401 ``InvalidAccessToken``:

- the token is a JWS in its one spelling, ``alg`` ``RS256``, signed with this service's issuer
  key (``alg: none``, unsigned and foreign-signed tokens are refused);
- ``exp`` a finite number in the future (no later than ``expiresOn`` can say); ``nbf`` and
  ``iat``, when present, finite numbers no later than now plus :data:`CLOCK_SKEW_SECONDS`;
- ``aud`` is the Communication Services Entra resource (:data:`AUDIENCE`, or its app id; for the
  Entra ID user exchange, the Communication Services Clients resource, :data:`CLIENTS_AUDIENCE`);
- ``tid`` a GUID and ``iss`` that tenant's issuer, in the v1 or the v2 form;
- ``scp`` (space-separated) grants what the exchange needs (:data:`TEAMS_USER_SCOPES`: either;
  :data:`TEAMS_PHONE_SCOPE`; one of :data:`CLIENTS_SCOPES`), and for the two bearer exchanges
  ``oid`` and ``appid``/``azp`` are GUIDs (and for the Entra ID user exchange ``groups``, when
  present, a list of GUIDs).

Why a refusal happened is logged at INFO (one line, never the token), since the answer must stay
the service's one message.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from . import _errors
from ._formats import is_guid
from ._store import Store
from ._tokens import TokenSigner, generate_key_material

log = logging.getLogger("acs_identity_emulator")

#: Latest Entra ``exp`` accepted: the last second ``expiresOn`` can express
#: (9999-12-31T23:59:59Z); anything later, or not a finite number, is not a
#: token the service could have been given.
MAX_ENTRA_EXP = 253402300799
#: How far in the future ``nbf``/``iat`` may be (clocks differ; 5 minutes is Entra's usual leeway).
CLOCK_SKEW_SECONDS = 300
#: The Entra resource of Communication Services' Teams permissions (v1 tokens carry it as ``aud``)
#: and its application id (the ``aud`` of v2 tokens).
AUDIENCE = "https://auth.msft.communication.azure.com"
AUDIENCE_APP_ID = "1fd5118e-2576-4263-8130-9503064c837a"
#: Delegated permissions: the Teams user exchange needs one of these ...
TEAMS_USER_SCOPES = ("Teams.ManageCalls", "Teams.ManageChats")
#: ... and the Teams Phone exchange this one.
TEAMS_PHONE_SCOPE = "TeamsExtension.ManageCalls"
#: The Entra resource of the Entra ID user exchange (2025-03-02-preview), "Azure Communication
#: Services Clients" (clients ask for ``https://communication.azure.com/clients/VoIP``), and its
#: delegated permissions with the ACS token scope each one gives.
CLIENTS_AUDIENCE = "https://communication.azure.com/clients"
CLIENTS_SCOPES = {"VoIP": "voip", "Chat": "chat"}
#: What a minted token grants unless asked otherwise: enough for both Teams exchanges.
DEFAULT_SCOPES = (*TEAMS_USER_SCOPES, TEAMS_PHONE_SCOPE)
#: The resources a minted token may be for (``resource`` of ``POST /emulator/entra/token``): its
#: ``aud`` and the scopes it grants unless asked otherwise.
RESOURCES = {"teams": (AUDIENCE, DEFAULT_SCOPES), "clients": (CLIENTS_AUDIENCE, ("VoIP",))}
#: Minted lifetime: Entra's default for access tokens is about an hour.
DEFAULT_LIFETIME_MINUTES = 60
MAX_LIFETIME_MINUTES = 24 * 60

_KEY_META = "entra_signing_key_pem"
_CERT_META = "entra_signing_cert_pem"


def v1_issuer(tenant_id: str) -> str:
    """``iss`` of a v1 Entra access token of ``tenant_id`` (what this service mints)."""
    return f"https://sts.windows.net/{tenant_id}/"


def v2_issuer(tenant_id: str) -> str:
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0"


class EntraIssuer:
    """The service's stand-in for Entra ID: one RSA key per store, made on first use."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._signer: TokenSigner | None = None
        self._creating: asyncio.Lock | None = None
        key_pem, cert_pem = store.get_meta(_KEY_META), store.get_meta(_CERT_META)
        if key_pem is not None and cert_pem is not None:
            self._signer = TokenSigner(key_pem.encode("ascii"), cert_pem.encode("ascii"))

    async def _ensure_signer(self) -> TokenSigner:
        if self._signer is None:
            if self._creating is None:
                self._creating = asyncio.Lock()
            async with self._creating:
                if self._signer is None:
                    # RSA key generation takes a noticeable fraction of a second: not on the event loop.
                    new_key, new_cert = await asyncio.to_thread(generate_key_material)
                    key_pem = self._store.set_meta_if_absent(_KEY_META, new_key.decode("ascii"))
                    cert_pem = self._store.set_meta_if_absent(_CERT_META, new_cert.decode("ascii"))
                    self._signer = TokenSigner(key_pem.encode("ascii"), cert_pem.encode("ascii"))
        return self._signer

    async def mint(
        self,
        tenant_id: str,
        object_id: str,
        app_id: str,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        lifetime_minutes: int = DEFAULT_LIFETIME_MINUTES,
        overrides: Mapping[str, Any] | None = None,
        audience: str = AUDIENCE,
    ) -> tuple[str, float]:
        """A signed v1-shaped Entra access token of a user, and its ``exp``.

        ``overrides`` replaces or adds claims (``None`` removes one), to try how the exchanges
        refuse tokens: an ``exp`` in the past, another ``aud``, no ``scp``.
        """
        signer = await self._ensure_signer()
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": v1_issuer(tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_minutes * 60,
            "appid": app_id,
            "appidacr": "0",
            "idtyp": "user",
            "oid": object_id,
            "scp": " ".join(scopes),
            "tid": tenant_id,
            "ver": "1.0",
        }
        for name, value in (overrides or {}).items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        exp = claims.get("exp")
        return signer.sign(claims), float(exp) if isinstance(exp, (int, float)) else math.nan

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this service's issuer signed, else ``None``."""
        if self._signer is None:  # nothing was ever minted by this store: no token can be its
            return None
        return self._signer.verify(token)


def _refuse(reason: str) -> _errors.ServiceError:
    log.info("refused an Entra token: %s", reason)
    return _errors.invalid_access_token()


def _number(value: Any) -> float | None:
    """A finite JSON number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if isinstance(value, int) or math.isfinite(value) else None


def entra_claims(
    issuer: EntraIssuer,
    token: str,
    needs: tuple[str, ...],
    audiences: tuple[str, ...] = (AUDIENCE, AUDIENCE_APP_ID),
) -> dict[str, Any]:
    """Claims of a valid Entra token this service minted for one of ``audiences`` whose ``scp`` has
    one of ``needs``, else 401."""
    claims = issuer.verify(token.strip())
    if claims is None:
        raise _refuse(
            "not signed by this service's Entra issuer (alg RS256; get one with acs-identity-emulator entra-token)"
        )
    now = time.time()
    exp = _number(claims.get("exp"))
    # NaN and Infinity are valid JSON to Python's parser: _number turns them away.
    if exp is None or not now < exp <= MAX_ENTRA_EXP:
        raise _refuse("exp is missing, not a number, or not in the future")
    for name in ("nbf", "iat"):
        if name in claims:
            value = _number(claims[name])
            if value is None or value > now + CLOCK_SKEW_SECONDS:
                raise _refuse(f"{name} is not a number or is in the future")
    if claims.get("aud") not in audiences:
        raise _refuse(f"aud is not {audiences[0]}")
    tid = claims.get("tid")
    if not isinstance(tid, str) or not is_guid(tid):
        raise _refuse("tid is not a tenant GUID")
    if claims.get("iss") not in (v1_issuer(tid), v2_issuer(tid)):
        raise _refuse("iss is not the issuer of its tenant (tid)")
    scp = claims.get("scp")
    granted = scp.split(" ") if isinstance(scp, str) else []
    if not any(scope in granted for scope in needs):
        raise _refuse(f"scp grants none of {', '.join(needs)}")
    return claims


class EntraCaller(NamedTuple):
    """Who an Entra bearer token speaks for: tenant, user object and client application (GUIDs)."""

    tenant_id: str
    object_id: str
    app_id: str
    exp: float
    #: What ``scp`` grants (space-separated in the token).
    scopes: tuple[str, ...] = ()
    #: The groups the user is a member of (the ``groups`` claim, lower case), when the token says.
    groups: tuple[str, ...] = ()


def _caller(
    issuer: EntraIssuer,
    headers: Mapping[str, str],
    needs: tuple[str, ...],
    audiences: tuple[str, ...],
    with_groups: bool = False,
) -> EntraCaller:
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _errors.invalid_access_token()
    claims = entra_claims(issuer, token, needs, audiences)
    tid, oid, app = claims["tid"], claims.get("oid"), claims.get("appid", claims.get("azp"))
    if not (isinstance(oid, str) and isinstance(app, str) and is_guid(oid) and is_guid(app)):
        raise _refuse("oid or appid/azp is not a GUID")
    groups = claims.get("groups", []) if with_groups else []
    if not isinstance(groups, list) or not all(isinstance(g, str) and is_guid(g) for g in groups):
        raise _refuse("groups is not a list of GUIDs")
    scopes = tuple(str(claims["scp"]).split(" "))
    return EntraCaller(tid, oid, app, float(claims["exp"]), scopes, tuple(g.lower() for g in groups))


def bearer_caller(issuer: EntraIssuer, headers: Mapping[str, str]) -> EntraCaller:
    """The caller of ``Authorization: Bearer <Entra token>`` for the Teams Phone exchange, else 401."""
    return _caller(issuer, headers, (TEAMS_PHONE_SCOPE,), (AUDIENCE, AUDIENCE_APP_ID))


def clients_caller(issuer: EntraIssuer, headers: Mapping[str, str]) -> EntraCaller:
    """The caller of ``Authorization: Bearer <Entra token>`` for the Entra ID user exchange, else 401."""
    return _caller(issuer, headers, tuple(CLIENTS_SCOPES), (CLIENTS_AUDIENCE,), with_groups=True)
