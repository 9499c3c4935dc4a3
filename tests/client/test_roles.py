"""The Roles API of 2023-08-30-preview: end to end against the local service (sync and async), and
what the client refuses locally (bad input, versions without it)."""

from __future__ import annotations

import asyncio
import base64
import uuid
from email.utils import formatdate

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
)

from azure.communication.administration import ApiVersion, CommunicationIdentityClient, CommunicationRole
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f

ROLES = ApiVersion.V2023_08_30_PREVIEW


@pytest.fixture
def client(connection_string):
    with CommunicationIdentityClient.from_connection_string(connection_string, api_version=ROLES) as client:
        yield client


def test_roles_end_to_end(client):
    name = f"moderators-{uuid.uuid4().hex[:8]}"
    role_id = client.create_role(name, chat_permissions={"send_message": True, "deleteAnyMessage": True})
    role = client.get_role(role_id)
    assert type(role) is CommunicationRole
    assert (role.id, role.name, role.is_enabled) == (role_id, name, True)
    assert role.chat_permissions["send_message"] is True and role.chat_permissions["delete_any_message"] is True
    assert role.chat_permissions["edit_any_message"] is False  # not given: False
    assert not any(role.calling_permissions.values())
    assert role.etag and role.created_at == role.updated_at and role.created_at.utcoffset().total_seconds() == 0

    changed = client.update_role(
        role_id,
        calling_permissions={"join_meeting": True},
        etag=role.etag,
        match_condition=MatchConditions.IfNotModified,
    )
    assert changed.calling_permissions["join_meeting"] is True
    assert changed.chat_permissions == role.chat_permissions  # a merge patch: the rest is kept
    assert changed.etag != role.etag and changed.updated_at >= role.updated_at
    with pytest.raises(ResourceModifiedError) as stale:  # 412: someone changed it since role.etag
        client.update_role(role_id, name="x", etag=role.etag, match_condition=MatchConditions.IfNotModified)
    assert stale.value.error.code == "ConditionNotMet"
    with pytest.raises(ResourceNotModifiedError):  # 304
        client.get_role(role_id, etag=changed.etag, match_condition=MatchConditions.IfModified)
    assert client.get_role(role_id, etag=role.etag, match_condition=MatchConditions.IfModified).etag == changed.etag

    assert role_id in {r.id for r in client.list_roles()}
    client.delete_role(role_id)
    client.delete_role(role_id)  # deleting is idempotent
    with pytest.raises(ResourceNotFoundError) as gone:
        client.get_role(role_id)
    assert gone.value.error.code == "NotFound"


def test_update_creates_under_a_chosen_id_and_if_present_does_not(client):
    chosen = f"role-{uuid.uuid4().hex}"
    with pytest.raises(ResourceNotFoundError):  # If-Match: * on a role that is not there: 412, "not found"
        client.update_role(chosen, name="never", match_condition=MatchConditions.IfPresent)
    created = client.update_role(chosen, name="Chosen", is_enabled=False)
    assert (created.id, created.name, created.is_enabled) == (chosen, "Chosen", False)
    client.delete_role(chosen)


def test_listing_follows_next_link_page_by_page(client):
    made = [client.create_role(f"page-{i}") for i in range(5)]
    pages = [[r.id for r in page] for page in client.list_roles(params={"maxpagesize": "2"}).by_page()]
    assert all(len(p) <= 2 for p in pages) and len(pages) >= 3
    listed = [i for p in pages for i in p]
    assert listed == sorted(listed) and set(made) <= set(listed)
    for role_id in made:
        client.delete_role(role_id)


def test_a_repeated_create_makes_one_role(client):
    # The service de-duplicates by Repeatability-Request-ID: the same create sent twice, one role,
    # and the repeat gets the first answer's Location again (so the same id).
    headers = {"Repeatability-Request-ID": str(uuid.uuid4()), "Repeatability-First-Sent": formatdate(usegmt=True)}
    first = client.create_role("once", headers=dict(headers))
    again = client.create_role("once", headers=dict(headers))
    assert first == again
    client.delete_role(first)


def test_roles_end_to_end_async(connection_string):
    async def main():
        async with AsyncClient.from_connection_string(connection_string, api_version=ROLES) as client:
            role_id = await client.create_role("async", calling_permissions={"joinMeeting": True})
            role = await client.get_role(role_id)
            assert role.calling_permissions["join_meeting"] is True
            updated = await client.update_role(role_id, name="async-2")
            assert updated.name == "async-2"
            ids = [r.id async for r in client.list_roles()]
            assert role_id in ids
            await client.delete_role(role_id)
            with pytest.raises(ResourceNotFoundError):
                await client.get_role(role_id)
            with pytest.raises(ValueError, match=r"^create_user requires"):
                await client.create_user()

    asyncio.run(main())


# ----- refused locally: nothing is sent


def _local(version=ROLES):
    transport = f.FakeTransport()
    return CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport), transport


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda c: c.create_role(""), ValueError, "name must be a non-empty string"),
        (lambda c: c.create_role(None), ValueError, "name must be a non-empty string"),
        (
            lambda c: c.create_role("r", chat_permissions={"teleport": True}),
            ValueError,
            "unknown permission 'teleport'",
        ),
        (lambda c: c.create_role("r", chat_permissions={"send_message": "yes"}), TypeError, "must be True or False"),
        (lambda c: c.create_role("r", calling_permissions=["join_meeting"]), TypeError, "must be a mapping"),
        (lambda c: c.create_role("r", is_enabled=1), TypeError, "is_enabled must be True or False"),
        (lambda c: c.get_role(""), ValueError, "role_id must be a non-empty string"),
        (lambda c: c.get_role("a\nb"), ValueError, "control characters"),
        (lambda c: c.delete_role(42), ValueError, "role_id must be a non-empty string"),
        (lambda c: c.update_role("r-1"), ValueError, "needs at least one of"),
        (lambda c: c.update_role("r-1", name=""), ValueError, "name must be a non-empty string"),
    ],
)
def test_bad_input_is_refused_before_sending(call, error, fragment):
    client, transport = _local()
    with pytest.raises(error) as raised:
        call(client)
    assert fragment in str(raised.value)
    assert transport.requests == []


def test_a_key_passed_as_role_id_is_never_echoed():
    client, transport = _local()
    key = base64.b64encode(bytes(range(32))).decode()  # shaped like a resource's access key
    with pytest.raises(ValueError) as raised:
        client.get_role(key)
    assert key not in str(raised.value) and "looks like an access key" in str(raised.value)
    assert transport.requests == []


@pytest.mark.parametrize("version", [v for v in ApiVersion if v is not ROLES], ids=str)
def test_versions_without_roles_refuse_them(version):
    client, transport = _local(version)
    for call in (
        lambda: client.list_roles(),
        lambda: client.create_role("r"),
        lambda: client.get_role("r-1"),
        lambda: client.update_role("r-1", name="n"),
        lambda: client.delete_role("r-1"),
    ):
        with pytest.raises(
            ValueError, match=rf"requires api_version {ROLES.value}; this client uses {version.value}\.$"
        ):
            call()
    assert transport.requests == []


def test_a_create_without_location_is_a_clear_error():
    client, transport = _local()
    transport.queue((201, None, {}))
    with pytest.raises(HttpResponseError, match="no usable Location"):
        client.create_role("r")
