"""The generated clients build the right HTTP request for every supported API version.

The ``ga`` layer is generated once, from the newest GA document, and must send
whichever ``api-version`` the caller chose; ``preview2020`` speaks the 2020 preview protocol.
Every operation goes through the real generated pipeline down to a fake transport that
records the request and answers the way the service does; the assertions are literal
(method, percent-encoded path, query, headers, body bytes).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
from azure.core.pipeline.transport import HttpResponse, HttpTransport
from azure.core.rest import HttpRequest

from azure.communication.administration._generated import _catalog, ga, preview2020

ENDPOINT = "https://contoso.communication.azure.com"
HOST = "contoso.communication.azure.com"
USER_ID = "8:acs:abc_def"  # ":" must reach the wire as %3A
USER_PATH = "8%3Aacs%3Aabc_def"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OBJECT_ID = "4f9c4f5b-2c0e-4c8b-9d0f-6a3a1e2b7c11"
ASSIGNMENT_PATH = f"/access/teamsExtension/tenants/{TENANT_ID}/assignments/{OBJECT_ID}"
EXPIRES_ON = "2026-09-24T10:00:00Z"

GA_VERSIONS = _catalog.GA_VERSIONS  # every GA swagger document, oldest first
PREVIEW_VERSION = "2020-07-20-preview2"


# --------------------------------------------------------------------------- fake transport


class _CannedResponse(HttpResponse):
    def __init__(self, request: Any, status: int, body: Optional[dict[str, Any]]) -> None:
        super().__init__(request, None)
        self.status_code = status
        self.reason = {200: "OK", 201: "Created", 204: "No Content"}.get(status, "Error")
        self._bytes = b"" if body is None else json.dumps(body).encode()
        self.headers = {"Content-Length": str(len(self._bytes))}
        if body is not None:
            self.headers["Content-Type"] = "application/json; charset=utf-8"
        self.content_type = self.headers.get("Content-Type")

    def body(self) -> bytes:
        return self._bytes


class RecordingTransport(HttpTransport):
    """Answers every request with one canned response and keeps the requests it saw."""

    def __init__(self, status: int, body: Optional[dict[str, Any]] = None) -> None:
        self.status = status
        self.response_body = body
        self.requests: list[HttpRequest] = []

    def send(self, request: Any, **kwargs: Any) -> _CannedResponse:
        self.requests.append(request)
        return _CannedResponse(request, self.status, self.response_body)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> RecordingTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass


def _only_request(transport: RecordingTransport) -> HttpRequest:
    assert len(transport.requests) == 1, transport.requests
    return transport.requests[0]


def _assert_request(
    request: HttpRequest,
    method: str,
    path: str,
    api_version: str,
    body: Optional[bytes],
    content_type: Optional[str],
) -> None:
    url = urlsplit(request.url)
    assert (request.method, url.scheme, url.netloc) == (method, "https", HOST)
    assert url.path == path
    assert url.query == f"api-version={api_version}"
    assert request.headers.get("Content-Type") == content_type
    if body is None:
        assert not request.content
        assert request.headers.get("Content-Length") in (None, "0")
    else:
        sent = request.content
        assert isinstance(sent, (str, bytes))
        assert (sent.encode() if isinstance(sent, str) else sent) == body
        assert request.headers["Content-Length"] == str(len(body))


# --------------------------------------------------------------------------- GA cases

IDENTITY = {"id": USER_ID}
TOKEN = {"token": "eyJ0eXAi.token", "expiresOn": EXPIRES_ON}
ASSIGNMENT = {
    "objectId": OBJECT_ID,
    "tenantId": TENANT_ID,
    "principalType": "user",
    "clientIds": ["1b7e4f0e-8f1e-4a39-9c4c-0d6e5f4a3b21"],
}


def _scopes(version: str) -> list[str]:
    return ["chat", "voip"] if version < "2023-10-01" else ["chat.join", "voip.join"]


def _expires(version: str) -> Optional[int]:
    """``expiresInMinutes`` exists from 2022-10-01; None keeps it off the wire before that."""
    return None if version < "2022-10-01" else 60


def _create_body(version: str) -> bytes:
    if version < "2022-10-01":
        return b'{"createTokenWithScopes": ["chat", "voip"]}'
    if version < "2023-10-01":
        return b'{"createTokenWithScopes": ["chat", "voip"], "expiresInMinutes": 60}'
    return b'{"createTokenWithScopes": ["chat.join", "voip.join"], "expiresInMinutes": 60}'


def _issue_body(version: str) -> bytes:
    if version < "2022-10-01":
        return b'{"scopes": ["chat", "voip"]}'
    if version < "2023-10-01":
        return b'{"scopes": ["chat", "voip"], "expiresInMinutes": 60}'
    return b'{"scopes": ["chat.join", "voip.join"], "expiresInMinutes": 60}'


@dataclass(frozen=True)
class GaCase:
    name: str
    since: str
    call: Callable[[Any, str], Any]  # (client, api_version) -> result
    method: str
    path: str
    body: Callable[[str], Optional[bytes]]
    status: int
    response: Optional[dict[str, Any]]
    check: Callable[[Any], bool]


m = ga.models
GA_CASES = [
    GaCase(
        "create without body",
        "2021-03-07",
        lambda c, v: c.communication_identity.create(),
        "POST",
        "/identities",
        lambda v: None,
        201,
        {"identity": IDENTITY},
        lambda r: r.identity.id == USER_ID and r.access_token is None,
    ),
    GaCase(
        "create with token",
        "2021-03-07",
        lambda c, v: c.communication_identity.create(
            m.CommunicationIdentityCreateRequest(create_token_with_scopes=_scopes(v), expires_in_minutes=_expires(v))
        ),
        "POST",
        "/identities",
        _create_body,
        201,
        {"identity": IDENTITY, "accessToken": TOKEN},
        lambda r: r.identity.id == USER_ID and r.access_token.token == TOKEN["token"],
    ),
    GaCase(
        "issue access token",
        "2021-03-07",
        lambda c, v: c.communication_identity.issue_access_token(
            USER_ID,
            m.CommunicationIdentityAccessTokenRequest(scopes=_scopes(v), expires_in_minutes=_expires(v)),
        ),
        "POST",
        f"/identities/{USER_PATH}/:issueAccessToken",
        _issue_body,
        200,
        TOKEN,
        lambda r: (
            r.token == TOKEN["token"]
            and r.expires_on == datetime.datetime(2026, 9, 24, 10, 0, tzinfo=datetime.timezone.utc)
        ),
    ),
    GaCase(
        "revoke access tokens",
        "2021-03-07",
        lambda c, v: c.communication_identity.revoke_access_tokens(USER_ID),
        "POST",
        f"/identities/{USER_PATH}/:revokeAccessTokens",
        lambda v: None,
        204,
        None,
        lambda r: r is None,
    ),
    GaCase(
        "delete identity",
        "2021-03-07",
        lambda c, v: c.communication_identity.delete(USER_ID),
        "DELETE",
        f"/identities/{USER_PATH}",
        lambda v: None,
        204,
        None,
        lambda r: r is None,
    ),
    GaCase(
        "teams user exchange",
        "2022-06-01",
        lambda c, v: c.teams_user.exchange_teams_user_access_token(
            m.TeamsUserExchangeTokenRequest(token="entra.jwt", app_id="app-1", user_id="oid-1")
        ),
        "POST",
        "/teamsUser/:exchangeAccessToken",
        lambda v: b'{"token": "entra.jwt", "appId": "app-1", "userId": "oid-1"}',
        200,
        TOKEN,
        lambda r: r.token == TOKEN["token"],
    ),
    GaCase(
        "teams extension exchange",
        "2025-06-30",
        lambda c, v: c.teams_extension.exchange_token({}),
        "POST",
        "/access/teamsExtension/:exchangeAccessToken",
        lambda v: b"{}",
        200,
        {"identity": IDENTITY, "accessToken": TOKEN},
        lambda r: r.identity.id == USER_ID and r.access_token.token == TOKEN["token"],
    ),
    GaCase(
        "teams extension get assignment",
        "2025-06-30",
        lambda c, v: c.teams_extension.get_assignment(TENANT_ID, OBJECT_ID),
        "GET",
        ASSIGNMENT_PATH,
        lambda v: None,
        200,
        ASSIGNMENT,
        lambda r: (
            isinstance(r, m.TeamsExtensionAssignment)
            and (r.object_id, r.tenant_id, r.principal_type) == (OBJECT_ID, TENANT_ID, "user")
        ),
    ),
    GaCase(
        "teams extension upsert assignment",
        "2025-06-30",
        lambda c, v: c.teams_extension.upsert_assignment(
            TENANT_ID,
            OBJECT_ID,
            m.TeamsExtensionAssignmentCreateOrUpdateRequest(
                principal_type=m.TeamsExtensionPrincipalType.USER,
                client_ids=ASSIGNMENT["clientIds"],
            ),
        ),
        "PUT",
        ASSIGNMENT_PATH,
        lambda v: b'{"principalType": "user", "clientIds": ["1b7e4f0e-8f1e-4a39-9c4c-0d6e5f4a3b21"]}',
        201,
        ASSIGNMENT,
        lambda r: r.client_ids == ASSIGNMENT["clientIds"],
    ),
    GaCase(
        "teams extension delete assignment",
        "2025-06-30",
        lambda c, v: c.teams_extension.delete_assignment(TENANT_ID, OBJECT_ID),
        "DELETE",
        ASSIGNMENT_PATH,
        lambda v: None,
        204,
        None,
        lambda r: r is None,
    ),
]

GA_PARAMS = [
    pytest.param(version, case, id=f"{version}-{case.name.replace(' ', '_')}")
    for version in GA_VERSIONS
    for case in GA_CASES
    if version >= case.since
]


def test_every_version_is_covered() -> None:
    per_version = {v: sum(1 for p in GA_PARAMS if p.values[0] == v) for v in GA_VERSIONS}
    # A version added later has at least what the newest one it follows has.
    assert all(count >= 10 for v, count in per_version.items() if v > "2026-09-23")
    assert {v: per_version[v] for v in GA_VERSIONS if v <= "2026-09-23"} == {
        "2021-03-07": 5,
        "2022-06-01": 6,
        "2022-10-01": 6,
        "2023-08-01": 6,
        "2023-10-01": 6,
        "2025-06-30": 10,
        "2026-09-23": 10,
    }


@pytest.mark.parametrize(("version", "case"), GA_PARAMS)
def test_ga_request(version: str, case: GaCase) -> None:
    transport = RecordingTransport(case.status, case.response)
    client = ga.IdentityRestClient(endpoint=ENDPOINT, api_version=version, transport=transport)

    result = case.call(client, version)

    body = case.body(version)
    _assert_request(
        _only_request(transport),
        case.method,
        case.path,
        version,
        body,
        None if body is None else "application/json",
    )
    assert case.check(result), result


def test_ga_client_defaults_to_the_version_it_was_generated_from() -> None:
    transport = RecordingTransport(204)
    client = ga.IdentityRestClient(endpoint=ENDPOINT, transport=transport)

    client.communication_identity.delete(USER_ID)

    assert urlsplit(_only_request(transport).url).query == f"api-version={_catalog.LATEST_GA}"


def test_model_default_puts_expires_in_minutes_on_the_wire_unless_cleared() -> None:
    # The spec's `default: 1440` becomes the model's keyword default, so a caller that targets
    # 2021-03-07 / 2022-06-01 (no expiresInMinutes there) must pass expires_in_minutes=None.
    transport = RecordingTransport(201, {"identity": IDENTITY})
    client = ga.IdentityRestClient(endpoint=ENDPOINT, api_version="2021-03-07", transport=transport)

    client.communication_identity.create(m.CommunicationIdentityCreateRequest(create_token_with_scopes=["chat"]))

    assert _only_request(transport).content == ('{"createTokenWithScopes": ["chat"], "expiresInMinutes": 1440}')


def test_ga_error_response_raises_with_the_service_error() -> None:
    from azure.core.exceptions import HttpResponseError

    error = {"error": {"code": "ValidationError", "message": "scopes is required"}}
    transport = RecordingTransport(400, error)
    client = ga.IdentityRestClient(endpoint=ENDPOINT, api_version="2023-10-01", transport=transport)

    with pytest.raises(HttpResponseError) as raised:
        client.communication_identity.issue_access_token(USER_ID, m.CommunicationIdentityAccessTokenRequest(scopes=[]))

    assert raised.value.status_code == 400
    assert raised.value.error is not None and raised.value.error.code == "ValidationError"


# --------------------------------------------------------------------------- preview 2020

p = preview2020.models
TOKENS_VALID_FROM = datetime.datetime(2020, 7, 20, 12, 0, tzinfo=datetime.timezone.utc)


def _preview_client(transport: RecordingTransport, explicit: bool) -> Any:
    if explicit:
        return preview2020.IdentityPreview2020RestClient(
            endpoint=ENDPOINT, api_version=PREVIEW_VERSION, transport=transport
        )
    return preview2020.IdentityPreview2020RestClient(endpoint=ENDPOINT, transport=transport)


@pytest.mark.parametrize("explicit", [True, False], ids=["explicit-version", "default-version"])
def test_preview_create(explicit: bool) -> None:
    transport = RecordingTransport(200, IDENTITY)

    result = _preview_client(transport, explicit).communication_identity.create()

    _assert_request(_only_request(transport), "POST", "/identities", PREVIEW_VERSION, None, None)
    assert isinstance(result, p.CommunicationIdentity) and result.id == USER_ID


@pytest.mark.parametrize("explicit", [True, False], ids=["explicit-version", "default-version"])
def test_preview_issue_token(explicit: bool) -> None:
    transport = RecordingTransport(200, {"id": USER_ID, "token": "eyJ0eXAi.token", "expiresOn": EXPIRES_ON})

    result = _preview_client(transport, explicit).communication_identity.issue_token(
        USER_ID, p.CommunicationTokenRequest(scopes=["chat", "voip"])
    )

    _assert_request(
        _only_request(transport),
        "POST",
        f"/identities/{USER_PATH}/token",
        PREVIEW_VERSION,
        b'{"scopes": ["chat", "voip"]}',
        "application/json",
    )
    assert isinstance(result, p.IdentityTokenResult)
    assert (result.id, result.token) == (USER_ID, "eyJ0eXAi.token")


@pytest.mark.parametrize("explicit", [True, False], ids=["explicit-version", "default-version"])
def test_preview_update_tokens_valid_from(explicit: bool) -> None:
    transport = RecordingTransport(204)

    result = _preview_client(transport, explicit).communication_identity.update(
        USER_ID, p.CommunicationIdentityUpdateRequest(tokens_valid_from=TOKENS_VALID_FROM)
    )

    _assert_request(
        _only_request(transport),
        "PATCH",
        f"/identities/{USER_PATH}",
        PREVIEW_VERSION,
        b'{"tokensValidFrom": "2020-07-20T12:00:00.000Z"}',
        "application/merge-patch+json",
    )
    assert result is None


@pytest.mark.parametrize("explicit", [True, False], ids=["explicit-version", "default-version"])
def test_preview_delete(explicit: bool) -> None:
    transport = RecordingTransport(204)

    result = _preview_client(transport, explicit).communication_identity.delete(USER_ID)

    _assert_request(_only_request(transport), "DELETE", f"/identities/{USER_PATH}", PREVIEW_VERSION, None, None)
    assert result is None


def test_preview_layer_has_only_the_2020_operations() -> None:
    ops = preview2020.IdentityPreview2020RestClient(
        endpoint=ENDPOINT, transport=RecordingTransport(204)
    ).communication_identity
    public = {name for name in dir(ops) if not name.startswith("_") and callable(getattr(ops, name))}
    assert public == {"create", "delete", "issue_token", "update"}
