"""The sync client against the local Identity service (``identity_service`` fixture)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from azure.communication.administration import (
    ApiVersion,
    CommunicationIdentityClient,
    CommunicationIdentityToken,
    CommunicationTokenScope,
    CommunicationUser,
)

from ._introspect import introspect
from ._wire_cases import GA, LATEST, PREVIEW

# The 2020 preview protocol (a deliberate pin of released history) and the newest GA version.
FLOW_VERSIONS = [PREVIEW, LATEST]


def _client(service, version=None, **kwargs):
    kwargs.setdefault("retry_total", 0)
    if version is not None:
        kwargs["api_version"] = version
    return CommunicationIdentityClient.from_connection_string(service.connection_string, **kwargs)


def _active(service, token):
    return introspect(service.endpoint, service.access_key, token)


@pytest.mark.parametrize("version", FLOW_VERSIONS, ids=str)
def test_2020_flow(identity_service, version):
    with _client(identity_service, version) as client:
        user = client.create_user()
        assert isinstance(user, CommunicationUser)
        assert user.identifier.startswith("8:acs:")
        assert len(user.identifier) == 79
        token = client.issue_token(user, scopes=["chat"])
        assert isinstance(token, CommunicationIdentityToken)
        assert token.id == user.identifier
        assert token.expires_on.tzinfo is not None
        assert token.expires_on.utcoffset() == timedelta(0)
        lifetime = token.expires_on - datetime.now(timezone.utc)
        assert timedelta(hours=23, minutes=58) < lifetime <= timedelta(hours=24, seconds=5)
        state = _active(identity_service, token.token)
        assert state["active"] is True
        assert state["claims"]["acsScope"] == "chat"
        assert state["claims"]["skypeid"] == user.identifier[2:]
        client.revoke_tokens(user)
        state = _active(identity_service, token.token)
        assert (state["active"], state["reason"]) == (False, "revoked")
        client.delete_user(user)
        assert _active(identity_service, token.token)["reason"] == "identity_deleted"
        with pytest.raises(ResourceNotFoundError) as info:
            client.issue_token(user, scopes=["chat"])
        assert info.value.error.code == "IdentityNotFound"


def test_preview_revoke_issued_before_keeps_later_tokens(identity_service):
    with _client(identity_service, ApiVersion.V2020_07_20_PREVIEW2) as client:
        user = client.create_user()
        old = client.issue_token(user, ["voip"])
        # The service's iat is in whole seconds: cut at the next whole second, then wait for it.
        cutoff_epoch = int(time.time()) + 1
        cutoff = datetime.fromtimestamp(cutoff_epoch, timezone.utc)
        time.sleep(max(0.0, cutoff_epoch - time.time() + 0.02))
        new = client.issue_token(user, ["chat"])
        client.revoke_tokens(user, issued_before=cutoff)
        assert _active(identity_service, old.token)["active"] is False
        assert _active(identity_service, new.token)["active"] is True
        client.delete_user(user)


def test_modern_flow(identity_service):
    with _client(identity_service) as client:
        user, token = client.create_user_and_token(
            [CommunicationTokenScope.CHAT, "voip"], token_expires_in=timedelta(hours=2)
        )
        assert type(token.expires_on) is int
        assert abs(token.expires_on - (time.time() + 7200)) < 30
        assert _active(identity_service, token.token)["claims"]["acsScope"] == "chat,voip"
        hour = client.get_token(user, ["chat.join"], token_expires_in=timedelta(hours=1))
        assert type(hour.expires_on) is int
        assert abs(hour.expires_on - (time.time() + 3600)) < 30
        client.revoke_tokens(user)
        assert _active(identity_service, token.token)["active"] is False
        assert _active(identity_service, hour.token)["active"] is False
        client.delete_user(user)


def test_preview_create_user_and_token(identity_service):
    with _client(identity_service, ApiVersion.V2020_07_20_PREVIEW2) as client:
        user, token = client.create_user_and_token(["chat"])
        assert _active(identity_service, token.token)["claims"]["skypeid"] == user.raw_id[2:]
        assert type(token.expires_on) is int


@pytest.mark.parametrize("version", [PREVIEW, GA[0], LATEST], ids=str)
def test_unknown_user(identity_service, version):
    with _client(identity_service, version) as client:
        user = client.create_user()
        client.delete_user(user)
        with pytest.raises(ResourceNotFoundError) as info:
            client.get_token(user, ["chat"])
        assert info.value.status_code == 404
        assert info.value.error.code == "IdentityNotFound"
        with pytest.raises(ResourceNotFoundError):
            client.revoke_tokens(user.raw_id)


def test_teams_user_invalid_token(identity_service):
    with _client(identity_service) as client:
        with pytest.raises(HttpResponseError) as info:
            client.get_token_for_teams_user(
                "not-a-jwt",
                "1fd5118e-2576-4263-8130-9503064c837a",
                "0b3a6c1d-1111-4222-8333-944444444444",
            )
        assert isinstance(info.value, ClientAuthenticationError)
        assert info.value.error.code == "InvalidAccessToken"
        assert info.value.error.message == "Provided access token is not valid."


def test_wrong_key_is_denied(identity_service):
    client = CommunicationIdentityClient(identity_service.endpoint, "d3Jvbmcta2V5LXdyb25nLWtleQ==", retry_total=0)
    with pytest.raises(ClientAuthenticationError) as info:
        client.create_user()
    assert info.value.error.code == "Denied"
    client.close()


def test_close_and_context_manager(identity_service):
    client = _client(identity_service)
    assert client.create_user().raw_id.startswith("8:acs:")
    client.close()
    with _client(identity_service) as client2:
        assert client2.create_user().raw_id.startswith("8:acs:")


def test_close_and_with_reach_the_transport():
    from . import _fakes as f

    transport = f.FakeTransport(default=f.ga_identity())
    with CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport) as client:
        assert (transport.opened, transport.closed) == (1, 0)
        client.create_user()
    assert transport.closed == 1
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    client.close()
    assert transport.closed == 2
