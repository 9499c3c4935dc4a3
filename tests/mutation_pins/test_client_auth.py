"""Client signing and bearer policies: what make mutate showed unpinned in _auth.py.

- a 401 with a ``WWW-Authenticate`` claims challenge: answered with a fresh client token for an
  ordinary call (azure-core's handling kept), never for a Teams Phone call (sync and async);
- the signed path of a URL without a path (the bare endpoint) is ``/``;
- an aiohttp transport behind a wrapper is seen, so the signed path is the re-quoted one.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from typing import Any

import pytest
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.transport import AioHttpTransport
from azure.core.rest import HttpRequest
from client import _fakes as f

from azure.communication.administration import ApiVersion, CommunicationIdentityClient
from azure.communication.administration._auth import HMACCredentialPolicy, _host_of
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncCommunicationIdentityClient

PHONE_TOKEN = "entra-phone-token-abc"
CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'
CHALLENGE = {
    "WWW-Authenticate": 'Bearer realm="", error="insufficient_claims", '
    f'claims="{base64.urlsafe_b64encode(CLAIMS.encode()).decode().rstrip("=")}"'
}
UNAUTHORIZED = (401, {"error": {"code": "InvalidAuthenticationToken", "message": "claims needed"}}, CHALLENGE)
PHONE_ID = "8:orgid:00000000-0000-0000-0000-0000000000ab"
EXCHANGED = (200, {"identity": {"id": PHONE_ID}, "accessToken": {"token": f.TOKEN, "expiresOn": f.EXPIRES_ON}})
DATE = "Tue, 14 Nov 2023 22:13:20 GMT"  # formatdate(1700000000, usegmt=True)


class _Credential:
    """Hands out token-1, token-2, ... and records the claims each request asked for."""

    def __init__(self) -> None:
        self.claims: list[Any] = []

    def get_token(self, *scopes: str, claims: Any = None, **kwargs: Any) -> AccessToken:
        self.claims.append(claims)
        return AccessToken(f"token-{len(self.claims)}", 4_102_444_800)


class _AsyncCredential(_Credential):
    async def get_token(self, *scopes: str, claims: Any = None, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        return super().get_token(*scopes, claims=claims, **kwargs)


def test_sync_claims_challenge_is_answered_with_a_fresh_client_token():
    credential = _Credential()
    transport = f.FakeTransport(UNAUTHORIZED, f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, credential, transport=transport)
    user = client.create_user()
    assert user.properties["id"] == f.USER_ID
    assert [r.header("Authorization") for r in transport.requests] == ["Bearer token-1", "Bearer token-2"]
    assert credential.claims == [None, CLAIMS]


def test_sync_claims_challenge_on_a_teams_phone_call_is_not_answered():
    credential = _Credential()
    transport = f.FakeTransport(UNAUTHORIZED, EXCHANGED)
    client = CommunicationIdentityClient(
        f.ENDPOINT, credential, api_version=ApiVersion.V2025_06_30, transport=transport
    )
    with pytest.raises(ClientAuthenticationError):
        client.get_token_for_teams_phone_user(PHONE_TOKEN)
    assert [r.header("Authorization") for r in transport.requests] == [f"Bearer {PHONE_TOKEN}"]
    assert CLAIMS not in credential.claims


def test_async_claims_challenge_is_answered_with_a_fresh_client_token():
    credential = _AsyncCredential()

    async def run() -> list[Any]:
        transport = f.FakeAsyncTransport(UNAUTHORIZED, f.ga_identity())
        async with AsyncCommunicationIdentityClient(f.ENDPOINT, credential, transport=transport) as client:
            await client.create_user()
        return [r.header("Authorization") for r in transport.requests]

    assert asyncio.run(run()) == ["Bearer token-1", "Bearer token-2"]
    assert credential.claims == [None, CLAIMS]


def test_async_claims_challenge_on_a_teams_phone_call_is_not_answered():
    credential = _AsyncCredential()

    async def run() -> list[Any]:
        transport = f.FakeAsyncTransport(UNAUTHORIZED, EXCHANGED)
        async with AsyncCommunicationIdentityClient(
            f.ENDPOINT, credential, api_version=ApiVersion.V2025_06_30, transport=transport
        ) as client:
            with pytest.raises(ClientAuthenticationError):
                await client.get_token_for_teams_phone_user(PHONE_TOKEN)
        return [r.header("Authorization") for r in transport.requests]

    assert asyncio.run(run()) == [f"Bearer {PHONE_TOKEN}"]
    assert CLAIMS not in credential.claims


def _expected(method: str, path_query: str, host: str, body: bytes = b"") -> dict[str, str]:
    content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
    to_sign = f"{method}\n{path_query}\n{DATE};{host};{content_hash}".encode()
    signature = base64.b64encode(hmac.new(base64.b64decode(f.KEY), to_sign, hashlib.sha256).digest()).decode()
    return {"x-ms-date": DATE, "x-ms-content-sha256": content_hash, "Authorization": f.HMAC_PREFIX + signature}


def _signed(policy: HMACCredentialPolicy, request: HttpRequest, transport: Any = None) -> dict[str, str]:
    policy.on_request(PipelineRequest(request, PipelineContext(transport)))
    return {name: request.headers[name] for name in ("x-ms-date", "x-ms-content-sha256", "Authorization")}


@pytest.mark.parametrize(
    ("url", "path_query"),
    [
        ("https://contoso.communication.azure.com", "/"),
        ("https://contoso.communication.azure.com?api-version=1", "/?api-version=1"),
        ("https://contoso.communication.azure.com/", "/"),
        ("https://contoso.communication.azure.com/identities?api-version=1", "/identities?api-version=1"),
        ("https://contoso.communication.azure.com/identities", "/identities"),
    ],
)
def test_the_bare_endpoint_is_signed_as_slash(url: str, path_query: str) -> None:
    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000)
    assert _signed(policy, HttpRequest("GET", url)) == _expected("GET", path_query, "contoso.communication.azure.com")


class _Wrapper:
    def __init__(self, inner: Any) -> None:
        self._transport = inner


QUOTED = "https://contoso.communication.azure.com/identities/8%3Aacs%3Aabc/:revokeAccessTokens?api-version=1"
HOST = "contoso.communication.azure.com"


@pytest.mark.parametrize(
    ("transport", "path_query"),
    [
        (AioHttpTransport(), "/identities/8:acs:abc/:revokeAccessTokens?api-version=1"),
        (_Wrapper(AioHttpTransport()), "/identities/8:acs:abc/:revokeAccessTokens?api-version=1"),
        (_Wrapper(_Wrapper(AioHttpTransport())), "/identities/8:acs:abc/:revokeAccessTokens?api-version=1"),
        (_Wrapper(None), "/identities/8%3Aacs%3Aabc/:revokeAccessTokens?api-version=1"),
        (f.FakeAsyncTransport(), "/identities/8%3Aacs%3Aabc/:revokeAccessTokens?api-version=1"),
        (None, "/identities/8%3Aacs%3Aabc/:revokeAccessTokens?api-version=1"),
    ],
    ids=["aiohttp", "wrapped", "wrapped-twice", "wrapper-of-nothing", "other", "none"],
)
def test_the_path_is_signed_as_the_transport_sends_it(transport: Any, path_query: str) -> None:
    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000, for_async=True)
    assert _signed(policy, HttpRequest("POST", QUOTED), transport) == _expected("POST", path_query, HOST)


def test_a_sync_policy_never_requotes():
    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000)
    signed = _signed(policy, HttpRequest("POST", QUOTED), AioHttpTransport())
    assert signed == _expected("POST", "/identities/8%3Aacs%3Aabc/:revokeAccessTokens?api-version=1", HOST)


@pytest.mark.parametrize(
    ("endpoint", "host"),
    [
        ("https://[::1]:8443", "[::1]:8443"),
        ("https://[::1]:443", "[::1]"),
        ("https://[::1]", "[::1]"),
        ("http://h.example:80", "h.example"),
        ("http://h.example:443", "h.example:443"),
        ("https://h.example:80", "h.example:80"),
        ("https://127.0.0.1:8443/", "127.0.0.1:8443"),
    ],
)
def test_signed_host(endpoint: str, host: str) -> None:
    assert _host_of(endpoint) == host
    policy = HMACCredentialPolicy(endpoint, f.KEY, clock=lambda: 1_700_000_000)
    assert _signed(policy, HttpRequest("GET", endpoint.rstrip("/") + "/x")) == _expected("GET", "/x", host)


@pytest.mark.parametrize(
    ("body", "raw"),
    [("héllo", "héllo".encode()), (b"\x00\x01", b"\x00\x01"), (bytearray(b"ab"), b"ab"), (None, b"")],
)
def test_body_forms_are_hashed_as_sent(body: Any, raw: bytes) -> None:
    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000)
    request = HttpRequest("POST", f.ENDPOINT + "/x")
    if body is not None:
        request.set_bytes_body(body) if isinstance(body, (bytes, bytearray)) else request.set_text_body(body)
    assert _signed(policy, request) == _expected("POST", "/x", HOST, raw)


def test_a_stream_body_is_refused():
    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000)
    request = HttpRequest("POST", f.ENDPOINT + "/x", content=iter([b"a"]))
    with pytest.raises(TypeError) as caught:
        _signed(policy, request)
    assert str(caught.value) == "HMAC signing needs the request body as bytes or text, not a stream."


@pytest.mark.parametrize(
    "url", ["http://contoso.communication.azure.com/x", "HTTP://contoso.communication.azure.com/x"]
)
def test_an_https_client_never_signs_a_plain_http_url(url: str) -> None:
    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000)
    request = HttpRequest("GET", url)
    with pytest.raises(ServiceRequestError):
        _signed(policy, request)
    assert "Authorization" not in request.headers


def test_an_http_client_signs_http_urls():
    policy = HMACCredentialPolicy("http://localhost:8080", f.KEY, clock=lambda: 1_700_000_000)
    assert _signed(policy, HttpRequest("GET", "http://localhost:8080/x")) == _expected("GET", "/x", "localhost:8080")


def test_a_rotated_key_signs_from_then_on_and_is_what_logs_scrub():
    other = base64.b64encode(b"another-key").decode()
    credential = AzureKeyCredential(f.KEY)
    policy = HMACCredentialPolicy(f.ENDPOINT, credential, clock=lambda: 1_700_000_000)
    assert policy.known_secrets() == (f.KEY,)
    credential.update(other)
    assert policy.known_secrets() == (other,)
    signed = _signed(policy, HttpRequest("GET", f.ENDPOINT + "/x"))
    assert signed != _expected("GET", "/x", HOST)
    credential.update(f.KEY)
    assert _signed(policy, HttpRequest("GET", f.ENDPOINT + "/x")) == _expected("GET", "/x", HOST)
    assert HMACCredentialPolicy(f.ENDPOINT, f.KEY).known_secrets() == (f.KEY,)


def test_a_legacy_transport_request_body_is_hashed() -> None:
    # azure-core's older HttpRequest keeps the body in .body and has no .content
    from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest

    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000)
    request = LegacyHttpRequest("POST", f.ENDPOINT + "/x")
    request.set_bytes_body(b'{"a":1}')
    assert not hasattr(request, "content")
    assert _signed(policy, request) == _expected("POST", "/x", HOST, b'{"a":1}')
    empty = LegacyHttpRequest("POST", f.ENDPOINT + "/x")
    assert _signed(policy, empty) == _expected("POST", "/x", HOST)


def test_an_async_policy_without_aiohttp_installed_signs_the_path_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "yarl", None)  # "import yarl" raises ImportError, as with no aio extra
    policy = HMACCredentialPolicy(f.ENDPOINT, f.KEY, clock=lambda: 1_700_000_000, for_async=True)
    signed = _signed(policy, HttpRequest("POST", QUOTED), f.FakeAsyncTransport())
    assert signed == _expected("POST", "/identities/8%3Aacs%3Aabc/:revokeAccessTokens?api-version=1", HOST)
