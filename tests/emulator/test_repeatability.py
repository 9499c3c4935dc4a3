"""Repeatable create (``Repeatability-Request-ID`` / ``Repeatability-First-Sent``) on the wire.

Upstream's 2023-08-01 document declares both headers on ``POST /identities``; the service then
performs a request once per id (see ``_repeatability``): a repeat within the window gets the
first answer with ``Repeatability-Result: accepted``; the id with another request is 400
``RepeatableRequestMismatch``; a first-sent time older than the five-minute window is 412
``RepeatableRequestExpired``; malformed or lone headers are 400 ``ValidationError``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

import pytest
from acs_identity_emulator._store import RepeatableAnswer, Store
from emu_helpers import RawClient, serving_in_process

REPEATABLE = "2023-08-01"


def _headers(request_id: str, sent: float | None = None) -> dict[str, str]:
    return {
        "Repeatability-Request-ID": request_id,
        "Repeatability-First-Sent": formatdate(time.time() if sent is None else sent, usegmt=True),
    }


def _error(reply) -> dict[str, str]:
    return json.loads(reply.body)["error"]


def test_a_repeat_gets_the_first_answer_and_makes_nothing(client: RawClient) -> None:
    headers = _headers(str(uuid.uuid4()))
    body = {"createTokenWithScopes": ["chat"], "expiresInMinutes": 60}
    first = client.request("POST", "/identities", body, api_version=REPEATABLE, headers=headers)
    assert first.status == 201, first.body
    assert first.header("Repeatability-Result") == "accepted"
    again = client.request("POST", "/identities", body, api_version=REPEATABLE, headers=headers)
    assert again.status == 201
    assert again.header("Repeatability-Result") == "accepted"
    assert again.header("Content-Type") == "application/json; charset=utf-8"
    assert again.body == first.body  # the same identity and the same token, byte for byte
    assert list(json.loads(again.body)) == ["identity", "accessToken"]


def test_the_id_is_matched_whatever_its_case(client: RawClient) -> None:
    request_id = str(uuid.uuid4())
    first = client.request("POST", "/identities", None, api_version=REPEATABLE, headers=_headers(request_id))
    again = client.request("POST", "/identities", None, api_version=REPEATABLE, headers=_headers(request_id.upper()))
    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body


def test_the_id_with_another_request_is_refused(client: RawClient) -> None:
    headers = _headers(str(uuid.uuid4()))
    first = client.request("POST", "/identities", None, api_version=REPEATABLE, headers=headers)
    assert first.status == 201
    other = client.request(
        "POST", "/identities", {"createTokenWithScopes": ["voip"]}, api_version=REPEATABLE, headers=headers
    )
    assert other.status == 400
    assert other.header("Repeatability-Result") == "rejected"
    assert other.header("Content-Type") == "application/json"
    error = _error(other)
    assert (error["code"], error["target"]) == ("RepeatableRequestMismatch", "Repeatability-Request-ID")
    assert headers["Repeatability-Request-ID"] in error["message"]


def test_a_first_sent_time_older_than_the_window_is_412(client: RawClient) -> None:
    headers = _headers(str(uuid.uuid4()), time.time() - 5 * 60 - 5)
    reply = client.request("POST", "/identities", None, api_version=REPEATABLE, headers=headers)
    assert reply.status == 412
    assert reply.header("Repeatability-Result") == "rejected"
    assert _error(reply)["code"] == "RepeatableRequestExpired"


@pytest.mark.parametrize(
    ("headers", "target"),
    [
        ({"Repeatability-Request-ID": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "Repeatability-First-Sent"),
        ({"Repeatability-First-Sent": "Thu, 03 Dec 2026 02:00:00 GMT"}, "Repeatability-Request-ID"),
        ({"Repeatability-Request-ID": "not-a-uuid", "Repeatability-First-Sent": "now"}, "Repeatability-Request-ID"),
        (
            {
                "Repeatability-Request-ID": "0f8fad5b-d9cb-469f-a165-70867728950e",
                "Repeatability-First-Sent": "2026-12-03T02:00:00Z",
            },
            "Repeatability-First-Sent",
        ),
        (
            {
                "Repeatability-Request-ID": "0f8fad5b-d9cb-469f-a165-70867728950e",
                "Repeatability-First-Sent": formatdate(time.time() + 3600, usegmt=True),
            },
            "Repeatability-First-Sent",
        ),
    ],
    ids=["no-first-sent", "no-id", "id-not-uuid", "first-sent-not-http-date", "first-sent-in-the-future"],
)
def test_bad_repeatability_headers_are_400(client: RawClient, headers: dict[str, str], target: str) -> None:
    reply = client.request("POST", "/identities", None, api_version=REPEATABLE, headers=headers)
    assert reply.status == 400, reply.body
    assert reply.header("Repeatability-Result") == "rejected"
    error = _error(reply)
    assert (error["code"], error["target"]) == ("ValidationError", target)


def test_without_the_headers_create_is_not_repeatable(client: RawClient) -> None:
    first = client.request("POST", "/identities", None, api_version=REPEATABLE)
    again = client.request("POST", "/identities", None, api_version=REPEATABLE)
    assert (first.status, again.status) == (201, 201)
    assert first.header("Repeatability-Result") is None
    assert first.body != again.body


@pytest.mark.parametrize("version", ["2022-10-01", "2023-10-01", "2026-09-23"])
def test_versions_that_do_not_declare_the_headers_ignore_them(client: RawClient, version: str) -> None:
    headers = _headers(str(uuid.uuid4()))
    first = client.request("POST", "/identities", None, api_version=version, headers=headers)
    again = client.request("POST", "/identities", None, api_version=version, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert first.header("Repeatability-Result") is None
    assert json.loads(first.body)["identity"]["id"] != json.loads(again.body)["identity"]["id"]


def test_an_error_answer_is_not_remembered(client: RawClient) -> None:
    headers = _headers(str(uuid.uuid4()))
    body = {"createTokenWithScopes": ["chat"], "expiresInMinutes": 59}
    refused = client.request("POST", "/identities", body, api_version=REPEATABLE, headers=headers)
    assert refused.status == 400
    assert _error(refused)["code"] == "ValidationError"
    fixed = client.request(
        "POST", "/identities", body | {"expiresInMinutes": 60}, api_version=REPEATABLE, headers=headers
    )
    assert fixed.status == 201
    assert fixed.header("Repeatability-Result") == "accepted"


def test_the_store_forgets_an_answer_when_its_window_has_passed() -> None:
    store = Store(":memory:")
    try:
        store.answers.remember("id-1", "f1", 201, '{"identity":{"id":"x"}}', expires_at=1000.0, now=700.0)
        assert store.answers.get("id-1", 999.0) is not None
        assert store.answers.get("id-1", 1000.0) is None
        store.answers.remember("id-2", "f2", 201, None, expires_at=2000.0, now=1000.0)  # sweeps id-1
        assert store._db.execute("SELECT request_id FROM repeatable_answers").fetchall() == [("id-2",)]
    finally:
        store.close()


def test_replayed_headers_are_kept_and_an_older_store_gains_their_column(tmp_path) -> None:
    # A store file made before repeat answers kept headers (no `headers` column) gets the column
    # when opened, and its old answers read back without headers.
    import sqlite3

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE repeatable_answers (request_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
        " status INTEGER NOT NULL, body TEXT, expires_at REAL NOT NULL)"
    )
    old.execute("INSERT INTO repeatable_answers VALUES ('old', 'f0', 201, NULL, 5000.0)")
    old.commit()
    old.close()
    store = Store(str(path))
    try:
        assert store.answers.get("old", 100.0) == RepeatableAnswer("f0", 201, None, None)
        store.answers.remember("new", "f1", 201, None, 5000.0, 100.0, headers={"Location": "/roles/r", "ETag": '"e"'})
        assert store.answers.get("new", 100.0) == RepeatableAnswer(
            "f1", 201, None, {"Location": "/roles/r", "ETag": '"e"'}
        )
    finally:
        store.close()


def test_a_repeat_while_the_first_is_still_performed_waits_for_its_answer() -> None:
    with serving_in_process() as served:
        service = served.emulator
        raw = RawClient(served)  # type: ignore[arg-type]  # it takes what it needs of a service
        minting = threading.Event()  # the first create is inside the operation, holding its id
        repeat_arrived = threading.Event()  # the repeat has reached the service
        release = asyncio.Event()
        loops: list[asyncio.AbstractEventLoop] = []
        mint = service.mint

        async def slow_mint(*args, **kwargs):
            loops.append(asyncio.get_running_loop())
            minting.set()
            await release.wait()
            return await mint(*args, **kwargs)

        async def note_arrivals(svc, call, handler):
            if call.operation.key == ("POST", "/identities") and minting.is_set():
                # The repeat runs from here to its wait for the first without yielding, so the
                # release sent once this is seen finds it waiting.
                repeat_arrived.set()
            return await handler(svc, call)

        service.mint = slow_mint  # type: ignore[method-assign]
        service.intercept = note_arrivals
        headers = _headers(str(uuid.uuid4()))
        before = service.store.counts()[0]

        def create():
            return raw.request(
                "POST", "/identities", {"createTokenWithScopes": ["chat"]}, api_version=REPEATABLE, headers=headers
            )

        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(create)
            assert minting.wait(30)
            again = pool.submit(create)
            assert repeat_arrived.wait(30)
            loops[0].call_soon_threadsafe(release.set)
            replies = first.result(30), again.result(30)
        assert [r.status for r in replies] == [201, 201]
        assert replies[0].body == replies[1].body
        assert [r.header("Repeatability-Result") for r in replies] == ["accepted", "accepted"]
        assert len(loops) == 1  # one token minted: the repeat performed nothing
        assert service.store.counts()[0] == before + 1
