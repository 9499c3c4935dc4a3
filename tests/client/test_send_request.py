"""``send_request``: any request through the client's pipeline, signed like every call."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json

import pytest
from azure.core.rest import HttpRequest

from azure.communication.administration import CommunicationIdentityClient
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f

HOST = "contoso.communication.azure.com"
EMPTY_OBJECT_SHA256 = "RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="  # base64(sha256(b"{}"))
EMPTY_SHA256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def _signature(method: str, path_query: str, date: str, content_hash: str) -> str:
    text = f"{method}\n{path_query}\n{date};{HOST};{content_hash}"
    digest = hmac.new(base64.b64decode(f.KEY), text.encode("utf-8"), hashlib.sha256).digest()
    return f.HMAC_PREFIX + base64.b64encode(digest).decode("ascii")


def _assert_signed(rec: f.Recorded, method: str, path_query: str, content_hash: str) -> None:
    assert rec.header("x-ms-content-sha256") == content_hash
    date = rec.header("x-ms-date")
    assert date is not None and date.endswith(" GMT")
    assert rec.header("Authorization") == _signature(method, path_query, date, content_hash)


def test_relative_url_is_resolved_against_the_endpoint_and_signed():
    transport = f.FakeTransport(f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    request = HttpRequest("POST", "/identities", params={"api-version": "2026-09-23"}, json={})
    response = client.send_request(request)
    rec = transport.last
    assert (rec.method, rec.url) == (
        "POST",
        "https://contoso.communication.azure.com/identities?api-version=2026-09-23",
    )
    assert rec.body == b"{}"
    assert rec.header("Content-Type") == "application/json"
    _assert_signed(rec, "POST", "/identities?api-version=2026-09-23", EMPTY_OBJECT_SHA256)
    assert response.status_code == 201
    assert json.loads(response.text()) == {"identity": {"id": f.USER_ID}}
    assert request.url == "/identities?api-version=2026-09-23", "the caller's request is not modified"


def test_api_version_is_not_added():
    transport = f.FakeTransport(f.NO_CONTENT)
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version="2021-03-07", transport=transport)
    client.send_request(HttpRequest("DELETE", f"identities/{f.USER_ID_QUOTED}"))
    rec = transport.last
    assert rec.url == f"https://contoso.communication.azure.com/identities/{f.USER_ID_QUOTED}"
    _assert_signed(rec, "DELETE", f"/identities/{f.USER_ID_QUOTED}", EMPTY_SHA256)


def test_error_status_is_returned_not_raised():
    transport = f.FakeTransport(f.error(404, "IdentityNotFound", "gone"))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    response = client.send_request(HttpRequest("DELETE", "/identities/x?api-version=2026-09-23"))
    assert response.status_code == 404
    assert json.loads(response.text()) == {"error": {"code": "IdentityNotFound", "message": "gone"}}


def test_absolute_url_on_the_endpoint_is_sent():
    transport = f.FakeTransport(f.ga_token())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    url = f"https://CONTOSO.communication.azure.com/identities/{f.USER_ID_QUOTED}/:issueAccessToken?api-version=2023-10-01"
    client.send_request(HttpRequest("POST", url, json={"scopes": ["chat"]}))
    assert transport.last.url == url
    assert transport.last.body == b'{"scopes": ["chat"]}'


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/identities",
        "http://contoso.communication.azure.com/identities",
        "https://contoso.communication.azure.com:8443/x",
    ],
)
def test_url_on_another_origin_is_refused_before_sending(url):
    transport = f.FakeTransport()
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    with pytest.raises(ValueError, match=r"must be relative or on https://contoso\.communication\.azure\.com") as info:
        client.send_request(HttpRequest("GET", url))
    assert transport.requests == []
    assert f.KEY not in str(info.value)


def test_not_a_request_is_refused():
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=f.FakeTransport())
    with pytest.raises(ValueError, match=r"azure\.core\.rest\.HttpRequest"):
        client.send_request("/identities")  # type: ignore[arg-type]


def test_async_send_request_is_signed_the_same_way():
    async def run() -> tuple[int, f.Recorded]:
        transport = f.FakeAsyncTransport(f.ga_identity())
        async with AsyncClient(f.ENDPOINT, f.KEY, transport=transport) as client:
            response = await client.send_request(
                HttpRequest("POST", "/identities", params={"api-version": "2026-09-23"}, json={})
            )
            return response.status_code, transport.last

    status, rec = asyncio.run(run())
    assert status == 201
    assert rec.url == "https://contoso.communication.azure.com/identities?api-version=2026-09-23"
    assert rec.body == b"{}"
    _assert_signed(rec, "POST", "/identities?api-version=2026-09-23", EMPTY_OBJECT_SHA256)


def test_async_url_on_another_origin_is_refused():
    client = AsyncClient(f.ENDPOINT, f.KEY, transport=f.FakeAsyncTransport())
    with pytest.raises(ValueError, match=r"evil\.example"):
        client.send_request(HttpRequest("GET", "https://evil.example/"))


def test_send_request_against_the_local_service(identity_service):
    with CommunicationIdentityClient.from_connection_string(identity_service.connection_string) as client:
        created = client.send_request(HttpRequest("POST", "/identities", params={"api-version": "2023-10-01"}, json={}))
        assert created.status_code == 201
        user_id = created.json()["identity"]["id"]
        issued = client.send_request(
            HttpRequest(
                "POST",
                f"/identities/{user_id.replace(':', '%3A')}/:issueAccessToken",
                params={"api-version": "2023-10-01"},
                json={"scopes": ["chat.join"], "expiresInMinutes": 60},
            )
        )
        assert issued.status_code == 200
        assert set(issued.json()) == {"token", "expiresOn"}
        unsigned = client.send_request(HttpRequest("POST", "/identities"))
        assert unsigned.status_code == 400
        assert unsigned.json()["error"]["code"] == "MissingApiVersionParameter"
