"""Service errors become azure-core exceptions; logging never writes a secret."""

from __future__ import annotations

import logging
import re

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)

from azure.communication.administration import ApiVersion, CommunicationIdentityClient

from . import _fakes as f
from ._wire_cases import GA, LATEST, PREVIEW

VERSIONS = [PREVIEW, GA[0], LATEST]
DENIED = f.error(401, "Denied", "Denied by the resource provider.")
NOT_FOUND = f.error(404, "IdentityNotFound", "Identity not found.", "id")
VALIDATION = f.error(
    400,
    "ValidationError",
    "ExpiresInMinutes value 59 is invalid. Value must be within the [60, 1440] interval.",
    "ExpiresInMinutes",
)

CALLS = {
    "create_user": lambda c: c.create_user(),
    "issue_token": lambda c: c.issue_token(f.USER_ID, ["chat"]),
    "get_token": lambda c: c.get_token(f.USER_ID, ["chat"]),
    "revoke_tokens": lambda c: c.revoke_tokens(f.USER_ID),
    "delete_user": lambda c: c.delete_user(f.USER_ID),
    "create_user_and_token": lambda c: c.create_user_and_token(["chat"]),
}


def _client(version, *responses):
    transport = f.FakeTransport(*responses)
    return CommunicationIdentityClient(
        f.ENDPOINT, f.KEY, api_version=version, transport=transport, retry_total=0
    ), transport


@pytest.mark.parametrize("version", VERSIONS, ids=str)
@pytest.mark.parametrize("call", list(CALLS), ids=str)
def test_401_is_client_authentication_error(version, call):
    client, transport = _client(version, DENIED)
    with pytest.raises(ClientAuthenticationError) as info:
        CALLS[call](client)
    err = info.value
    assert err.status_code == 401
    assert err.error.code == "Denied"
    assert err.error.message == "Denied by the resource provider."
    assert "Denied by the resource provider." in str(err)
    assert len(transport.requests) == 1


@pytest.mark.parametrize("version", VERSIONS, ids=str)
@pytest.mark.parametrize("call", ["issue_token", "get_token", "revoke_tokens", "delete_user"])
def test_404_is_resource_not_found(version, call):
    client, _ = _client(version, NOT_FOUND)
    with pytest.raises(ResourceNotFoundError) as info:
        CALLS[call](client)
    assert info.value.status_code == 404
    assert info.value.error.code == "IdentityNotFound"
    assert info.value.error.message == "Identity not found."
    assert info.value.error.target == "id"


@pytest.mark.parametrize("version", VERSIONS, ids=str)
def test_400_validation_error(version):
    client, _ = _client(version, VALIDATION)
    with pytest.raises(HttpResponseError) as info:
        client.get_token(f.USER_ID, ["chat"])
    err = info.value
    assert type(err) is HttpResponseError
    assert err.status_code == 400
    assert err.error.code == "ValidationError"
    assert err.error.message == ("ExpiresInMinutes value 59 is invalid. Value must be within the [60, 1440] interval.")


def test_teams_user_invalid_token():
    client, _ = _client(
        ApiVersion.V2022_06_01, f.error(401, "InvalidAccessToken", "Provided access token is not valid.")
    )
    with pytest.raises(ClientAuthenticationError) as info:
        client.get_token_for_teams_user(
            "bad", "1fd5118e-2576-4263-8130-9503064c837a", "0b8ef3a9-8a4b-4bc4-b3a1-2a2f1e0f7a10"
        )
    assert info.value.error.code == "InvalidAccessToken"
    assert info.value.error.message == "Provided access token is not valid."


def test_error_body_that_is_not_json():
    client, _ = _client(ApiVersion.V2026_09_23, (500, b"<html>oops</html>"))
    with pytest.raises(HttpResponseError) as info:
        client.create_user()
    assert info.value.status_code == 500


def test_preview_second_step_error_in_create_user_and_token():
    client, transport = _client(PREVIEW, f.preview_identity(), DENIED)
    with pytest.raises(ClientAuthenticationError):
        client.create_user_and_token(["chat"])
    assert len(transport.requests) == 2


def test_logging_redacts_secrets_with_fakes(caplog):
    caplog.set_level(logging.DEBUG)
    transport = f.FakeTransport(f.ga_identity(with_token=True))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport, logging_enable=True)
    client.create_user_and_token(["chat"])
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"POST https://contoso.communication.azure.com/identities?api-version={LATEST.value}" in text
    assert re.search(r"'Authorization': '?REDACTED", text)
    assert '"token":"REDACTED"' in text
    signature = transport.last.header("Authorization").split("Signature=")[1]
    for secret in (f.KEY, signature, f.TOKEN):
        assert secret not in text


def test_logging_redacts_secrets_against_the_emulator(caplog, identity_service):
    captured: list[str] = []

    def hook(request):
        captured.append(request.http_request.headers["Authorization"])

    caplog.set_level(logging.DEBUG)
    key = identity_service.access_key
    with CommunicationIdentityClient.from_connection_string(
        identity_service.connection_string, logging_enable=True, raw_request_hook=hook
    ) as client:
        user = client.create_user()
        token = client.get_token(user, ["chat", "voip"])
        legacy = client.issue_token(user, ["chat"])
        client.revoke_tokens(user)
        client.delete_user(user)
    assert len(captured) == 5
    signatures = [a.split("Signature=")[1] for a in captured]
    assert all(len(s) == 44 for s in signatures)
    records = [r.getMessage() for r in caplog.records]
    assert len(records) >= 10  # something was logged: request and response per call
    text = "\n".join(records)
    assert user.raw_id in text  # the log is useful...
    assert "/:issueAccessToken" in text
    for secret in (key, *signatures, token.token, legacy.token):
        assert secret not in text  # ...and has no secret
    # the JWT parts individually (a token split across lines would still leak)
    for part in token.token.split("."):
        assert part not in text
