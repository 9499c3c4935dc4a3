"""Entra ID users (2025-03-02-preview): Entra access assignments and the Entra token exchange."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from emu_helpers import RawClient, Reply, jwt_parts

from azure.communication.administration._generated import _catalog

V = "2025-03-02-preview"
APP = "11111111-2222-3333-4444-555555555555"
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"
CLIENTS = "https://communication.azure.com/clients"
ASSIGNMENTS = "/access/entra/assignments"
EXCHANGE = "/access/entra/:exchangeAccessToken"
INVALID = {"error": {"code": "InvalidAccessToken", "message": "Provided access token is not valid."}}


def _err(message: str, target: str | None = None, code: str = "ValidationError") -> dict[str, Any]:
    error = {"code": code, "message": message}
    if target is not None:
        error["target"] = target
    return {"error": error}


def versions_with(path: str) -> str:
    return ", ".join(v for v in _catalog.VERSIONS if any(p == path for _, _, p in _catalog.OPERATIONS[v]))


def entra_user_token(client: RawClient, obj: str, **claims: Any) -> str:
    """A token of the local Entra issuer for the Communication Services Clients resource (VoIP)."""
    minted: dict[str, Any] = {
        "appid": APP,
        "oid": obj,
        "tid": TENANT,
        "aud": CLIENTS,
        "scp": "VoIP",
        "exp": int(time.time()) + 3600,
    }
    minted.update(claims)
    return client.entra_token(**minted)


def exchange(client: RawClient, bearer: str | None, version: str = V, body: bytes = b"{}") -> Reply:
    headers = {"Content-Type": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=30)
    try:
        conn.request("POST", f"{EXCHANGE}?api-version={version}", body=body, headers=headers)
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def put(client: RawClient, obj: str, body: Any) -> Reply:
    return client.request("PUT", f"{ASSIGNMENTS}/{obj}", body, api_version=V)


def user_assignment(client_ids: list[str], tenant: str = TENANT, kind: str = "user") -> dict[str, Any]:
    return {"principalType": kind, "tenantId": tenant, "clientIds": client_ids}


# -- assignments ---------------------------------------------------------------
def test_assignment_crud(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    path = f"{ASSIGNMENTS}/{obj}"
    missing = client.request("GET", path, api_version=V)
    assert missing.status == 404
    assert missing.json() == _err(f"Entra assignment for object '{obj}' was not found.", code="AssignmentNotFound")
    created = put(client, obj, user_assignment([APP.upper(), APP]))
    assert created.status == 201
    assert created.header("api-supported-versions") == versions_with("/access/entra/assignments/{objectId}") == V
    assert created.header("Content-Type") == "application/json; charset=utf-8"
    # ids lower-cased, duplicates dropped, keys in the document's order
    assert (
        created.body
        == (f'{{"objectId":"{obj}","tenantId":"{TENANT}","principalType":"user","clientIds":["{APP}"]}}').encode()
    )
    other = str(uuid.uuid4())
    replaced = put(client, obj.upper(), user_assignment([APP, other], kind="group"))
    assert replaced.status == 200
    assert replaced.json() == {"objectId": obj, "tenantId": TENANT, "principalType": "group", "clientIds": [APP, other]}
    got = client.request("GET", path, api_version=V)
    assert got.status == 200 and got.json() == replaced.json()
    listed = client.request("GET", ASSIGNMENTS, api_version=V)
    assert listed.status == 200
    assert listed.header("api-supported-versions") == V
    value = listed.json()["value"]
    assert replaced.json() in value and "nextLink" not in listed.json()
    assert [a["objectId"] for a in value] == sorted(a["objectId"] for a in value)
    deleted = client.request("DELETE", path, api_version=V)
    assert deleted.status == 204 and deleted.body == b"" and deleted.header("Content-Type") is None
    assert client.request("DELETE", path, api_version=V).status == 404
    assert replaced.json() not in client.request("GET", ASSIGNMENTS, api_version=V).json()["value"]


def test_tenant_assignment_is_keyed_by_its_tenant(client: RawClient) -> None:
    tenant = str(uuid.uuid4())
    reply = put(client, str(uuid.uuid4()), user_assignment([APP], tenant=tenant, kind="tenant"))
    assert reply.json() == _err(
        "An assignment of principalType 'tenant' has the tenant id as its objectId.", "objectId"
    )
    reply = put(client, tenant, user_assignment([APP], tenant=tenant, kind="tenant"))
    assert reply.status == 201
    assert client.request("DELETE", f"{ASSIGNMENTS}/{tenant}", api_version=V).status == 204


@pytest.mark.parametrize(
    "body,expected",
    [
        (None, _err("The request body is required.")),
        ({"principalType": "user", "clientIds": [APP]}, _err("TenantId: The TenantId field is required.", "TenantId")),
        (
            {"principalType": "user", "tenantId": "contoso", "clientIds": [APP]},
            _err("Provided TenantId has invalid format.", "tenantId"),
        ),
        (
            {"tenantId": TENANT, "clientIds": [APP]},
            _err("PrincipalType: The PrincipalType field is required.", "PrincipalType"),
        ),
        (
            # the values of the EntraPrincipalType enum in the version's document
            {"principalType": "resourceAccount", "tenantId": TENANT, "clientIds": [APP]},
            _err("PrincipalType must be one of 'user', 'group', 'tenant'.", "PrincipalType"),
        ),
        (
            {"principalType": "user", "tenantId": TENANT},
            _err("ClientIds: The ClientIds field is required.", "ClientIds"),
        ),
        (
            {"principalType": "user", "tenantId": TENANT, "clientIds": []},
            _err("ClientIds: At least one client id is required.", "ClientIds"),
        ),
        (
            {"principalType": "user", "tenantId": TENANT, "clientIds": "x"},
            _err("Provided ClientIds has invalid format.", "clientIds"),
        ),
        (
            {"principalType": "user", "tenantId": TENANT, "clientIds": [APP, 7]},
            _err("Provided ClientIds has invalid format.", "clientIds"),
        ),
        ([1], _err("The request body must be a JSON object.", code="BadRequest")),
    ],
)
def test_assignment_validation(client: RawClient, body: Any, expected: dict[str, Any]) -> None:
    obj = str(uuid.uuid4())
    reply = put(client, obj, body)
    assert reply.status == 400 and reply.json() == expected
    assert client.request("GET", f"{ASSIGNMENTS}/{obj}", api_version=V).status == 404  # nothing written


def test_assignment_path_and_version_and_auth(client: RawClient) -> None:
    reply = client.request("GET", f"{ASSIGNMENTS}/not-a-guid", api_version=V)
    assert reply.status == 400
    assert reply.json() == _err("Provided ObjectId has invalid format.", "objectId")
    for method, path in (("GET", ASSIGNMENTS), ("GET", f"{ASSIGNMENTS}/{uuid.uuid4()}")):
        old = client.request(method, path, api_version="2025-06-30")
        assert old.status == 400 and old.json()["error"]["code"] == "UnsupportedApiVersion"
        assert client.request(method, path, api_version=V, sign=False).status == 401
    bad = client.request("PUT", f"{ASSIGNMENTS}/{uuid.uuid4()}", raw=b"{not json", api_version=V)
    assert bad.status == 400 and bad.json()["error"]["code"] == "BadRequest"


def patch(client: RawClient, body: Any, raw: bytes | None = None) -> Reply:
    return client.request(
        "PATCH", ASSIGNMENTS, body, raw=raw, api_version=V, content_type="application/merge-patch+json"
    )


def test_bulk_update_sets_and_removes(client: RawClient) -> None:
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    assert put(client, third, user_assignment([APP])).status == 201
    reply = patch(
        client, {first: user_assignment([APP]), second.upper(): user_assignment([APP], kind="group"), third: None}
    )
    assert reply.status == 200
    assert reply.json() == {
        "value": [
            {"objectId": first, "tenantId": TENANT, "principalType": "user", "clientIds": [APP]},
            {"objectId": second, "tenantId": TENANT, "principalType": "group", "clientIds": [APP]},
        ]
    }
    assert client.request("GET", f"{ASSIGNMENTS}/{second}", api_version=V).status == 200
    assert client.request("GET", f"{ASSIGNMENTS}/{third}", api_version=V).status == 404
    # only removals (one of them of nothing): 204, no body
    removed = patch(client, {first: None, second: None, str(uuid.uuid4()): None})
    assert removed.status == 204 and removed.body == b""
    assert client.request("GET", f"{ASSIGNMENTS}/{first}", api_version=V).status == 404
    assert patch(client, {}).status == 204


def test_bulk_update_is_all_or_nothing(client: RawClient) -> None:
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    reply = patch(client, {good: user_assignment([APP]), bad: user_assignment([])})
    assert reply.status == 400
    assert reply.json() == _err(f"Assignment '{bad}': ClientIds: At least one client id is required.", "ClientIds")
    assert client.request("GET", f"{ASSIGNMENTS}/{good}", api_version=V).status == 404


@pytest.mark.parametrize(
    "body,message",
    [
        ({"x": None}, "Provided ObjectId has invalid format (entry 1 of the body)."),
        ({TENANT: None, TENANT.upper(): None}, f"ObjectId '{TENANT}' appears more than once in the body."),
        ({TENANT: 5}, f"Assignment '{TENANT}': the value must be an object, or null to remove it."),
    ],
)
def test_bulk_update_bad_entries(client: RawClient, body: Any, message: str) -> None:
    reply = patch(client, body)
    assert reply.status == 400 and reply.json() == _err(message, "objectId")


def test_bulk_update_body_required(client: RawClient) -> None:
    reply = patch(client, None)
    assert reply.status == 400 and reply.json() == _err("The request body is required.")


# -- exchange ------------------------------------------------------------------
def test_exchange_user_assignment(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    bearer = entra_user_token(client, obj)
    no_assignment = exchange(client, bearer)
    assert no_assignment.status == 403
    assert no_assignment.json() == _err(
        f"No Entra access assignment covers object '{obj}' in tenant '{TENANT}' "
        "(as a user, through a group or as the whole tenant).",
        code="Forbidden",
    )
    put(client, obj, user_assignment([str(uuid.uuid4())]))
    wrong_client = exchange(client, bearer)
    assert wrong_client.status == 403
    assert wrong_client.json() == _err(
        f"Client application '{APP}' is not allowed by the Entra access assignments.", code="Forbidden"
    )
    put(client, obj, user_assignment([APP]))
    exp = int(time.time()) + 1200
    reply = exchange(client, entra_user_token(client, obj, exp=exp, scp="openid VoIP Chat"))
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    assert reply.header("api-supported-versions") == versions_with(EXCHANGE) == V
    data = reply.json()
    assert list(data) == ["identity", "accessToken"] and list(data["accessToken"]) == ["token", "expiresOn"]
    identity = data["identity"]["id"]
    resource = client.create().split("_")[0][len("8:acs:") :]
    assert identity == f"8:acs:{resource}_{TENANT}_{obj}"
    _, claims = jwt_parts(data["accessToken"]["token"])
    assert claims["skypeid"] == identity[2:] and claims["exp"] == exp and claims["acsScope"] == "voip,chat"
    assert client.introspect(data["accessToken"]["token"])["active"] is True
    revoke = client.request("POST", f"/identities/{quote(identity, safe='')}/:revokeAccessTokens")
    assert revoke.status == 204
    assert client.introspect(data["accessToken"]["token"])["reason"] == "revoked"


def test_exchange_through_group_and_tenant(client: RawClient) -> None:
    group, tenant = str(uuid.uuid4()), str(uuid.uuid4())
    obj = str(uuid.uuid4())
    assert put(client, group, user_assignment([APP], kind="group")).status == 201
    member = entra_user_token(client, obj, groups=[group.upper()])
    assert exchange(client, member).status == 200
    assert exchange(client, entra_user_token(client, obj)).status == 403  # not a member
    # a group assignment is not a user assignment of the same id, nor one of another tenant
    assert exchange(client, entra_user_token(client, group)).status == 403
    assert exchange(client, entra_user_token(client, obj, tid=tenant, groups=[group])).status == 403
    assert put(client, tenant, user_assignment([APP], tenant=tenant, kind="tenant")).status == 201
    reply = exchange(client, entra_user_token(client, obj, tid=tenant))
    assert reply.status == 200
    assert reply.json()["identity"]["id"].endswith(f"_{tenant}_{obj}")
    _, claims = jwt_parts(reply.json()["accessToken"]["token"])
    assert claims["acsScope"] == "voip"


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "https://auth.msft.communication.azure.com"},  # a Teams token is not for this exchange
        {"scp": "TeamsExtension.ManageCalls"},
        {"exp": 1},
        {"groups": ["not-a-guid"]},
        {"groups": "0d6c1a3e-0000-0000-0000-000000000000"},
    ],
)
def test_exchange_refuses_tokens(client: RawClient, claims: dict[str, Any]) -> None:
    obj = str(uuid.uuid4())
    put(client, obj, user_assignment([APP]))
    reply = exchange(client, entra_user_token(client, obj, **claims))
    assert reply.status == 401 and reply.json() == INVALID


@pytest.mark.parametrize("bearer", [None, "", "garbage"])
def test_exchange_bad_bearer(client: RawClient, bearer: str | None) -> None:
    reply = exchange(client, bearer)
    assert reply.status == 401 and reply.json() == INVALID


def test_exchange_hmac_is_not_its_credential(client: RawClient) -> None:
    reply = client.request("POST", EXCHANGE, {}, api_version=V)
    assert reply.status == 401 and reply.json() == INVALID


def test_exchange_version_and_body(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    put(client, obj, user_assignment([APP]))
    bearer = entra_user_token(client, obj)
    old = exchange(client, bearer, version="2025-06-30")
    assert old.status == 400 and old.json()["error"]["code"] == "UnsupportedApiVersion"
    assert exchange(client, bearer, body=b"").status == 200
    not_json = exchange(client, bearer, body=b"{nope")
    assert not_json.status == 400 and not_json.json()["error"]["code"] == "BadRequest"


def test_issuer_mints_for_the_clients_resource(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    body = {"tenantId": TENANT, "objectId": obj, "appId": APP, "resource": "clients"}
    minted = client.request("POST", "/emulator/entra/token", body, api_version=None)
    assert minted.status == 200
    token = minted.json()["token"]
    _, claims = jwt_parts(token)
    assert (claims["aud"], claims["scp"], claims["oid"]) == (CLIENTS, "VoIP", obj)
    put(client, obj, user_assignment([APP]))
    assert exchange(client, token).status == 200
    teams = client.request("POST", "/emulator/entra/token", {**body, "resource": "teams"}, api_version=None)
    assert jwt_parts(teams.json()["token"])[1]["aud"] == "https://auth.msft.communication.azure.com"
    assert exchange(client, teams.json()["token"]).status == 401
    bad = client.request("POST", "/emulator/entra/token", {**body, "resource": "graph"}, api_version=None)
    assert bad.status == 400
    assert bad.json() == _err("Resource must be one of 'teams', 'clients'.", "Resource")


def test_the_entra_token_command_mints_for_the_clients_resource(emulator: Any, client: RawClient) -> None:
    obj = str(uuid.uuid4())
    put(client, obj, user_assignment([APP]))
    ids = ("--tenant", TENANT, "--object", obj, "--app", APP)
    done = subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "entra-token", "--resource", "clients", *ids],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING": emulator.connection_string},
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    token = done.stdout.removesuffix("\n")
    assert jwt_parts(token)[1]["aud"] == CLIENTS
    assert exchange(client, token).status == 200
