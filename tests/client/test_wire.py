"""What leaves the sync client, for every public operation and every API version that has it."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from azure.communication.administration import ApiVersion, CommunicationIdentityClient
from azure.communication.administration._generated import _catalog

from . import _fakes as f
from ._wire_cases import (
    ALL,
    CASES,
    LATEST,
    PREVIEW,
    Expect,
    assert_request,
    cases_for,
    refusal_message,
    refusals_for,
    refused_feature,
    refused_operation,
)


def _client(version: ApiVersion, transport: f.FakeTransport) -> CommunicationIdentityClient:
    return CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport)


@pytest.mark.parametrize(("case", "version"), cases_for(ALL))
def test_operation_on_the_wire(case, version):
    transport = f.FakeTransport(*case.responses(version))
    result = case.call(_client(version, transport))
    expected = case.expect(version)
    assert len(transport.requests) == len(expected)
    for rec, exp in zip(transport.requests, expected, strict=True):
        assert_request(rec, exp, version)
    case.check(result, version)


@pytest.mark.parametrize(("case", "version"), refusals_for(ALL))
def test_operation_the_version_lacks_is_refused_before_sending(case, version):
    # e.g. create_user on 2023-08-30-preview, whose document has the Roles API only.
    transport = f.FakeTransport()
    with pytest.raises(ValueError) as raised:
        case.call(_client(version, transport))
    assert str(raised.value) == refusal_message(refused_feature(case), refused_operation(case, version), version)
    assert transport.requests == []


def test_refusals_cover_the_roles_preview():
    refused = {(param.values[0].name, param.values[1]) for param in refusals_for(ALL)}
    roles = ApiVersion.V2023_08_30_PREVIEW
    # Every identity case that the floor would let through is refused on the Roles preview ...
    on_roles = {n for n, v in refused if v is roles}
    assert on_roles >= {"create_user", "delete_user", "issue_token", "revoke_tokens_all", "get_token"}
    assert on_roles >= {"create_user_and_token", "get_token_for_teams_user"}
    assert not any(n.endswith("_roles") or n.endswith("_role") for n in on_roles)
    # ... and the Roles methods on every later version (none of which has the Roles API).
    later = [v for v in ALL if v.value > roles.value and v is not roles]
    for name in ("list_roles", "create_role", "get_role", "update_role", "delete_role"):
        assert {v for n, v in refused if n == name} == set(later), name


def test_every_public_operation_is_covered():
    public = {
        name
        for name in dir(CommunicationIdentityClient)
        if not name.startswith("_") and callable(getattr(CommunicationIdentityClient, name))
    } - {"close", "from_connection_string", "send_request"}  # send_request: test_send_request.py
    covered = {case.name.split("_raw")[0] for case in CASES}
    covered |= {n.rsplit("_expires_in", 1)[0] for n in covered}
    covered |= {"revoke_tokens", "get_token"}
    assert public <= covered, public - covered


def test_case_count_is_what_we_think():
    # 16 cases x the versions that have them (83 with 2023-08-01); guards against a
    # silently empty parametrization, and every version the catalog has is covered.
    assert len(cases_for(ALL)) >= 83
    sent = {param.values[1].value for param in cases_for(ALL)}
    refused = {param.values[1].value for param in refusals_for(ALL)}
    assert sent | refused == set(_catalog.VERSIONS)


def test_preview_revoke_without_issued_before_sends_now():
    transport = f.FakeTransport(f.NO_CONTENT)
    before = datetime.now(timezone.utc)
    _client(PREVIEW, transport).revoke_tokens(f.USER_ID)
    after = datetime.now(timezone.utc)
    rec = transport.last
    assert (rec.method, rec.path) == ("PATCH", f"/identities/{f.USER_ID_QUOTED}")
    assert rec.header("Content-Type") == "application/merge-patch+json"
    body = rec.json()
    assert list(body) == ["tokensValidFrom"]
    sent = datetime.strptime(body["tokensValidFrom"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert before - timedelta(seconds=1) <= sent <= after + timedelta(seconds=1)


def test_literal_bodies_bytes():
    """The exact bytes, once, for the body-carrying GA calls (the hash covers these bytes)."""
    transport = f.FakeTransport(f.ga_token(), f.ga_identity(with_token=True))
    client = _client(ApiVersion.V2023_10_01, transport)
    client.get_token(f.USER_ID, ["chat"])
    client.create_user_and_token(["chat"], token_expires_in=timedelta(minutes=60))
    first, second = transport.requests
    assert first.body == b'{"scopes": ["chat"]}'
    assert (
        first.header("x-ms-content-sha256")
        == base64.b64encode(hashlib.sha256(b'{"scopes": ["chat"]}').digest()).decode()
    )
    assert json.loads(second.body) == {"createTokenWithScopes": ["chat"], "expiresInMinutes": 60}


def test_percent_encoding_of_the_colons_in_ids():
    transport = f.FakeTransport(f.NO_CONTENT)
    _client(ApiVersion.V2021_03_07, transport).delete_user("8:acs:a-1_B-2")
    assert transport.last.path == "/identities/8%3Aacs%3Aa-1_B-2"
    assert_request(transport.last, Expect("DELETE", "/identities/8%3Aacs%3Aa-1_B-2"), ApiVersion.V2021_03_07)


@pytest.mark.parametrize(
    "bad", ["8:acs:a/b_c", "8:acs:a_b?c", "8:acs:a_b#d", "8:acs:a_b c", "8:acs:a_b%2F", "8:acs:a:b_c"]
)
def test_ids_with_reserved_characters_never_reach_the_wire(bad):
    transport = f.FakeTransport(f.NO_CONTENT)
    with pytest.raises(ValueError, match="come the resource id, '_' and the user id"):
        _client(ApiVersion.V2021_03_07, transport).delete_user(bad)
    assert transport.requests == []


def test_default_api_version_is_latest_stable():
    transport = f.FakeTransport(f.ga_identity())
    CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport).create_user()
    assert transport.last.raw_query == f"api-version={LATEST.value}"
    assert LATEST is max(v for v in ALL if "preview" not in v.value)


def test_api_version_given_as_string():
    transport = f.FakeTransport(f.preview_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version="2020-07-20-preview2", transport=transport)
    assert client.api_version is ApiVersion.V2020_07_20_PREVIEW2
    client.create_user()
    assert transport.last.raw_query == "api-version=2020-07-20-preview2"


def test_unknown_api_version_is_refused():
    with pytest.raises(ValueError, match="2019-01-01") as info:
        CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version="2019-01-01")
    assert "2026-09-23" in str(info.value)
