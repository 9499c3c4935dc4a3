"""The Roles API of 2023-08-30-preview on the local service: statuses, bodies, headers, errors."""

from __future__ import annotations

import re
import time
import uuid
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

import pytest
from acs_identity_emulator._handlers import roles as roles_handler
from acs_identity_emulator._role_bodies import permission_names
from emu_helpers import RawClient

from azure.communication.administration._generated import _catalog

V = "2023-08-30-preview"
MERGE = "application/merge-patch+json"
CHAT = permission_names(V, "chat")
CALLING = permission_names(V, "calling")
ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$")


def _role(name: str = "Moderators", **chat: bool) -> dict[str, Any]:
    return {
        "name": name,
        "isEnabled": True,
        "permissions": {
            "chat": {n: chat.get(n, False) for n in CHAT},
            "calling": dict.fromkeys(CALLING, False),
        },
    }


def _create(client: RawClient, body: dict[str, Any] | None = None, **headers: str) -> tuple[str, Any]:
    reply = client.request("POST", "/roles", body or _role(), api_version=V, headers=headers)
    assert reply.status == 201, reply.body
    return urlsplit(reply.header("Location") or "").path.rsplit("/", 1)[-1], reply


def _error(reply: Any) -> dict[str, Any]:
    return reply.json()["error"]


def test_permission_names_come_from_the_document() -> None:
    assert "sendMessage" in CHAT and "joinMeeting" in CALLING
    assert len(CHAT) == 32 and len(CALLING) == 44
    assert set(CHAT) == {k.split(".", 1)[1] for k in _catalog.PROPERTY_VERSIONS if k.startswith("ChatPermissions.")}


def test_create_then_read(client: RawClient) -> None:
    role_id, reply = _create(client, _role(sendMessage=True))
    assert reply.body == b""
    assert reply.header("Location") == f"http://{client.host}/roles/{role_id}"
    assert uuid.UUID(role_id).version == 4
    assert ETAG_RE.match(reply.header("ETag") or "")
    assert reply.header("api-supported-versions") == V
    got = client.request("GET", f"/roles/{role_id}", api_version=V)
    assert got.status == 200
    assert got.header("ETag") == reply.header("ETag")
    body = got.json()
    assert list(body) == ["id", "name", "isEnabled", "createdAt", "updatedAt", "permissions"]
    assert (body["id"], body["name"], body["isEnabled"]) == (role_id, "Moderators", True)
    assert TIME_RE.match(body["createdAt"]) and body["createdAt"] == body["updatedAt"]
    assert body["permissions"]["chat"]["sendMessage"] is True
    assert body["permissions"]["chat"]["deleteAnyMessage"] is False
    assert set(body["permissions"]["calling"]) == set(CALLING)


@pytest.mark.parametrize(
    ("body", "target", "fragment"),
    [
        ({}, "name", "name is required."),
        ({**_role(), "name": ""}, "name", "name must be a non-empty string."),
        ({**_role(), "isEnabled": "yes"}, "isEnabled", "isEnabled must be true or false."),
        ({**_role(), "colour": "red"}, "colour", "A role has no member 'colour'."),
        ({**_role(), "permissions": {"chat": {}}}, "permissions.chat", "must give every permission"),
        ({**_role(), "permissions": {"chat": {}, "calling": {}, "video": {}}}, "permissions", "no area 'video'"),
        (
            {
                **_role(),
                "permissions": {**_role()["permissions"], "chat": {**_role()["permissions"]["chat"], "fly": True}},
            },
            "permissions.chat.fly",
            "has no permission 'fly'",
        ),
        (
            {
                **_role(),
                "permissions": {**_role()["permissions"], "chat": {**_role()["permissions"]["chat"], "sendMessage": 1}},
            },
            "permissions.chat.sendMessage",
            "must be true or false",
        ),
    ],
)
def test_create_refuses_bad_bodies(client: RawClient, body: Any, target: str, fragment: str) -> None:
    reply = client.request("POST", "/roles", body, api_version=V)
    assert reply.status == 400
    error = _error(reply)
    assert error["code"] == "ValidationError" and error["target"] == target and fragment in error["message"]


def test_create_refuses_no_body_and_non_json(client: RawClient) -> None:
    assert _error(client.request("POST", "/roles", None, api_version=V))["code"] == "ValidationError"
    assert client.request("POST", "/roles", raw=b"{nope", api_version=V).status == 400


def test_read_only_members_are_ignored_on_create(client: RawClient) -> None:
    role_id, _ = _create(client, {**_role(), "id": "mine", "createdAt": "2000-01-01T00:00:00Z"})
    assert role_id != "mine"
    assert client.request("GET", f"/roles/{role_id}", api_version=V).json()["createdAt"] != "2000-01-01T00:00:00Z"


def test_missing_role_is_404_azure_core_shape(client: RawClient) -> None:
    reply = client.request("GET", "/roles/nope", api_version=V)
    assert reply.status == 404
    assert reply.json() == {"error": {"code": "NotFound", "message": "Role 'nope' was not found."}}


def test_bad_role_id_is_400(client: RawClient) -> None:
    reply = client.request("GET", "/roles/-x", api_version=V)
    assert reply.status == 400 and _error(reply)["target"] == "id"


def test_patch_merges_creates_and_checks(client: RawClient) -> None:
    role_id, created = _create(client)
    etag = created.header("ETag")
    time.sleep(0.01)
    patched = client.request(
        "PATCH",
        f"/roles/{role_id}",
        {"permissions": {"calling": {"joinMeeting": True}}},
        api_version=V,
        content_type=MERGE,
    )
    assert patched.status == 200
    body = patched.json()
    assert body["permissions"]["calling"]["joinMeeting"] is True
    assert body["permissions"]["chat"] == _role()["permissions"]["chat"]  # untouched
    assert body["name"] == "Moderators" and body["updatedAt"] > body["createdAt"]
    assert patched.header("ETag") != etag
    # A new id: created (201), name required, permissions not given are false.
    new_id = f"chosen-{uuid.uuid4().hex[:8]}"
    assert (
        client.request("PATCH", f"/roles/{new_id}", {"isEnabled": False}, api_version=V, content_type=MERGE).status
        == 400
    )
    made = client.request("PATCH", f"/roles/{new_id}", {"name": "C"}, api_version=V, content_type=MERGE)
    assert made.status == 201 and made.json()["id"] == new_id and made.json()["isEnabled"] is True
    assert not any(made.json()["permissions"]["calling"].values())
    # Checks: null, media type.
    nulled = client.request("PATCH", f"/roles/{new_id}", {"name": None}, api_version=V, content_type=MERGE)
    assert nulled.status == 400 and "cannot be removed" in _error(nulled)["message"]
    text = client.request("PATCH", f"/roles/{new_id}", {"name": "x"}, api_version=V, content_type="text/plain")
    assert text.status == 415 and _error(text)["code"] == "UnsupportedMediaType"


def test_conditional_requests(client: RawClient) -> None:
    role_id, created = _create(client)
    etag = created.header("ETag") or ""
    path = f"/roles/{role_id}"
    assert client.request("GET", path, api_version=V, headers={"If-None-Match": etag}).status == 304
    assert client.request("GET", path, api_version=V, headers={"If-None-Match": '"other"'}).status == 200
    assert client.request("GET", path, api_version=V, headers={"If-Match": etag}).status == 200
    stale = client.request("GET", path, api_version=V, headers={"If-Match": '"other"'})
    assert stale.status == 412 and _error(stale) == {
        "code": "ConditionNotMet",
        "message": "The condition in If-Match does not hold for this resource.",
        "target": "If-Match",
    }
    future = formatdate(time.time() + 3600, usegmt=True)
    past = formatdate(time.time() - 3600, usegmt=True)
    assert client.request("GET", path, api_version=V, headers={"If-Modified-Since": future}).status == 304
    assert client.request("GET", path, api_version=V, headers={"If-Modified-Since": past}).status == 200
    assert client.request("DELETE", path, api_version=V, headers={"If-Unmodified-Since": past}).status == 412
    bad = client.request("GET", path, api_version=V, headers={"If-Modified-Since": "yesterday"})
    assert bad.status == 400 and _error(bad)["target"] == "If-Modified-Since"
    # If-None-Match: * on PATCH: only create.
    exists = client.request(
        "PATCH", path, {"name": "x"}, api_version=V, content_type=MERGE, headers={"If-None-Match": "*"}
    )
    assert exists.status == 412
    # If-Match: * on DELETE of nothing: 412; plain DELETE of nothing: 204.
    assert client.request("DELETE", path, api_version=V, headers={"If-Match": etag}).status == 204
    assert client.request("DELETE", path, api_version=V, headers={"If-Match": "*"}).status == 412
    assert client.request("DELETE", path, api_version=V).status == 204


def test_paging_with_next_link(client: RawClient) -> None:
    made = {_create(client, _role(f"p{i}"))[0] for i in range(5)}
    seen: list[str] = []
    path = "/roles?maxpagesize=2"
    pages = 0
    while True:
        reply = client.request("GET", path, api_version=None if "api-version" in path else V)
        assert reply.status == 200
        body = reply.json()
        assert len(body["value"]) <= 2
        seen += [role["id"] for role in body["value"]]
        pages += 1
        if "nextLink" not in body:
            break
        link = urlsplit(body["nextLink"])
        assert f"{link.scheme}://{link.netloc}" == f"http://{client.host}"
        assert "api-version=2023-08-30-preview" in link.query and "maxpagesize=2" in link.query
        path = f"{link.path}?{link.query}"
    assert pages >= 3 and seen == sorted(seen) and made <= set(seen)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("query", ["maxpagesize=0", "maxpagesize=101", "maxpagesize=x", "continuationToken=%%%"])
def test_bad_paging_parameters(client: RawClient, query: str) -> None:
    reply = client.request("GET", f"/roles?{query}", api_version=V)
    assert reply.status == 400 and _error(reply)["code"] == "ValidationError"


def test_repeated_create_replays_location_and_etag(client: RawClient) -> None:
    headers = {"Repeatability-Request-ID": str(uuid.uuid4()), "Repeatability-First-Sent": formatdate(usegmt=True)}
    first = client.request("POST", "/roles", _role("once"), api_version=V, headers=headers)
    again = client.request("POST", "/roles", _role("once"), api_version=V, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.header("Repeatability-Result") == "accepted"
    assert again.header("Location") == first.header("Location") and again.header("ETag") == first.header("ETag")
    other = client.request("POST", "/roles", _role("twice"), api_version=V, headers=headers)
    assert other.status == 400 and _error(other)["code"] == "RepeatableRequestMismatch"


def test_roles_are_not_on_other_versions(client: RawClient) -> None:
    reply = client.request("GET", "/roles", api_version="2023-10-01")
    assert reply.status == 400 and _error(reply)["code"] == "UnsupportedApiVersion"
    assert reply.header("api-supported-versions") == V


def test_page_size_is_a_documented_constant() -> None:
    assert roles_handler.PAGE_SIZE == 100
