"""Entra ID users (2025-03-02-preview): the checks and conversions of the Entra methods.

The clients call these around the preview's own generated layer (``preview2025_03_02``): every
argument is checked, and the version asked for, before a request is built; what comes back is
turned into the public :class:`EntraAssignment`. The sync and async clients share all of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError

from ._api_versions import ApiVersion, require_operation
from ._base import _epoch, _id_text, enum_member
from ._identifiers import CommunicationIdentifier, identifier_from_raw_id
from ._models import EntraAssignment, EntraPrincipalType

if TYPE_CHECKING:
    from ._generated.preview2025_03_02 import models as entra_models

ASSIGNMENTS = "/access/entra/assignments"
ASSIGNMENT = "/access/entra/assignments/{objectId}"

#: The operation each Entra method calls ("METHOD path", as in the documents).
OPERATIONS = {
    "get_token_for_entra_user": "POST /access/entra/:exchangeAccessToken",
    "list_entra_assignments": f"GET {ASSIGNMENTS}",
    "update_entra_assignments": f"PATCH {ASSIGNMENTS}",
    "get_entra_assignment": f"GET {ASSIGNMENT}",
    "upsert_entra_assignment": f"PUT {ASSIGNMENT}",
    "delete_entra_assignment": f"DELETE {ASSIGNMENT}",
}


def require(version: ApiVersion, method: str) -> None:
    """Refuse, before any request, a version whose document lacks ``method``'s operation."""
    require_operation(version, OPERATIONS[method], method)


def object_id(value: Any, name: str = "object_id") -> str:
    """An assignment's object id: an Entra id (a GUID)."""
    return _id_text(name, value)


def assignment_request(
    oid: str, tenant_id: Any, principal_type: Any, client_ids: Any, where: str = ""
) -> entra_models.EntraAssignmentCreateOrUpdateRequest:
    """The body of one assignment, every field checked (``where`` names the item of a bulk update)."""
    tenant = _id_text(f"{where}tenant_id", tenant_id)
    kind = enum_member(EntraPrincipalType, principal_type, f"{where}principal_type")
    if isinstance(client_ids, (str, bytes)) or not isinstance(client_ids, Iterable):
        raise ValueError(f"{where}client_ids must be a non-empty list of Entra application (client) ids.")
    ids = [_id_text(f"{where}client_ids item", c) for c in client_ids]
    if not ids:
        raise ValueError(f"{where}client_ids must be a non-empty list of Entra application (client) ids.")
    if kind is EntraPrincipalType.TENANT and oid.lower() != tenant.lower():
        raise ValueError(f"{where}an assignment of principal_type 'tenant' has the tenant id as its object_id.")
    from ._generated.preview2025_03_02 import models as entra_models

    return entra_models.EntraAssignmentCreateOrUpdateRequest(
        tenant_id=tenant, principal_type=kind.value, client_ids=ids
    )


def bulk_request(
    assignments: Iterable[EntraAssignment], remove: Iterable[str]
) -> dict[str, entra_models.EntraAssignmentCreateOrUpdateRequest]:
    """The body of a bulk update: object id -> assignment to set, or ``None`` to remove.

    A removal is a JSON ``null`` (merge-patch); the generated layer's type has no ``Optional`` for
    the map's values (the document does not say ``x-nullable``) but its serializer writes ``None``
    as ``null``, which the wire tests check.
    """
    if isinstance(assignments, (EntraAssignment, str, bytes, Mapping)) or not isinstance(assignments, Iterable):
        raise ValueError("assignments must be a list of EntraAssignment.")
    if isinstance(remove, (str, bytes)) or not isinstance(remove, Iterable):
        raise ValueError("remove must be a list of object ids.")
    body: dict[str, Optional[entra_models.EntraAssignmentCreateOrUpdateRequest]] = {}
    seen: set[str] = set()

    def claim(oid: str) -> None:
        if oid.lower() in seen:
            raise ValueError(f"object id {oid!r} is given more than once; each object id may appear once.")
        seen.add(oid.lower())

    for index, item in enumerate(assignments):
        if not isinstance(item, EntraAssignment):
            raise ValueError(f"assignments[{index}] must be an EntraAssignment, not {type(item).__name__}.")
        oid = object_id(item.object_id, f"assignments[{index}].object_id")
        claim(oid)
        where = f"assignments[{index}]."
        body[oid] = assignment_request(oid, item.tenant_id, item.principal_type, item.client_ids, where)
    for index, value in enumerate(remove):
        oid = object_id(value, f"remove[{index}]")
        claim(oid)
        body[oid] = None
    return cast("dict[str, entra_models.EntraAssignmentCreateOrUpdateRequest]", body)


def assignment(generated: entra_models.EntraAssignment) -> EntraAssignment:
    """The public model of an assignment the service answered with."""
    kind: Union[EntraPrincipalType, str]
    try:
        kind = EntraPrincipalType(generated.principal_type)
    except ValueError:  # a kind newer than this library: keep the service's value
        kind = generated.principal_type
    return EntraAssignment(
        object_id=generated.object_id,
        tenant_id=generated.tenant_id,
        principal_type=kind,
        client_ids=tuple(generated.client_ids or ()),
    )


def exchange_result(
    result: entra_models.CommunicationIdentityAccessTokenResult,
) -> tuple[CommunicationIdentifier, AccessToken]:
    """The identity and token of an Entra ID user exchange."""
    if result.access_token is None:
        raise HttpResponseError(message="The Entra ID user exchange answered without an access token.")
    token = result.access_token
    return identifier_from_raw_id(result.identity.id), AccessToken(token.token, _epoch(token.expires_on))
