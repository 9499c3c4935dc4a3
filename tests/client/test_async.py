"""The async client: wire (fake async transport) and end to end over aiohttp."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from azure.communication.administration import ApiVersion, CommunicationIdentityToken
from azure.communication.administration.aio import CommunicationIdentityClient

from . import _fakes as f
from ._introspect import introspect
from ._wire_cases import (
    LATEST,
    PREVIEW,
    assert_request,
    cases_for,
    refusal_message,
    refusals_for,
    refused_feature,
    refused_operation,
)

# 2022-10-01 (a deliberate pin of released history): a GA version before the Teams Phone operations.
ASYNC_VERSIONS = [PREVIEW, ApiVersion.V2022_10_01, LATEST]


@pytest.mark.parametrize(("case", "version"), cases_for(ASYNC_VERSIONS))
def test_async_operation_on_the_wire(case, version):
    async def main():
        transport = f.FakeAsyncTransport(*case.responses(version))
        async with CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport) as client:
            result = await case.call(client)
        return transport, result

    transport, result = asyncio.run(main())
    expected = case.expect(version)
    assert len(transport.requests) == len(expected)
    for rec, exp in zip(transport.requests, expected, strict=True):
        assert_request(rec, exp, version)
    case.check(result, version)
    assert (transport.opened, transport.closed) == (1, 1)


@pytest.mark.parametrize(("case", "version"), refusals_for([ApiVersion.V2023_08_30_PREVIEW]))
def test_async_operation_the_version_lacks_is_refused_before_sending(case, version):
    async def main():
        transport = f.FakeAsyncTransport()
        async with CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport) as client:
            with pytest.raises(ValueError) as raised:
                await case.call(client)
        return transport, raised.value

    transport, error = asyncio.run(main())
    assert str(error) == refusal_message(refused_feature(case), refused_operation(case, version), version)
    assert transport.requests == []


@pytest.mark.parametrize(("case", "version"), cases_for([ApiVersion.V2023_08_30_PREVIEW]))
def test_async_roles_on_the_wire(case, version):
    # The Roles API (2023-08-30-preview): list follows nextLink through AsyncItemPaged.
    async def main():
        transport = f.FakeAsyncTransport(*case.responses(version))
        async with CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport) as client:
            result = await case.call(client)
        return transport, result

    transport, result = asyncio.run(main())
    expected = case.expect(version)
    assert len(transport.requests) == len(expected)
    for rec, exp in zip(transport.requests, expected, strict=True):
        assert_request(rec, exp, version)
    case.check(result, version)


def test_async_roles_cases_are_the_five_methods():
    assert sorted(p.values[0].name for p in cases_for([ApiVersion.V2023_08_30_PREVIEW])) == [
        "create_role",
        "delete_role",
        "get_role",
        "list_roles",
        "update_role",
    ]


def test_async_case_count():
    # preview: 7 cases, 2022-10-01: 10, latest: 15 (see _wire_cases.CASES)
    assert len(cases_for(ASYNC_VERSIONS)) == 7 + 10 + 15


def test_async_refusals_before_any_request():
    async def main():
        transport = f.FakeAsyncTransport()
        client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=ApiVersion.V2021_03_07, transport=transport)
        messages = []
        for call in (
            lambda: client.get_token(f.USER_ID, ["chat"], token_expires_in=timedelta(hours=1)),
            lambda: client.get_token(f.USER_ID, ["voip.join"]),
            lambda: client.get_token_for_teams_user("t", "a", "u"),
            lambda: client.get_token_for_teams_phone_user("t"),
            lambda: client.revoke_tokens(f.USER_ID, issued_before=f_aware()),
            lambda: client.create_user_and_token([]),
        ):
            with pytest.raises(ValueError) as info:
                await call()
            messages.append(str(info.value))
        await client.close()
        return transport, messages

    def f_aware():
        from datetime import datetime, timezone

        return datetime(2024, 1, 1, tzinfo=timezone.utc)

    transport, messages = asyncio.run(main())
    assert transport.requests == []
    assert all("2021-03-07" in m for m in messages), messages
    assert "2020-07-20-preview2" in messages[4]
    assert "chat, voip" in messages[5]


def test_async_errors():
    async def main():
        transport = f.FakeAsyncTransport(
            f.error(401, "Denied", "Denied by the resource provider."),
            f.error(404, "IdentityNotFound", "Identity not found."),
            f.error(400, "ValidationError", "Scopes: The Scopes field is required.", "Scopes"),
        )
        async with CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport, retry_total=0) as client:
            with pytest.raises(ClientAuthenticationError) as e1:
                await client.create_user()
            with pytest.raises(ResourceNotFoundError) as e2:
                await client.delete_user(f.USER_ID)
            with pytest.raises(HttpResponseError) as e3:
                await client.get_token(f.USER_ID, ["chat"])
        return e1.value, e2.value, e3.value

    denied, missing, invalid = asyncio.run(main())
    assert (denied.error.code, denied.error.message) == ("Denied", "Denied by the resource provider.")
    assert missing.error.code == "IdentityNotFound"
    assert (invalid.status_code, invalid.error.code) == (400, "ValidationError")


class _AsyncTokenCredential:
    def __init__(self):
        self.scopes = []

    async def get_token(self, *scopes, **kwargs):
        self.scopes.append(scopes)
        return AccessToken("fake-entra", 4102444800)

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args):
        pass


def test_async_token_credential():
    credential = _AsyncTokenCredential()

    async def main():
        transport = f.FakeAsyncTransport(f.ga_identity())
        async with CommunicationIdentityClient(f.ENDPOINT, credential, transport=transport) as c:
            await c.create_user()
        return transport

    transport = asyncio.run(main())
    assert transport.last.header("Authorization") == "Bearer fake-entra"
    assert credential.scopes == [("https://communication.azure.com//.default",)]


def test_async_kwargs_pass_through():
    async def main():
        transport = f.FakeAsyncTransport(f.ga_identity())
        async with CommunicationIdentityClient.from_connection_string(
            f"endpoint={f.ENDPOINT}/;accesskey={f.KEY}",
            transport=transport,
            headers={"x-custom": "1"},
            user_agent="myapp",
        ) as c:
            await c.create_user()
        return transport

    rec = asyncio.run(main()).last
    assert rec.header("x-custom") == "1"
    assert rec.header("User-Agent").startswith("myapp azsdk-python-communication-administration/")


# ----- end to end over aiohttp -----


@pytest.mark.parametrize("version", [PREVIEW, LATEST], ids=str)
def test_async_flow_over_aiohttp(identity_service, version):
    """The emulator checks the signature over the path as aiohttp sent it (ids percent-encoded)."""

    async def main():
        async with CommunicationIdentityClient.from_connection_string(
            identity_service.connection_string, api_version=version, retry_total=0
        ) as client:
            user = await client.create_user()
            legacy = await client.issue_token(user, scopes=["chat"])
            modern = await client.get_token(user.raw_id, ["voip"])
            active = introspect(identity_service.endpoint, identity_service.access_key, legacy.token)
            await client.revoke_tokens(user)
            revoked = introspect(identity_service.endpoint, identity_service.access_key, legacy.token)
            await client.delete_user(user)
            with pytest.raises(ResourceNotFoundError):
                await client.delete_user(user)
            pair = await client.create_user_and_token(["chat"])
            return user, legacy, modern, active, revoked, pair

    user, legacy, modern, active, revoked, (user2, token2) = asyncio.run(main())
    assert user.raw_id.startswith("8:acs:") and len(user.raw_id) == 79
    assert isinstance(legacy, CommunicationIdentityToken)
    assert legacy.id == user.raw_id
    assert legacy.expires_on.utcoffset() == timedelta(0)
    assert type(modern.expires_on) is int
    assert abs(modern.expires_on - (time.time() + 86400)) < 60
    assert active["active"] is True and active["claims"]["acsScope"] == "chat"
    assert (revoked["active"], revoked["reason"]) == (False, "revoked")
    assert user2 != user and token2.token.count(".") == 2


def test_async_token_expires_in_over_aiohttp(identity_service):
    async def main():
        async with CommunicationIdentityClient.from_connection_string(identity_service.connection_string) as client:
            user = await client.create_user()
            token = await client.get_token(user, ["chat"], token_expires_in=timedelta(hours=1))
            with pytest.raises(HttpResponseError) as info:
                await client.get_token_for_teams_user(
                    "not-a-jwt",
                    "1fd5118e-2576-4263-8130-9503064c837a",
                    "0b3a6c1d-1111-4222-8333-944444444444",
                )
            await client.delete_user(user)
            return token, info.value

    token, err = asyncio.run(main())
    assert type(token.expires_on) is int
    assert abs(token.expires_on - (time.time() + 3600)) < 30
    assert err.error.code == "InvalidAccessToken"


def test_async_close_without_context_manager(identity_service):
    async def main():
        client = CommunicationIdentityClient.from_connection_string(identity_service.connection_string)
        user = await client.create_user()
        await client.delete_user(user)
        await client.close()
        return user

    assert asyncio.run(main()).raw_id.startswith("8:acs:")
