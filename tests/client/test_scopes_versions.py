"""What each API version refuses, locally, before any request; scope and lifetime checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from azure.communication.administration import (
    ApiVersion,
    CommunicationIdentityClient,
    CommunicationTokenScope,
)
from azure.communication.administration._api_versions import TEAMS_PHONE_EXCHANGE, has_operation

from . import _fakes as f
from ._wire_cases import ALL, LATEST, ORDER, PREVIEW

BASE_LIST = "chat, voip"
# Entra ids (tenant, object, application) are GUIDs, checked locally.
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OBJECT = "0b8ef3a9-8a4b-4bc4-b3a1-2a2f1e0f7a10"
APP_A = "1fd5118e-2576-4263-8130-9503064c837a"
APP_B = "2c4f7e3b-6d1a-4b8e-9f0c-5a7d3e2b1c90"
ALL_LIST = "chat, voip, chat.join, chat.join.limited, voip.join"


def _client(version):
    transport = f.FakeTransport()
    return CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport), transport


def _refused(version, call, *fragments):
    client, transport = _client(version)
    with pytest.raises(ValueError) as info:
        call(client)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert transport.requests == []
    return message


def _before(minimum):
    return [v for v in ALL if ORDER[v] < ORDER[minimum]]


HOUR = timedelta(hours=1)


@pytest.mark.parametrize("version", _before(ApiVersion.V2022_10_01), ids=str)
@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_token(f.USER_ID, ["chat"], token_expires_in=HOUR),
        lambda c: c.create_user_and_token(["chat"], token_expires_in=HOUR),
    ],
    ids=["get_token", "create_user_and_token"],
)
def test_token_expires_in_needs_2022_10_01(version, call):
    _refused(version, call, "token_expires_in", "2022-10-01", version.value)


@pytest.mark.parametrize("version", _before(ApiVersion.V2023_10_01), ids=str)
@pytest.mark.parametrize("scope", ["chat.join", "chat.join.limited", "voip.join", CommunicationTokenScope.VOIP_JOIN])
def test_join_scopes_need_2023_10_01(version, scope):
    for call in (
        lambda c: c.get_token(f.USER_ID, ["chat", scope]),
        lambda c: c.issue_token(f.USER_ID, [scope]),
        lambda c: c.create_user_and_token([scope]),
    ):
        message = _refused(version, call, version.value, BASE_LIST)
        assert "chat.join" not in message.split("valid scopes")[-1]


@pytest.mark.parametrize("version", _before(ApiVersion.V2022_06_01), ids=str)
def test_teams_user_exchange_needs_2022_06_01(version):
    _refused(
        version,
        lambda c: c.get_token_for_teams_user("t", "app", "user"),
        "get_token_for_teams_user",
        "2022-06-01",
        version.value,
    )


# 2025-03-02-preview has the Teams Phone operations too: every version without them.
@pytest.mark.parametrize("version", [v for v in ALL if not has_operation(v, TEAMS_PHONE_EXCHANGE)], ids=str)
@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("get_token_for_teams_phone_user", lambda c: c.get_token_for_teams_phone_user("tok")),
        ("get_teams_extension_assignment", lambda c: c.get_teams_extension_assignment("t", "o")),
        (
            "upsert_teams_extension_assignment",
            lambda c: c.upsert_teams_extension_assignment("t", "o", principal_type="user", client_ids=["a"]),
        ),
        ("delete_teams_extension_assignment", lambda c: c.delete_teams_extension_assignment("t", "o")),
    ],
)
def test_teams_phone_needs_2025_06_30(version, name, call):
    _refused(version, call, name, "2025-06-30", version.value)


@pytest.mark.parametrize("version", ALL[1:], ids=str)
def test_revoke_issued_before_on_ga_names_the_preview(version):
    aware = datetime(2024, 1, 1, tzinfo=__import__("datetime").timezone.utc)
    _refused(
        version,
        lambda c: c.revoke_tokens(f.USER_ID, issued_before=aware),
        "2020-07-20-preview2",
        version.value,
        "issued_before",
    )


@pytest.mark.parametrize("version", [PREVIEW, LATEST], ids=str)
def test_naive_issued_before_is_refused(version):
    _refused(
        version,
        lambda c: c.revoke_tokens(f.USER_ID, issued_before=datetime(2024, 1, 1)),
        "timezone-aware",
    )


def test_issued_before_not_a_datetime_is_refused():
    _refused(PREVIEW, lambda c: c.revoke_tokens(f.USER_ID, issued_before="2024-01-01"), "datetime")


def test_preview_has_no_token_lifetime():
    _refused(
        PREVIEW, lambda c: c.get_token(f.USER_ID, ["chat"], token_expires_in=HOUR), "2022-10-01", "2020-07-20-preview2"
    )


# ----- scopes -----


@pytest.mark.parametrize(
    ("scopes", "wire"),
    [
        ([CommunicationTokenScope.CHAT], ["chat"]),
        (["CHAT", "Voip"], ["chat", "voip"]),
        (["voip", CommunicationTokenScope.CHAT, "chat", "VOIP", " chat "], ["voip", "chat"]),
        ((s for s in ["chat.join.limited", "Chat.Join"]), ["chat.join.limited", "chat.join"]),
        (("voip.join",), ["voip.join"]),
    ],
)
def test_scopes_are_normalised(scopes, wire):
    client, transport = _client(ApiVersion.V2023_10_01)
    transport.queue(f.ga_token())
    client.get_token(f.USER_ID, scopes)
    assert transport.last.json() == {"scopes": wire}


def test_scope_enum_is_case_insensitive_str_enum():
    # CaseInsensitiveEnumMeta: member names match in any case; values are matched
    # case-insensitively by the methods (test_scopes_are_normalised).
    assert CommunicationTokenScope["chat"] is CommunicationTokenScope.CHAT
    assert CommunicationTokenScope.voip_join is CommunicationTokenScope.VOIP_JOIN
    assert CommunicationTokenScope("chat.join") is CommunicationTokenScope.CHAT_JOIN
    assert CommunicationTokenScope.CHAT_JOIN_LIMITED == "chat.join.limited"
    assert [s.value for s in CommunicationTokenScope] == ["chat", "voip", "chat.join", "chat.join.limited", "voip.join"]


# The scopes each released version lists (released history), and the newest version.
@pytest.mark.parametrize(
    ("version", "listing"),
    [
        (PREVIEW, BASE_LIST),
        (ApiVersion.V2022_10_01, BASE_LIST),
        (ApiVersion.V2023_10_01, ALL_LIST),
        (LATEST, ALL_LIST),
    ],
)
@pytest.mark.parametrize(
    "scopes",
    [["chat", "teleport"], [], ["pstn"], [None], "chat"],
    ids=["unknown", "empty", "pstn", "none", "bare-string"],
)
def test_bad_scopes_list_valid_ones(version, listing, scopes):
    _refused(version, lambda c: c.get_token(f.USER_ID, scopes), listing, version.value)
    _refused(version, lambda c: c.issue_token(f.USER_ID, scopes), listing)
    _refused(version, lambda c: c.create_user_and_token(scopes), listing)


def test_unknown_scope_is_named():
    message = _refused(ApiVersion.V2023_10_01, lambda c: c.get_token(f.USER_ID, ["teleport"]))
    assert "'teleport'" in message


# ----- token lifetimes -----


@pytest.mark.parametrize(
    "value",
    [
        timedelta(minutes=59),
        timedelta(minutes=1441),
        timedelta(minutes=90.5),
        timedelta(minutes=60, seconds=1),
        timedelta(0),
        timedelta(minutes=-60),
        60,
        3600.0,
        "1h",
    ],
    ids=["59min", "1441min", "90.5min", "60min1s", "zero", "negative", "int", "float", "str"],
)
# 2022-10-01: the first version with expiresInMinutes (released history), and the newest.
@pytest.mark.parametrize("version", [ApiVersion.V2022_10_01, LATEST], ids=str)
def test_bad_token_expires_in(version, value):
    message = _refused(
        version,
        lambda c: c.get_token(f.USER_ID, ["chat"], token_expires_in=value),
        "token_expires_in",
    )
    _refused(version, lambda c: c.create_user_and_token(["chat"], token_expires_in=value), "token_expires_in")
    if isinstance(value, timedelta):
        assert "60" in message and "1440" in message


@pytest.mark.parametrize(
    ("value", "minutes"),
    [
        (timedelta(minutes=60), 60),
        (timedelta(hours=24), 1440),
        (timedelta(minutes=61), 61),
        (timedelta(seconds=5400), 90),
    ],
)
def test_good_token_expires_in(value, minutes):
    client, transport = _client(ApiVersion.V2022_10_01)
    transport.queue(f.ga_token(), f.ga_identity(with_token=True))
    client.get_token(f.USER_ID, ["chat"], token_expires_in=value)
    client.create_user_and_token(["chat"], token_expires_in=value)
    assert transport.requests[0].json() == {"scopes": ["chat"], "expiresInMinutes": minutes}
    assert transport.requests[1].json() == {"createTokenWithScopes": ["chat"], "expiresInMinutes": minutes}


def test_preview_create_user_and_token_is_two_requests():
    client, transport = _client(PREVIEW)
    transport.queue(f.preview_identity(), f.preview_token())
    user, token = client.create_user_and_token([CommunicationTokenScope.CHAT])
    assert [(r.method, r.path) for r in transport.requests] == [
        ("POST", "/identities"),
        ("POST", f"/identities/{f.USER_ID_QUOTED}/token"),
    ]
    assert user.raw_id == f.USER_ID
    assert tuple(token) == (f.TOKEN, f.EXPIRES_EPOCH)


def test_preview_create_user_and_token_checks_before_creating():
    _refused(PREVIEW, lambda c: c.create_user_and_token(["nope"]), BASE_LIST)
    _refused(PREVIEW, lambda c: c.create_user_and_token(["chat"], token_expires_in=HOUR), "2022-10-01")


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_bad_user_argument(bad):
    _refused(ApiVersion.V2026_09_23, lambda c: c.delete_user(bad), "communication_user")
    _refused(ApiVersion.V2026_09_23, lambda c: c.get_token(bad, ["chat"]), "user")


def test_bad_teams_arguments():
    v = ApiVersion.V2026_09_23
    _refused(v, lambda c: c.get_token_for_teams_user("", APP_A, OBJECT), "aad_token")
    _refused(v, lambda c: c.get_token_for_teams_user("t", " ", OBJECT), "client_id")
    _refused(v, lambda c: c.get_token_for_teams_user("t", APP_A, None), "user_object_id")
    _refused(v, lambda c: c.get_token_for_teams_phone_user(""), "entra_token")
    _refused(v, lambda c: c.get_teams_extension_assignment("", OBJECT), "tenant_id")
    _refused(
        v,
        lambda c: c.upsert_teams_extension_assignment(TENANT, OBJECT, principal_type="group", client_ids=[APP_A]),
        "user, resourceAccount",
    )
    _refused(
        v,
        lambda c: c.upsert_teams_extension_assignment(TENANT, OBJECT, principal_type="user", client_ids=[]),
        "client_ids",
    )
    _refused(
        v,
        lambda c: c.upsert_teams_extension_assignment(TENANT, OBJECT, principal_type="user", client_ids="abc"),
        "client_ids",
    )


NOT_GUIDS = ["t", "app", "72f988bf-86f1-41af-91ab", "{72f988bf-86f1-41af-91ab-2d7cd011db47}", "8:orgid:x"]


@pytest.mark.parametrize("bad", NOT_GUIDS)
def test_entra_ids_must_be_guids(bad):
    v = ApiVersion.V2026_09_23
    for name, call in (
        ("client_id", lambda c: c.get_token_for_teams_user("t", bad, OBJECT)),
        ("user_object_id", lambda c: c.get_token_for_teams_user("t", APP_A, bad)),
        ("tenant_id", lambda c: c.get_teams_extension_assignment(bad, OBJECT)),
        ("object_id", lambda c: c.get_teams_extension_assignment(TENANT, bad)),
        ("tenant_id", lambda c: c.delete_teams_extension_assignment(bad, OBJECT)),
        ("object_id", lambda c: c.delete_teams_extension_assignment(TENANT, bad)),
        ("tenant_id", lambda c: c.upsert_teams_extension_assignment(bad, OBJECT, principal_type="user",
                                                                     client_ids=[APP_A])),
        ("object_id", lambda c: c.upsert_teams_extension_assignment(TENANT, bad, principal_type="user",
                                                                     client_ids=[APP_A])),
        ("client_ids item", lambda c: c.upsert_teams_extension_assignment(TENANT, OBJECT, principal_type="user",
                                                                           client_ids=[APP_A, bad])),
    ):  # fmt: skip
        message = _refused(v, call, f"{name} must be an Entra id, a GUID")
        assert repr(bad) in message


def test_entra_ids_in_any_case_are_sent_as_given():
    client, transport = _client(ApiVersion.V2026_09_23)
    transport.queue((204, None))
    client.delete_teams_extension_assignment(TENANT.upper(), OBJECT)
    assert transport.last.path == f"/access/teamsExtension/tenants/{TENANT.upper()}/assignments/{OBJECT}"


def test_resource_account_principal_type_on_the_wire():
    client, transport = _client(ApiVersion.V2025_06_30)
    transport.queue(
        (200, {"objectId": OBJECT, "tenantId": TENANT, "principalType": "resourceAccount", "clientIds": [APP_A, APP_B]})
    )
    result = client.upsert_teams_extension_assignment(
        TENANT, OBJECT, principal_type="resourceAccount", client_ids=[APP_A, APP_B]
    )
    assert transport.last.json() == {"principalType": "resourceAccount", "clientIds": [APP_A, APP_B]}
    assert result.client_ids == (APP_A, APP_B)
    assert result.principal_type == "resourceAccount"
