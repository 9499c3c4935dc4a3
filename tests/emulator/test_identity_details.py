"""The 2025 previews' identity details on the local service: GET /identities/{id} and a
caller-chosen id on create (``customId`` on 2025-03-02-preview, ``externalId`` on 2025-04-01-preview)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from emu_helpers import GA, RawClient, enc

from azure.communication.administration._generated import _catalog

P0302 = "2025-03-02-preview"
P0401 = "2025-04-01-preview"
# the service's date-time form, as in expiresOn
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")


def _chosen() -> str:
    return f"crm-{uuid.uuid4()}"


def _create(client: RawClient, version: str, body: dict[str, Any]) -> Any:
    return client.request("POST", "/identities", body, api_version=version)


@pytest.mark.parametrize(("version", "name"), [(P0302, "customId"), (P0401, "externalId")])
def test_get_reads_the_identity_and_its_chosen_id(client: RawClient, version: str, name: str) -> None:
    chosen = _chosen()
    created = _create(client, version, {name: chosen})
    assert created.status == 201
    identity = created.json()["identity"]
    assert identity == {"id": identity["id"], name: chosen}
    reply = client.request("GET", f"/identities/{enc(identity['id'])}", api_version=version)
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    assert reply.json() == {"id": identity["id"], name: chosen}
    # per path, as on every route: /identities/{id} is in every version (DELETE, PATCH)
    assert reply.header("api-supported-versions") == ", ".join(_catalog.VERSIONS)


@pytest.mark.parametrize("version", [P0302, P0401])
def test_get_says_when_the_last_token_was_issued(client: RawClient, version: str) -> None:
    identity = client.create(api_version=version)
    before = client.request("GET", f"/identities/{enc(identity)}", api_version=version)
    assert before.json() == {"id": identity}
    assert client.issue(identity, ["chat"], api_version=version).status == 200
    after = client.request("GET", f"/identities/{enc(identity)}", api_version=version).json()
    assert list(after) == ["id", "lastTokenIssuedAt"]
    assert ISO.match(after["lastTokenIssuedAt"]), after


def test_existing_external_id_answers_200_with_that_identity(client: RawClient) -> None:
    chosen = _chosen()
    first = _create(client, P0401, {"externalId": chosen})
    again = _create(client, P0401, {"externalId": chosen, "createTokenWithScopes": ["chat"]})
    assert (first.status, again.status) == (201, 200)
    assert again.json()["identity"] == first.json()["identity"]
    assert set(again.json()["accessToken"]) == {"token", "expiresOn"}


def test_existing_custom_id_answers_201_with_that_identity(client: RawClient) -> None:
    chosen = _chosen()
    first = _create(client, P0302, {"customId": chosen})
    again = _create(client, P0302, {"customId": chosen})
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()


def test_a_deleted_identity_gives_its_chosen_id_up(client: RawClient) -> None:
    chosen = _chosen()
    first = _create(client, P0401, {"externalId": chosen}).json()["identity"]["id"]
    assert client.request("DELETE", f"/identities/{enc(first)}", api_version=P0401).status == 204
    gone = client.request("GET", f"/identities/{enc(first)}", api_version=P0401)
    assert gone.status == 404
    assert gone.json() == {"error": {"code": "IdentityNotFound", "message": f"Identity '{first}' was not found."}}
    second = _create(client, P0401, {"externalId": chosen})
    assert second.status == 201 and second.json()["identity"]["id"] != first


def test_unknown_and_malformed_ids(client: RawClient) -> None:
    unknown = client.create()[:-36] + str(uuid.uuid4())  # this resource, a user id never created
    reply = client.request("GET", f"/identities/{enc(unknown)}", api_version=P0401)
    assert reply.status == 404
    assert reply.json()["error"]["code"] == "IdentityNotFound"
    bad = client.request("GET", "/identities/abc", api_version=P0401)
    assert bad.status == 400


@pytest.mark.parametrize(("version", "name"), [(P0302, "customId"), (P0401, "externalId")])
@pytest.mark.parametrize("value", ["", "x" * 257, 7, ["a"]])
def test_bad_chosen_ids_are_refused(client: RawClient, version: str, name: str, value: Any) -> None:
    field = name[0].upper() + name[1:]
    reply = _create(client, version, {name: value})
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "ValidationError",
            "message": f"{field}: The field {field} must be a string of 1 to 256 characters.",
            "target": field,
        }
    }


def test_the_other_versions_name_is_ignored(client: RawClient) -> None:
    # 2025-04-01-preview has no customId: it creates a plain identity, as any unknown property does.
    reply = _create(client, P0401, {"customId": _chosen()})
    assert reply.status == 201
    assert list(reply.json()["identity"]) == ["id"]


def test_get_on_a_version_without_it(client: RawClient) -> None:
    identity = client.create()
    for version in (GA, "2023-10-01"):
        reply = client.request("GET", f"/identities/{enc(identity)}", api_version=version)
        assert reply.status == 400
        assert reply.json()["error"]["code"] == "UnsupportedApiVersion"
    having = [
        v
        for v in _catalog.VERSIONS
        if ("CommunicationIdentity_Get", "GET", "/identities/{id}") in _catalog.OPERATIONS[v]
    ]
    assert having == [P0302, P0401]


def test_store_details_go_with_the_identity() -> None:
    from acs_identity_emulator._store import Store
    from acs_identity_emulator._store_tables import Details

    store = Store(":memory:")
    try:
        store.create_identity("a", 1.0)
        assert store.details.claim("mine", "a", lambda i: True) == "a"
        store.details.token_issued("a", 2.0)
        assert store.details.get("a") == Details("mine", 2.0)
        assert store.details.claim("mine", "b", lambda i: i == "a") == "a"  # alive: kept
        store.delete_identity("a", 3.0)
        assert store.details.get("a") == Details(None, None)
        assert store.details.claim("mine", "b", lambda i: False) == "b"
    finally:
        store.close()
