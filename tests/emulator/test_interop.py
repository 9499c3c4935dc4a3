"""Interop: the official ``azure-communication-identity`` 1.5.0 client against the emulator.

The client is built from the endpoint and an ``AzureKeyCredential``: its
``from_connection_string`` rewrites any endpoint to ``https://`` and the
emulator speaks plain HTTP (see the emulator README).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from emu_helpers import RawClient, jwt_parts

identity = pytest.importorskip("azure.communication.identity")

from acs_identity_emulator._formats import parse_date_time  # noqa: E402
from acs_identity_emulator.testing import EmulatorProcess, entra_token  # noqa: E402
from azure.communication.identity import (  # noqa: E402
    CommunicationIdentityClient,
    CommunicationTokenScope,
    CommunicationUserIdentifier,
)
from azure.core.credentials import AzureKeyCredential  # noqa: E402
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError  # noqa: E402

APP = "11111111-2222-3333-4444-555555555555"
USER = "66666666-7777-8888-9999-000000000000"
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"


@pytest.fixture()
def sdk(emulator: EmulatorProcess) -> Iterator[CommunicationIdentityClient]:
    client = CommunicationIdentityClient(emulator.endpoint.rstrip("/"), AzureKeyCredential(emulator.access_key))
    yield client


def _expires(token: Any) -> float:
    """Expiry as epoch seconds.

    azure-communication-identity 1.5.0 hands the wire ``expiresOn`` string
    through as ``AccessToken.expires_on`` unchanged, so this is also a check
    that the string is in the service's format.
    """
    value = token.expires_on
    assert isinstance(value, str)
    assert value.endswith("+00:00")
    return parse_date_time(value)  # not fromisoformat: on Python 3.10 it takes 3 or 6 fraction digits only


def _lifetime(token: Any) -> float:
    return _expires(token) - time.time()


# A deliberate pin of released history: the versions the published 1.5.0 client knows.
@pytest.mark.parametrize("api_version", ["2021-03-07", "2022-06-01", "2022-10-01", "2023-10-01"])
def test_create_user(emulator: EmulatorProcess, api_version: str) -> None:
    client = CommunicationIdentityClient(
        emulator.endpoint.rstrip("/"), AzureKeyCredential(emulator.access_key), api_version=api_version
    )
    user = client.create_user()
    assert isinstance(user, CommunicationUserIdentifier)
    assert user.properties["id"].startswith("8:acs:")
    assert len(user.properties["id"]) == 79
    assert user.raw_id == user.properties["id"]


@pytest.mark.parametrize(
    "scopes",
    [
        [CommunicationTokenScope.CHAT],
        [CommunicationTokenScope.VOIP],
        [CommunicationTokenScope.CHAT_JOIN],
        [CommunicationTokenScope.CHAT_JOIN_LIMITED],
        [CommunicationTokenScope.VOIP_JOIN],
        list(CommunicationTokenScope),
    ],
)
def test_create_user_and_token_every_scope(
    sdk: CommunicationIdentityClient, scopes: list[CommunicationTokenScope]
) -> None:
    user, token = sdk.create_user_and_token(scopes)
    _, claims = jwt_parts(token.token)
    assert claims["acsScope"] == ",".join(s.value for s in scopes)
    assert claims["skypeid"] == user.properties["id"][2:]
    assert abs(_lifetime(token) - 86400) < 60


@pytest.mark.parametrize("hours", [1, 24])
def test_create_user_and_token_with_expiry(sdk: CommunicationIdentityClient, hours: int) -> None:
    _, token = sdk.create_user_and_token(["chat"], token_expires_in=timedelta(hours=hours))
    assert abs(_lifetime(token) - hours * 3600) < 60


def test_get_token_without_and_with_expiry(sdk: CommunicationIdentityClient) -> None:
    user = sdk.create_user()
    token = sdk.get_token(user, [CommunicationTokenScope.CHAT, CommunicationTokenScope.VOIP])
    assert abs(_lifetime(token) - 86400) < 60
    assert jwt_parts(token.token)[1]["acsScope"] == "chat,voip"
    short = sdk.get_token(user, ["voip"], token_expires_in=timedelta(minutes=90))
    assert abs(_lifetime(short) - 5400) < 60


@pytest.mark.parametrize("minutes", [59, 1441])
def test_token_expiry_out_of_range(sdk: CommunicationIdentityClient, minutes: int) -> None:
    user = sdk.create_user()
    expected = f"ExpiresInMinutes value {minutes} is invalid. Value must be within the [60, 1440] interval."
    with pytest.raises(HttpResponseError) as caught:
        sdk.get_token(user, ["chat"], token_expires_in=timedelta(minutes=minutes))
    assert caught.value.status_code == 400
    assert caught.value.error is not None
    assert caught.value.error.code == "ValidationError"
    assert caught.value.error.message == expected
    with pytest.raises(HttpResponseError) as caught:
        sdk.create_user_and_token(["chat"], token_expires_in=timedelta(minutes=minutes))
    assert caught.value.status_code == 400
    assert caught.value.error is not None and caught.value.error.code == "ValidationError"
    assert caught.value.error.message == expected


def test_revoke_tokens(sdk: CommunicationIdentityClient, client: RawClient) -> None:
    user, token = sdk.create_user_and_token(["chat"])
    assert client.introspect(token.token)["active"] is True
    assert sdk.revoke_tokens(user) is None
    assert client.introspect(token.token)["reason"] == "revoked"


def test_delete_user(sdk: CommunicationIdentityClient, client: RawClient) -> None:
    user, token = sdk.create_user_and_token(["voip"])
    assert sdk.delete_user(user) is None
    assert client.introspect(token.token)["reason"] == "identity_deleted"
    with pytest.raises(ResourceNotFoundError) as caught:
        sdk.get_token(user, ["chat"])
    assert caught.value.status_code == 404
    assert caught.value.error is not None and caught.value.error.code == "IdentityNotFound"


def test_get_token_for_teams_user(sdk: CommunicationIdentityClient, emulator: EmulatorProcess) -> None:
    """The published client's Teams flow, unchanged, with a token from the service's Entra issuer."""
    exp = int(time.time()) + 1800
    aad = entra_token(emulator, TENANT, USER, APP, claims={"exp": exp})
    token = sdk.get_token_for_teams_user(aad, APP, USER)
    assert _expires(token) == exp


@pytest.mark.parametrize(
    "aad,app,user,status,code,message",
    [
        ("", APP, USER, 401, "InvalidAccessToken", "Provided access token is not valid."),
        ("invalid", APP, USER, 401, "InvalidAccessToken", "Provided access token is not valid."),
        ("expired", APP, USER, 401, "InvalidAccessToken", "Provided access token is not valid."),
        ("valid", "", USER, 400, "ValidationError", "AppId: The AppId field is required."),
        ("valid", "invalid", USER, 400, "ValidationError", "Provided AppId has invalid format."),
        ("valid", USER, USER, 400, "ValidationError", "AAD application is not the expected one."),
        ("valid", APP, "", 400, "ValidationError", "UserId: The UserId field is required."),
        ("valid", APP, "invalid", 400, "ValidationError", "Provided UserId has invalid format."),
        ("valid", APP, APP, 400, "ValidationError", "Provided AAD token issued for unexpected user."),
    ],
)
def test_get_token_for_teams_user_errors(
    sdk: CommunicationIdentityClient,
    emulator: EmulatorProcess,
    aad: str,
    app: str,
    user: str,
    status: int,
    code: str,
    message: str,
) -> None:
    if aad == "valid":
        aad = entra_token(emulator, TENANT, USER, APP, expires_in_minutes=10)
    elif aad == "expired":
        aad = entra_token(emulator, TENANT, USER, APP, claims={"exp": int(time.time()) - 600})
    with pytest.raises(HttpResponseError) as caught:
        sdk.get_token_for_teams_user(aad, app, user)
    assert caught.value.status_code == status
    assert caught.value.error is not None
    assert caught.value.error.code == code
    assert caught.value.error.message == message


def test_wrong_key_is_denied(emulator: EmulatorProcess) -> None:
    client = CommunicationIdentityClient(emulator.endpoint.rstrip("/"), AzureKeyCredential("d3Jvbmcga2V5"))
    with pytest.raises(HttpResponseError) as caught:
        client.create_user()
    assert caught.value.status_code == 401
    assert caught.value.error is not None and caught.value.error.code == "Denied"
    assert caught.value.error.message == "Denied by the resource provider."


def test_async_client(emulator: EmulatorProcess) -> None:
    from azure.communication.identity.aio import CommunicationIdentityClient as AsyncClient

    async def scenario() -> None:
        async with AsyncClient(emulator.endpoint.rstrip("/"), AzureKeyCredential(emulator.access_key)) as client:
            user, token = await client.create_user_and_token(["chat", "voip"])
            again = await client.get_token(user, ["chat"], token_expires_in=timedelta(hours=2))
            assert abs(_lifetime(again) - 7200) < 60
            await client.revoke_tokens(user)
            await client.delete_user(user)
            with pytest.raises(ResourceNotFoundError):
                await client.get_token(user, ["chat"])
            assert _expires(token) > datetime.now(timezone.utc).timestamp()

    asyncio.run(scenario())
