"""Differential wire test: this project's client on ``2020-07-20-preview2`` against the published 1.0.0b4.

Both clients run every preview operation once (create_user, issue_token,
revoke_tokens(user), revoke_tokens(user, issued_before=...), delete_user),
sync and async, against a recording HTTPS server that answers as the service
does.  For each request the test compares the method, the path, the query, the
parsed JSON body, the body hash and the set of signed headers.  Where the two
differ on purpose, :data:`DIFFERENCES` names the difference and why, and the
test asserts exactly that difference.

It also compares the public surface: every public method and parameter of the
2020 ``CommunicationIdentityClient`` (sync and aio) must exist in ours with the
same name, kind and default, and the 2020 result types' attributes must exist
on ours.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import run_2020 as surface_script
from client._raw_server import RawServer, Received, response, self_signed
from helpers2020 import Runner2020

import azure.communication.administration as ours
from azure.communication.administration import ApiVersion, CommunicationIdentityClient, CommunicationUser
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncCommunicationIdentityClient

pytestmark = pytest.mark.slow  # the published 2020 package, in a virtual environment of its own

KEY = base64.b64encode(b"differential wire test key").decode()
USER = "8:acs:11111111-2222-3333-4444-555555555555_00000000-aaaa-bbbb-cccc-000000000001"
ISSUED_BEFORE = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc)
OPERATIONS = ["create_user", "issue_token", "revoke_tokens", "revoke_tokens(issued_before)", "delete_user"]
#: The service's answers, in the order the operations are called.
ANSWERS = [
    response(200, {"id": USER}),
    response(200, {"id": USER, "token": "e30.e30.c2ln", "expiresOn": "2026-11-27T21:00:00.5+00:00"}),
    response(204, reason="No Content"),
    response(204, reason="No Content"),
    response(204, reason="No Content"),
]


def _record_ours(mode: str, url: str, cert: str) -> None:
    conn_str = f"endpoint={url}/;accesskey={KEY}"
    user = CommunicationUser(USER)
    version = ApiVersion.V2020_07_20_PREVIEW2
    if mode == "sync":
        with CommunicationIdentityClient.from_connection_string(
            conn_str, api_version=version, connection_verify=cert
        ) as client:
            assert client.create_user().identifier == USER
            client.issue_token(user, scopes=["chat"])
            client.revoke_tokens(user)
            client.revoke_tokens(user, issued_before=ISSUED_BEFORE)
            client.delete_user(user)
        return

    async def run() -> None:
        async with AsyncCommunicationIdentityClient.from_connection_string(
            conn_str, api_version=version, connection_verify=cert
        ) as client:
            assert (await client.create_user()).identifier == USER
            await client.issue_token(user, scopes=["chat"])
            await client.revoke_tokens(user)
            await client.revoke_tokens(user, issued_before=ISSUED_BEFORE)
            await client.delete_user(user)

    asyncio.run(run())


def _record_2020(run_2020: Runner2020, mode: str, url: str, cert: str) -> None:
    config = {
        "conn_str": f"endpoint={url}/;accesskey={KEY}",
        "cert": cert,
        "mode": mode,
        "user_id": USER,
        "issued_before": ISSUED_BEFORE.isoformat(),
    }
    assert run_2020("wire", config) == {"created": USER}


def _view(received: Received) -> dict[str, Any]:
    """What the test compares of one request."""
    method, target, _ = received.request_line.split(" ")
    parts = urlsplit(target)
    authorization = received.header("Authorization") or ""
    signed = (
        authorization.split("SignedHeaders=", 1)[1].split("&", 1)[0].split(";")
        if "SignedHeaders=" in authorization
        else []
    )
    return {
        "method": method,
        "path": parts.path,
        "query": parse_qs(parts.query, keep_blank_values=True),
        "json": json.loads(received.body) if received.body else None,
        "body": received.body,
        "content_hash": received.header("x-ms-content-sha256"),
        "signed_headers": sorted(signed),
        "date": received.header("Date"),
        "x_ms_date": received.header("x-ms-date"),
    }


def _record(mode: str, client: str, run_2020: Runner2020, tmp_path: Any) -> list[dict[str, Any]]:
    tls, cert = self_signed(tmp_path)
    with RawServer(*ANSWERS, tls=tls) as server:
        if client == "ours":
            _record_ours(mode, server.url, cert)
        else:
            _record_2020(run_2020, mode, server.url, cert)
        received = list(server.received)
    assert len(received) == len(OPERATIONS), [r.request_line for r in received]
    return [_view(r) for r in received]


#: Where our requests differ from 1.0.0b4's on purpose: (operation, field) -> why.
DIFFERENCES = {
    ("*", "signed_headers"): (
        "we sign x-ms-date, 1.0.0b4 signs the standard Date header. x-ms-date is what every current SDK "
        "signs; Date is a header that browsers do not let scripts set (so the 2020 JavaScript client "
        "signed x-ms-date there too) and that HTTP stacks and proxies may add or replace, while x-ms-* "
        "headers pass through untouched. The service accepts both forms.",
    ),
    ("revoke_tokens", "json"): (
        "revoke_tokens(user) without issued_before: 1.0.0b4 sends {} and leaves 'now' to the service; we "
        "send tokensValidFrom = the client's current time, because what Azure does with an empty "
        "merge-patch is not on record and an explicit instant means the same thing to any service "
        "(the cost: it is the client's clock)."
    ),
}
# The hash is of the body, so it differs where the body does.
DIFFERENCES["revoke_tokens", "content_hash"] = DIFFERENCES["revoke_tokens", "json"]


def _expected_difference(operation: str, field: str) -> str | None:
    return DIFFERENCES.get((operation, field)) or DIFFERENCES.get(("*", field))


@pytest.fixture(scope="module")
def recordings(run_2020: Runner2020, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    tmp = tmp_path_factory.mktemp("wire2020")
    return {(mode, who): _record(mode, who, run_2020, tmp) for mode in ("sync", "async") for who in ("ours", "2020")}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("index,operation", list(enumerate(OPERATIONS)), ids=OPERATIONS)
def test_same_requests_as_the_2020_package(
    recordings: dict[tuple[str, str], Any], mode: str, index: int, operation: str
) -> None:
    mine, theirs = recordings[(mode, "ours")][index], recordings[(mode, "2020")][index]
    for view in (mine, theirs):  # each side's hash is of the bytes it sent
        assert view["content_hash"] == base64.b64encode(hashlib.sha256(view["body"]).digest()).decode()
    for field in ("method", "path", "query", "json", "content_hash", "signed_headers"):
        if _expected_difference(operation, field) is None:
            assert mine[field] == theirs[field], (operation, field)
    assert mine["query"] == {"api-version": ["2020-07-20-preview2"]}

    # The named differences, exactly.
    assert theirs["signed_headers"] == ["date", "host", "x-ms-content-sha256"]
    assert mine["signed_headers"] == ["host", "x-ms-content-sha256", "x-ms-date"]
    assert theirs["date"] and theirs["x_ms_date"] is None
    assert mine["x_ms_date"] and mine["date"] is None
    if operation == "revoke_tokens":
        assert theirs["json"] == {}
        assert list(mine["json"]) == ["tokensValidFrom"]
        sent = datetime.strptime(mine["json"]["tokensValidFrom"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert abs(sent.replace(tzinfo=timezone.utc).timestamp() - datetime.now(timezone.utc).timestamp()) < 300
    else:
        assert mine["json"] == theirs["json"] and mine["body"] == theirs["body"]


def test_the_recorded_requests_are_the_preview_protocol(recordings: dict[tuple[str, str], Any]) -> None:
    """Literal values, so that two clients agreeing on something wrong still fails."""
    quoted = USER.replace(":", "%3A")
    for (mode, _who), views in recordings.items():
        # aiohttp (yarl) sends ':' in a path unencoded, whichever client built the URL.
        user = USER if mode == "async" else quoted
        assert [(v["method"], v["path"]) for v in views] == [
            ("POST", "/identities"),
            ("POST", f"/identities/{user}/token"),
            ("PATCH", f"/identities/{user}"),
            ("PATCH", f"/identities/{user}"),
            ("DELETE", f"/identities/{user}"),
        ]
        assert [v["json"] for v in views][1:] == [
            {"scopes": ["chat"]},
            views[2]["json"],
            {"tokensValidFrom": "2026-03-04T05:06:07.890123Z"},
            None,
        ]
        assert views[0]["body"] == b"" and views[4]["body"] == b""


# ----- the public surface -----

#: 2020 exports this package leaves out on purpose, and why.
NOT_EXPORTED = {
    "CommunicationTokenRequest": (
        "a generated request model that no 2020 method takes (issue_token takes a list of scopes); "
        "generated model names stay out of this package's public API"
    ),
    "PhoneNumber": "the Phone Numbers client's identifier; ours is PhoneNumberIdentifier",
}
#: The Phone Numbers administration client and its models: another service, not Identity.
PHONE_NUMBERS = {
    "AcquiredPhoneNumber",
    "AcquiredPhoneNumbers",
    "AreaCodes",
    "CreateSearchOptions",
    "CreateSearchResponse",
    "LocationOptionsQuery",
    "LocationOptionsResponse",
    "NumberConfigurationResponse",
    "NumberUpdateCapabilities",
    "PhoneNumberAdministrationClient",
    "PhoneNumberCountries",
    "PhoneNumberEntities",
    "PhoneNumberRelease",
    "PhoneNumberReservation",
    "PhonePlanGroups",
    "PhonePlansResponse",
    "PstnConfiguration",
    "PurchaseReservationPolling",
    "ReleasePhoneNumberPolling",
    "ReleaseResponse",
    "ReservePhoneNumberPolling",
    "UpdateNumberCapabilitiesResponse",
    "UpdatePhoneNumberCapabilitiesResponse",
}
#: msrest.Model machinery on 1.0.0b4's generated CommunicationIdentityToken.  Ours is a
#: plain frozen dataclass (``dataclasses.asdict`` serializes it); no generated model is public.
MSREST_MODEL = {
    "additional_properties",
    "as_dict",
    "deserialize",
    "enable_additional_properties_sending",
    "from_dict",
    "is_xml_model",
    "serialize",
    "validate",
}


@pytest.fixture(scope="module")
def surface_2020(run_2020: Runner2020) -> dict[str, Any]:
    return run_2020("surface")  # type: ignore[no-any-return]


@pytest.mark.parametrize("flavour", ["sync", "aio"])
def test_every_2020_method_and_parameter_exists_with_the_same_kind_and_default(
    surface_2020: dict[str, Any], flavour: str
) -> None:
    cls = CommunicationIdentityClient if flavour == "sync" else AsyncCommunicationIdentityClient
    theirs = surface_2020[flavour]
    mine = surface_script._methods(cls)
    assert set(theirs["methods"]) == (
        {"__init__", "create_user", "delete_user", "from_connection_string", "issue_token", "revoke_tokens"}
        | ({"close"} if flavour == "aio" else set())
    )
    for name, spec in theirs["methods"].items():
        assert name in mine["methods"], name
        their_params = spec if name == "__init__" else spec["params"]
        my_params = mine["methods"][name] if name == "__init__" else mine["methods"][name]["params"]
        if name != "__init__":
            assert mine["methods"][name]["kind"] == spec["kind"], name
        mine_by_name = {p[0]: p for p in my_params}
        for param in their_params:
            assert mine_by_name.get(param[0]) == param, (name, param)
        # Anything we add must not change how a 2020 call binds: keyword-only with a default.
        for extra in (p for p in my_params if p[0] not in {q[0] for q in their_params}):
            assert extra[1] == "KEYWORD_ONLY" and extra[2] is not None, (name, extra)
        # Positional order too: a 2020 positional call binds the same parameters.
        positional = [p[0] for p in their_params if p[1] == "POSITIONAL_OR_KEYWORD"]
        assert [p[0] for p in my_params if p[1] == "POSITIONAL_OR_KEYWORD"][: len(positional)] == positional
    assert set(theirs["protocols"]) <= set(mine["protocols"])


def test_the_2020_result_types_have_their_2020_attributes(surface_2020: dict[str, Any]) -> None:
    results = surface_2020["results"]
    instances = {
        "CommunicationUser": ours.CommunicationUser("8:acs:x"),
        "CommunicationIdentityToken": ours.CommunicationIdentityToken(
            id="8:acs:x", token="a.b.c", expires_on=datetime.now(timezone.utc)
        ),
        "UnknownIdentifier": ours.UnknownIdentifier("x"),
    }
    assert set(results) == set(instances)
    for type_name, attributes in results.items():
        for attribute, value_type in attributes.items():
            if attribute in MSREST_MODEL:
                continue
            assert hasattr(instances[type_name], attribute), (type_name, attribute)
            assert type(getattr(instances[type_name], attribute)).__name__ == value_type, (type_name, attribute)
    assert set(results["CommunicationIdentityToken"]) - {"id", "token", "expires_on"} <= MSREST_MODEL
    assert set(surface_2020["model_methods"]) <= MSREST_MODEL


def test_every_2020_identity_export_exists(surface_2020: dict[str, Any]) -> None:
    exports = set(surface_2020["exports"])
    identity = exports - PHONE_NUMBERS - set(NOT_EXPORTED)
    assert identity == {
        "CommunicationIdentityClient",
        "CommunicationIdentityToken",
        "CommunicationUser",
        "UnknownIdentifier",
    }
    assert identity <= set(ours.__all__)
    assert set(NOT_EXPORTED) <= exports and not set(NOT_EXPORTED) & set(ours.__all__)
