"""Dispatch is keyed by operation (method + path template), built from the catalog.

An operation renamed between versions is one operation with one handler; a new operation is one
registered function; the interceptor seam sits between authentication and the handler.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from acs_identity_emulator import _dispatch, _versions
from acs_identity_emulator._dispatch import Call, Handler, Result
from acs_identity_emulator._errors import ServiceError
from acs_identity_emulator._handlers import extras, identities
from emu_helpers import GA, RawClient, enc, serving_in_process

from azure.communication.administration._generated import _catalog


def _operations() -> dict[tuple[str, str], _dispatch.Operation]:
    return {op.key: op for route in _dispatch.routing_table() for op in route.methods.values()}


def test_every_name_of_an_operation_is_the_same_operation() -> None:
    for version in _catalog.VERSIONS:
        for operation_id, method, path in _catalog.OPERATIONS[version]:
            assert _versions.operation_key(operation_id) == (method, path)
            assert _versions.operation_key(f"{method} {path}") == (method, path)


def test_a_renamed_operation_has_one_handler_and_both_names() -> None:
    create = _operations()[("POST", "/identities")]
    names = {
        operation_id
        for v in _catalog.VERSIONS
        for operation_id, m, p in _catalog.OPERATIONS[v]
        if m == "POST" and p == "/identities"
    }
    assert set(create.operation_ids) == names and len(names) >= 2  # renamed in 2025-06-30
    assert create.versions == _catalog.OPERATION_VERSIONS["POST /identities"]  # every version but the Roles preview
    # wrapped once for repeatable requests (a version's document declares the headers on it)
    assert inspect.unwrap(create.handler) is identities.create_identity


def test_every_documented_operation_is_routed_and_the_extras_take_no_version() -> None:
    operations = _operations()
    assert set(_versions.operations()) <= set(operations)
    assert operations[("POST", "/emulator/introspect")].versions is None
    assert operations[("POST", "/emulator/introspect")].handler is extras.introspect
    assert operations[("GET", "/.well-known/jwks.json")].auth == "none"
    assert operations[("POST", "/access/teamsExtension/:exchangeAccessToken")].auth == "bearer"


@pytest.mark.parametrize("name", ["POST /nowhere", "IdentityOperations_Frobnicate", "", "POST", "GET /identities"])
def test_a_name_no_document_has_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="no swagger document has the operation"):
        _versions.operation_key(name)


def test_a_second_handler_for_an_operation_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dispatch, "_HANDLERS", dict(_dispatch._HANDLERS))
    with pytest.raises(RuntimeError, match="two handlers for POST /identities"):
        _dispatch.handles("CommunicationIdentity_Create")(identities.create_identity)


def test_a_new_operation_is_one_registered_function(monkeypatch: pytest.MonkeyPatch) -> None:
    latest = _catalog.LATEST_GA
    documented = {**_versions.operations(), ("POST", "/identities/{id}/:frobnicate"): (latest,)}
    monkeypatch.setattr(_versions, "operations", lambda: documented)
    monkeypatch.setattr(_dispatch, "_HANDLERS", dict(_dispatch._HANDLERS))

    @_dispatch.handles("POST /identities/{id}/:frobnicate")
    async def frobnicate(service: Any, call: Call) -> Result:
        return 200, {"id": call.params[0], "version": call.api_version}

    with serving_in_process() as served:
        reply = RawClient(served).request("POST", "/identities/8%3Aacs%3Ax/:frobnicate", {}, api_version=latest)
    assert (reply.status, reply.json()) == (200, {"id": "8:acs:x", "version": latest})
    assert reply.header("api-supported-versions") == latest


def test_the_interceptor_runs_after_authentication_keyed_by_operation() -> None:
    seen: list[tuple[tuple[str, str], str]] = []

    async def intercept(service: Any, call: Call, handler: Handler) -> Result:
        seen.append((call.operation.key, call.api_version))
        if call.operation.key == ("DELETE", "/identities/{id}"):
            raise ServiceError(503, "ServiceUnavailable", "Try again later.", headers={"Retry-After": "1"})
        return await handler(service, call)

    with serving_in_process() as served:
        raw = RawClient(served)
        expired = raw.entra_token(exp=1)  # signed by the service, long expired
        served.emulator.intercept = intercept
        identity = raw.create()  # passed through to the handler
        refused = raw.request("DELETE", f"/identities/{enc(identity)}")
        assert (refused.status, refused.header("Retry-After")) == (503, "1")
        assert refused.json() == {"error": {"code": "ServiceUnavailable", "message": "Try again later."}}
        # Neither an unauthenticated request, nor a bad version, nor a bad bearer reaches it.
        assert raw.request("POST", "/identities", sign=False).status == 401
        assert raw.request("POST", "/identities", api_version="2000-01-01").status == 400
        phone = "/access/teamsExtension/:exchangeAccessToken"
        bearer = {"Authorization": f"Bearer {expired}"}
        assert raw.request("POST", phone, {}, api_version=_catalog.LATEST_GA, headers=bearer, sign=False).status == 401
        assert raw.request("GET", "/.well-known/jwks.json", api_version=None, sign=False).status == 200
    assert seen == [
        (("POST", "/identities"), GA),
        (("DELETE", "/identities/{id}"), GA),
        (("GET", "/.well-known/jwks.json"), ""),
    ]
