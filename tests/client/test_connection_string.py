"""Connection strings, endpoints, credential forms and azure-core keywords."""

from __future__ import annotations

import pytest
from azure.core.credentials import AzureKeyCredential

from azure.communication.administration import ApiVersion, CommunicationIdentityClient
from azure.communication.administration._connection_string import parse_connection_string
from azure.communication.administration._generated import _catalog

from . import _fakes as f

DEFAULT = _catalog.LATEST_GA  # what a client without api_version sends

SECRET_KEY = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NQ=="  # base64(b"secret-key-material-12345")


@pytest.mark.parametrize(
    "conn_str",
    [
        f"endpoint=https://r.communication.azure.com/;accesskey={SECRET_KEY}",
        f"ENDPOINT=https://r.communication.azure.com/;AccessKey={SECRET_KEY}",
        f"accesskey={SECRET_KEY};endpoint=https://r.communication.azure.com/",
        f"  Endpoint = https://r.communication.azure.com/ ;  ACCESSKEY={SECRET_KEY} ; ",
        f"endpoint=https://r.communication.azure.com/;accesskey={SECRET_KEY};",
        f"\n endpoint=https://r.communication.azure.com/;\taccessKey={SECRET_KEY};;",
    ],
)
def test_connection_string_forms(conn_str):
    parsed = parse_connection_string(conn_str)
    assert parsed.endpoint == "https://r.communication.azure.com/"
    assert parsed.access_key == SECRET_KEY
    assert SECRET_KEY not in repr(parsed)
    transport = f.FakeTransport(f.ga_identity())
    client = CommunicationIdentityClient.from_connection_string(conn_str, transport=transport)
    client.create_user()
    rec = transport.last
    assert rec.url == f"https://r.communication.azure.com/identities?api-version={DEFAULT}"
    from ._wire_cases import independent_signature

    sig = independent_signature(
        SECRET_KEY,
        "POST",
        rec.url,
        rec.header("x-ms-date"),
        rec.header("x-ms-content-sha256"),
        "r.communication.azure.com",
    )
    assert rec.header("Authorization") == f.HMAC_PREFIX + sig


@pytest.mark.parametrize(
    ("conn_str", "names"),
    [
        (f"accesskey={SECRET_KEY}", ["endpoint"]),
        (f"endpoint=;accesskey={SECRET_KEY}", ["endpoint"]),
        ("endpoint=https://r.communication.azure.com/", ["accesskey"]),
        ("endpoint=https://r.communication.azure.com/;accesskey=", ["accesskey"]),
        ("endpoint=https://r.communication.azure.com/;accesskey=not*base64!" + SECRET_KEY, ["access key", "base64"]),
        ("endpoint=https://r.communication.azure.com/;accesskey=" + SECRET_KEY[:-3], ["access key", "base64"]),
        ("just garbage", ["part 1", "name=value"]),
        (f"endpoint=https://r/;{SECRET_KEY.rstrip('=')}", ["part 2", "name=value"]),
        (f"garbage{SECRET_KEY}", ["missing", "endpoint", "accesskey"]),
        (f"endpoint=https://r/;accesskey={SECRET_KEY};{SECRET_KEY}", ["unknown"]),
        ("", ["empty"]),
        ("   ", ["empty"]),
        (f"endpoint=https://r/;accesskey={SECRET_KEY};accesskey={SECRET_KEY}", ["accesskey"]),
        (f"endpoint=https://r/;accesskey={SECRET_KEY};sharedkey={SECRET_KEY}", ["sharedkey"]),
    ],
    ids=[
        "no-endpoint",
        "empty-endpoint",
        "no-key",
        "empty-key",
        "not-base64",
        "bad-padding",
        "garbage",
        "bare-key",
        "garbage-with-key",
        "key-pasted-twice",
        "empty",
        "blank",
        "duplicate",
        "unknown-part",
    ],
)
def test_bad_connection_strings(conn_str, names):
    with pytest.raises(ValueError) as info:
        CommunicationIdentityClient.from_connection_string(conn_str)
    message = str(info.value)
    for name in names:
        assert name in message, message
    assert SECRET_KEY not in message
    assert SECRET_KEY[:12].lower() not in message.lower()
    chained = [info.value.__cause__, info.value.__context__]
    assert all(SECRET_KEY not in str(e) for e in chained if e is not None)


def test_non_string_connection_string():
    with pytest.raises(ValueError, match="empty"):
        CommunicationIdentityClient.from_connection_string(None)


@pytest.mark.parametrize(
    ("endpoint", "expected_url"),
    [
        ("http://127.0.0.1:8080", f"http://127.0.0.1:8080/identities?api-version={DEFAULT}"),
        ("http://127.0.0.1:8080/", f"http://127.0.0.1:8080/identities?api-version={DEFAULT}"),
        ("r.communication.azure.com", f"https://r.communication.azure.com/identities?api-version={DEFAULT}"),
        (
            "https://r.communication.azure.com:8443/",
            f"https://r.communication.azure.com:8443/identities?api-version={DEFAULT}",
        ),
    ],
)
def test_endpoint_scheme(endpoint, expected_url):
    transport = f.FakeTransport(f.ga_identity())
    CommunicationIdentityClient(endpoint, f.KEY, transport=transport).create_user()
    assert transport.last.url == expected_url


def test_connection_string_with_http_endpoint_stays_http():
    transport = f.FakeTransport(f.ga_identity())
    client = CommunicationIdentityClient.from_connection_string(
        f"endpoint=http://127.0.0.1:8080/;accesskey={f.KEY}", transport=transport
    )
    client.create_user()
    assert transport.last.url == f"http://127.0.0.1:8080/identities?api-version={DEFAULT}"


def test_signed_host_carries_the_non_default_port():
    from ._wire_cases import independent_signature

    transport = f.FakeTransport(f.ga_identity())
    CommunicationIdentityClient("http://127.0.0.1:8080", f.KEY, transport=transport).create_user()
    rec = transport.last
    with_port = independent_signature(
        f.KEY, "POST", rec.url, rec.header("x-ms-date"), rec.header("x-ms-content-sha256"), "127.0.0.1:8080"
    )
    assert rec.header("Authorization") == f.HMAC_PREFIX + with_port


@pytest.mark.parametrize("endpoint", ["", "   ", "ftp://x", "https://", "https://x:notaport", None])
def test_bad_endpoints(endpoint):
    with pytest.raises(ValueError, match="endpoint"):
        CommunicationIdentityClient(endpoint, f.KEY)


def test_bad_key_string_is_refused_without_echo():
    with pytest.raises(ValueError, match="base64") as info:
        CommunicationIdentityClient(f.ENDPOINT, "not base64 at all!")
    assert "not base64 at all" not in str(info.value)


def test_azure_key_credential():
    transport = f.FakeTransport(f.NO_CONTENT)
    CommunicationIdentityClient(f.ENDPOINT, AzureKeyCredential(f.KEY), transport=transport).delete_user(f.USER_ID)
    assert transport.last.header("Authorization").startswith(f.HMAC_PREFIX)


def test_token_credential_bearer():
    credential = f.FakeTokenCredential()
    transport = f.FakeTransport(f.ga_identity(), f.NO_CONTENT)
    client = CommunicationIdentityClient(f.ENDPOINT, credential, transport=transport)
    client.create_user()
    client.delete_user(f.USER_ID)
    for rec in transport.requests:
        assert rec.header("Authorization") == "Bearer fake-entra"
        assert rec.header("x-ms-content-sha256") is None
    assert credential.scopes[0] == ("https://communication.azure.com//.default",)
    assert set(credential.scopes) == {("https://communication.azure.com//.default",)}


@pytest.mark.parametrize("bad", [42, b"a2V5", object(), ["key"]])
def test_bad_credential_type(bad):
    with pytest.raises(TypeError, match="credential"):
        CommunicationIdentityClient(f.ENDPOINT, bad)


def test_azure_core_kwargs_pass_through():
    transport = f.FakeTransport(f.ga_identity())
    client = CommunicationIdentityClient(
        f.ENDPOINT,
        f.KEY,
        transport=transport,
        headers={"x-custom": "1"},
        user_agent="myapp",
        retry_total=0,
    )
    client.create_user()
    rec = transport.last
    assert rec.header("x-custom") == "1"
    assert rec.header("User-Agent").startswith("myapp azsdk-python-communication-administration/")


def test_retry_total_zero_means_one_try():
    transport = f.FakeTransport(default=(503, {"error": {"code": "Busy", "message": "busy"}}))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport, retry_total=0)
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError):
        client.create_user()
    assert len(transport.requests) == 1


def test_retries_are_resigned():
    transport = f.FakeTransport((503, None), f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport, retry_total=1, retry_backoff_factor=0)
    assert client.create_user().raw_id == f.USER_ID
    assert len(transport.requests) == 2
    assert all(r.header("Authorization").startswith(f.HMAC_PREFIX) for r in transport.requests)


def test_per_call_headers():
    transport = f.FakeTransport(f.NO_CONTENT)
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    client.delete_user(f.USER_ID, headers={"x-ms-client-request-id": "req-1"})
    assert transport.last.header("x-ms-client-request-id") == "req-1"


def test_repr_has_no_key():
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=ApiVersion.V2021_03_07)
    assert repr(client) == (
        "CommunicationIdentityClient(endpoint='https://contoso.communication.azure.com', api_version='2021-03-07')"
    )
