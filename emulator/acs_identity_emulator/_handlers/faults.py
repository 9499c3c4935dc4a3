"""This service's fault rules over HTTP (no ``api-version``; signed with the resource's key).

``POST /emulator/faults`` adds one rule (201 with its ``id`` and ``hits``), ``GET`` lists them
(``{"value": [...]}``), ``GET /emulator/faults/{id}`` shows one, ``DELETE`` removes one or all
(204). The rules themselves, their checks and how they act are in ``_faults``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _bodies, _errors, _faults
from .._dispatch import Call, Result, extra_route

if TYPE_CHECKING:
    from .._app import Emulator


@extra_route("POST /emulator/faults")
async def add_fault(service: Emulator, call: Call) -> Result:
    """POST /emulator/faults {rule} -> 201 {rule, id, hits: 0}; a bad rule is a 400 naming its field."""
    body = _bodies.load_json(call.body)
    if body is None:
        raise _errors.validation("The request body is required: one fault rule, a JSON object.")
    try:
        rule = service.faults.add(_faults.parse_rule(body))
    except _faults.FaultRuleError as error:
        raise _errors.validation(str(error), error.field) from None
    _faults.attach(service)
    _faults.log.info("fault rule %s added: %s", rule.id, rule)
    return 201, rule.to_json()


@extra_route("GET /emulator/faults")
async def list_faults(service: Emulator, call: Call) -> Result:
    """GET /emulator/faults -> 200 {"value": [rule, ...]} in the order they apply, each with its hits."""
    return 200, {"value": [rule.to_json() for rule in service.faults]}


@extra_route("GET /emulator/faults/{id}")
async def get_fault(service: Emulator, call: Call) -> Result:
    """GET /emulator/faults/{id} -> 200 {rule} (404 for an unknown id)."""
    rule = service.faults.get(call.params[0])
    if rule is None:
        raise _errors.fault_rule_not_found(call.params[0])
    return 200, rule.to_json()


@extra_route("DELETE /emulator/faults")
async def clear_faults(service: Emulator, call: Call) -> Result:
    """DELETE /emulator/faults -> 204: every rule removed."""
    service.faults.clear()
    _faults.attach(service)
    _faults.log.info("fault rules removed: all")
    return 204, None


@extra_route("DELETE /emulator/faults/{id}")
async def remove_fault(service: Emulator, call: Call) -> Result:
    """DELETE /emulator/faults/{id} -> 204 (404 for an unknown id)."""
    if not service.faults.remove(call.params[0]):
        raise _errors.fault_rule_not_found(call.params[0])
    _faults.attach(service)
    _faults.log.info("fault rule %s removed", call.params[0])
    return 204, None
