"""Redirects: azure-core's pipeline, composed rather than rebuilt, keeps the credential at home.

Two loopback servers stand for two hosts. A 307/308 from the first to the
second must reach the second without ``Authorization`` (azure-core's
``SensitiveHeaderCleanupPolicy``), whatever the credential (HMAC key or Entra
token) and client (sync or async). A redirect within the same host keeps the
credential, and the HMAC signature is made again over the new path, checked by
the local service's own verifier.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from acs_identity_emulator._auth import HmacVerifier
from acs_identity_emulator._errors import ServiceError
from acs_identity_emulator._tls import LOCAL_NAMES, context_from_files, new_ca, new_server_certificate
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ServiceRequestError
from azure.core.pipeline.policies import (
    HttpLoggingPolicy,
    NetworkTraceLoggingPolicy,
    RedirectPolicy,
    SansIOHTTPPolicy,
    SensitiveHeaderCleanupPolicy,
)

from azure.communication.administration import CommunicationIdentityClient
from azure.communication.administration._generated import _catalog
from azure.communication.administration._generated.ga import IdentityRestClient
from azure.communication.administration._generated.ga.aio import IdentityRestClient as AsyncIdentityRestClient
from azure.communication.administration._generated.preview2020 import IdentityPreview2020RestClient
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncCommunicationIdentityClient

from . import _fakes as f

GA = _catalog.LATEST_GA  # what a client without api_version sends
PATH = f"/identities?api-version={GA}"
ENTRA_TOKEN = "entra-client-token-0123456789"


@dataclass
class Seen:
    method: str
    target: str  # the request target exactly as sent: path?query
    headers: Message
    body: bytes


Answer = Callable[[Seen], tuple[int, dict[str, str], bytes]]


@dataclass
class Server:
    port: int
    seen: list[Seen] = field(default_factory=list)

    @property
    def authorizations(self) -> list[str | None]:
        return [s.headers.get("Authorization") for s in self.seen]


@contextmanager
def serving(answer: Answer, tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    """A loopback HTTP/1.1 server on a free port that records each request and answers with ``answer``."""
    record: list[Seen] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen = Seen(self.command, self.path, self.headers, body)
            record.append(seen)
            status, headers, payload = answer(seen)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(payload))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _handle

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(server.server_address[1], record)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _created(_: Seen) -> tuple[int, dict[str, str], bytes]:
    _, body = f.ga_identity()
    return 201, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _redirect_to(status: int, location: str) -> Answer:
    def answer(_: Seen) -> tuple[int, dict[str, str], bytes]:
        return status, {"Location": location}, b""

    return answer


class _Credential:
    """A TokenCredential (sync) that hands out one known token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(ENTRA_TOKEN, 4_102_444_800)


class _AsyncCredential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(ENTRA_TOKEN, 4_102_444_800)

    async def close(self) -> None:
        pass


def _create_user(endpoint: str, credential_kind: str, is_async: bool, **client_options: Any) -> str:
    """One ``create_user`` through the real default transport of each client; the new user's id."""
    # Bearer tokens are refused over plain http unless the call says otherwise (loopback test servers).
    options: dict[str, Any] = {"enforce_https": False} if credential_kind == "entra" else {}
    if not is_async:
        credential: Any = f.KEY if credential_kind == "key" else _Credential()
        with CommunicationIdentityClient(endpoint, credential, **client_options) as client:
            return client.create_user(**options).raw_id

    async def run() -> str:
        credential: Any = f.KEY if credential_kind == "key" else _AsyncCredential()
        async with AsyncCommunicationIdentityClient(endpoint, credential, **client_options) as client:
            return (await client.create_user(**options)).raw_id

    return asyncio.run(run())


def _expected_authorization(credential_kind: str) -> Callable[[str | None], bool]:
    if credential_kind == "key":
        return lambda value: value is not None and value.startswith(f.HMAC_PREFIX)
    return lambda value: value == f"Bearer {ENTRA_TOKEN}"


CLIENTS = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
CREDENTIALS = pytest.mark.parametrize("credential_kind", ["key", "entra"])


@CLIENTS
@CREDENTIALS
@pytest.mark.parametrize("status", [307, 308])
def test_redirect_to_another_host_sends_no_authorization(status: int, credential_kind: str, is_async: bool) -> None:
    with serving(_created) as other, serving(_redirect_to(status, f"http://localhost:{other.port}{PATH}")) as origin:
        user_id = _create_user(f"http://127.0.0.1:{origin.port}", credential_kind, is_async)

    assert user_id == f.USER_ID  # the redirect was followed to the other host
    assert len(origin.seen) == 1
    assert _expected_authorization(credential_kind)(origin.authorizations[0])
    assert len(other.seen) == 1
    assert other.seen[0].method == "POST"
    assert other.seen[0].target == PATH
    assert other.seen[0].headers.get("Host") == f"localhost:{other.port}"
    assert other.authorizations == [None]


@CLIENTS
@CREDENTIALS
@pytest.mark.parametrize("status", [307, 308])
def test_redirect_within_the_host_keeps_the_credential(status: int, credential_kind: str, is_async: bool) -> None:
    moved = f"/moved/identities?api-version={GA}"
    verifier = HmacVerifier(base64.b64decode(f.KEY))
    port: list[int] = []

    def answer(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.target == PATH:
            return status, {"Location": f"http://127.0.0.1:{port[0]}{moved}"}, b""
        if credential_kind == "key":
            try:  # the local service's own check of the signature, over the path now requested
                verifier.verify(seen.method, seen.target, seen.headers, seen.body)
            except ServiceError:
                return 401, {}, b""
        return _created(seen)

    with serving(answer) as server:
        port.append(server.port)
        user_id = _create_user(f"http://127.0.0.1:{server.port}", credential_kind, is_async)

    assert user_id == f.USER_ID
    assert [s.target for s in server.seen] == [PATH, moved]
    assert all(_expected_authorization(credential_kind)(a) for a in server.authorizations)
    if credential_kind == "key":
        first, second = server.seen
        assert first.headers["Authorization"] != second.headers["Authorization"]  # signed again...
        with pytest.raises(ServiceError):  # ...as it had to be: the first signature does not cover the new path
            verifier.verify(second.method, second.target, first.headers, second.body)


# ----- never from https down to plain http -----


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, str]:
    """A server context for 127.0.0.1 and the CA file a client trusts it with."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, ca_cert = new_ca(now)
    key, cert = new_server_certificate(ca_key, ca_cert, LOCAL_NAMES, now)
    (folder / "ca.pem").write_bytes(ca_cert)
    (folder / "server.pem").write_bytes(cert + ca_cert)
    (folder / "server.key").write_bytes(key)
    return context_from_files(str(folder / "server.pem"), str(folder / "server.key")), str(folder / "ca.pem")


@CLIENTS
@CREDENTIALS
@pytest.mark.parametrize("status", [307, 308])
def test_an_https_redirect_to_plain_http_is_refused(
    status: int, credential_kind: str, is_async: bool, tls_context: tuple[ssl.SSLContext, str]
) -> None:
    context, ca_file = tls_context
    with serving(_created) as plain:
        location = f"http://127.0.0.1:{plain.port}{PATH}"
        with serving(_redirect_to(status, location), tls=context) as origin, pytest.raises(HttpResponseError) as caught:
            _create_user(f"https://127.0.0.1:{origin.port}", credential_kind, is_async, connection_verify=ca_file)
    assert caught.value.status_code == status
    assert f"redirected an https request to http://127.0.0.1:{plain.port}/identities (plain HTTP)" in str(caught.value)
    assert len(origin.seen) == 1
    assert plain.seen == []  # nothing, signed or not, went out in plaintext


def _fake_client(is_async: bool, transport: Any, **options: Any) -> Any:
    cls = AsyncCommunicationIdentityClient if is_async else CommunicationIdentityClient
    return cls(f.ENDPOINT, f.KEY, transport=transport, **options)


def _run_create(is_async: bool, client: Any) -> Any:
    if not is_async:
        return client.create_user()

    async def run() -> Any:
        async with client:
            return await client.create_user()

    return asyncio.run(run())


SAME_HOST_HTTP = "http://contoso.communication.azure.com/identities?api-version=" + GA


@CLIENTS
@pytest.mark.parametrize("status", [307, 308])
def test_same_host_plain_http_redirect_gets_no_signed_request(status: int, is_async: bool) -> None:
    """The issue's case: same host, so the credential-stripping policy would keep the signature."""
    transport = (f.FakeAsyncTransport if is_async else f.FakeTransport)(
        (status, None, {"location": SAME_HOST_HTTP}), f.ga_identity()
    )
    with pytest.raises(HttpResponseError, match=r"refused"):
        _run_create(is_async, _fake_client(is_async, transport))
    assert [r.url for r in transport.requests] == [f"{f.ENDPOINT}/identities?api-version={GA}"]


@CLIENTS
def test_same_scheme_and_relative_redirects_are_still_followed(is_async: bool) -> None:
    transport = (f.FakeAsyncTransport if is_async else f.FakeTransport)(
        (307, None, {"location": f"{f.ENDPOINT}/moved/identities?api-version={GA}"}),  # a plain dict: lower case
        (308, None, {"location": f"/again/identities?api-version={GA}"}),
        f.ga_identity(),
    )
    assert _run_create(is_async, _fake_client(is_async, transport)).raw_id == f.USER_ID
    assert [r.path for r in transport.requests] == ["/identities", "/moved/identities", "/again/identities"]
    assert all(r.header("Authorization").startswith(f.HMAC_PREFIX) for r in transport.requests)


def test_with_a_callers_own_redirect_policy_nothing_is_signed_for_plain_http() -> None:
    """A caller's azure-core RedirectPolicy follows the downgrade; the HMAC policy then refuses to sign."""
    transport = f.FakeTransport((307, None, {"location": SAME_HOST_HTTP}), f.ga_identity())
    client = _fake_client(False, transport, redirect_policy=RedirectPolicy())
    with pytest.raises(ServiceRequestError, match="redirected to plain HTTP; it is not signed or sent"):
        client.create_user()
    assert len(transport.requests) == 1


# ----- the pipeline is the generated client's, with ours plugged into its hooks -----


def _policies(pipeline_client: Any) -> list[Any]:
    """The policies of an azure-core pipeline client, unwrapped from azure-core's SansIO runners."""
    found = []
    for policy in pipeline_client._pipeline._impl_policies:
        found.append(getattr(policy, "_policy", policy))
    return found


def _sync_client(version: str) -> Any:
    return CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version)


def _async_client(version: str) -> Any:
    return AsyncCommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version)


@pytest.mark.parametrize(
    ("make_client", "generated", "version"),
    [
        (_sync_client, IdentityRestClient, GA),
        (_sync_client, IdentityPreview2020RestClient, "2020-07-20-preview2"),
        (_async_client, AsyncIdentityRestClient, GA),
    ],
    ids=["sync-ga", "sync-preview", "async-ga"],
)
def test_every_default_policy_of_the_generated_client_is_kept(make_client: Any, generated: Any, version: str) -> None:
    defaults = [type(p) for p in _policies(generated(f.ENDPOINT)._client)]
    ours = _policies(make_client(version)._rest._client)
    # Same length, same order; each of ours is the default or a subclass of it (the authentication
    # policy, absent by default, is the one addition).
    assert SensitiveHeaderCleanupPolicy in defaults
    without_auth = [p for p in ours if not _is_auth(p)]
    assert len(ours) == len(defaults) + 1
    for default, policy in zip(defaults, without_auth, strict=True):
        assert isinstance(policy, default), (default, type(policy))
    assert any(type(p) is SensitiveHeaderCleanupPolicy for p in ours)
    # Secrets: azure-core's verbatim network trace is replaced by the redacting one.
    assert not any(type(p) is NetworkTraceLoggingPolicy for p in ours)
    assert sum(isinstance(p, HttpLoggingPolicy) for p in ours) == 1


def _is_auth(policy: Any) -> bool:
    from azure.communication.administration._auth import HMACCredentialPolicy

    return isinstance(policy, HMACCredentialPolicy)


def test_authentication_runs_after_redirect_and_retry_and_before_the_header_cleanup() -> None:
    names = [type(p).__name__ for p in _policies(_sync_client(GA)._rest._client)]
    auth = names.index("HMACCredentialPolicy")
    assert (
        names.index("NoDowngradeRedirectPolicy")  # azure-core's RedirectPolicy, refusing https -> http
        < names.index("RetryPolicy")
        < auth
        < names.index("SensitiveHeaderCleanupPolicy")
    )


def test_a_callers_per_call_and_per_retry_policies_join_the_pipeline() -> None:
    class Mark(SansIOHTTPPolicy):  # type: ignore[type-arg]
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        def on_request(self, request: Any) -> None:
            request.http_request.headers[f"x-{self.name}"] = "1"

    transport = f.FakeTransport(f.ga_identity())
    client = CommunicationIdentityClient(
        f.ENDPOINT,
        f.KEY,
        transport=transport,
        per_call_policies=[Mark("per-call")],
        per_retry_policies=[Mark("per-retry")],
    )
    client.create_user()
    assert transport.last.header("x-per-call") == "1"
    assert transport.last.header("x-per-retry") == "1"
    assert transport.last.header("Authorization").startswith(f.HMAC_PREFIX)
    names = [type(p).__name__ for p in _policies(client._rest._client)]
    assert names.count("Mark") == 2
    assert names.index("Mark") < names.index("RequestIdPolicy")
    assert names.index("RetryPolicy") < len(names) - names[::-1].index("Mark") - 1 < names.index("HMACCredentialPolicy")


def test_a_whole_policies_list_is_refused() -> None:
    with pytest.raises(TypeError, match="per_call_policies"):
        CommunicationIdentityClient(f.ENDPOINT, f.KEY, policies=[])
