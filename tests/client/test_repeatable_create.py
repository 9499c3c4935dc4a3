"""Repeatable create: the headers on the wire, and a create whose answer was lost, end to end.

On an API version whose document declares ``Repeatability-Request-ID`` and
``Repeatability-First-Sent`` on create (2023-08-01), each create carries both, and a try whose
answer is lost is sent again with the same two values; the local service performs it once.
The end-to-end tests run the local service in this process (``create_app`` on a free port, in
a thread of its own) with a server hook (``Emulator.intercept``) that closes the connection
right after the create was committed, before its answer is written: the one failure a client
cannot tell from "never arrived".
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from acs_identity_emulator import create_app
from acs_identity_emulator._app import emulator_of
from aiohttp import web
from azure.core.exceptions import ServiceResponseError

from azure.communication.administration import ApiVersion, CommunicationIdentityClient, _repeatable
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f

REPEATABLE = ApiVersion.V2023_08_01
NOT_REPEATABLE = [ApiVersion.V2022_10_01, ApiVersion.V2023_10_01, ApiVersion.V2026_09_23]
FIXED_ID = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
FIXED_TIME = 1796263200.0  # Thu, 03 Dec 2026 02:00:00 GMT
FIXED_DATE = "Thu, 03 Dec 2026 02:00:00 GMT"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The id and first-sent time a create chooses, fixed so the wire can be asserted literally."""
    monkeypatch.setattr(_repeatable.uuid, "uuid4", lambda: FIXED_ID)
    monkeypatch.setattr(_repeatable.time, "time", lambda: FIXED_TIME)


def _lost_then(response: tuple) -> list[Any]:
    return [ServiceResponseError("connection dropped after the request was sent"), response]


class _LosingTransport(f.FakeTransport):
    """Raises the queued exceptions (after recording the request) instead of answering."""

    def send(self, request: Any, **kwargs: Any) -> Any:
        if self.responses and isinstance(self.responses[0], Exception):
            self.requests.append(f.Recorded(request.method, request.url, dict(request.headers.items()), b""))
            raise self.responses.popleft()
        return super().send(request, **kwargs)


class _AsyncLosingTransport(f.FakeAsyncTransport):
    async def send(self, request: Any, **kwargs: Any) -> Any:
        if self.responses and isinstance(self.responses[0], Exception):
            self.requests.append(f.Recorded(request.method, request.url, dict(request.headers.items()), b""))
            raise self.responses.popleft()
        return await super().send(request, **kwargs)


def _assert_repeated_create(requests: list[f.Recorded], body: bytes) -> None:
    assert len(requests) == 2
    for rec in requests:
        assert (rec.method, rec.path, rec.raw_query) == ("POST", "/identities", "api-version=2023-08-01")
        assert rec.header("Repeatability-Request-ID") == "0f8fad5b-d9cb-469f-a165-70867728950e"
        assert rec.header("Repeatability-First-Sent") == "Thu, 03 Dec 2026 02:00:00 GMT"
    assert requests[1].body == body


def test_create_sends_the_headers_and_repeats_a_lost_try_with_the_same_values(frozen: None) -> None:
    transport = _LosingTransport(*_lost_then(f.ga_identity()))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=REPEATABLE, transport=transport)
    user = client.create_user()
    assert user.raw_id == f.USER_ID
    _assert_repeated_create(transport.requests, b"")


def test_create_user_and_token_repeats_a_lost_try_with_the_same_body(frozen: None) -> None:
    transport = _LosingTransport(*_lost_then(f.ga_identity(with_token=True)))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=REPEATABLE, transport=transport)
    user, token = client.create_user_and_token(["chat"])
    assert (user.raw_id, token.token) == (f.USER_ID, f.TOKEN)
    _assert_repeated_create(transport.requests, b'{"createTokenWithScopes": ["chat"]}')


def test_async_create_repeats_a_lost_try_with_the_same_values(frozen: None) -> None:
    async def main() -> tuple[Any, _AsyncLosingTransport]:
        transport = _AsyncLosingTransport(*_lost_then(f.ga_identity()))
        async with AsyncClient(f.ENDPOINT, f.KEY, api_version=REPEATABLE, transport=transport) as client:
            return await client.create_user(), transport

    user, transport = asyncio.run(main())
    assert user.raw_id == f.USER_ID
    _assert_repeated_create(transport.requests, b"")


def test_each_logical_create_has_its_own_id() -> None:
    transport = f.FakeTransport(f.ga_identity(), f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=REPEATABLE, transport=transport)
    client.create_user()
    client.create_user()
    ids = [rec.header("Repeatability-Request-ID") for rec in transport.requests]
    assert len(set(ids)) == 2
    assert all(uuid.UUID(value).version == 4 for value in ids if value)


def test_a_callers_own_repeatability_headers_are_kept() -> None:
    transport = f.FakeTransport(f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=REPEATABLE, transport=transport)
    mine = {"Repeatability-Request-ID": "5b1a3c3e-0000-4000-8000-000000000001", "Repeatability-First-Sent": FIXED_DATE}
    client.create_user(headers=mine)
    assert transport.last.header("Repeatability-Request-ID") == "5b1a3c3e-0000-4000-8000-000000000001"
    assert transport.last.header("Repeatability-First-Sent") == FIXED_DATE


def test_retry_total_zero_still_means_no_retry(frozen: None) -> None:
    transport = _LosingTransport(*_lost_then(f.ga_identity()))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=REPEATABLE, transport=transport, retry_total=0)
    with pytest.raises(ServiceResponseError):
        client.create_user()
    assert len(transport.requests) == 1


@pytest.mark.parametrize("version", NOT_REPEATABLE, ids=str)
def test_other_versions_send_no_repeatability_headers_and_never_repeat_a_create(version: ApiVersion) -> None:
    transport = _LosingTransport(*_lost_then(f.ga_identity()))
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=version, transport=transport)
    with pytest.raises(ServiceResponseError):
        client.create_user()
    assert len(transport.requests) == 1
    assert transport.last.header("Repeatability-Request-ID") is None
    assert transport.last.header("Repeatability-First-Sent") is None


# ----- end to end: the local service in this process, and a connection dropped after the commit -----


class DropAfterCommit:
    """A server hook: runs the operation, and for the first ``drops`` creates closes the connection unanswered."""

    def __init__(self, drops: int) -> None:
        self.drops = drops
        self.creates: list[tuple[dict[str, str], Any, dict[str, str]]] = []

    async def __call__(self, service: Any, call: Any, handler: Any) -> Any:
        result = await handler(service, call)  # committed to the store when this returns
        if call.operation.key == ("POST", "/identities"):
            self.creates.append((dict(call.request.headers), result, dict(call.response_headers)))
            if self.drops > 0:
                self.drops -= 1
                call.request.transport.close()  # the answer is never written
        return result


class InProcessService:
    def __init__(self, app: web.Application, port: int) -> None:
        self.emulator = emulator_of(app)
        self.endpoint = f"http://127.0.0.1:{port}"
        self.connection_string = f"endpoint={self.endpoint}/;accesskey={self.emulator.access_key}"

    def live_identities(self) -> int:
        return self.emulator.store.counts()[0]


@pytest.fixture
def service() -> Iterator[InProcessService]:
    loop = asyncio.new_event_loop()
    app = create_app(":memory:")
    runner = web.AppRunner(app)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(runner.addresses[0][1])

    thread = threading.Thread(target=loop.run_forever, name="in-process-identity-service", daemon=True)
    thread.start()
    port = asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    try:
        yield InProcessService(app, port)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


def _check_one_create_replayed(hook: DropAfterCommit, user_id: str) -> None:
    assert len(hook.creates) == 2
    (first_headers, first_result, first_answer), (again_headers, again_result, again_answer) = hook.creates
    for name in ("Repeatability-Request-ID", "Repeatability-First-Sent"):
        assert again_headers[name] == first_headers[name]
    assert uuid.UUID(first_headers["Repeatability-Request-ID"]).version == 4
    assert first_result[0] == 201
    assert again_result == first_result  # the first answer, replayed
    assert first_result[1]["identity"]["id"] == user_id
    assert first_answer["Repeatability-Result"] == again_answer["Repeatability-Result"] == "accepted"


def test_sync_create_whose_answer_was_lost_makes_one_user(service: InProcessService) -> None:
    hook = DropAfterCommit(drops=1)
    service.emulator.intercept = hook
    before = service.live_identities()
    with CommunicationIdentityClient.from_connection_string(service.connection_string, api_version=REPEATABLE) as c:
        user = c.create_user()
    assert service.live_identities() == before + 1
    _check_one_create_replayed(hook, user.raw_id)


def test_async_create_whose_answer_was_lost_makes_one_user(service: InProcessService) -> None:
    hook = DropAfterCommit(drops=1)
    service.emulator.intercept = hook
    before = service.live_identities()

    async def main() -> Any:
        async with AsyncClient.from_connection_string(service.connection_string, api_version=REPEATABLE) as c:
            return await c.create_user_and_token(["chat"])

    user, token = asyncio.run(main())
    assert token.token
    assert service.live_identities() == before + 1
    _check_one_create_replayed(hook, user.raw_id)


@pytest.mark.parametrize("version", [ApiVersion.V2023_10_01], ids=str)
def test_before_repeatability_a_lost_answer_fails_the_call_and_the_user_exists(
    service: InProcessService, version: ApiVersion
) -> None:
    # Why the headers matter: without them the client cannot send the create again safely.
    hook = DropAfterCommit(drops=1)
    service.emulator.intercept = hook
    before = service.live_identities()
    client = CommunicationIdentityClient.from_connection_string(service.connection_string, api_version=version)
    with client, pytest.raises(ServiceResponseError):  # the request was sent: not known to be safe to repeat
        client.create_user()
    assert service.live_identities() == before + 1
    assert len(hook.creates) == 1
    assert "Repeatability-Request-ID" not in hook.creates[0][0]
    assert "Repeatability-Result" not in hook.creates[0][2]
