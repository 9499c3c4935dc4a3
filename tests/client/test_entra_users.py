"""Entra ID users (2025-03-02-preview): the Entra token exchange and Entra assignments.

Wire (async here; sync in test_wire.py through _wire_cases), refusals on every other version,
bad input, and end to end against the local service, sync and async.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from acs_identity_emulator.testing import entra_token
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from azure.communication.administration import (
    ApiVersion,
    CommunicationIdentityClient,
    EntraAssignment,
    EntraPrincipalType,
    TeamsExtensionUserIdentifier,
)
from azure.communication.administration._generated import _catalog
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f
from ._introspect import introspect
from ._wire_cases import ALL, APP, CASES, ENTRA_PREVIEW, OBJECT, TENANT, assert_request

ENTRA_CASES = [case for case in CASES if "entra" in case.name]
OTHER_VERSIONS = [v for v in ALL if v is not ENTRA_PREVIEW]
METHODS: dict[str, Any] = {
    "get_token_for_entra_user": lambda c: c.get_token_for_entra_user("entra-user-token"),
    "list_entra_assignments": lambda c: c.list_entra_assignments(),
    "update_entra_assignments": lambda c: c.update_entra_assignments(remove=[OBJECT]),
    "get_entra_assignment": lambda c: c.get_entra_assignment(OBJECT),
    "upsert_entra_assignment": lambda c: c.upsert_entra_assignment(
        OBJECT, tenant_id=TENANT, principal_type="user", client_ids=[APP]
    ),
    "delete_entra_assignment": lambda c: c.delete_entra_assignment(OBJECT),
}


def test_every_entra_method_has_wire_cases() -> None:
    assert {case.name for case in ENTRA_CASES} >= set(METHODS)
    assert all(case.supports(ENTRA_PREVIEW) for case in ENTRA_CASES)
    assert not any(case.supports(v) for case in ENTRA_CASES for v in OTHER_VERSIONS)


@pytest.mark.parametrize("case", ENTRA_CASES, ids=lambda case: case.name)
def test_async_entra_on_the_wire(case: Any) -> None:
    async def main() -> tuple[f.FakeAsyncTransport, Any]:
        transport = f.FakeAsyncTransport(*case.responses(ENTRA_PREVIEW))
        async with AsyncClient(f.ENDPOINT, f.KEY, api_version=ENTRA_PREVIEW, transport=transport) as client:
            result = await case.call(client)
        return transport, result

    transport, result = asyncio.run(main())
    expected = case.expect(ENTRA_PREVIEW)
    assert len(transport.requests) == len(expected)
    for rec, exp in zip(transport.requests, expected, strict=True):
        assert_request(rec, exp, ENTRA_PREVIEW)
    case.check(result, ENTRA_PREVIEW)
    assert transport.opened == 1 and transport.closed >= 1


def test_ga_operations_and_entra_operations_share_one_transport() -> None:
    """On the preview, create goes through the GA layer and the Entra calls through the preview's own."""
    transport = f.FakeTransport(f.ga_identity(), f.NO_CONTENT, f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=ENTRA_PREVIEW, transport=transport)
    with client:
        client.create_user()
        client.delete_entra_assignment(OBJECT)
        client.create_user()
    assert [(r.method, r.path) for r in transport.requests] == [
        ("POST", "/identities"),
        ("DELETE", f"/access/entra/assignments/{OBJECT}"),
        ("POST", "/identities"),
    ]
    assert all(r.raw_query == "api-version=2025-03-02-preview" for r in transport.requests)
    with pytest.raises(RuntimeError, match="closed"):
        client.list_entra_assignments()


def test_closing_a_client_that_only_used_the_preview_layer_closes_its_transport() -> None:
    async def main() -> f.FakeAsyncTransport:
        transport = f.FakeAsyncTransport(f.NO_CONTENT)
        client = AsyncClient(f.ENDPOINT, f.KEY, api_version=ENTRA_PREVIEW, transport=transport)
        await client.delete_entra_assignment(OBJECT)
        closed_before = transport.closed
        await client.close()
        assert transport.closed > closed_before
        return transport

    assert len(asyncio.run(main()).requests) == 1


# -- refused locally on every version that lacks the operations --------------------------
def _expected_refusal(name: str, version: ApiVersion) -> str:
    return f"{name} requires api_version 2025-03-02-preview; this client uses {version.value}."


@pytest.mark.parametrize("version", OTHER_VERSIONS, ids=str)
@pytest.mark.parametrize("name", list(METHODS))
def test_refused_on_other_versions(version: ApiVersion, name: str) -> None:
    transport = f.FakeTransport()
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport)
    with pytest.raises(ValueError) as info:
        METHODS[name](client)
    assert str(info.value) == _expected_refusal(name, version)
    assert transport.requests == []


@pytest.mark.parametrize("name", list(METHODS))
def test_async_refused_on_the_default_version(name: str) -> None:
    async def main() -> tuple[f.FakeAsyncTransport, str]:
        transport = f.FakeAsyncTransport()
        async with AsyncClient(f.ENDPOINT, f.KEY, transport=transport) as client:
            with pytest.raises(ValueError) as info:
                await METHODS[name](client)
        return transport, str(info.value)

    transport, message = asyncio.run(main())
    assert message == _expected_refusal(name, ApiVersion(_catalog.LATEST_GA))  # the default: the newest GA
    assert transport.requests == []


# -- bad input: a clear ValueError naming the parameter, nothing sent --------------------
SECRET = "c2VjcmV0IGtleSB0aGF0IG11c3Qgbm90IGxlYWsgYXQgYWxs"
BAD_INPUT = [
    (lambda c: c.get_token_for_entra_user(""), "entra_token must be a non-empty string."),
    (lambda c: c.get_token_for_entra_user(None), "entra_token must be a non-empty string."),
    (lambda c: c.get_entra_assignment("abc"), "object_id must be an Entra id, a GUID"),
    (lambda c: c.delete_entra_assignment(SECRET), "object_id looks like an access key or a token"),
    (
        lambda c: c.upsert_entra_assignment(OBJECT, tenant_id="t", principal_type="user", client_ids=[APP]),
        "tenant_id must be an Entra id, a GUID",
    ),
    (
        lambda c: c.upsert_entra_assignment(
            OBJECT, tenant_id=TENANT, principal_type="resourceAccount", client_ids=[APP]
        ),
        "principal_type must be one of user, group, tenant; got 'resourceAccount'.",
    ),
    (
        lambda c: c.upsert_entra_assignment(OBJECT, tenant_id=TENANT, principal_type="user", client_ids=[]),
        "client_ids must be a non-empty list of Entra application (client) ids.",
    ),
    (
        lambda c: c.upsert_entra_assignment(OBJECT, tenant_id=TENANT, principal_type="user", client_ids=APP),
        "client_ids must be a non-empty list of Entra application (client) ids.",
    ),
    (
        lambda c: c.upsert_entra_assignment(OBJECT, tenant_id=TENANT, principal_type="user", client_ids=[APP, "x"]),
        "client_ids item must be an Entra id, a GUID",
    ),
    (
        lambda c: c.upsert_entra_assignment(OBJECT, tenant_id=TENANT, principal_type="tenant", client_ids=[APP]),
        "an assignment of principal_type 'tenant' has the tenant id as its object_id.",
    ),
    (
        lambda c: c.update_entra_assignments(remove=[OBJECT, OBJECT.upper()]),
        f"object id {OBJECT.upper()!r} is given more than once",
    ),
    (
        lambda c: c.update_entra_assignments(
            assignments=[EntraAssignment(OBJECT, TENANT, "user", (APP,))], remove=[OBJECT]
        ),
        "is given more than once",
    ),
    (
        lambda c: c.update_entra_assignments(assignments=EntraAssignment(OBJECT, TENANT, "user", (APP,))),
        "assignments must be a list of EntraAssignment.",
    ),
    (
        lambda c: c.update_entra_assignments(assignments=[{"object_id": OBJECT}]),
        "assignments[0] must be an EntraAssignment, not dict.",
    ),
    (lambda c: c.update_entra_assignments(remove=OBJECT), "remove must be a list of object ids."),
    (lambda c: c.update_entra_assignments(remove=["nope"]), "remove[0] must be an Entra id, a GUID"),
    (
        lambda c: c.update_entra_assignments(assignments=[EntraAssignment(OBJECT, TENANT, "robot", (APP,))]),
        "assignments[0].principal_type must be one of user, group, tenant; got 'robot'.",
    ),
    (
        lambda c: c.update_entra_assignments(assignments=[EntraAssignment(OBJECT, TENANT, "user", ())]),
        "assignments[0].client_ids must be a non-empty list",
    ),
]


@pytest.mark.parametrize(("call", "message"), BAD_INPUT)
def test_bad_input_is_refused_before_any_request(call: Any, message: str) -> None:
    transport = f.FakeTransport()
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=ENTRA_PREVIEW, transport=transport)
    with pytest.raises(ValueError) as info:
        call(client)
    assert message in str(info.value)
    assert SECRET not in str(info.value)
    assert transport.requests == []


def test_principal_type_any_case_and_enum_member() -> None:
    transport = f.FakeTransport((200, {"objectId": TENANT, "tenantId": TENANT, "principalType": "tenant",
                                       "clientIds": [APP]}))  # fmt: skip
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=ENTRA_PREVIEW, transport=transport)
    result = client.upsert_entra_assignment(TENANT, tenant_id=TENANT, principal_type=" Tenant ", client_ids=(APP,))
    assert transport.last.json() == {"tenantId": TENANT, "principalType": "tenant", "clientIds": [APP]}
    assert result.principal_type is EntraPrincipalType.TENANT


def test_a_principal_type_newer_than_the_library_is_kept() -> None:
    transport = f.FakeTransport((200, {"value": [{"objectId": OBJECT, "tenantId": TENANT,
                                                  "principalType": "servicePrincipal", "clientIds": []}]}))  # fmt: skip
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=ENTRA_PREVIEW, transport=transport)
    assert client.list_entra_assignments() == [EntraAssignment(OBJECT, TENANT, "servicePrincipal", ())]


# -- end to end against the local service ------------------------------------------------
def _client(service: Any) -> CommunicationIdentityClient:
    return CommunicationIdentityClient.from_connection_string(
        service.connection_string, api_version=ENTRA_PREVIEW, retry_total=0
    )


def test_entra_user_flow(identity_service: Any) -> None:
    app, user, group = (str(uuid.uuid4()) for _ in range(3))
    with _client(identity_service) as client:
        with pytest.raises(ResourceNotFoundError) as missing:
            client.get_entra_assignment(user)
        assert missing.value.error.code == "AssignmentNotFound"
        token = entra_token(identity_service, TENANT, user, app, resource="clients")
        with pytest.raises(HttpResponseError) as refused:
            client.get_token_for_entra_user(token)
        assert (refused.value.status_code, refused.value.error.code) == (403, "Forbidden")

        stored = client.upsert_entra_assignment(user, tenant_id=TENANT, principal_type="user", client_ids=[app])
        assert stored == EntraAssignment(user, TENANT, EntraPrincipalType.USER, (app,))
        assert client.get_entra_assignment(user.upper()) == stored
        assert stored in client.list_entra_assignments()

        identity, acs_token = client.get_token_for_entra_user(token)
        assert isinstance(identity, TeamsExtensionUserIdentifier)
        assert identity.raw_id.endswith(f"_{TENANT}_{user}")
        state = introspect(identity_service.endpoint, identity_service.access_key, acs_token.token)
        assert state["active"] is True and state["claims"]["acsScope"] == "voip"
        assert acs_token.expires_on > time.time() + 50 * 60

        # bulk: the user's assignment goes, a group's comes; a member of the group may exchange
        updated = client.update_entra_assignments(
            assignments=[EntraAssignment(group, TENANT, EntraPrincipalType.GROUP, (app,))], remove=[user]
        )
        assert updated == [EntraAssignment(group, TENANT, EntraPrincipalType.GROUP, (app,))]
        with pytest.raises(HttpResponseError) as no_longer:
            client.get_token_for_entra_user(token)
        assert no_longer.value.status_code == 403
        member = entra_token(identity_service, TENANT, user, app, resource="clients", claims={"groups": [group]})
        assert client.get_token_for_entra_user(member)[0] == identity

        assert client.update_entra_assignments(remove=[group]) == []
        with pytest.raises(ResourceNotFoundError):
            client.delete_entra_assignment(group)


def test_entra_exchange_refuses_a_teams_token(identity_service: Any) -> None:
    user, app = str(uuid.uuid4()), str(uuid.uuid4())
    with _client(identity_service) as client:
        client.upsert_entra_assignment(user, tenant_id=TENANT, principal_type="user", client_ids=[app])
        with pytest.raises(ClientAuthenticationError) as info:
            client.get_token_for_entra_user(entra_token(identity_service, TENANT, user, app))
        assert info.value.error.code == "InvalidAccessToken"
        client.delete_entra_assignment(user)


def test_async_entra_user_flow(identity_service: Any) -> None:
    app, user = str(uuid.uuid4()), str(uuid.uuid4())
    token = entra_token(identity_service, TENANT, user, app, resource="clients", scopes=["VoIP", "Chat"])

    async def main() -> None:
        async with AsyncClient.from_connection_string(
            identity_service.connection_string, api_version=ENTRA_PREVIEW, retry_total=0
        ) as client:
            stored = await client.upsert_entra_assignment(
                user, tenant_id=TENANT, principal_type=EntraPrincipalType.USER, client_ids=[app]
            )
            assert await client.get_entra_assignment(user) == stored
            assert stored in await client.list_entra_assignments()
            identity, acs_token = await client.get_token_for_entra_user(token)
            assert identity.raw_id.endswith(f"_{TENANT}_{user}")
            state = introspect(identity_service.endpoint, identity_service.access_key, acs_token.token)
            assert state["claims"]["acsScope"] == "voip,chat"
            user_created = await client.create_user()  # the GA layer, beside the preview's own
            await client.delete_user(user_created)
            assert await client.update_entra_assignments(remove=[user]) == []
            with pytest.raises(ResourceNotFoundError):
                await client.get_entra_assignment(user)

    asyncio.run(main())
