"""HTTP routes of the emulator on aiohttp.web.

One catch-all handler parses the *raw* request path itself: ids arrive
percent-encoded (``8%3Aacs%3A...``), the action segment keeps a literal colon
(``/:issueAccessToken``) and the HMAC signature covers the path exactly as
sent, so aiohttp's decoding router would only get in the way.  It also lets
unknown routes (404) and wrong methods (405) answer in the service's error
shape.

Routes, their methods and the versions of each come from the API version catalog
(``_versions``, read from the swagger documents); the handlers below say what each
operation does. An operation a document has but this service has no handler for yet
answers 501 ``NotImplemented`` in the service's error shape (after authentication and
the version check), so a new version is served the day its document is added.

Order of checks for every request: route (404) -> method (405) -> body size
(413) -> authentication (401) -> ``api-version`` (400) -> body validation
(400) -> operation.  Authentication comes before the version check so that
an unauthenticated caller learns nothing but "Denied".
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from aiohttp import web

from . import _errors, _versions
from ._auth import HmacVerifier, read_jwt_unverified
from ._errors import ServiceError
from ._formats import (
    format_expires_on,
    identity_resource,
    is_guid,
    new_identity_id,
    parse_date_time,
    teams_phone_identity_id,
)
from ._limits import DEFAULT_IDLE_TIMEOUT
from ._store import DEFAULT_TOMBSTONE_RETENTION, Assignment, IdentityState, Store, revocation_boundary, sweep_tombstones
from ._tokens import TEAMS_USER_SCP, TokenSigner, acs_claims, generate_key_material

log = logging.getLogger("acs_identity_emulator")

JSON_UTF8 = "application/json; charset=utf-8"
JSON_ERROR = "application/json"
DEFAULT_EXPIRES_IN_MINUTES = _versions.DEFAULT_EXPIRES_IN_MINUTES
#: Scopes the emulator writes into Teams user and Teams Phone tokens.
TEAMS_USER_SCOPES = "voip,chat"
TEAMS_PHONE_SCOPES = "voip"
#: Latest Entra ``exp`` accepted: the last second ``expiresOn`` can express
#: (9999-12-31T23:59:59Z); anything later, or not a finite number, is not a
#: token the service could have been given.
MAX_ENTRA_EXP = 253402300799

_STATIC_HEADERS = {"Strict-Transport-Security": "max-age=2592000"}
#: ``json.dumps(..., separators=(",", ":"))`` without building an encoder per call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))

#: An operation: (emulator, request context) -> (status, JSON body or None).
Operation = Callable[["Emulator", "Call"], Awaitable[tuple[int, Any]]]


@dataclass(slots=True)
class Call:
    """Everything an operation needs about the request it serves."""

    request: web.BaseRequest
    params: list[str]
    api_version: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Method:
    """One HTTP method of a route: its operation, versions and authentication."""

    operation: Operation
    versions: tuple[str, ...] | None  # None: no api-version needed (emulator extras)
    auth: str  # "hmac", "bearer" or "none"


@dataclass(frozen=True, slots=True)
class Route:
    """A path pattern (``None`` = a parameter segment) and its methods."""

    pattern: tuple[str | None, ...]
    versions: tuple[str, ...] | None  # for the api-supported-versions header
    methods: dict[str, Method]
    supported_header: str | None = field(init=False)

    def __post_init__(self) -> None:
        header = None if self.versions is None else _versions.header_value(self.versions)
        object.__setattr__(self, "supported_header", header)

    def match(self, segments: list[str]) -> list[str] | None:
        """The parameter values if ``segments`` fits this route."""
        if len(segments) != len(self.pattern):
            return None
        params: list[str] = []
        for want, got in zip(self.pattern, segments, strict=True):
            if want is None:
                if not got:
                    return None
                params.append(got)
            elif want != got:
                return None
        return params


def _api_version(query: str) -> str:
    """The first ``api-version`` query value ("" when absent).

    The common case (one plain parameter) skips ``parse_qs``, which is a
    measurable share of a token request.
    """
    if query.startswith("api-version=") and "&" not in query and "%" not in query:
        return query[len("api-version=") :]
    values = parse_qs(query, keep_blank_values=True).get("api-version")
    return values[0] if values else ""


def _unquote_segment(segment: str) -> str:
    """Percent-decode one path segment; ids only escape ``:`` (``8%3Aacs%3A...``), so try that first."""
    if "%" not in segment:
        return segment
    simple = segment.replace("%3A", ":").replace("%3a", ":")
    return simple if "%" not in simple else unquote(segment)


def _json_response(status: int, payload: Any, headers: dict[str, str]) -> web.Response:
    if payload is None:
        # 204: no body and no Content-Type, as the service answers.
        return web.Response(status=status, headers=headers)
    headers["Content-Type"] = JSON_UTF8
    body = _COMPACT.encode(payload).encode("utf-8")
    return web.Response(status=status, body=body, headers=headers)


def _ms_cv() -> str:
    """A correlation vector like the service's: 22 base64 chars + ``.0``."""
    return base64.b64encode(os.urandom(16)).decode("ascii")[:22] + ".0"


def _load_json(body: bytes) -> dict[str, Any] | None:
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


def _scopes(value: Any, api_version: str, field: str, required: bool) -> list[str] | None:
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


def _expires_in_minutes(body: dict[str, Any], api_version: str) -> int:
    """Lifetime in minutes; ignored (default) on versions whose document has no ``expiresInMinutes``."""
    bounds = _versions.lifetime_bounds(api_version)
    if bounds is None:
        return DEFAULT_EXPIRES_IN_MINUTES
    low, high, default = bounds
    value = body.get("expiresInMinutes")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise _errors.validation("ExpiresInMinutes: The value must be an integer.", "ExpiresInMinutes")
    if not low <= value <= high:
        raise _errors.expires_in_minutes_out_of_range(value, low, high)
    return value


class Emulator:
    """State and operations of one emulated Communication Services resource."""

    def __init__(self, store: Store, access_key: str | None = None) -> None:
        self.store = store
        #: Longest wait for a request body once its head has arrived (408 after).
        self.body_timeout: float = DEFAULT_IDLE_TIMEOUT
        self.resource_id = store.resource_id()
        if access_key is None:
            # Generated once per store and kept, so restarts keep the connection string.
            access_key = store.set_meta_if_absent(
                "access_key", base64.b64encode(secrets.token_bytes(64)).decode("ascii")
            )
        try:
            key_bytes = base64.b64decode(access_key, validate=True)
        except ValueError:
            raise ValueError("the access key must be base64") from None
        if not key_bytes:
            raise ValueError("the access key must not be empty")
        self.access_key = access_key
        self.verifier = HmacVerifier(key_bytes)
        key_pem = store.get_meta("signing_key_pem")
        cert_pem = store.get_meta("signing_cert_pem")
        if key_pem is None or cert_pem is None:
            new_key, new_cert = generate_key_material()
            key_pem = store.set_meta_if_absent("signing_key_pem", new_key.decode("ascii"))
            cert_pem = store.set_meta_if_absent("signing_cert_pem", new_cert.decode("ascii"))
        self.signer = TokenSigner(key_pem.encode("ascii"), cert_pem.encode("ascii"))
        self.routes = _routes()

    # -- dispatch -----------------------------------------------------------
    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Serve one request; never raises."""
        started = time.perf_counter()
        headers = dict(_STATIC_HEADERS)
        client_request_id = request.headers.get("x-ms-client-request-id")
        if client_request_id is not None:
            headers["x-ms-client-request-id"] = client_request_id
        try:
            status, payload = await self._serve(request, headers)
        except _ClientGone as gone:
            # Nobody is left to read an answer; not an error of ours.
            log.debug("client went away while sending its request body (%s)", type(gone.__cause__).__name__)
            failure = _errors.body_incomplete()
            headers["Content-Type"] = JSON_ERROR
            return web.Response(status=failure.status, body=failure.body(), headers=headers)
        except ServiceError as error:
            headers.update(error.headers)
            headers["Content-Type"] = JSON_ERROR
            headers["MS-CV"] = _ms_cv()
            headers["X-Processing-Time"] = f"{int((time.perf_counter() - started) * 1000)}ms"
            response = web.Response(status=error.status, body=error.body(), headers=headers)
            if error.status == 408:
                response.force_close()  # the rest of a stalled body is not worth waiting for
            return response
        except Exception:
            log.exception("unexpected error serving %s %s", request.method, request.path)
            failure = _errors.internal_error()
            headers["Content-Type"] = JSON_ERROR
            return web.Response(status=failure.status, body=failure.body(), headers=headers)
        headers["MS-CV"] = _ms_cv()
        headers["X-Processing-Time"] = f"{int((time.perf_counter() - started) * 1000)}ms"
        return _json_response(status, payload, headers)

    async def _serve(self, request: web.BaseRequest, headers: dict[str, str]) -> tuple[int, Any]:
        raw = request.raw_path
        raw_path, _, query = raw.partition("?")
        segments = [_unquote_segment(s) for s in raw_path.split("/")]
        for route in self.routes:
            params = route.match(segments)
            if params is not None:
                break
        else:
            raise _errors.not_found(unquote(raw_path))
        if route.supported_header is not None:
            headers["api-supported-versions"] = route.supported_header
        method = route.methods.get(request.method)
        if method is None:
            raise _errors.method_not_allowed(request.method, unquote(raw_path), tuple(route.methods))

        body = await self._read_body(request)
        if method.auth == "hmac":
            self.verifier.verify(request.method, raw, request.headers, body)

        api_version = ""
        if method.versions is not None:
            api_version = _api_version(query)
            if not api_version:
                raise _errors.missing_api_version()
            if api_version not in method.versions:
                uri = f"{request.scheme}://{request.host}{raw}"
                raise _errors.unsupported_api_version(uri, api_version)
        return await method.operation(self, Call(request, params, api_version, body))

    async def _read_body(self, request: web.BaseRequest) -> bytes:
        length = request.content_length
        if length is not None and length > _errors.MAX_BODY_BYTES:
            raise _errors.body_too_large()
        try:
            if request.content.is_eof():  # the whole body is already here (the usual case)
                return await request.read()
            # A slow body holds a connection and a handler: bound it.
            return await asyncio.wait_for(request.read(), self.body_timeout)
        except web.HTTPRequestEntityTooLarge:
            raise _errors.body_too_large() from None
        except asyncio.TimeoutError:
            raise _errors.body_timeout(self.body_timeout) from None
        except (ConnectionError, web.RequestPayloadError) as error:
            # The client closed the connection, or ended it short of its
            # Content-Length or chunked framing.
            raise _ClientGone() from error

    # -- helpers ------------------------------------------------------------
    def _live_identity(self, identity_id: str) -> IdentityState:
        """The state of an existing, not deleted identity of this resource."""
        resource = identity_resource(identity_id)
        if resource is None:
            raise _errors.invalid_identity(identity_id)
        state = self.store.identity(identity_id)
        if state is None or state.deleted_at is not None:
            raise _errors.identity_not_found(identity_id)
        return state

    async def mint(
        self,
        identity_id: str,
        live_state: Callable[[], IdentityState],
        scopes: list[str] | str,
        lifetime: float | None = None,
        expires_at: float | None = None,
    ) -> tuple[str, str]:
        """Sign an ACS token; return (jwt, expiresOn).

        The token lives ``lifetime`` seconds, or until ``expires_at`` (at
        least one second).  ``live_state`` gives the identity's current state
        (or raises, e.g. 404 when it was deleted meanwhile).

        Revocation is exact: a token is revoked if and only if it was issued
        before the latest revocation of its identity.  ``iat`` has whole
        seconds (as on the real service) and identical claims make identical
        tokens, so a token issued in the same second as, but after, a
        revocation cannot be told apart from one issued before it.  A
        revocation therefore covers its whole second (``Store.revoke_now``)
        and a token asked for in that second is signed at the start of the
        next one: ``iat`` is never in the future and never rounded, at the
        cost of up to one second of latency right after a revocation.
        """
        while True:
            state = live_state()
            now = time.time()
            boundary = revocation_boundary(state.valid_from)
            if boundary is None or not now < boundary <= now + 1:
                break
            await asyncio.sleep(boundary - now)
        iat = int(now)
        if expires_at is not None:
            expires = max(expires_at, now + 1.0)
        else:
            assert lifetime is not None
            expires = now + lifetime
        exp = int(expires)
        scope_list = scopes if isinstance(scopes, list) else scopes.split(",")
        claims = acs_claims(identity_id[2:], scope_list, iat, exp, self.resource_id)
        return await self.signer.sign_async(claims), format_expires_on(expires)

    # -- operations: identities ---------------------------------------------
    async def create_identity(self, call: Call) -> tuple[int, Any]:
        """POST /identities (preview: 200 {id}; GA: 201 {identity[, accessToken]})."""
        preview = _versions.speaks_2020_protocol(call.api_version)
        scopes: list[str] | None = None
        minutes = DEFAULT_EXPIRES_IN_MINUTES
        if not preview:
            body = _load_json(call.body) or {}
            minutes = _expires_in_minutes(body, call.api_version)
            scopes = _scopes(body.get("createTokenWithScopes"), call.api_version, "CreateTokenWithScopes", False)
        identity_id = new_identity_id(self.resource_id)
        self.store.create_identity(identity_id, time.time())
        if preview:
            return 200, {"id": identity_id}
        result: dict[str, Any] = {"identity": {"id": identity_id}}
        if scopes:
            token, expires_on = await self.mint(
                identity_id, lambda: self._live_identity(identity_id), scopes, minutes * 60
            )
            result["accessToken"] = {"token": token, "expiresOn": expires_on}
        return 201, result

    async def delete_identity(self, call: Call) -> tuple[int, Any]:
        """DELETE /identities/{id} -> 204."""
        identity_id = call.params[0]
        self._live_identity(identity_id)
        self.store.delete_identity(identity_id, time.time())
        return 204, None

    async def issue_token(self, call: Call) -> tuple[int, Any]:
        """POST /identities/{id}/:issueAccessToken -> 200 {token, expiresOn}."""
        identity_id = call.params[0]
        body = _load_json(call.body) or {}
        minutes = _expires_in_minutes(body, call.api_version)
        scopes = _scopes(body.get("scopes"), call.api_version, "Scopes", True)
        assert scopes is not None
        token, expires_on = await self.mint(identity_id, lambda: self._live_identity(identity_id), scopes, minutes * 60)
        return 200, {"token": token, "expiresOn": expires_on}

    async def issue_token_preview(self, call: Call) -> tuple[int, Any]:
        """POST /identities/{id}/token (2020 preview) -> 200 {id, token, expiresOn}."""
        identity_id = call.params[0]
        body = _load_json(call.body) or {}
        scopes = _scopes(body.get("scopes"), call.api_version, "Scopes", True)
        assert scopes is not None
        token, expires_on = await self.mint(
            identity_id, lambda: self._live_identity(identity_id), scopes, DEFAULT_EXPIRES_IN_MINUTES * 60
        )
        return 200, {"id": identity_id, "token": token, "expiresOn": expires_on}

    async def revoke_tokens(self, call: Call) -> tuple[int, Any]:
        """POST /identities/{id}/:revokeAccessTokens -> 204."""
        identity_id = call.params[0]
        self._live_identity(identity_id)
        self.store.revoke_now(identity_id, time.time())
        return 204, None

    async def update_identity_preview(self, call: Call) -> tuple[int, Any]:
        """PATCH /identities/{id} (2020 preview, merge-patch) -> 204.

        ``tokensValidFrom`` revokes every token issued before it; ``{}`` (or
        null) means "now", which is what the preview SDK sends for "revoke all".
        """
        identity_id = call.params[0]
        body = _load_json(call.body) or {}
        value = body.get("tokensValidFrom")
        instant: float | None = None
        if value is None:
            pass  # "now", as :revokeAccessTokens
        elif not isinstance(value, str):
            raise _errors.validation("TokensValidFrom: The value is not a valid date-time.", "TokensValidFrom")
        else:
            try:
                instant = parse_date_time(value)
            except (ValueError, OverflowError):
                raise _errors.validation(
                    "TokensValidFrom: The value is not a valid date-time.", "TokensValidFrom"
                ) from None
        self._live_identity(identity_id)
        if instant is None:
            self.store.revoke_now(identity_id, time.time())
        else:
            self.store.revoke_before(identity_id, instant)
        return 204, None

    # -- operations: Teams --------------------------------------------------
    async def exchange_teams_user(self, call: Call) -> tuple[int, Any]:
        """POST /teamsUser/:exchangeAccessToken -> 200 {token, expiresOn}."""
        try:
            body = _load_json(call.body)
        except ServiceError:
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
        claims = self._entra_claims(body["token"])
        claimed_app = claims.get("appid", claims.get("azp"))
        if not isinstance(claimed_app, str) or claimed_app.lower() != app_id.lower():
            raise _errors.validation("AAD application is not the expected one.", "appId")
        oid = claims.get("oid")
        if not isinstance(oid, str) or oid.lower() != user_id.lower():
            raise _errors.validation("Provided AAD token issued for unexpected user.", "userId")
        exp = int(claims["exp"])  # finite and in range: checked by _entra_claims
        iat = int(time.time())
        token_claims = {
            "skypeid": f"orgid:{oid.lower()}",
            "scp": TEAMS_USER_SCP,
            "csi": str(iat),
            "exp": exp,
            "rgn": "amer",
            "acsScope": TEAMS_USER_SCOPES,
            "resourceId": self.resource_id,
            "resourceLocation": "unitedstates",
            "tid": str(claims.get("tid", "")),
            "iat": iat,
        }
        return 200, {"token": await self.signer.sign_async(token_claims), "expiresOn": format_expires_on(exp)}

    @staticmethod
    def _entra_claims(token: str) -> dict[str, Any]:
        """Claims of an unexpired Entra JWT (signature not checked), else 401."""
        read = read_jwt_unverified(token.strip())
        if read is None:
            raise _errors.invalid_access_token()
        claims = read[1]
        exp = claims.get("exp")
        # NaN and Infinity are valid JSON to Python's parser; NaN compares
        # false with everything, so test for the good range, not the bad one.
        if isinstance(exp, bool) or not isinstance(exp, (int, float)):
            raise _errors.invalid_access_token()
        if not (isinstance(exp, int) or math.isfinite(exp)) or not time.time() < exp <= MAX_ENTRA_EXP:
            raise _errors.invalid_access_token()
        return claims

    async def exchange_teams_phone(self, call: Call) -> tuple[int, Any]:
        """POST /access/teamsExtension/:exchangeAccessToken (Entra bearer) -> 200."""
        authorization = call.request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _errors.invalid_access_token()
        claims = self._entra_claims(token)
        tid, oid, app = claims.get("tid"), claims.get("oid"), claims.get("appid", claims.get("azp"))
        if not all(isinstance(v, str) and is_guid(v) for v in (tid, oid, app)):
            raise _errors.invalid_access_token()
        assert isinstance(tid, str) and isinstance(oid, str) and isinstance(app, str)
        _load_json(call.body)  # the body is an (empty) object; reject non-JSON
        assignment = self.store.assignment(tid, oid)
        if assignment is None:
            raise ServiceError(
                403,
                "Forbidden",
                f"No Teams Phone access assignment exists for object '{oid}' in tenant '{tid}'.",
            )
        if assignment.client_ids and app.lower() not in assignment.client_ids:
            raise ServiceError(
                403,
                "Forbidden",
                f"Client application '{app}' is not allowed by the Teams Phone access assignment.",
            )
        identity_id = teams_phone_identity_id(self.resource_id, tid, oid)
        # Every claim was checked above: nothing is written for a request that fails.
        token_value, expires_on = await self.mint(
            identity_id,
            lambda: self.store.ensure_identity(identity_id, time.time()),
            TEAMS_PHONE_SCOPES,
            expires_at=float(claims["exp"]),
        )
        return 200, {
            "identity": {"id": identity_id},
            "accessToken": {"token": token_value, "expiresOn": expires_on},
        }

    @staticmethod
    def _tenant_object(call: Call) -> tuple[str, str]:
        tenant_id, object_id = call.params
        if not is_guid(tenant_id):
            raise _errors.validation("Provided TenantId has invalid format.", "tenantId")
        if not is_guid(object_id):
            raise _errors.validation("Provided ObjectId has invalid format.", "objectId")
        return tenant_id.lower(), object_id.lower()

    @staticmethod
    def _assignment_not_found(tenant_id: str, object_id: str) -> ServiceError:
        return ServiceError(
            404,
            "AssignmentNotFound",
            f"Assignment for object '{object_id}' in tenant '{tenant_id}' was not found.",
        )

    async def get_assignment(self, call: Call) -> tuple[int, Any]:
        """GET /access/teamsExtension/tenants/{t}/assignments/{o} -> 200."""
        tenant_id, object_id = self._tenant_object(call)
        assignment = self.store.assignment(tenant_id, object_id)
        if assignment is None:
            raise self._assignment_not_found(tenant_id, object_id)
        return 200, assignment.to_json()

    async def upsert_assignment(self, call: Call) -> tuple[int, Any]:
        """PUT .../assignments/{o} -> 201 created / 200 replaced."""
        tenant_id, object_id = self._tenant_object(call)
        body = _load_json(call.body)
        if body is None:
            raise _errors.validation("The request body is required.")
        principal_type = body.get("principalType")
        if principal_type is None or principal_type == "":
            raise _errors.validation("PrincipalType: The PrincipalType field is required.", "PrincipalType")
        kinds = _versions.enum_values(call.api_version, "TeamsExtensionPrincipalType")
        if principal_type not in kinds:
            listing = ", ".join(f"'{kind}'" for kind in kinds)
            raise _errors.validation(f"PrincipalType must be one of {listing}.", "PrincipalType")
        raw_ids = body.get("clientIds")
        client_ids: tuple[str, ...] | None = None
        if raw_ids is not None:
            if not isinstance(raw_ids, list) or not all(isinstance(c, str) and is_guid(c) for c in raw_ids):
                raise _errors.validation("Provided ClientIds has invalid format.", "clientIds")
            client_ids = tuple(dict.fromkeys(c.lower() for c in raw_ids))
        assignment = Assignment(tenant_id, object_id, principal_type, client_ids)
        created = self.store.upsert_assignment(assignment)
        return (201 if created else 200), assignment.to_json()

    async def delete_assignment(self, call: Call) -> tuple[int, Any]:
        """DELETE .../assignments/{o} -> 204 (404 when there is none)."""
        tenant_id, object_id = self._tenant_object(call)
        if not self.store.delete_assignment(tenant_id, object_id):
            raise self._assignment_not_found(tenant_id, object_id)
        return 204, None

    # -- operations: emulator extras ----------------------------------------
    async def jwks(self, call: Call) -> tuple[int, Any]:
        """GET /.well-known/jwks.json: the token signing key (no auth)."""
        return 200, self.signer.jwks()

    async def introspect(self, call: Call) -> tuple[int, Any]:
        """POST /emulator/introspect {"token"} -> 200 {active, reason, claims}."""
        body = _load_json(call.body) or {}
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise _errors.validation("Token: The Token field is required.", "Token")
        return 200, self.judge(token)

    def judge(self, token: str) -> dict[str, Any]:
        """Is this token, issued by this store, still usable?

        Reasons when inactive: ``invalid_signature`` (not signed by this
        store, or not a JWT), ``expired``, ``identity_deleted``, ``revoked``
        (``:revokeAccessTokens`` or preview ``tokensValidFrom``).  A token this
        store signed for an identity it no longer has can only be a deleted
        one's (its tombstone is gone once the retention has passed), so that
        is ``identity_deleted`` too.
        """
        claims = self.signer.verify(token)
        if claims is None:
            return {"active": False, "reason": "invalid_signature", "claims": {}}
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= time.time():
            return {"active": False, "reason": "expired", "claims": claims}
        skypeid = claims.get("skypeid")
        if isinstance(skypeid, str) and skypeid.startswith("acs:"):
            state = self.store.identity("8:" + skypeid)
            if state is None or state.deleted_at is not None:
                return {"active": False, "reason": "identity_deleted", "claims": claims}
            iat = claims.get("iat")
            boundary = revocation_boundary(state.valid_from)
            if boundary is not None and (not isinstance(iat, (int, float)) or iat < boundary):
                return {"active": False, "reason": "revoked", "claims": claims}
        return {"active": True, "reason": None, "claims": claims}


#: What each operation of the documents does here: ``(METHOD, path) -> (handler, auth)``.
#: Versions come from the catalog; an operation missing here answers 501 NotImplemented.
_HANDLERS: dict[tuple[str, str], tuple[Operation, str]] = {
    ("POST", "/identities"): (Emulator.create_identity, "hmac"),
    ("DELETE", "/identities/{id}"): (Emulator.delete_identity, "hmac"),
    ("PATCH", "/identities/{id}"): (Emulator.update_identity_preview, "hmac"),
    ("POST", "/identities/{id}/token"): (Emulator.issue_token_preview, "hmac"),
    ("POST", "/identities/{id}/:issueAccessToken"): (Emulator.issue_token, "hmac"),
    ("POST", "/identities/{id}/:revokeAccessTokens"): (Emulator.revoke_tokens, "hmac"),
    ("POST", "/teamsUser/:exchangeAccessToken"): (Emulator.exchange_teams_user, "hmac"),
    ("POST", "/access/teamsExtension/:exchangeAccessToken"): (Emulator.exchange_teams_phone, "bearer"),
    ("GET", "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}"): (Emulator.get_assignment, "hmac"),
    ("PUT", "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}"): (Emulator.upsert_assignment, "hmac"),
    ("DELETE", "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}"): (
        Emulator.delete_assignment,
        "hmac",
    ),
}


def _pattern(path: str) -> tuple[str | None, ...]:
    """``/identities/{id}/token`` -> ``("", "identities", None, "token")``."""
    return tuple(None if part.startswith("{") and part.endswith("}") else part for part in path.split("/"))


def _not_implemented(method: str, path: str) -> Operation:
    """The operation for a documented ``method path`` that has no behaviour here yet."""
    names = " / ".join(_versions.operation_ids(method, path))

    async def operation(emulator: Emulator, call: Call) -> tuple[int, Any]:
        raise _errors.not_implemented(names, method, path, call.api_version)

    return operation


def _routes() -> list[Route]:
    by_path: dict[str, dict[str, Method]] = {}
    path_versions: dict[str, list[str]] = {}
    for (method, path), versions in _versions.operations().items():
        handler, auth = _HANDLERS.get((method, path), (_not_implemented(method, path), "hmac"))
        by_path.setdefault(path, {})[method] = Method(handler, versions, auth)
        seen = path_versions.setdefault(path, [])
        seen.extend(v for v in versions if v not in seen)
    routes = [
        # Ordered like the documents' version list, so the header reads oldest first.
        Route(_pattern(path), tuple(v for v in _versions.ALL_VERSIONS if v in path_versions[path]), methods)
        for path, methods in by_path.items()
    ]
    # Literal segments win over parameters when two patterns could match the same path.
    routes.sort(key=lambda route: sum(part is None for part in route.pattern))
    e = Emulator
    return [
        *routes,
        Route(("", ".well-known", "jwks.json"), None, {"GET": Method(e.jwks, None, "none")}),
        Route(("", "emulator", "introspect"), None, {"POST": Method(e.introspect, None, "hmac")}),
    ]


class _ClientGone(Exception):
    """The request body ended early: the client disconnected or broke its framing."""


_EMULATOR_KEY: web.AppKey[Emulator] = web.AppKey("emulator", Emulator)


def create_app(
    db: str = ":memory:",
    access_key: str | None = None,
    signing_processes: int = 0,
    tombstone_retention: float = DEFAULT_TOMBSTONE_RETENTION,
) -> web.Application:
    """Build the aiohttp application for in-process use.

    ``db`` is a SQLite path or ``":memory:"``; ``access_key`` (base64) is
    generated and stored when omitted.  ``signing_processes`` > 0 moves RSA
    signing to that many helper processes (started with the app).  Deleted identities' tombstones
    are kept ``tombstone_retention`` seconds and removed while the app runs.  ``app[EMULATOR_KEY]`` /
    :func:`emulator_of` give the :class:`Emulator` (for its ``access_key``).
    The store is closed on application cleanup.

    The command line does not serve this app: it serves :meth:`Emulator.handle`
    through ``_http.make_server``, which also answers requests aiohttp cannot
    parse in the service's shape (echoing none of their bytes) and closes
    idle and half-sent connections.  An app run by aiohttp's own runner gets
    aiohttp's behaviour for those.
    """
    emulator = Emulator(Store(db, tombstone_retention=tombstone_retention), access_key)
    # aiohttp enforces the cap on chunked bodies too; Emulator._read_body
    # turns its exception into a 413 in the service's error shape.
    app = web.Application(client_max_size=_errors.MAX_BODY_BYTES)
    app[_EMULATOR_KEY] = emulator
    # [\s\S], not ".": a decoded path may hold a newline (%0A), and every
    # path must reach the handler so it answers in the service's error shape.
    app.router.add_route("*", r"/{tail:[\s\S]*}", emulator.handle)

    sweeper: list[asyncio.Task[None]] = []

    async def _start(_: web.Application) -> None:
        await emulator.signer.start_helpers(signing_processes)
        sweeper.append(asyncio.create_task(sweep_tombstones(emulator.store)))

    async def _close(_: web.Application) -> None:
        for task in sweeper:
            task.cancel()
        await asyncio.gather(*sweeper, return_exceptions=True)
        emulator.signer.close()
        emulator.store.close()

    app.on_startup.append(_start)
    app.on_cleanup.append(_close)
    return app


def emulator_of(app: web.Application) -> Emulator:
    """The :class:`Emulator` behind an app made by :func:`create_app`."""
    return app[_EMULATOR_KEY]
