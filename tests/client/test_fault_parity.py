"""Faults: our sync client and the official azure-communication-identity 1.5.0 client, side by side.

Each case scripts the same raw server twice (``_raw_server``): once for our client,
once for the official one (azure-core's ``RequestsTransport``, installed by
``requirements-dev.txt``).  Both must end the same way, success or the same
azure-core exception class, after the same number of requests reached the server.
Retries use azure-core's policy in both, with small back-off so the cases are fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from azure.communication.administration import CommunicationIdentityClient

from . import _fakes as f
from ._raw_server import DROP, HANG, CloseAfter, RawServer, response

pytest.importorskip("azure.communication.identity", reason="the official client comes with requirements-dev.txt")

IDENTITY = response(201, {"identity": {"id": f.USER_ID}}, reason="Created")
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"
RETRIES = {"retry_total": 2, "retry_backoff_factor": 0.01, "retry_backoff_max": 0.02, "read_timeout": 0.5}
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _busy(status: int, reason: str) -> bytes:
    return response(
        status, {"error": {"code": "Busy", "message": "try later"}}, reason=reason, headers={"Retry-After": "0.01"}
    )


SERVER_ERROR = response(500, {"error": {"code": "Internal", "message": "boom"}}, reason="Internal Server Error")


@dataclass
class Case:
    name: str
    script: tuple[Any, ...]
    calls: tuple[str, ...]  # client methods called in turn on one client
    default: Any = b""


CASES = [
    Case("503 with Retry-After, then created", (_busy(503, "Service Unavailable"), IDENTITY), ("create_user",)),
    Case("429 with Retry-After (POST)", (_busy(429, "Too Many Requests"), IDENTITY), ("create_user",)),
    Case("429 with Retry-After (DELETE)", (_busy(429, "Too Many Requests"), NO_CONTENT), ("delete_user",)),
    Case("dropped before any response (POST)", (DROP, IDENTITY), ("create_user",)),
    Case("dropped before any response (DELETE)", (DROP, NO_CONTENT), ("delete_user",)),
    Case("dropped every time (DELETE)", (), ("delete_user",), default=DROP),
    Case(
        "truncated body",
        (CloseAfter(b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"id'),),
        ("create_user",),
    ),
    Case("malformed status line", (b"HTTP/1.1 2O1 Created\r\n\r\n", IDENTITY), ("create_user",)),
    Case("read timeout (POST)", (HANG,), ("create_user",)),
    Case("500 until retries run out (POST)", (), ("create_user",), default=SERVER_ERROR),
    Case("500 until retries run out (DELETE)", (), ("delete_user",), default=SERVER_ERROR),
    Case(
        "kept-alive connection closed by the server between calls",
        (CloseAfter(IDENTITY), IDENTITY),
        ("create_user",) * 2,
    ),
]


def _ours(url: str) -> Any:
    return CommunicationIdentityClient(url, AzureKeyCredential(f.KEY), api_version="2023-10-01", **RETRIES)


def _official(url: str) -> Any:
    from azure.communication.identity import CommunicationIdentityClient as Official

    return Official(url, AzureKeyCredential(f.KEY), api_version="2023-10-01", **RETRIES)


def _official_user() -> Any:
    from azure.communication.identity import CommunicationUserIdentifier

    return CommunicationUserIdentifier(f.USER_ID)


def _run(make: Callable[[str], Any], case: Case) -> tuple[list[str], int, int]:
    """Outcome of each call ("ok" or the exception class), requests and connections the server saw."""
    outcomes = []
    with RawServer(*case.script, default=case.default or IDENTITY) as server:
        client = make(server.url)
        for number, call in enumerate(case.calls):
            if number:  # the kept-alive case: the server has closed the first connection by now
                server.wait_closed(1)
            try:
                if call == "delete_user":
                    client.delete_user(f.USER_ID if make is _ours else _official_user())
                else:
                    getattr(client, call)()
                outcomes.append("ok")
            except Exception as exc:
                outcomes.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
        return outcomes, len(server.received), server.connections


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch):
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.interop
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_faults_end_like_the_official_client(case):
    ours, official = _run(_ours, case), _run(_official, case)
    assert ours == official  # outcomes, requests, connections


def test_the_cases_do_fail_and_retry():
    # The comparison above means something only if the cases differ: some succeed after a retry,
    # some raise, some are retried until the policy gives up.
    outcomes = {c.name: _run(_ours, c) for c in CASES}
    assert outcomes["503 with Retry-After, then created"][:2] == (["ok"], 2)
    assert outcomes["dropped before any response (POST)"][:2] == (["azure.core.exceptions.ServiceResponseError"], 1)
    assert outcomes["dropped every time (DELETE)"][:2] == (["azure.core.exceptions.ServiceResponseError"], 3)
    assert outcomes["truncated body"][:2] == (["azure.core.exceptions.IncompleteReadError"], 1)
    assert outcomes["read timeout (POST)"][:2] == (["azure.core.exceptions.ServiceResponseTimeoutError"], 1)
    assert outcomes["500 until retries run out (DELETE)"][:2] == (["azure.core.exceptions.HttpResponseError"], 3)
    assert outcomes["kept-alive connection closed by the server between calls"] == (["ok", "ok"], 2, 2)
