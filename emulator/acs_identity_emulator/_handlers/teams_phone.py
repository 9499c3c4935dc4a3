"""Teams Phone: access assignments (get, upsert, delete) and the token exchange they allow."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .. import _bodies, _errors
from .._dispatch import Call, Result, handles
from .._formats import is_guid, teams_phone_identity_id
from .._store import Assignment

if TYPE_CHECKING:
    from .._app import Emulator

#: Scopes the emulator writes into Teams Phone tokens.
TEAMS_PHONE_SCOPES = "voip"
ASSIGNMENT = "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}"


@handles("POST /access/teamsExtension/:exchangeAccessToken", auth="bearer")
async def exchange_teams_phone(service: Emulator, call: Call) -> Result:
    """POST /access/teamsExtension/:exchangeAccessToken (Entra bearer, checked by dispatch) -> 200."""
    caller = call.caller
    assert caller is not None  # auth="bearer": dispatch set it or answered 401
    tid, oid, app = caller.tenant_id, caller.object_id, caller.app_id
    _bodies.load_json(call.body)  # the body is an (empty) object; reject non-JSON
    assignment = service.store.assignments.get(tid, oid)
    if assignment is None:
        raise _errors.no_teams_phone_assignment(tid, oid)
    if assignment.client_ids and app.lower() not in assignment.client_ids:
        raise _errors.client_not_assigned(app)
    # Every claim was checked above: nothing is written for a request that fails.
    return await exchanged(service, tid, oid, TEAMS_PHONE_SCOPES, caller.exp)


async def exchanged(service: Emulator, tenant_id: str, object_id: str, scopes: str, expires_at: float) -> Result:
    """The 200 of an Entra user's token exchange (Teams Phone, and 2025-03-02-preview's Entra ID
    users): the user's ACS identity, made on first use, and a token that ends with the Entra token."""
    identity_id = teams_phone_identity_id(service.resource_id, tenant_id, object_id)
    token_value, expires_on = await service.mint(
        identity_id,
        lambda: service.store.ensure_identity(identity_id, time.time()),
        scopes,
        expires_at=expires_at,
    )
    return 200, {
        "identity": {"id": identity_id},
        "accessToken": {"token": token_value, "expiresOn": expires_on},
    }


def _tenant_object(call: Call) -> tuple[str, str]:
    """The tenant and object ids of an assignment's path (GUIDs, lower-cased), else 400."""
    tenant_id, object_id = call.params
    if not is_guid(tenant_id):
        raise _errors.validation("Provided TenantId has invalid format.", "tenantId")
    if not is_guid(object_id):
        raise _errors.validation("Provided ObjectId has invalid format.", "objectId")
    return tenant_id.lower(), object_id.lower()


@handles(f"GET {ASSIGNMENT}")
async def get_assignment(service: Emulator, call: Call) -> Result:
    """GET .../assignments/{o} -> 200."""
    tenant_id, object_id = _tenant_object(call)
    assignment = service.store.assignments.get(tenant_id, object_id)
    if assignment is None:
        raise _errors.assignment_not_found(tenant_id, object_id)
    return 200, assignment.to_json()


@handles(f"PUT {ASSIGNMENT}")
async def upsert_assignment(service: Emulator, call: Call) -> Result:
    """PUT .../assignments/{o} -> 201 created / 200 replaced."""
    tenant_id, object_id = _tenant_object(call)
    principal_type, client_ids = _bodies.assignment(call.body, call.api_version)
    assignment = Assignment(tenant_id, object_id, principal_type, client_ids)
    created = service.store.assignments.upsert(assignment)
    return (201 if created else 200), assignment.to_json()


@handles(f"DELETE {ASSIGNMENT}")
async def delete_assignment(service: Emulator, call: Call) -> Result:
    """DELETE .../assignments/{o} -> 204 (404 when there is none)."""
    tenant_id, object_id = _tenant_object(call)
    if not service.store.assignments.delete(tenant_id, object_id):
        raise _errors.assignment_not_found(tenant_id, object_id)
    return 204, None
