"""Each request and response is logged once, redacted.

With ``logging_enable=True`` the package's redacting network trace logs the
request and response (DEBUG, bodies with tokens redacted); azure-core's
``HttpLoggingPolicy`` (INFO, allow-listed headers) stays silent for that
request instead of logging a second, differently redacted copy. Without
``logging_enable`` azure-core's ``HttpLoggingPolicy`` is the only log, as in
any Azure SDK client.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from azure.communication.administration import CommunicationIdentityClient
from azure.communication.administration._generated import _catalog
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncCommunicationIdentityClient

from . import _fakes as f

URL = f"https://contoso.communication.azure.com/identities?api-version={_catalog.LATEST_GA}"
PACKAGE_LOGGER = "azure.communication.administration"
CORE_HTTP_LOGGER = "azure.core.pipeline.policies.http_logging_policy"


def _requests_logged(records: list[logging.LogRecord]) -> list[str]:
    """The records that describe an outgoing request, whichever policy wrote them."""
    return [r.name for r in records if "contoso.communication.azure.com/identities" in r.getMessage()]


def _responses_logged(records: list[logging.LogRecord]) -> list[str]:
    return [r.name for r in records if "Response status" in r.getMessage()]


def _secrets_absent(records: list[logging.LogRecord], transport: Any) -> None:
    text = "\n".join(r.getMessage() for r in records)
    signature = transport.last.header("Authorization").split("Signature=")[1]
    for secret in (f.KEY, signature, f.TOKEN, transport.last.header("x-ms-content-sha256")):
        assert secret not in text


@pytest.mark.parametrize("where", ["client", "call"])
def test_logging_enable_logs_each_request_and_response_once(caplog: Any, where: str) -> None:
    caplog.set_level(logging.DEBUG)
    transport = f.FakeTransport(f.ga_identity(with_token=True))
    client_options = {"logging_enable": True} if where == "client" else {}
    call_options = {"logging_enable": True} if where == "call" else {}
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport, **client_options)
    client.create_user_and_token(["chat"], **call_options)
    assert _requests_logged(caplog.records) == [PACKAGE_LOGGER]
    assert _responses_logged(caplog.records) == [PACKAGE_LOGGER]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"Request POST {URL}" in text
    assert '"token":"REDACTED"' in text
    _secrets_absent(caplog.records, transport)


def test_each_try_is_logged_once(caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    transport = f.FakeTransport((503, None, {"Retry-After": "0"}), f.ga_identity())
    client = CommunicationIdentityClient(
        f.ENDPOINT, f.KEY, transport=transport, logging_enable=True, retry_backoff_factor=0
    )
    client.create_user()
    assert len(transport.requests) == 2
    assert _requests_logged(caplog.records) == [PACKAGE_LOGGER] * 2
    assert _responses_logged(caplog.records) == [PACKAGE_LOGGER] * 2


def test_async_logging_enable_logs_once(caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    transport = f.FakeAsyncTransport(f.ga_identity(with_token=True))

    async def run() -> None:
        async with AsyncCommunicationIdentityClient(
            f.ENDPOINT, f.KEY, transport=transport, logging_enable=True
        ) as client:
            await client.create_user_and_token(["chat"])

    asyncio.run(run())
    assert _requests_logged(caplog.records) == [PACKAGE_LOGGER]
    assert _responses_logged(caplog.records) == [PACKAGE_LOGGER]
    _secrets_absent(caplog.records, transport)


def test_without_logging_enable_azure_core_logs_once(caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    transport = f.FakeTransport(f.ga_identity(with_token=True))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    client.create_user_and_token(["chat"])
    assert _requests_logged(caplog.records) == [CORE_HTTP_LOGGER]
    assert _responses_logged(caplog.records) == [CORE_HTTP_LOGGER]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "'Authorization': 'REDACTED'" in text
    _secrets_absent(caplog.records, transport)


def test_per_call_logger_option_does_not_reach_the_transport(caplog: Any) -> None:
    seen: list[dict[str, Any]] = []

    class Seen(f.FakeTransport):
        def send(self, request: Any, **kwargs: Any) -> Any:
            seen.append(kwargs)
            return super().send(request, **kwargs)

    transport = Seen(f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport, logging_enable=True)
    client.create_user(logger=logging.getLogger("mine"))
    assert len(seen) == 1
    assert "logger" not in seen[0]
