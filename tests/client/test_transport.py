"""The sync client's default transport, against a raw socket server: bytes on the wire, parsing, errors,
connection reuse, proxies from the environment and from options, TLS settings."""

from __future__ import annotations

import asyncio
import gzip
import socket

import pytest
import urllib3
from azure.core.exceptions import (
    HttpResponseError,
    IncompleteReadError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.rest import HttpRequest
from urllib3.exceptions import InsecureRequestWarning

from azure.communication.administration import ApiVersion, CommunicationIdentityClient, _transport
from azure.communication.administration._generated import _catalog
from azure.communication.administration._transport import PooledTransport
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f
from ._raw_server import DROP, HANG, CloseAfter, RawServer, response, self_signed

IDENTITY = response(201, {"identity": {"id": f.USER_ID}}, reason="Created")
TOKEN = response(200, {"token": f.TOKEN, "expiresOn": f.EXPIRES_ON})
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
V = "2023-10-01"


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch):
    """Each test starts with no proxy and no CA bundle in the environment, and sets what it needs."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)


def _client(url: str, **kwargs) -> CommunicationIdentityClient:
    return CommunicationIdentityClient(url, f.KEY, api_version=kwargs.pop("api_version", V), **kwargs)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----- what goes on the wire -----


def test_request_bytes_on_the_wire():
    with RawServer(TOKEN) as server, _client(server.url) as client:
        client.issue_token(f.USER_ID, ["chat"])
    (got,) = server.received
    assert got.request_line == f"POST /identities/{f.USER_ID_QUOTED}/:issueAccessToken?api-version={V} HTTP/1.1"
    assert got.header("Host") == f"127.0.0.1:{server.port}"
    assert got.body == b'{"scopes": ["chat"]}'
    assert got.header("Content-Length") == str(len(got.body))
    assert got.header("Content-Type") == "application/json"
    assert got.header("Accept-Encoding") == "identity"
    assert got.header("Authorization").startswith(f.HMAC_PREFIX)
    names = sorted(line.split(":", 1)[0].lower() for line in got.header_lines)
    assert names == sorted(
        [
            "host",
            "accept",
            "accept-encoding",
            "authorization",
            "content-length",
            "content-type",
            "user-agent",
            "x-ms-client-request-id",
            "x-ms-content-sha256",
            "x-ms-date",
        ]
    )


def test_post_without_body_sends_content_length_zero_and_delete_sends_none():
    with RawServer(NO_CONTENT, NO_CONTENT) as server, _client(server.url) as client:
        client.revoke_tokens(f.USER_ID)
        client.delete_user(f.USER_ID)
    revoke, delete = server.received
    assert revoke.request_line.startswith(f"POST /identities/{f.USER_ID_QUOTED}/:revokeAccessTokens?")
    assert (revoke.header("Content-Length"), revoke.body) == ("0", b"")
    assert delete.request_line == f"DELETE /identities/{f.USER_ID_QUOTED}?api-version={V} HTTP/1.1"
    assert delete.header("Content-Length") is None


def test_host_header_omits_the_default_port(monkeypatch):
    # Every connection goes to the raw server, whatever host and port the URL names.
    with RawServer(default=IDENTITY) as server:
        connect = urllib3.util.connection.create_connection
        monkeypatch.setattr(
            urllib3.util.connection,
            "create_connection",
            lambda address, *args, **kwargs: connect(("127.0.0.1", server.port), *args, **kwargs),
        )
        for target, host in [
            ("http://contoso.communication.azure.com", "contoso.communication.azure.com"),
            ("http://contoso.communication.azure.com:80", "contoso.communication.azure.com"),
            ("http://contoso.communication.azure.com:8080", "contoso.communication.azure.com:8080"),
            ("http://[::1]:8443", "[::1]:8443"),
        ]:
            with _client(target) as client:
                client.create_user()
            assert server.received[-1].header("Host") == host


def test_a_header_value_with_a_line_break_is_refused_before_sending():
    with (
        RawServer() as server,
        _client(server.url) as client,
        pytest.raises(ValueError, match="'x-evil' contains a line break"),
    ):
        client.create_user(headers={"x-evil": "a\r\nInjected: yes"})
    assert server.received == []


# ----- reading responses -----


def _send(transport: PooledTransport, url: str, method: str = "GET") -> object:
    return transport.send(HttpRequest(method, url + "/x"))


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (response(200, b"hello"), b"hello"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
            b"hello world",
        ),
        (b"HTTP/1.1 100 Continue\r\n\r\n" + response(200, b"after continue"), b"after continue"),
        (response(200, gzip.compress(b"zipped"), headers={"Content-Encoding": "gzip"}), b"zipped"),
        (b"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", b""),
    ],
    ids=["content-length", "chunked-with-trailer", "100-continue", "gzip", "204"],
)
def test_response_bodies(raw, body):
    with RawServer(raw, response(200, b"next")) as server, PooledTransport(server.url) as transport:
        assert _send(transport, server.url).content == body
        assert _send(transport, server.url).content == b"next"  # the connection was left at a clean boundary
    assert server.connections == 1


def test_headers_are_case_insensitive_and_repeated_ones_joined():
    raw = b"HTTP/1.1 201 Created\r\nX-Multi: a\r\nx-multi: b\r\nX-Folded: one\r\n  two\r\nContent-Length: 0\r\n\r\n"
    with RawServer(raw) as server, PooledTransport(server.url) as transport:
        resp = _send(transport, server.url)
    assert (resp.status_code, resp.reason) == (201, "Created")
    assert resp.headers["x-multi"] == "a, b"
    assert resp.headers["X-FOLDED"].split() == ["one", "two"]  # unfolded by urllib3 >= 2.1, kept as sent by 2.0


def test_body_until_close_and_http_1_0_do_not_reuse_the_connection():
    until_close = CloseAfter(b"HTTP/1.1 200 OK\r\n\r\nto the end")
    http10 = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
    with RawServer(until_close, http10, response(200, b"third")) as server, PooledTransport(server.url) as transport:
        assert _send(transport, server.url).content == b"to the end"
        assert _send(transport, server.url).content == b"ok"
        assert _send(transport, server.url).content == b"third"
    assert [r.connection for r in server.received] == [1, 2, 3]


def test_keep_alive_reuses_one_connection_and_connection_close_ends_it():
    closing = response(200, b"bye", headers={"Connection": "close"})
    with RawServer(response(200, b"1"), closing, response(200, b"3")) as server, PooledTransport(server.url) as t:
        assert [_send(t, server.url).content for _ in range(3)] == [b"1", b"bye", b"3"]
    assert [r.connection for r in server.received] == [1, 1, 2]


@pytest.mark.parametrize(
    ("raw", "error", "message"),
    [
        (b"SPDY/3 200 OK\r\n\r\n", ServiceResponseError, "BadStatusLine"),
        (
            CloseAfter(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
            IncompleteReadError,  # as azure-core's RequestsTransport reports a short body
            r"IncompleteRead\(5 bytes read, 5 more expected\)",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", ServiceResponseError, "multiple unmatching values"),
        (DROP, ServiceResponseError, "Remote end closed connection without response"),
    ],
    ids=["status-line", "truncated", "content-length", "no-answer"],
)
def test_broken_responses_are_service_response_errors(raw, error, message):
    with (
        RawServer(raw) as server,
        _client(server.url, retry_total=0) as client,
        pytest.raises(error, match=message),
    ):
        client.create_user()
    assert server.connections == 1  # a fresh connection that fails is not retried by the transport


def test_a_malformed_header_line_ends_the_headers_as_http_client_reads_them():
    # http.client (under urllib3, requests and so the official client) stops the header block at a line
    # without a colon; with no Content-Length left, the body runs until the server closes.
    with (
        RawServer(CloseAfter(b"HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 2\r\n\r\nbody")) as server,
        PooledTransport(server.url, read_timeout=5) as transport,
    ):
        resp = _send(transport, server.url)
    assert (resp.status_code, resp.content) == (200, b"body")
    assert "Content-Length" not in resp.headers


def test_a_kept_alive_connection_the_server_dropped_is_replaced_and_the_request_sent_again(monkeypatch):
    # The idle check is what normally catches this; here the server closes just after the check.
    monkeypatch.setattr(_transport._Connection, "is_connected", property(lambda self: self.sock is not None))
    with RawServer(CloseAfter(IDENTITY), IDENTITY) as server, _client(server.url, retry_total=0) as client:
        client.create_user()
        assert client.create_user().raw_id == f.USER_ID
    assert [r.connection for r in server.received] == [1, 2]


def test_an_idle_connection_closed_by_the_server_is_not_used():
    with RawServer(CloseAfter(IDENTITY), IDENTITY) as server, _client(server.url, retry_total=0) as client:
        client.create_user()
        client.create_user()
    assert [r.connection for r in server.received] == [1, 2]


def test_read_timeout():
    with (
        RawServer(HANG) as server,
        _client(server.url, retry_total=0, read_timeout=0.2) as client,
        pytest.raises(ServiceResponseTimeoutError, match=r"Read timed out\. \(read timeout=0\.2\)"),
    ):
        client.create_user()


def test_connection_refused_is_a_request_error_and_retried(monkeypatch):
    port = _closed_port()
    client = _client(f"http://127.0.0.1:{port}", retry_total=2, retry_backoff_factor=0)
    with pytest.raises(ServiceRequestError) as caught:
        client.create_user()
    # The client says it plainly; the transport's own error (as RequestsTransport words it) is kept inside.
    assert str(caught.value) == (
        f"Cannot reach http://127.0.0.1:{port}: connection refused (nothing listens there; is the service running?)."
    )
    assert "Failed to establish a new connection" in str(caught.value.inner_exception)


def test_connect_timeout_maps_to_request_timeout(monkeypatch):
    def timing_out(*args, **kwargs):
        raise TimeoutError("timed out")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", timing_out)
    with pytest.raises(
        ServiceRequestTimeoutError, match=r"Cannot reach http://127\.0\.0\.1:1: the connection timed out"
    ) as caught:
        _client("http://127.0.0.1:1", retry_total=0).create_user()
    assert isinstance(caught.value.inner_exception, ServiceRequestTimeoutError)
    assert "Connection to 127.0.0.1 timed out" in str(caught.value.inner_exception)


def test_service_errors_still_carry_code_and_message():
    body = {"error": {"code": "IdentityNotFound", "message": "Identity not found."}}
    with (
        RawServer(response(404, body, reason="Not Found")) as server,
        _client(server.url) as client,
        pytest.raises(HttpResponseError) as caught,
    ):
        client.delete_user(f.USER_ID)
    assert (caught.value.status_code, caught.value.error.code) == (404, "IdentityNotFound")


def test_a_closed_client_refuses_calls_as_the_async_one_does():
    # Issue 14: use after close() is a clear error in sync and async alike (the async
    # transport cannot reopen); the connection is released and no request is sent.
    with RawServer(default=IDENTITY) as server:
        client = _client(server.url)
        client.create_user()
        client.close()
        with pytest.raises(RuntimeError, match=r"is closed .*create a new client"):
            client.create_user()
    assert [r.connection for r in server.received] == [1]


def test_stream_true_goes_through_urllib3_and_streams():
    with RawServer(response(200, b"x" * 10000)) as server, PooledTransport(server.url) as transport:
        resp = transport.send(HttpRequest("GET", server.url + "/big"), stream=True)
        assert b"".join(resp.iter_bytes()) == b"x" * 10000


def test_unknown_options_are_refused():
    with pytest.raises(TypeError, match="connection_tiemout"):
        PooledTransport("http://127.0.0.1:1", connection_tiemout=3)
    with (
        RawServer() as server,
        _client(server.url) as client,
        pytest.raises(TypeError, match=r"unexpected keyword argument.*bogus"),
    ):
        client.create_user(bogus=1)


def test_a_requests_session_keeps_azure_cores_requests_transport():
    import requests

    session = requests.Session()
    seen: list[int] = []
    session.hooks["response"].append(lambda r, *args, **kwargs: seen.append(r.status_code))
    with RawServer(IDENTITY) as server, _client(server.url, session=session) as client:
        assert client.create_user().raw_id == f.USER_ID
    assert seen == [201]


# ----- proxies -----


def _unreachable() -> str:
    return f"http://127.0.0.1:{_closed_port()}"


def test_proxy_from_the_environment_is_used(monkeypatch):
    target = _unreachable()
    with RawServer(IDENTITY) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://user:s3cret@127.0.0.1:{proxy.port}")
        with _client(target) as client:
            assert client.create_user().raw_id == f.USER_ID
    (got,) = proxy.received
    assert got.request_line == f"POST {target}/identities?api-version={V} HTTP/1.1"
    assert got.header("Host") == target.removeprefix("http://")
    assert got.header("Proxy-Authorization") == "Basic dXNlcjpzM2NyZXQ="  # user:s3cret


def test_no_proxy_and_use_env_settings_false_go_direct(monkeypatch):
    with RawServer(default=IDENTITY) as service, RawServer(default=IDENTITY) as proxy:
        monkeypatch.setenv("http_proxy", proxy.url)
        monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
        _client(service.url).create_user()
        monkeypatch.delenv("no_proxy")
        _client(service.url, use_env_settings=False).create_user()
        _client(service.url).create_user()
    assert len(service.received) == 2
    assert len(proxy.received) == 1


def test_proxies_given_to_the_client_and_to_a_call(monkeypatch):
    target = _unreachable()
    with RawServer(default=IDENTITY) as proxy, _client(target, proxies={"http": proxy.url}) as client:
        client.create_user()
        with _client(target, retry_total=0) as client:
            client.create_user(proxies={"http": proxy.url})
            with pytest.raises(ServiceRequestError):
                client.create_user()
    assert [r.request_line.split()[1] for r in proxy.received] == [f"{target}/identities?api-version={V}"] * 2


def test_an_unreachable_proxy_is_a_request_error_without_its_password(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", _unreachable().replace("http://", "http://user:pr0xy-s3cret@"))
    with pytest.raises(ServiceRequestError) as caught:
        _client(_unreachable(), retry_total=0).create_user()
    assert "pr0xy-s3cret" not in f"{caught.value} {caught.value.exc_value!r}"


# ----- TLS -----


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_https_with_the_servers_ca(tls):
    context, ca = tls
    with RawServer(default=IDENTITY, tls=context) as server, _client(server.url, connection_verify=ca) as client:
        client.create_user()
        client.create_user()
    assert [r.connection for r in server.received] == [1, 1]
    assert server.received[0].header("Host") == f"127.0.0.1:{server.port}"


def test_https_rejects_an_unknown_certificate(tls):
    context, _ = tls
    with (
        RawServer(default=IDENTITY, tls=context) as server,
        pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        _client(server.url, retry_total=0).create_user()
        assert server.received == []


def test_connection_verify_false_connects_and_warns(tls):
    context, _ = tls
    with RawServer(default=IDENTITY, tls=context) as server:
        with pytest.warns(InsecureRequestWarning, match="not checked"):
            client = _client(server.url, connection_verify=False)
        assert client.create_user().raw_id == f.USER_ID


def test_ca_bundle_from_the_environment(tls, monkeypatch):
    context, ca = tls
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
    with RawServer(default=IDENTITY, tls=context) as server:
        _client(server.url).create_user()
        with pytest.raises(ServiceRequestError):
            _client(server.url, use_env_settings=False, retry_total=0).create_user()
    assert len(server.received) == 1


def test_an_untrusted_certificate_says_the_service_was_reached_and_how_to_trust_it(tls):
    context, _ = tls
    with RawServer(default=IDENTITY, tls=context) as server, pytest.raises(ServiceRequestError) as caught:
        _client(server.url, retry_total=0).create_user()
    message = str(caught.value)
    assert message.startswith(f"{server.url} was reached, but its TLS certificate is not trusted (")
    for advice in ("connection_verify=<CA file>", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "certificate=<path>"):
        assert advice in message
    assert "_Connection" not in message and "ssl:" not in message


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE"])
def test_each_ca_bundle_variable_is_honoured_sync_and_async(tls, monkeypatch, variable):
    context, ca = tls
    monkeypatch.setenv(variable, ca)
    with RawServer(default=IDENTITY, tls=context) as server:
        assert _client(server.url).create_user().raw_id == f.USER_ID

        async def main():
            async with AsyncClient(server.url, f.KEY) as client:
                return (await client.create_user()).raw_id

        assert asyncio.run(main()) == f.USER_ID
    assert len(server.received) == 2


@pytest.mark.parametrize(
    ("wins", "loses"),
    [
        ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"),
        ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"),
        ("CURL_CA_BUNDLE", "SSL_CERT_FILE"),
    ],
)
def test_ca_bundle_variables_in_the_documented_order(tls, tmp_path, monkeypatch, wins, loses):
    """README: REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, then SSL_CERT_FILE; the first set wins."""
    context, ca = tls
    _, other_ca = self_signed(tmp_path)  # a CA that did not issue the server's certificate
    with RawServer(default=IDENTITY, tls=context) as server:
        monkeypatch.setenv(wins, ca)
        monkeypatch.setenv(loses, other_ca)
        assert _client(server.url, retry_total=0).create_user().raw_id == f.USER_ID
        monkeypatch.setenv(wins, other_ca)
        monkeypatch.setenv(loses, ca)
        with pytest.raises(ServiceRequestError, match="not trusted"):
            _client(server.url, retry_total=0).create_user()


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_a_ca_bundle_variable_naming_no_file_is_named_in_the_error(monkeypatch, variable):
    monkeypatch.setenv(variable, "/nonexistent/ca.pem")
    for client_class in (CommunicationIdentityClient, AsyncClient):
        with pytest.raises(ValueError, match=f"^{variable} names '/nonexistent/ca.pem', which does not exist"):
            client_class("https://127.0.0.1:1", f.KEY)


def test_a_missing_ca_bundle_fails_at_construction():
    with pytest.raises(ValueError, match="existing CA bundle path"):
        _client("https://127.0.0.1:1", connection_verify="/nonexistent/ca.pem")


def test_every_api_version_against_the_local_service(identity_service):
    for version in ApiVersion:
        with CommunicationIdentityClient.from_connection_string(
            identity_service.connection_string, api_version=version
        ) as client:
            if (
                version.value not in _catalog.OPERATION_VERSIONS["POST /identities"]
            ):  # the Roles preview: no identity operation, refused locally; roles are its API
                with pytest.raises(ValueError, match=r"^create_user requires"):
                    client.create_user()
                assert isinstance(list(client.list_roles()), list)
                continue
            user = client.create_user()
            assert client.issue_token(user, ["chat"]).token
            client.revoke_tokens(user)
            client.delete_user(user)


def test_tls_state_is_built_once_per_setting_and_only_when_a_connection_needs_it(tls, monkeypatch):
    context, ca = tls
    built: list[object] = []
    real = _transport._new_ssl_context
    monkeypatch.setattr(_transport, "_new_ssl_context", lambda *a: built.append(a) or real(*a))
    monkeypatch.setattr(_transport, "_TLS_CONTEXTS", {})
    clients = [_client(f"https://127.0.0.1:{_closed_port()}", connection_verify=ca) for _ in range(3)]
    for client in clients:
        client.close()
    assert built == []  # building and closing clients reads no CA bundle
    with RawServer(default=IDENTITY, tls=context) as server:
        for _ in range(3):
            with _client(server.url, connection_verify=ca) as client:
                client.create_user()
        with pytest.warns(InsecureRequestWarning), _client(server.url, connection_verify=False) as client:
            client.create_user()
    assert built == [(ca, None), (False, None)]
    assert [r.connection for r in server.received] == [1, 2, 3, 4]


# ----- the async client's transport: aiohttp, environment read once -----


def _async_client(url: str, **kwargs):
    from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

    return AsyncClient(url, f.KEY, api_version=kwargs.pop("api_version", V), **kwargs)


def test_async_requests_do_not_look_in_the_environment_each_time(monkeypatch):
    # azure-core's AioHttpTransport (trust_env=True) hands two environment lookups per request to worker threads.
    import asyncio

    handoffs: list[object] = []

    async def main(url: str) -> None:
        loop = asyncio.get_running_loop()
        real = loop.run_in_executor
        monkeypatch.setattr(loop, "run_in_executor", lambda *a: handoffs.append(a[1:]) or real(*a))
        async with _async_client(url) as client:
            for _ in range(3):
                await client.create_user()

    with RawServer(default=IDENTITY) as server:
        asyncio.run(main(server.url))
    assert handoffs == []
    assert [r.connection for r in server.received] == [1, 1, 1]


def test_async_proxy_from_the_environment_and_from_the_client(monkeypatch):
    import asyncio

    async def create(url: str, **kwargs) -> None:
        async with _async_client(url, retry_total=0, **kwargs) as client:
            await client.create_user()

    target = _unreachable()
    with RawServer(default=IDENTITY) as proxy, RawServer(default=IDENTITY) as service:
        monkeypatch.setenv("HTTP_PROXY", f"http://user:s3cret@127.0.0.1:{proxy.port}")
        asyncio.run(create(target))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        asyncio.run(create(service.url))
        monkeypatch.delenv("HTTP_PROXY")
        monkeypatch.delenv("NO_PROXY")
        asyncio.run(create(target, proxies={"http": proxy.url}))
    first, second = proxy.received
    assert first.request_line == second.request_line == f"POST {target}/identities?api-version={V} HTTP/1.1"
    assert first.header("Proxy-Authorization") == "Basic dXNlcjpzM2NyZXQ="  # user:s3cret
    assert second.header("Proxy-Authorization") is None
    assert len(service.received) == 1


def test_async_https_with_a_ca_bundle_shares_one_ssl_context(tls, monkeypatch):
    import asyncio

    context, ca = tls
    built: list[object] = []
    real = _transport._new_ssl_context
    monkeypatch.setattr(_transport, "_new_ssl_context", lambda *a: built.append(a) or real(*a))
    monkeypatch.setattr(_transport, "_TLS_CONTEXTS", {})

    async def main(url: str) -> None:
        for _ in range(2):
            async with _async_client(url, connection_verify=ca) as client:
                await client.create_user()
                await client.create_user()

    with RawServer(default=IDENTITY, tls=context) as server:
        asyncio.run(main(server.url))
    assert built == [(ca, None)]
    assert len(server.received) == 4
