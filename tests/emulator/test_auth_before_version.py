"""Authentication comes before the api-version check on every route (issue 18, item 4).

An unauthenticated caller learns nothing about which versions a route has: every documented
operation answers 401 to an unsigned request (or, for the Teams Phone exchange, one without a
valid Entra bearer token) whatever its ``api-version``: supported, unsupported, unknown or
missing. The Teams Phone exchange used to answer ``400 UnsupportedApiVersion`` to an unsigned
request with ``api-version=2021-03-07``.
"""

from __future__ import annotations

import http.client
import re

import pytest
from acs_identity_emulator import _versions
from acs_identity_emulator._dispatch import routing_table
from acs_identity_emulator.testing import EmulatorProcess
from emu_helpers import RawClient

DENIED = b'{"error":{"code":"Denied","message":"Denied by the resource provider."}}'
INVALID_TOKEN = b'{"error":{"code":"InvalidAccessToken","message":"Provided access token is not valid."}}'
USER = "8%3Aacs%3A3ad86ab4-1ef2-4c9e-9d4f-1e9d9cbd6a2b_00000020-0b3c-2a8b-5f4a-ad3a0d00b1c5"
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"
OBJECT = "66666666-7777-8888-9999-000000000000"

#: Every documented operation, as sent on the wire, and what an unauthenticated request gets.
REQUESTS = {
    ("POST", "/identities"): ("/identities", DENIED),
    ("DELETE", "/identities/{id}"): (f"/identities/{USER}", DENIED),
    ("PATCH", "/identities/{id}"): (f"/identities/{USER}", DENIED),
    ("POST", "/identities/{id}/token"): (f"/identities/{USER}/token", DENIED),
    ("POST", "/identities/{id}/:issueAccessToken"): (f"/identities/{USER}/:issueAccessToken", DENIED),
    ("POST", "/identities/{id}/:revokeAccessTokens"): (f"/identities/{USER}/:revokeAccessTokens", DENIED),
    ("POST", "/teamsUser/:exchangeAccessToken"): ("/teamsUser/:exchangeAccessToken", DENIED),
    ("POST", "/access/teamsExtension/:exchangeAccessToken"): (
        "/access/teamsExtension/:exchangeAccessToken",
        INVALID_TOKEN,
    ),
    **{
        (method, "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}"): (
            f"/access/teamsExtension/tenants/{TENANT}/assignments/{OBJECT}",
            DENIED,
        )
        for method in ("GET", "PUT", "DELETE")
    },
    ("POST", "/access/entra/:exchangeAccessToken"): ("/access/entra/:exchangeAccessToken", INVALID_TOKEN),
    ("GET", "/access/entra/assignments"): ("/access/entra/assignments", DENIED),
    ("PATCH", "/access/entra/assignments"): ("/access/entra/assignments", DENIED),
    **{
        (method, "/access/entra/assignments/{objectId}"): (f"/access/entra/assignments/{OBJECT}", DENIED)
        for method in ("GET", "PUT", "DELETE")
    },
}
#: How each operation of the routing table authenticates (``hmac``, or an Entra bearer token).
_AUTH = {op.key: op.auth for route in routing_table() for op in route.methods.values()}
#: Versions the routes have or do not have, one no document has, an empty one and none at all.
QUERIES = [
    "?api-version=2020-07-20-preview2",
    "?api-version=2021-03-07",
    "?api-version=2022-06-01",
    "?api-version=2023-10-01",
    "?api-version=2025-06-30",
    "?api-version=2026-09-23",
    "?api-version=1999-01-01",
    "?api-version=",
    "",
]


def _wire(operation: tuple[str, str]) -> tuple[str, bytes]:
    """The path to send for an operation, and the answer without credentials.

    An operation added by a new document after this test was written is sent with its path
    parameters filled in, so it is held to the same rule.
    """
    if operation in REQUESTS:
        return REQUESTS[operation]
    auth = _AUTH[operation]
    return re.sub(r"\{[^}]+\}", OBJECT, operation[1]), INVALID_TOKEN if auth != "hmac" else DENIED


def _send(port: int, method: str, target: str, headers: dict[str, str]) -> tuple[int, str | None, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = b"{}" if method in ("POST", "PUT", "PATCH") else None
        connection.request(method, target, body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def test_the_literal_table_is_of_documented_operations() -> None:
    """Operations a later document adds are checked too, through :func:`_wire`'s general form."""
    assert set(REQUESTS) <= set(_versions.operations())


@pytest.mark.parametrize("operation", sorted(_versions.operations()), ids=" ".join)
def test_no_credentials_is_401_whatever_the_version(emulator: EmulatorProcess, operation: tuple[str, str]) -> None:
    path, expected = _wire(operation)
    for query in QUERIES:
        status, content_type, body = _send(emulator.port, operation[0], path + query, {})
        assert (status, content_type, body) == (401, "application/json", expected), query


def test_teams_phone_exchange_wrong_credentials_are_401_before_the_version(
    emulator: EmulatorProcess, client: RawClient
) -> None:
    """An HMAC signature, a bearer that is not a token, or no credential: 401 on every version."""
    path = "/access/teamsExtension/:exchangeAccessToken"
    for query in QUERIES:
        signed = client.sign_headers("POST", path + query, b"{}")
        for headers in ({}, signed, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Bearer "}):
            assert _send(emulator.port, "POST", path + query, headers) == (401, "application/json", INVALID_TOKEN)


def test_hmac_routes_with_a_bearer_token_are_denied_before_the_version(emulator: EmulatorProcess) -> None:
    for query in ("?api-version=2021-03-07", "?api-version=1999-01-01", ""):
        reply = _send(emulator.port, "POST", "/identities" + query, {"Authorization": "Bearer a.b.c"})
        assert reply == (401, "application/json", DENIED)
