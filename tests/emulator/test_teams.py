"""Teams user exchange and Teams Phone (teamsExtension) routes."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from typing import Any

import pytest
from emu_helpers import RawClient, Reply, jwt_parts

from azure.communication.administration._generated import _catalog


def versions_with(path: str) -> str:
    """The api-supported-versions header of ``path``: every version whose document has it."""
    return ", ".join(v for v in _catalog.VERSIONS if any(p == path for _, _, p in _catalog.OPERATIONS[v]))


APP = "11111111-2222-3333-4444-555555555555"
USER = "66666666-7777-8888-9999-000000000000"
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"
V = "2025-06-30"


def exchange(client: RawClient, body: Any, raw: bytes | None = None, version: str = "2023-10-01") -> Reply:
    return client.request("POST", "/teamsUser/:exchangeAccessToken", body, raw=raw, api_version=version)


def valid_entra(client: RawClient, **overrides: Any) -> str:
    claims = {"appid": APP, "oid": USER, "tid": TENANT, "exp": int(time.time()) + 3600}
    claims.update(overrides)
    return client.entra_token(**claims)


def test_teams_user_exchange_success(client: RawClient) -> None:
    exp = int(time.time()) + 1800
    reply = exchange(client, {"token": valid_entra(client, exp=exp), "appId": APP, "userId": USER})
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    header = reply.header("api-supported-versions")
    assert header == versions_with("/teamsUser/:exchangeAccessToken")
    assert header.startswith(
        "2022-06-01, 2022-10-01, 2023-08-01, 2023-10-01, 2025-03-02-preview, 2025-04-01-preview, 2025-06-30"
    )
    data = reply.json()
    assert list(data) == ["token", "expiresOn"]
    _, claims = jwt_parts(data["token"])
    assert claims["exp"] == exp
    assert claims["skypeid"] == f"orgid:{USER}"
    from acs_identity_emulator._formats import parse_date_time  # fromisoformat on 3.10 takes 3 or 6 digits only

    assert parse_date_time(data["expiresOn"]) == exp
    assert client.introspect(data["token"])["active"] is True


def _err(code: str, message: str, target: str | None = None) -> dict[str, Any]:
    error = {"code": code, "message": message}
    if target is not None:
        error["target"] = target
    return {"error": error}


INVALID = _err("InvalidAccessToken", "Provided access token is not valid.")


@pytest.mark.parametrize(
    "body,status,expected",
    [
        ({"token": "", "appId": APP, "userId": USER}, 401, INVALID),
        ({"token": "not.a.jwt", "appId": APP, "userId": USER}, 401, INVALID),
        ({"token": "garbage", "appId": APP, "userId": USER}, 401, INVALID),
        (
            {"appId": APP, "userId": USER},
            400,
            _err("ValidationError", "The body is either missing or doesn't contain any token."),
        ),
        (
            {"token": "x", "appId": "", "userId": USER},
            400,
            _err("ValidationError", "AppId: The AppId field is required.", "AppId"),
        ),
        (
            {"token": "x", "appId": "not-a-guid", "userId": USER},
            400,
            _err("ValidationError", "Provided AppId has invalid format.", "appId"),
        ),
        (
            {"token": "x", "appId": APP, "userId": ""},
            400,
            _err("ValidationError", "UserId: The UserId field is required.", "UserId"),
        ),
        (
            {"token": "x", "appId": APP, "userId": "nope"},
            400,
            _err("ValidationError", "Provided UserId has invalid format.", "userId"),
        ),
    ],
)
def test_teams_user_exchange_errors(
    client: RawClient, body: dict[str, str], status: int, expected: dict[str, Any]
) -> None:
    reply = exchange(client, body)
    assert reply.status == status
    assert reply.header("Content-Type") == "application/json"
    assert reply.json() == expected


def test_teams_user_exchange_expired(client: RawClient) -> None:
    reply = exchange(client, {"token": valid_entra(client, exp=int(time.time()) - 10), "appId": APP, "userId": USER})
    assert reply.status == 401 and reply.json() == INVALID


def test_teams_user_exchange_wrong_app_and_user(client: RawClient) -> None:
    other = str(uuid.uuid4())
    reply = exchange(client, {"token": valid_entra(client), "appId": other, "userId": USER})
    assert reply.status == 400
    assert reply.json() == _err("ValidationError", "AAD application is not the expected one.", "appId")
    reply = exchange(client, {"token": valid_entra(client), "appId": APP, "userId": other})
    assert reply.status == 400
    assert reply.json() == _err("ValidationError", "Provided AAD token issued for unexpected user.", "userId")


@pytest.mark.parametrize("raw", [b"", b"null", b"{bad"])
def test_teams_user_exchange_body_missing(client: RawClient, raw: bytes) -> None:
    reply = exchange(client, None, raw=raw)
    assert reply.status == 400
    assert reply.json() == _err("ValidationError", "The body is either missing or doesn't contain any token.")


# -- Teams Phone ----------------------------------------------------------------
def assignment_path(tenant: str, obj: str) -> str:
    return f"/access/teamsExtension/tenants/{tenant}/assignments/{obj}"


def phone_exchange(client: RawClient, bearer: str | None, version: str = V) -> Reply:
    path = f"/access/teamsExtension/:exchangeAccessToken?api-version={version}"
    headers = {"Content-Type": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=30)
    try:
        conn.request("POST", path, body=b"{}", headers=headers)
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def test_assignment_crud(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    path = assignment_path(TENANT, obj)
    missing = client.request("GET", path, api_version=V)
    assert missing.status == 404
    assert missing.json() == _err(
        "AssignmentNotFound", f"Assignment for object '{obj}' in tenant '{TENANT}' was not found."
    )
    created = client.request("PUT", path, {"principalType": "resourceAccount"}, api_version=V)
    assert created.status == 201
    header = created.header("api-supported-versions")
    assert header == versions_with("/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}")
    assert header.startswith("2025-03-02-preview, 2025-06-30, 2026-09-23")
    assert created.json() == {"objectId": obj, "tenantId": TENANT, "principalType": "resourceAccount"}
    replaced = client.request("PUT", path, {"principalType": "user", "clientIds": [APP]}, api_version=V)
    assert replaced.status == 200
    assert replaced.json() == {"objectId": obj, "tenantId": TENANT, "principalType": "user", "clientIds": [APP]}
    got = client.request("GET", path, api_version=V)
    assert got.status == 200 and got.json() == replaced.json()
    deleted = client.request("DELETE", path, api_version=V)
    assert deleted.status == 204 and deleted.body == b"" and deleted.header("Content-Type") is None
    assert client.request("DELETE", path, api_version=V).status == 404


def test_assignment_validation(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    reply = client.request("PUT", assignment_path(TENANT, obj), {}, api_version=V)
    assert reply.json() == _err(
        "ValidationError", "PrincipalType: The PrincipalType field is required.", "PrincipalType"
    )
    reply = client.request("PUT", assignment_path(TENANT, obj), {"principalType": "robot"}, api_version=V)
    assert reply.status == 400
    # The values of the TeamsExtensionPrincipalType enum in the version's document.
    assert reply.json() == _err(
        "ValidationError", "PrincipalType must be one of 'resourceAccount', 'user'.", "PrincipalType"
    )
    reply = client.request(
        "PUT", assignment_path(TENANT, obj), {"principalType": "user", "clientIds": ["x"]}, api_version=V
    )
    assert reply.json() == _err("ValidationError", "Provided ClientIds has invalid format.", "clientIds")
    reply = client.request("GET", assignment_path("tenant", obj), api_version=V)
    assert reply.json() == _err("ValidationError", "Provided TenantId has invalid format.", "tenantId")
    reply = client.request("GET", assignment_path(TENANT, obj), api_version="2023-10-01")
    assert reply.status == 400 and reply.json()["error"]["code"] == "UnsupportedApiVersion"
    unsigned = client.request("GET", assignment_path(TENANT, obj), api_version=V, sign=False)
    assert unsigned.status == 401


def test_teams_phone_exchange(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    bearer = valid_entra(client, oid=obj)
    no_assignment = phone_exchange(client, bearer)
    assert no_assignment.status == 403
    assert no_assignment.json() == _err(
        "Forbidden", f"No Teams Phone access assignment exists for object '{obj}' in tenant '{TENANT}'."
    )
    other_app = str(uuid.uuid4())
    client.request(
        "PUT", assignment_path(TENANT, obj), {"principalType": "user", "clientIds": [other_app]}, api_version=V
    )
    wrong_client = phone_exchange(client, bearer)
    assert wrong_client.status == 403
    assert wrong_client.json()["error"]["message"] == (
        f"Client application '{APP}' is not allowed by the Teams Phone access assignment."
    )
    client.request("PUT", assignment_path(TENANT, obj), {"principalType": "user", "clientIds": [APP]}, api_version=V)
    reply = phone_exchange(client, bearer)
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    data = reply.json()
    assert list(data) == ["identity", "accessToken"]
    identity = data["identity"]["id"]
    resource = client.create().split("_")[0][len("8:acs:") :]
    assert identity == f"8:acs:{resource}_{TENANT}_{obj}"
    _, claims = jwt_parts(data["accessToken"]["token"])
    assert claims["skypeid"] == identity[2:]
    assert client.introspect(data["accessToken"]["token"])["active"] is True
    # the identity is a real one: it can be revoked like any other
    from urllib.parse import quote

    revoke = client.request("POST", f"/identities/{quote(identity, safe='')}/:revokeAccessTokens")
    assert revoke.status == 204
    assert client.introspect(data["accessToken"]["token"])["reason"] == "revoked"


@pytest.mark.parametrize("bearer", [None, "", "garbage"])
def test_teams_phone_exchange_bad_bearer(client: RawClient, bearer: str | None) -> None:
    reply = phone_exchange(client, bearer)
    assert reply.status == 401
    assert reply.json() == INVALID


def test_teams_phone_exchange_expired_bearer(client: RawClient) -> None:
    reply = phone_exchange(client, valid_entra(client, exp=int(time.time()) - 1))
    assert reply.status == 401 and reply.json() == INVALID


def test_teams_phone_exchange_version(client: RawClient) -> None:
    reply = phone_exchange(client, valid_entra(client), version="2023-10-01")
    assert reply.status == 400
    assert json.loads(reply.body)["error"]["code"] == "UnsupportedApiVersion"
