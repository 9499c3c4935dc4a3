"""Every public operation, what it must put on the wire per API version, for sync and async.

A case is ``(name, minimum version, call, canned responses, expected requests, check)``.
``call(client)`` returns the result (sync) or an awaitable (async).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from azure.core import MatchConditions
from azure.core.credentials import AccessToken

from azure.communication.administration import (
    VERSION,
    ApiVersion,
    CommunicationIdentityToken,
    CommunicationRole,
    CommunicationUser,
    CommunicationUserDetail,
    EntraAssignment,
    EntraPrincipalType,
    TeamsExtensionAssignment,
    TeamsExtensionPrincipalType,
    TeamsExtensionUserIdentifier,
)
from azure.communication.administration._generated import _catalog

from . import _fakes as f

PREVIEW = ApiVersion.V2020_07_20_PREVIEW2  # the 2020 preview protocol: a deliberate pin of released history
ALL = list(ApiVersion)
GA = ALL[1:]
LATEST = ApiVersion(_catalog.LATEST_GA)  # the default: the newest GA document
ORDER = {v: i for i, v in enumerate(ALL)}

U = f.USER_ID_QUOTED
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OBJECT = "4b1c2a7e-0000-4000-8000-00000000beef"
APP = "1fd5118e-2576-4263-8130-9503064c837a"
AAD_USER = "0b3a6c1d-1111-4222-8333-944444444444"
PHONE_ID = f"8:acs:resource_{TENANT}_{OBJECT}"
DATE_RE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$"
)
EMPTY_SHA = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
UUID4_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
#: The versions whose create is repeatable (upstream's 2023-08-01 document declares the headers).
REPEATABLE_CREATE = frozenset({ApiVersion.V2023_08_01})
ISSUED_BEFORE = datetime(2024, 5, 6, 9, 8, 9, tzinfo=timezone(timedelta(hours=2)))


@dataclass
class Expect:
    method: str
    path: str
    body: Any = None  # parsed JSON; None = no body
    content_type: Optional[str] = None
    bearer: Optional[str] = None  # Authorization: Bearer <bearer> instead of HMAC
    query: Optional[str] = None  # the raw query, when not just api-version (a next page)
    headers: Optional[dict[str, str]] = None  # further headers that must be there, literally


@dataclass
class Case:
    name: str
    minimum: ApiVersion
    call: Callable[[Any], Any]
    responses: Callable[[ApiVersion], list[tuple]]
    expect: Callable[[ApiVersion], list[Expect]]
    check: Callable[[Any, ApiVersion], None]
    #: "METHOD path": the case runs on the versions whose document has it (the catalog says), not
    #: on every version from ``minimum`` on (a preview's operation may be in no later version).
    operation: Optional[str] = None
    #: For a feature that only some versions have (a preview's): those versions, from the catalog.
    only: Optional[Callable[[ApiVersion], bool]] = None

    def supports(self, version: ApiVersion) -> bool:
        if self.operation is not None:
            return version.value in _catalog.OPERATION_VERSIONS.get(self.operation, ())
        if self.only is not None:
            return self.only(version) and sendable(self, version)
        return ORDER[version] >= ORDER[self.minimum] and sendable(self, version)


def _is_user(result: Any, _v: ApiVersion) -> None:
    assert type(result) is CommunicationUser
    assert result.raw_id == f.USER_ID


def _is_none(result: Any, _v: ApiVersion) -> None:
    assert result is None


def _is_identity_token(result: Any, _v: ApiVersion) -> None:
    assert result == CommunicationIdentityToken(
        id=f.USER_ID,
        token=f.TOKEN,
        expires_on=datetime(2030, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc),
    )
    assert result.expires_on.utcoffset() == timedelta(0)


def _is_access_token(result: Any, _v: ApiVersion) -> None:
    assert type(result) is AccessToken
    assert tuple(result) == (f.TOKEN, f.EXPIRES_EPOCH)
    assert type(result.expires_on) is int


def _is_user_and_token(result: Any, v: ApiVersion) -> None:
    user, token = result
    _is_user(user, v)
    _is_access_token(token, v)


def _is_phone_result(result: Any, _v: ApiVersion) -> None:
    ident, token = result
    assert ident == TeamsExtensionUserIdentifier(OBJECT, TENANT, "resource")
    assert ident.raw_id == PHONE_ID
    assert tuple(token) == (f.TOKEN, f.EXPIRES_EPOCH)


def _is_assignment(result: Any, _v: ApiVersion) -> None:
    assert result == TeamsExtensionAssignment(
        object_id=OBJECT,
        tenant_id=TENANT,
        principal_type=TeamsExtensionPrincipalType.USER,
        client_ids=(APP,),
    )


def _create_responses(v: ApiVersion) -> list[tuple]:
    return [f.preview_identity()] if v is PREVIEW else [f.ga_identity()]


def _token_responses(v: ApiVersion) -> list[tuple]:
    return [f.preview_token()] if v is PREVIEW else [f.ga_token()]


def _issue_path(v: ApiVersion) -> str:
    return f"/identities/{U}/token" if v is PREVIEW else f"/identities/{U}/:issueAccessToken"


def has_get_user(v: ApiVersion) -> bool:
    return any((m, p) == ("GET", "/identities/{id}") for _, m, p in _catalog.OPERATIONS[v.value])


def custom_id_name(v: ApiVersion) -> Optional[str]:
    """The create body's name for a caller-chosen id in ``v``'s document (None: it has none)."""
    for name in ("customId", "externalId"):
        if v.value in _catalog.PROPERTY_VERSIONS.get(f"CommunicationIdentityCreateRequest.{name}", ()):
            return name
    return None


CUSTOM_ID = "crm-42"
LAST_TOKEN = "2030-01-02T03:04:05.1234567+00:00"


def _detail_body(v: ApiVersion) -> dict[str, Any]:
    return {"id": f.USER_ID, str(custom_id_name(v)): CUSTOM_ID, "lastTokenIssuedAt": LAST_TOKEN}


def _is_detail(result: Any, _v: ApiVersion) -> None:
    assert result == CommunicationUserDetail(
        user=CommunicationUser(f.USER_ID),
        custom_id=CUSTOM_ID,
        last_token_issued_at=datetime(2030, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc),
    )


def _custom_identity(v: ApiVersion, with_token: bool = False) -> tuple:
    status, body = f.ga_identity(with_token=with_token)
    body["identity"][str(custom_id_name(v))] = CUSTOM_ID
    return (status, body)


ASSIGNMENT_PATH = f"/access/teamsExtension/tenants/{TENANT}/assignments/{OBJECT}"
ASSIGNMENT_BODY = {
    "objectId": OBJECT,
    "tenantId": TENANT,
    "principalType": "user",
    "clientIds": [APP],
}

CASES = [
    Case(
        "create_user",
        PREVIEW,
        lambda c: c.create_user(),
        _create_responses,
        lambda v: [Expect("POST", "/identities")],
        _is_user,
    ),
    Case(
        "delete_user",
        PREVIEW,
        lambda c: c.delete_user(CommunicationUser(f.USER_ID)),
        lambda v: [f.NO_CONTENT],
        lambda v: [Expect("DELETE", f"/identities/{U}")],
        _is_none,
    ),
    Case(
        "delete_user_raw_id",
        PREVIEW,
        lambda c: c.delete_user(f.USER_ID),
        lambda v: [f.NO_CONTENT],
        lambda v: [Expect("DELETE", f"/identities/{U}")],
        _is_none,
    ),
    Case(
        "issue_token",
        PREVIEW,
        lambda c: c.issue_token(CommunicationUser(f.USER_ID), scopes=["chat"]),
        _token_responses,
        lambda v: [Expect("POST", _issue_path(v), {"scopes": ["chat"]}, "application/json")],
        _is_identity_token,
    ),
    Case(
        "revoke_tokens_issued_before",
        PREVIEW,
        lambda c: c.revoke_tokens(f.USER_ID, issued_before=ISSUED_BEFORE),
        lambda v: [f.NO_CONTENT],
        lambda v: [
            Expect(
                "PATCH",
                f"/identities/{U}",
                {"tokensValidFrom": "2024-05-06T07:08:09.000Z"},
                "application/merge-patch+json",
            )
        ],
        _is_none,
    ),
    Case(
        "revoke_tokens_all",
        ALL[1],
        lambda c: c.revoke_tokens(CommunicationUser(f.USER_ID)),
        lambda v: [f.NO_CONTENT],
        lambda v: [Expect("POST", f"/identities/{U}/:revokeAccessTokens")],
        _is_none,
    ),
    Case(
        "create_user_and_token",
        PREVIEW,
        lambda c: c.create_user_and_token(["chat", "voip"]),
        lambda v: [f.preview_identity(), f.preview_token()] if v is PREVIEW else [f.ga_identity(with_token=True)],
        lambda v: (
            [
                Expect("POST", "/identities"),
                Expect("POST", f"/identities/{U}/token", {"scopes": ["chat", "voip"]}, "application/json"),
            ]
            if v is PREVIEW
            else [Expect("POST", "/identities", {"createTokenWithScopes": ["chat", "voip"]}, "application/json")]
        ),
        _is_user_and_token,
    ),
    Case(
        "create_user_and_token_expires_in",
        ApiVersion.V2022_10_01,
        lambda c: c.create_user_and_token(["voip"], token_expires_in=timedelta(hours=2)),
        lambda v: [f.ga_identity(with_token=True)],
        lambda v: [
            Expect(
                "POST",
                "/identities",
                {"createTokenWithScopes": ["voip"], "expiresInMinutes": 120},
                "application/json",
            )
        ],
        _is_user_and_token,
    ),
    Case(
        "get_token",
        PREVIEW,
        lambda c: c.get_token(CommunicationUser(f.USER_ID), ["voip", "CHAT"]),
        _token_responses,
        lambda v: [Expect("POST", _issue_path(v), {"scopes": ["voip", "chat"]}, "application/json")],
        _is_access_token,
    ),
    Case(
        "get_token_expires_in",
        ApiVersion.V2022_10_01,
        lambda c: c.get_token(f.USER_ID, ["chat"], token_expires_in=timedelta(minutes=1440)),
        lambda v: [f.ga_token()],
        lambda v: [
            Expect(
                "POST",
                f"/identities/{U}/:issueAccessToken",
                {"scopes": ["chat"], "expiresInMinutes": 1440},
                "application/json",
            )
        ],
        _is_access_token,
    ),
    Case(
        "get_token_join_scopes",
        ApiVersion.V2023_10_01,
        lambda c: c.get_token(f.USER_ID, ["chat.join", "chat.join.limited", "voip.join"]),
        lambda v: [f.ga_token()],
        lambda v: [
            Expect(
                "POST",
                f"/identities/{U}/:issueAccessToken",
                {"scopes": ["chat.join", "chat.join.limited", "voip.join"]},
                "application/json",
            )
        ],
        _is_access_token,
    ),
    Case(
        "get_token_for_teams_user",
        ApiVersion.V2022_06_01,
        lambda c: c.get_token_for_teams_user("aad-token-value", APP, AAD_USER),
        lambda v: [f.ga_token()],
        lambda v: [
            Expect(
                "POST",
                "/teamsUser/:exchangeAccessToken",
                {"token": "aad-token-value", "appId": APP, "userId": AAD_USER},
                "application/json",
            )
        ],
        _is_access_token,
    ),
    Case(
        "get_token_for_teams_phone_user",
        ApiVersion.V2025_06_30,
        lambda c: c.get_token_for_teams_phone_user("entra-phone-token"),
        lambda v: [
            (
                200,
                {
                    "identity": {"id": PHONE_ID},
                    "accessToken": {"token": f.TOKEN, "expiresOn": f.EXPIRES_ON},
                },
            )
        ],
        lambda v: [
            Expect(
                "POST",
                "/access/teamsExtension/:exchangeAccessToken",
                {},
                "application/json",
                bearer="entra-phone-token",
            )
        ],
        _is_phone_result,
    ),
    Case(
        "get_teams_extension_assignment",
        ApiVersion.V2025_06_30,
        lambda c: c.get_teams_extension_assignment(TENANT, OBJECT),
        lambda v: [(200, ASSIGNMENT_BODY)],
        lambda v: [Expect("GET", ASSIGNMENT_PATH)],
        _is_assignment,
    ),
    Case(
        "upsert_teams_extension_assignment",
        ApiVersion.V2025_06_30,
        lambda c: c.upsert_teams_extension_assignment(TENANT, OBJECT, principal_type="user", client_ids=[APP]),
        lambda v: [(201, ASSIGNMENT_BODY)],
        lambda v: [Expect("PUT", ASSIGNMENT_PATH, {"principalType": "user", "clientIds": [APP]}, "application/json")],
        _is_assignment,
    ),
    Case(
        "delete_teams_extension_assignment",
        ApiVersion.V2025_06_30,
        lambda c: c.delete_teams_extension_assignment(TENANT, OBJECT),
        lambda v: [f.NO_CONTENT],
        lambda v: [Expect("DELETE", ASSIGNMENT_PATH)],
        _is_none,
    ),
    Case(
        "get_user",
        PREVIEW,
        lambda c: c.get_user(CommunicationUser(f.USER_ID)),
        lambda v: [(200, _detail_body(v))],
        lambda v: [Expect("GET", f"/identities/{U}")],
        _is_detail,
        only=has_get_user,
    ),
    Case(
        "create_user_custom_id",
        PREVIEW,
        lambda c: c.create_user(custom_id=CUSTOM_ID),
        lambda v: [_custom_identity(v)],
        lambda v: [Expect("POST", "/identities", {custom_id_name(v): CUSTOM_ID}, "application/json")],
        _is_user,
        only=lambda v: custom_id_name(v) is not None,
    ),
    Case(
        "create_user_and_token_custom_id",
        PREVIEW,
        lambda c: c.create_user_and_token(["chat"], token_expires_in=timedelta(hours=1), custom_id=CUSTOM_ID),
        lambda v: [_custom_identity(v, with_token=True)],
        lambda v: [
            Expect(
                "POST",
                "/identities",
                {custom_id_name(v): CUSTOM_ID, "createTokenWithScopes": ["chat"], "expiresInMinutes": 60},
                "application/json",
            )
        ],
        _is_user_and_token,
        only=lambda v: custom_id_name(v) is not None,
    ),
]


# ----- the Roles API (2023-08-30-preview): its own section, so other versions' cases merge apart

ROLES = ApiVersion.V2023_08_30_PREVIEW
ROLE_TIME = "2024-05-06T07:08:09Z"


def _permission_names(definition: str) -> list[str]:
    """The wire names of a permissions definition in the Roles document (from the catalog)."""
    prefix = definition + "."
    return [
        k[len(prefix) :] for k, vs in _catalog.PROPERTY_VERSIONS.items() if k.startswith(prefix) and ROLES.value in vs
    ]


def _role_body(role_id: str = "r-1") -> dict[str, Any]:
    return {
        "id": role_id,
        "name": "Moderators",
        "isEnabled": True,
        "createdAt": ROLE_TIME,
        "updatedAt": ROLE_TIME,
        "permissions": {"chat": {"sendMessage": True, "deleteAnyMessage": False}, "calling": {"joinMeeting": True}},
    }


def _is_role(etag: Optional[str]) -> Callable[[Any, ApiVersion], None]:
    def check(result: Any, _v: ApiVersion) -> None:
        when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
        assert result == CommunicationRole(
            id="r-1",
            name="Moderators",
            is_enabled=True,
            chat_permissions={"send_message": True, "delete_any_message": False},
            calling_permissions={"join_meeting": True},
            created_at=when,
            updated_at=when,
            etag=etag,
        )
        assert result.created_at.utcoffset() == timedelta(0)

    return check


def _listed(result: Any, _v: ApiVersion) -> None:
    assert [role.id for role in result] == ["r-1", "r-2"]
    assert all(type(role) is CommunicationRole and role.etag is None for role in result)


def _all_of(paged: Any) -> Any:
    """A listing's items: a list (sync), or an awaitable of one (async)."""
    if hasattr(paged, "__aiter__"):

        async def collect() -> list[Any]:
            return [item async for item in paged]

        return collect()
    return list(paged)


NEXT_PAGE = "/roles?continuationToken=b2s%3D"
CREATE_ROLE_BODY = {
    "name": "Moderators",
    "isEnabled": True,
    "permissions": {
        "chat": {n: n == "sendMessage" for n in _permission_names("ChatPermissions")},
        "calling": dict.fromkeys(_permission_names("CallingPermissions"), False),
    },
}

CASES += [
    Case(
        "list_roles",
        ROLES,
        lambda c: _all_of(c.list_roles()),
        lambda v: [
            (200, {"value": [_role_body("r-1")], "nextLink": f.ENDPOINT + NEXT_PAGE}),
            (200, {"value": [_role_body("r-2")]}),
        ],
        lambda v: [
            Expect("GET", "/roles"),
            Expect("GET", "/roles", query=f"continuationToken=b2s%3D&api-version={v.value}"),
        ],
        _listed,
    ),
    Case(
        "create_role",
        ROLES,
        lambda c: c.create_role("Moderators", chat_permissions={"send_message": True}),
        lambda v: [
            (201, None, {"Location": f.ENDPOINT + "/roles/r-1", "ETag": '"e1"', "Repeatability-Result": "accepted"})
        ],
        lambda v: [Expect("POST", "/roles", CREATE_ROLE_BODY, "application/json")],
        lambda result, _v: _equals(result, "r-1"),
    ),
    Case(
        "get_role",
        ROLES,
        lambda c: c.get_role("r-1", etag='"e1"', match_condition=MatchConditions.IfModified),
        lambda v: [(200, _role_body(), {"ETag": '"e2"'})],
        lambda v: [Expect("GET", "/roles/r-1", headers={"If-None-Match": '"e1"'})],
        _is_role('"e2"'),
    ),
    Case(
        "update_role",
        ROLES,
        lambda c: c.update_role(
            "r-1",
            is_enabled=False,
            calling_permissions={"joinMeeting": True},
            etag='"e2"',
            match_condition=MatchConditions.IfNotModified,
        ),
        lambda v: [(200, _role_body(), {"ETag": '"e3"'})],
        lambda v: [
            Expect(
                "PATCH",
                "/roles/r-1",
                {"isEnabled": False, "permissions": {"calling": {"joinMeeting": True}}},
                "application/merge-patch+json",
                headers={"If-Match": '"e2"'},
            )
        ],
        _is_role('"e3"'),
    ),
    Case(
        "delete_role",
        ROLES,
        lambda c: c.delete_role("r-1"),
        lambda v: [f.NO_CONTENT],
        lambda v: [Expect("DELETE", "/roles/r-1")],
        _is_none,
    ),
]


# -- Entra ID users (2025-03-02-preview) --------------------------------------------
ENTRA_PREVIEW = ApiVersion.V2025_03_02_PREVIEW
ENTRA_OTHER = "0f0e0d0c-0b0a-4909-8807-060504030201"
ENTRA_ASSIGNMENTS = "/access/entra/assignments"
ENTRA_ASSIGNMENT_PATH = f"{ENTRA_ASSIGNMENTS}/{OBJECT}"
ENTRA_BODY = {"objectId": OBJECT, "tenantId": TENANT, "principalType": "group", "clientIds": [APP]}
ENTRA_REQUEST = {"tenantId": TENANT, "principalType": "group", "clientIds": [APP]}
ENTRA_ASSIGNMENT = EntraAssignment(OBJECT, TENANT, EntraPrincipalType.GROUP, (APP,))


def _is_entra_assignment(result: Any, _v: ApiVersion) -> None:
    assert result == ENTRA_ASSIGNMENT
    assert type(result.principal_type) is EntraPrincipalType


def _is_entra_assignments(result: Any, _v: ApiVersion) -> None:
    assert result == [ENTRA_ASSIGNMENT]


CASES += [
    Case(
        "get_token_for_entra_user",
        ENTRA_PREVIEW,
        lambda c: c.get_token_for_entra_user("entra-user-token"),
        lambda v: [(200, {"identity": {"id": PHONE_ID}, "accessToken": {"token": f.TOKEN, "expiresOn": f.EXPIRES_ON}})],
        lambda v: [
            Expect("POST", "/access/entra/:exchangeAccessToken", {}, "application/json", bearer="entra-user-token")
        ],
        _is_phone_result,
        "POST /access/entra/:exchangeAccessToken",
    ),
    Case(
        "list_entra_assignments",
        ENTRA_PREVIEW,
        lambda c: c.list_entra_assignments(),
        lambda v: [(200, {"value": [ENTRA_BODY]})],
        lambda v: [Expect("GET", ENTRA_ASSIGNMENTS)],
        _is_entra_assignments,
        f"GET {ENTRA_ASSIGNMENTS}",
    ),
    Case(
        "update_entra_assignments",
        ENTRA_PREVIEW,
        lambda c: c.update_entra_assignments(
            assignments=[EntraAssignment(OBJECT, TENANT, "GROUP", [APP])], remove=[ENTRA_OTHER]
        ),
        lambda v: [(200, {"value": [ENTRA_BODY]})],
        lambda v: [
            Expect(
                "PATCH",
                ENTRA_ASSIGNMENTS,
                {OBJECT: ENTRA_REQUEST, ENTRA_OTHER: None},
                "application/merge-patch+json",
            )
        ],
        _is_entra_assignments,
        f"PATCH {ENTRA_ASSIGNMENTS}",
    ),
    Case(
        "update_entra_assignments_removing_only",
        ENTRA_PREVIEW,
        lambda c: c.update_entra_assignments(remove=[ENTRA_OTHER]),
        lambda v: [f.NO_CONTENT],
        lambda v: [Expect("PATCH", ENTRA_ASSIGNMENTS, {ENTRA_OTHER: None}, "application/merge-patch+json")],
        lambda result, _v: _is_empty_list(result),
        f"PATCH {ENTRA_ASSIGNMENTS}",
    ),
    Case(
        "get_entra_assignment",
        ENTRA_PREVIEW,
        lambda c: c.get_entra_assignment(OBJECT),
        lambda v: [(200, ENTRA_BODY)],
        lambda v: [Expect("GET", ENTRA_ASSIGNMENT_PATH)],
        _is_entra_assignment,
        "GET /access/entra/assignments/{objectId}",
    ),
    Case(
        "upsert_entra_assignment",
        ENTRA_PREVIEW,
        lambda c: c.upsert_entra_assignment(OBJECT, tenant_id=TENANT, principal_type="group", client_ids=[APP]),
        lambda v: [(201, ENTRA_BODY)],
        lambda v: [Expect("PUT", ENTRA_ASSIGNMENT_PATH, ENTRA_REQUEST, "application/json")],
        _is_entra_assignment,
        "PUT /access/entra/assignments/{objectId}",
    ),
    Case(
        "delete_entra_assignment",
        ENTRA_PREVIEW,
        lambda c: c.delete_entra_assignment(OBJECT),
        lambda v: [f.NO_CONTENT],
        lambda v: [Expect("DELETE", ENTRA_ASSIGNMENT_PATH)],
        _is_none,
        "DELETE /access/entra/assignments/{objectId}",
    ),
]


def _equals(result: Any, expected: Any) -> None:
    assert result == expected


def _declares_repeatability(version: ApiVersion, method: str, path: str) -> bool:
    """Whether ``version``'s document declares both repeatability headers on the operation ``METHOD path`` is."""
    for operation, names in _catalog.HEADER_PARAMETERS[version.value].items():
        m, _, template = operation.partition(" ")
        if m == method and _template_regex(template).match(path):
            return "Repeatability-Request-ID" in names and "Repeatability-First-Sent" in names
    return False


def _is_empty_list(result: Any) -> None:
    assert result == []


def cases_for(versions: list[ApiVersion]) -> list[Any]:
    import pytest

    return [
        pytest.param(case, v, id=f"{case.name}-{v.value}")
        for case in CASES
        for v in versions
        if case.supports(v) and not (case.name == "revoke_tokens_issued_before" and v is not PREVIEW)
    ]


# ----- versions whose document lacks what a case sends (the Roles preview has no identity operation)


def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$")


def _in_document(version: ApiVersion, method: str, path: str) -> bool:
    """Whether ``version``'s document (the catalog) has an operation that ``METHOD path`` is a request of."""
    return any(
        m == method and _template_regex(template).match(path) for _, m, template in _catalog.OPERATIONS[version.value]
    )


def sendable(case: Case, version: ApiVersion) -> bool:
    """Whether every request ``case`` sends on ``version`` is an operation of that version's document."""
    return all(_in_document(version, e.method, e.path) for e in case.expect(version))


def refusals_for(versions: list[ApiVersion]) -> list[Any]:
    """(case, version) where the case's version floor is met but the document lacks what it sends:
    the client must refuse it locally, with the catalog's message, and send nothing."""
    import pytest

    return [
        pytest.param(case, v, id=f"{case.name}-{v.value}")
        for case in CASES
        for v in versions
        if ORDER[v] >= ORDER[case.minimum]
        and not sendable(case, v)
        and not (case.name == "revoke_tokens_issued_before" and v is not PREVIEW)
    ]


def refused_operation(case: Case, version: ApiVersion) -> str:
    """The first operation (``"METHOD path"``) ``case`` would send that ``version``'s document lacks."""
    for e in case.expect(version):
        if not _in_document(version, e.method, e.path):
            for operation in _catalog.OPERATION_VERSIONS:
                method, _, template = operation.partition(" ")
                if method == e.method and _template_regex(template).match(e.path):
                    return operation
    raise AssertionError(f"{case.name} sends nothing {version.value} lacks")


def refused_feature(case: Case) -> str:
    """The public method a case calls: the longest method name its name starts with."""
    names = [n for n in _METHODS if case.name == n or case.name.startswith(n + "_")]
    return max(names, key=len)


_METHODS = (
    "create_user",
    "get_user",
    "create_user_and_token",
    "delete_user",
    "issue_token",
    "revoke_tokens",
    "get_token",
    "get_token_for_teams_user",
    "get_token_for_teams_phone_user",
    "get_teams_extension_assignment",
    "upsert_teams_extension_assignment",
    "delete_teams_extension_assignment",
    "get_token_for_entra_user",
    "list_entra_assignments",
    "get_entra_assignment",
    "upsert_entra_assignment",
    "update_entra_assignments",
    "delete_entra_assignment",
    "list_roles",
    "create_role",
    "get_role",
    "update_role",
    "delete_role",
)


def refusal_message(feature: str, operation: str, version: ApiVersion) -> str:
    """What ``_api_versions.require_operation`` says, computed here from the catalog's table."""
    having = _catalog.OPERATION_VERSIONS[operation]
    used = f"this client uses {version.value}."
    if len(having) == 1:  # the Roles API: one preview has it
        return f"{feature} requires api_version {having[0]}; {used}"
    later = _catalog.VERSIONS[_catalog.VERSIONS.index(having[0]) :]
    lacking = [v for v in later if v not in having]
    if lacking and set(lacking) <= set(_catalog.PREVIEW_VERSIONS):
        # Every version since the first has it except such previews: "or later", the previews named.
        return f"{feature} requires api_version {having[0]} or later, except {', '.join(lacking)}; {used}"
    assert lacking, operation  # "X or later" alone is for what every later version has
    # A preview's own feature that later GA versions lack: every version that has it is named.
    return f"{feature} requires one of api_version {', '.join(having)}; {used}"


def independent_signature(key_b64: str, method: str, url: str, date: str, content_hash: str, host: str) -> str:
    """The HMAC signature computed here, from the recorded request, without the client's code."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path_query = parts.path + ("?" + parts.query if parts.query else "")
    to_sign = f"{method}\n{path_query}\n{date};{host};{content_hash}".encode()
    digest = hmac.new(base64.b64decode(key_b64), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def assert_request(rec: f.Recorded, exp: Expect, version: ApiVersion) -> None:
    assert rec.method == exp.method
    assert rec.url.startswith(f.ENDPOINT + exp.path + "?")
    assert rec.path == exp.path
    if exp.query is None:
        assert rec.raw_query == f"api-version={version.value}"
        assert rec.query == [("api-version", version.value)]
    else:
        assert rec.raw_query == exp.query
    if exp.body is None:
        assert rec.body == b""
        assert rec.header("Content-Type") is None
    else:
        assert rec.json() == exp.body
        assert rec.header("Content-Type") == exp.content_type
    assert f"azsdk-python-communication-administration/{VERSION} " in rec.header("User-Agent")
    for name, value in (exp.headers or {}).items():
        assert rec.header(name) == value, (name, rec.headers)
    repeatable = _declares_repeatability(version, exp.method, exp.path)
    if (exp.method, exp.path) == ("POST", "/identities"):
        assert repeatable == (version in REPEATABLE_CREATE)  # the catalog agrees with released history
    if repeatable:
        assert UUID4_RE.match(rec.header("Repeatability-Request-ID") or ""), rec.headers
        assert DATE_RE.match(rec.header("Repeatability-First-Sent") or ""), rec.headers
    else:
        assert rec.header("Repeatability-Request-ID") is None
        assert rec.header("Repeatability-First-Sent") is None
    date = rec.header("x-ms-date")
    assert DATE_RE.match(date), date
    content_hash = base64.b64encode(hashlib.sha256(rec.body).digest()).decode()
    assert rec.header("x-ms-content-sha256") == content_hash
    if exp.body is None:
        assert content_hash == EMPTY_SHA
    auth = rec.header("Authorization")
    if exp.bearer is not None:
        assert auth == f"Bearer {exp.bearer}"
        assert not any("Signature=" in value for value in rec.headers.values())
    else:
        expected = independent_signature(
            f.KEY, exp.method, rec.url, date, content_hash, "contoso.communication.azure.com"
        )
        assert auth == f.HMAC_PREFIX + expected
