"""Entra ID users (2025-03-02-preview): Entra access assignments and the token exchange they allow.

An assignment names an Entra principal of the resource's users, a ``user``, a ``group`` (its
members) or a ``tenant`` (everyone in it, the object id being the tenant's id), and the client
applications that may exchange those users' Entra tokens for Communication Services tokens. The
exchange is authenticated by the user's Entra token itself (``clients-bearer``, see ``_entra``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _bodies, _errors
from .._dispatch import Call, Result, handles
from .._entra import CLIENTS_SCOPES, EntraCaller
from .._formats import is_guid
from .._store import EntraAssignment
from .teams_phone import exchanged

if TYPE_CHECKING:
    from .._app import Emulator
    from .._store import Store

ASSIGNMENTS = "/access/entra/assignments"
ASSIGNMENT = "/access/entra/assignments/{objectId}"


def _covering(store: Store, caller: EntraCaller) -> list[EntraAssignment]:
    """The assignments that cover the caller: its own, its groups' and its tenant's."""
    tid, oid = caller.tenant_id.lower(), caller.object_id.lower()
    found = store.entra_assignments.matching(tid, (oid, tid, *caller.groups))
    wanted = {"user": {oid}, "group": set(caller.groups), "tenant": {tid}}
    return [a for a in found if a.object_id in wanted.get(a.principal_type, set())]


@handles("POST /access/entra/:exchangeAccessToken", auth="clients-bearer")
async def exchange_entra_user(service: Emulator, call: Call) -> Result:
    """POST /access/entra/:exchangeAccessToken (Entra bearer, checked by dispatch) -> 200."""
    caller = call.caller
    assert caller is not None  # auth="clients-bearer": dispatch set it or answered 401
    _bodies.load_json(call.body)  # the body is an (empty) object; reject non-JSON
    covering = _covering(service.store, caller)
    if not covering:
        raise _errors.no_entra_assignment(caller.tenant_id, caller.object_id)
    app = caller.app_id.lower()
    if not any(app in assignment.client_ids for assignment in covering):
        raise _errors.client_not_in_entra_assignment(caller.app_id)
    scopes = ",".join(CLIENTS_SCOPES[s] for s in CLIENTS_SCOPES if s in caller.scopes)
    # Every claim was checked above: nothing is written for a request that fails.
    return await exchanged(service, caller.tenant_id, caller.object_id, scopes, caller.exp)


def _object_id(call: Call) -> str:
    """The object id of an assignment's path (a GUID, lower-cased), else 400."""
    (object_id,) = call.params
    if not is_guid(object_id):
        raise _errors.validation("Provided ObjectId has invalid format.", "objectId")
    return object_id.lower()


@handles(f"GET {ASSIGNMENTS}")
async def list_assignments(service: Emulator, call: Call) -> Result:
    """GET /access/entra/assignments -> 200 {value: [...]} (every assignment, by object id, one page)."""
    return 200, {"value": [a.to_json() for a in service.store.entra_assignments.all()]}


@handles(f"PATCH {ASSIGNMENTS}")
async def update_assignments(service: Emulator, call: Call) -> Result:
    """PATCH /access/entra/assignments -> 200 {value: the assignments set} / 204 (nothing set)."""
    update = _bodies.entra_assignments_update(call.body, call.api_version)
    sets = [EntraAssignment(o, *fields) for o, fields in update.sets.items()]
    service.store.entra_assignments.update(sets, update.removals)
    if not sets:
        return 204, None
    return 200, {"value": [a.to_json() for a in sets]}


@handles(f"GET {ASSIGNMENT}")
async def get_assignment(service: Emulator, call: Call) -> Result:
    """GET /access/entra/assignments/{objectId} -> 200 / 404."""
    object_id = _object_id(call)
    assignment = service.store.entra_assignments.get(object_id)
    if assignment is None:
        raise _errors.entra_assignment_not_found(object_id)
    return 200, assignment.to_json()


@handles(f"PUT {ASSIGNMENT}")
async def upsert_assignment(service: Emulator, call: Call) -> Result:
    """PUT /access/entra/assignments/{objectId} -> 201 created / 200 replaced."""
    object_id = _object_id(call)
    fields = _bodies.entra_assignment(call.body, call.api_version, object_id)
    assignment = EntraAssignment(object_id, *fields)
    created = service.store.entra_assignments.upsert(assignment)
    return (201 if created else 200), assignment.to_json()


@handles(f"DELETE {ASSIGNMENT}")
async def delete_assignment(service: Emulator, call: Call) -> Result:
    """DELETE /access/entra/assignments/{objectId} -> 204 (404 when there is none)."""
    object_id = _object_id(call)
    if not service.store.entra_assignments.delete(object_id):
        raise _errors.entra_assignment_not_found(object_id)
    return 204, None
