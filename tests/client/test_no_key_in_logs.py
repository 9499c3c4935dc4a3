"""The client knows its access key: no log line it writes holds it, wherever the caller put it.

Header allow-lists (azure-core's ``HttpLoggingPolicy`` logs ``User-Agent`` and
``x-ms-client-request-id`` as they are) and JSON field names cannot see a key pasted into a
value. Here the key goes into a custom header, ``user_agent=``, the client request id, a
``send_request`` URL, header and body, client-wide and per call, sync and async, with the
network trace on and off, against the local service over the real transports. Every record of
every logger, at DEBUG, is searched for the key as written and URL-encoded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from acs_identity_emulator.testing import EmulatorProcess
from azure.core.credentials import AzureKeyCredential
from azure.core.rest import HttpRequest

from azure.communication.administration import CommunicationIdentityClient, parse_connection_string
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f

#: (client keywords, call keywords) for one create_user, given the key and the connection string.
Case = Callable[[str, str], tuple[dict[str, Any], dict[str, Any]]]
CASES: dict[str, Case] = {
    "headers= (client)": lambda k, c: ({"headers": {"x-custom": k}}, {}),
    "headers= (call)": lambda k, c: ({}, {"headers": {"x-custom": f"before {k} after"}}),
    "user_agent= (client)": lambda k, c: ({"user_agent": k}, {}),
    "user_agent= (call)": lambda k, c: ({}, {"user_agent": k}),
    "request_id= (call)": lambda k, c: ({}, {"request_id": k}),
    "x-ms-client-request-id header": lambda k, c: ({}, {"headers": {"x-ms-client-request-id": k}}),
    "connection string in a header": lambda k, c: ({"headers": {"x-conn": c}}, {}),
}


def _forms(key: str) -> set[str]:
    return {key, quote(key, safe=""), quote(key), quote_plus(key)}


def _assert_no_key(records: list[logging.LogRecord], key: str, where: str) -> None:
    assert records, f"{where}: nothing was logged; the check would be vacuous"
    for record in records:
        text = record.getMessage()
        for form in _forms(key):
            assert form not in text, f"{where}: {record.name} logged the key: {text[:300]!r}"


@pytest.fixture()
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # every logger: ours, azure-core's, urllib3's, aiohttp's
    return caplog


@pytest.mark.parametrize("trace", [False, True], ids=["http-logging", "network-trace"])
@pytest.mark.parametrize("where", list(CASES))
def test_sync(identity_service: EmulatorProcess, debug_logs: Any, where: str, trace: bool) -> None:
    key, conn = identity_service.access_key, identity_service.connection_string
    client_options, call_options = CASES[where](key, conn)
    with CommunicationIdentityClient.from_connection_string(conn, logging_enable=trace, **client_options) as client:
        client.create_user(**call_options)
    _assert_no_key(debug_logs.records, key, where)
    logged = "\n".join(r.getMessage() for r in debug_logs.records)
    assert "REDACTED" in logged  # the key's place is marked, not silently dropped


@pytest.mark.parametrize("trace", [False, True], ids=["http-logging", "network-trace"])
@pytest.mark.parametrize("where", list(CASES))
def test_async(identity_service: EmulatorProcess, debug_logs: Any, where: str, trace: bool) -> None:
    key, conn = identity_service.access_key, identity_service.connection_string
    client_options, call_options = CASES[where](key, conn)

    async def main() -> None:
        async with AsyncClient.from_connection_string(conn, logging_enable=trace, **client_options) as client:
            await client.create_user(**call_options)

    asyncio.run(main())
    _assert_no_key(debug_logs.records, key, where)


def test_send_request_url_header_and_body(identity_service: EmulatorProcess, debug_logs: Any) -> None:
    key = identity_service.access_key
    with CommunicationIdentityClient.from_connection_string(
        identity_service.connection_string, logging_enable=True
    ) as client:
        request = HttpRequest(
            "POST",
            "/identities",
            params={"api-version": client.api_version.value, "note": key},
            headers={"x-note": key},
            json={"note": key, "nested": [{"deeper": f"x{key}y"}]},
        )
        client.send_request(request).raise_for_status()
    _assert_no_key(debug_logs.records, key, "send_request")
    assert any("/identities" in r.getMessage() for r in debug_logs.records)


def test_a_rotated_key_is_scrubbed(debug_logs: Any) -> None:
    """An ``AzureKeyCredential`` rotated with ``update``: the key in force is the one scrubbed."""
    new_key = "bmV3IGtleSBhZnRlciByb3RhdGlvbiwgbG9uZyBlbm91Z2g="
    credential = AzureKeyCredential(f.KEY)
    transport = f.FakeTransport(f.ga_identity(), f.ga_identity(), f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, credential, transport=transport)
    client.create_user()
    credential.update(new_key)
    client.create_user(user_agent=new_key)
    client.create_user(logging_enable=True, headers={"x-custom": new_key})
    _assert_no_key(debug_logs.records, new_key, "rotated key")


def test_the_key_of_a_connection_string_client_in_every_default_log(debug_logs: Any) -> None:
    """No key-like text is needed: a short, plain key the caller chose is scrubbed just the same."""
    conn = "endpoint=https://contoso.communication.azure.com/;accesskey=c2hvcnQ="
    _, key = parse_connection_string(conn)
    transport = f.FakeTransport(f.ga_identity())
    client = CommunicationIdentityClient.from_connection_string(conn, transport=transport)
    client.create_user(user_agent=f"app/{key}", headers={"x-ms-client-request-id": key})
    _assert_no_key(debug_logs.records, key, "short key")
