"""Reading a user (``get_user``) and a caller-chosen id on create (``custom_id``): the versions
whose documents have them (2025-03-02-preview ``customId``, 2025-04-01-preview ``externalId``),
literal wire for the async client, refusals, bad input, and both clients end to end."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from azure.core.exceptions import ResourceNotFoundError

from azure.communication.administration import (
    ApiVersion,
    CommunicationIdentityClient,
    CommunicationUser,
    CommunicationUserDetail,
)
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f
from ._wire_cases import ALL, CUSTOM_ID, LAST_TOKEN, custom_id_name, has_get_user

WITH_GET = [v for v in ALL if has_get_user(v)]
WITHOUT_GET = [v for v in ALL if not has_get_user(v)]
WITH_CUSTOM = [v for v in ALL if custom_id_name(v) is not None]
WITHOUT_CUSTOM = [v for v in ALL if custom_id_name(v) is None]


def test_the_catalog_says_which_versions():
    assert [v.value for v in WITH_GET] == ["2025-03-02-preview", "2025-04-01-preview"]
    assert {v.value: custom_id_name(v) for v in WITH_CUSTOM} == {
        "2025-03-02-preview": "customId",
        "2025-04-01-preview": "externalId",
    }


# ----- async: literal wire -----


@pytest.mark.parametrize("version", WITH_GET, ids=str)
def test_async_get_user_on_the_wire(version):
    name = custom_id_name(version)

    async def main():
        transport = f.FakeAsyncTransport((200, {"id": f.USER_ID, name: CUSTOM_ID, "lastTokenIssuedAt": LAST_TOKEN}))
        async with AsyncClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport) as client:
            return transport, await client.get_user(f.USER_ID)

    transport, result = asyncio.run(main())
    (rec,) = transport.requests
    assert (rec.method, rec.path, rec.raw_query) == (
        "GET",
        f"/identities/{f.USER_ID_QUOTED}",
        f"api-version={version.value}",
    )
    assert rec.body == b""
    assert rec.header("Authorization").startswith(f.HMAC_PREFIX)
    assert result == CommunicationUserDetail(
        CommunicationUser(f.USER_ID), CUSTOM_ID, datetime(2030, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    )
    assert (transport.opened, transport.closed) == (1, 1)


@pytest.mark.parametrize("version", WITH_CUSTOM, ids=str)
def test_async_custom_id_on_the_wire(version):
    name = custom_id_name(version)

    async def main():
        status, body = f.ga_identity(with_token=True)
        transport = f.FakeAsyncTransport(f.ga_identity(), (status, body), f.ga_token())
        async with AsyncClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport) as client:
            user = await client.create_user(custom_id="a b/ü")
            pair = await client.create_user_and_token(["voip"], custom_id=CUSTOM_ID)
            token = await client.get_token(user, ["chat"])  # through the ga layer, same client
        return transport, user, pair, token

    transport, user, pair, token = asyncio.run(main())
    first, second, third = transport.requests
    assert first.body == json.dumps({name: "a b/ü"}).encode()
    assert json.loads(second.body) == {name: CUSTOM_ID, "createTokenWithScopes": ["voip"]}
    assert (third.path, json.loads(third.body)) == (
        f"/identities/{f.USER_ID_QUOTED}/:issueAccessToken",
        {"scopes": ["chat"]},
    )
    for rec in (first, second, third):
        assert rec.raw_query == f"api-version={version.value}"
        assert rec.header("Content-Type") == "application/json"
    assert user == CommunicationUser(f.USER_ID) and pair[0] == user and tuple(token) == (f.TOKEN, f.EXPIRES_EPOCH)
    assert (transport.opened, transport.closed) == (1, 1)  # two generated layers, one transport


def test_sync_200_for_an_existing_external_id_is_a_user():
    transport = f.FakeTransport((200, {"identity": {"id": f.USER_ID, "externalId": CUSTOM_ID}}))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version="2025-04-01-preview", transport=transport)
    assert client.create_user(custom_id=CUSTOM_ID) == CommunicationUser(f.USER_ID)


def test_get_user_without_custom_id_or_last_token():
    transport = f.FakeTransport((200, {"id": f.USER_ID}))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=WITH_GET[0], transport=transport)
    assert client.get_user(CommunicationUser(f.USER_ID)) == CommunicationUserDetail(CommunicationUser(f.USER_ID))


# ----- refusals and bad input: nothing is sent -----


def _refused(version, call, error=ValueError):
    transport = f.FakeTransport()
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport)
    with pytest.raises(error) as info:
        call(client)
    assert transport.requests == []
    return str(info.value)


@pytest.mark.parametrize("version", WITHOUT_GET, ids=str)
def test_get_user_refused_where_the_document_lacks_it(version):
    message = _refused(version, lambda c: c.get_user(f.USER_ID))
    assert message == (
        "get_user requires one of api_version 2025-03-02-preview, 2025-04-01-preview; "
        f"this client uses {version.value}."
    )


@pytest.mark.parametrize("version", WITHOUT_CUSTOM, ids=str)
def test_custom_id_refused_where_the_document_lacks_it(version):
    for call in (lambda c: c.create_user(custom_id="x"), lambda c: c.create_user_and_token(["chat"], custom_id="x")):
        message = _refused(version, call)
        assert message == (
            "custom_id requires one of api_version 2025-03-02-preview, 2025-04-01-preview; "
            f"this client uses {version.value}."
        )


@pytest.mark.parametrize("version", WITH_CUSTOM, ids=str)
def test_bad_custom_ids(version):
    assert "1 to 256" in _refused(version, lambda c: c.create_user(custom_id=""))
    assert "1 to 256" in _refused(version, lambda c: c.create_user(custom_id="   "))
    assert "1 to 256" in _refused(version, lambda c: c.create_user(custom_id="x" * 257))
    assert _refused(version, lambda c: c.create_user(custom_id=7), TypeError) == "custom_id must be a str, not int."
    secret = "a25vd24tYW5zd2VyLWtleQ" * 12  # 264 characters that look like a key
    assert secret not in _refused(version, lambda c: c.create_user(custom_id=secret))


@pytest.mark.parametrize("version", WITH_GET, ids=str)
def test_get_user_bad_user(version):
    assert "Communication Services user id" in _refused(version, lambda c: c.get_user("abc"))
    assert "CommunicationUser" in _refused(version, lambda c: c.get_user(None))


# ----- end to end against the local service -----


def _e2e(service, version):
    return CommunicationIdentityClient.from_connection_string(
        service.connection_string, api_version=version, retry_total=0
    )


@pytest.mark.parametrize("version", WITH_GET, ids=str)
def test_sync_end_to_end(identity_service, version):
    chosen = f"crm-{uuid.uuid4()}"
    with _e2e(identity_service, version) as client:
        user = client.create_user(custom_id=chosen)
        assert client.get_user(user) == CommunicationUserDetail(user, chosen, None)
        again, _token = client.create_user_and_token(["chat"], custom_id=chosen)
        assert again == user
        detail = client.get_user(user.raw_id)
        assert detail.custom_id == chosen
        assert detail.last_token_issued_at is not None
        now = datetime.now(timezone.utc)
        assert now - timedelta(minutes=5) < detail.last_token_issued_at <= now + timedelta(seconds=5)
        plain = client.create_user()
        assert client.get_user(plain) == CommunicationUserDetail(plain)
        client.delete_user(user)
        with pytest.raises(ResourceNotFoundError) as info:
            client.get_user(user)
        assert info.value.error.code == "IdentityNotFound"
        assert client.create_user(custom_id=chosen) != user  # a deleted user gives its id up


@pytest.mark.parametrize("version", WITH_GET, ids=str)
def test_async_end_to_end(identity_service, version):
    chosen = f"crm-{uuid.uuid4()}"

    async def main():
        async with AsyncClient.from_connection_string(
            identity_service.connection_string, api_version=version, retry_total=0
        ) as client:
            user, _ = await client.create_user_and_token(["voip"], custom_id=chosen)
            again = await client.create_user(custom_id=chosen)
            detail = await client.get_user(user)
            await client.get_token(user, ["chat"])
            await client.delete_user(user)
            with pytest.raises(ResourceNotFoundError):
                await client.get_user(user)
            return user, again, detail

    user, again, detail = asyncio.run(main())
    assert again == user
    assert (detail.user, detail.custom_id) == (user, chosen)
    assert detail.last_token_issued_at is not None and detail.last_token_issued_at.utcoffset() == timedelta(0)


def test_version_strings_are_accepted():
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version="2025-04-01-preview")
    assert client.api_version is ApiVersion("2025-04-01-preview")
