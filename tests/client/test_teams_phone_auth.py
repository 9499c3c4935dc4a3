"""The Teams Phone exchange is authorised by the caller's Entra token, on every try, whatever the client credential.

The token travels as a per-call option that the client's authentication policy
(azure-core's ``authentication_policy`` slot) takes out and applies; these tests
pin that it replaces the client's HMAC signature or bearer token, survives a
retry, and never reaches the transport as an option.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from azure.communication.administration import ApiVersion, CommunicationIdentityClient
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncCommunicationIdentityClient

from . import _fakes as f

PHONE_TOKEN = "entra-phone-token-abc"
CLIENT_TOKEN = "client-entra-token-xyz"
PHONE_ID = "8:orgid:00000000-0000-0000-0000-0000000000ab"
EXCHANGED = (200, {"identity": {"id": PHONE_ID}, "accessToken": {"token": f.TOKEN, "expiresOn": f.EXPIRES_ON}})
BUSY = (503, None, {"Retry-After": "0"})


class _Credential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(CLIENT_TOKEN, 4_102_444_800)


class _AsyncCredential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(CLIENT_TOKEN, 4_102_444_800)


class _OptionsSeen(f.FakeTransport):
    def __init__(self, *responses: Any) -> None:
        super().__init__(*responses)
        self.options: list[dict[str, Any]] = []

    def send(self, request: Any, **kwargs: Any) -> Any:
        self.options.append(kwargs)
        return super().send(request, **kwargs)


@pytest.mark.parametrize("credential", [f.KEY, _Credential()], ids=["key", "entra"])
def test_sync_phone_exchange_uses_the_phone_token_on_every_try(credential: Any) -> None:
    transport = _OptionsSeen(BUSY, EXCHANGED)
    client = CommunicationIdentityClient(
        f.ENDPOINT, credential, api_version=ApiVersion.V2025_06_30, transport=transport, retry_backoff_factor=0
    )
    identity, token = client.get_token_for_teams_phone_user(PHONE_TOKEN)
    assert identity.raw_id == PHONE_ID
    assert token.token == f.TOKEN
    assert [r.header("Authorization") for r in transport.requests] == [f"Bearer {PHONE_TOKEN}"] * 2
    assert all("acs_teams_phone_token" not in options for options in transport.options)
    # The next call of the same client is authorised by its own credential again.
    transport.queue(f.ga_identity())
    client.create_user()
    assert transport.last.header("Authorization") != f"Bearer {PHONE_TOKEN}"


@pytest.mark.parametrize("credential", [f.KEY, _AsyncCredential()], ids=["key", "entra"])
def test_async_phone_exchange_uses_the_phone_token_on_every_try(credential: Any) -> None:
    async def run() -> list[str | None]:
        transport = f.FakeAsyncTransport(BUSY, EXCHANGED)
        async with AsyncCommunicationIdentityClient(
            f.ENDPOINT, credential, api_version=ApiVersion.V2025_06_30, transport=transport, retry_backoff_factor=0
        ) as client:
            await client.get_token_for_teams_phone_user(PHONE_TOKEN)
        return [r.header("Authorization") for r in transport.requests]

    assert asyncio.run(run()) == [f"Bearer {PHONE_TOKEN}"] * 2
