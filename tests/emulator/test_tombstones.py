"""Deleted identities: tombstones expire, and no answer changes when they go.

A deleted identity keeps a tombstone for the retention (by default the longest
token lifetime any API version allows, read from the catalog); then the store
forgets it in small batches.  The answers about a deleted identity and its
tokens are pinned here before and after that, with a fake clock: the store's
``clock=`` in the store tests, and ``time.time`` itself for the in-process
service (its HMAC dates, token times, introspection and sweeps all read it).
"""

from __future__ import annotations

import asyncio
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from acs_identity_emulator import _store
from acs_identity_emulator._store import DEFAULT_TOMBSTONE_RETENTION, SWEEP_BATCH, Store, revocation_boundary
from acs_identity_emulator.testing import running_emulator
from emu_helpers import GA, PREVIEW, RawClient, enc, jwt_parts

from azure.communication.administration._generated import _catalog

T = TypeVar("T")

TEAMS_PHONE_EXCHANGE = "/access/teamsExtension/:exchangeAccessToken"
#: The first version with the Teams Phone exchange (from the catalog, not spelled out).
V_PHONE = next(v for v in _catalog.VERSIONS if any(p == TEAMS_PHONE_EXCHANGE for _, _, p in _catalog.OPERATIONS[v]))
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"
APP = "11111111-2222-3333-4444-555555555555"
#: An Entra token valid for ten years: Teams Phone tokens expire with it, long after the retention.
TEN_YEARS = 10 * 365 * 86400


def test_default_retention_is_the_longest_token_lifetime_in_the_catalog() -> None:
    longest = 0
    for version in _catalog.VERSIONS:
        bounds = _catalog.EXPIRES_IN_MINUTES[version]
        if bounds is not None:
            longest = max(longest, bounds[1])
    assert longest > 0
    assert longest * 60 == DEFAULT_TOMBSTONE_RETENTION


# -- the store, with an injected clock ------------------------------------------------------
class Clock:
    def __init__(self, now: float = 1_800_000_000.25) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _id() -> str:
    return f"8:acs:{uuid.uuid4()}_{uuid.uuid4()}"


def test_tombstone_kept_for_the_retention_then_swept(tmp_path: Path) -> None:
    clock = Clock()
    store = Store(str(tmp_path / "s.db"), tombstone_retention=600, clock=clock)
    try:
        gone, kept = _id(), _id()
        for identity in (gone, kept):
            store.create_identity(identity, clock.now)
        store.delete_identity(gone, clock.now)
        assert store.counts() == (1, 1)
        clock.now += 599.5
        assert store.sweep() == 0
        state = store.identity(gone)
        assert state is not None and state.deleted_at is not None
        clock.now += 1
        assert store.sweep() == 1
        assert store.identity(gone) is None
        assert store.identity(kept) is not None
        assert store.counts() == (1, 0)
    finally:
        store.close()


def test_sweep_goes_in_batches_oldest_first() -> None:
    clock = Clock()
    store = Store(":memory:", tombstone_retention=60, clock=clock)
    ids = [_id() for _ in range(SWEEP_BATCH * 2 + 10)]
    for n, identity in enumerate(ids):
        store.create_identity(identity, clock.now)
        store.delete_identity(identity, clock.now + n / 1000)  # in this order
    clock.now += 61 + len(ids) / 1000
    assert store.sweep() == SWEEP_BATCH
    assert store.identity(ids[SWEEP_BATCH - 1]) is None
    assert store.identity(ids[SWEEP_BATCH]) is not None
    assert store.sweep(limit=10) == 10
    assert store.sweep() == SWEEP_BATCH
    assert store.sweep() == 0
    assert store.counts() == (0, 0)
    store.close()


def test_tombstone_with_a_future_revocation_waits_for_it() -> None:
    clock = Clock()
    store = Store(":memory:", tombstone_retention=60, clock=clock)
    identity = _id()
    store.create_identity(identity, clock.now)
    store.revoke_before(identity, clock.now + 3600)  # preview tokensValidFrom an hour ahead
    store.delete_identity(identity, clock.now)
    clock.now += 120
    assert store.sweep() == 0  # the retention passed, the revocation instant has not
    clock.now += 3600
    assert store.sweep() == 1
    store.close()


def test_restart_after_expiry_forgets_the_tombstone(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    clock = Clock()
    store = Store(path, tombstone_retention=600, clock=clock)
    deleted, alive = _id(), _id()
    store.create_identity(deleted, clock.now)
    store.create_identity(alive, clock.now)
    store.delete_identity(deleted, clock.now)
    store.close()
    clock.now += 300
    store = Store(path, tombstone_retention=600, clock=clock)  # before expiry: still there
    assert store.sweep() == 0
    assert store.counts() == (1, 1)
    store.close()
    clock.now += 301
    store = Store(path, tombstone_retention=600, clock=clock)
    assert store.sweep() == 1
    assert store.identity(deleted) is None
    store.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT id FROM identities").fetchall() == [(alive,)]


def test_a_teams_phone_identity_created_again_revokes_what_came_before() -> None:
    """Once its tombstone is gone, a re-created Teams Phone identity still revokes older tokens."""
    clock = Clock(1_800_000_000.75)
    store = Store(":memory:", tombstone_retention=1, clock=clock)
    identity = _id()
    first = store.ensure_identity(identity, clock.now)
    assert first.deleted_at is None
    assert first.valid_from == math.floor(clock.now)  # tokens from this second on are unaffected
    deleted_at = clock.now
    store.delete_identity(identity, deleted_at)
    clock.now += 1.0  # the shortest retention
    assert store.sweep() == 1
    assert store.identity(identity) is None
    again = store.ensure_identity(identity, clock.now)
    assert again.valid_from == math.floor(clock.now)
    # Every token issued before the deletion has an iat of its second or earlier: revoked.
    assert revocation_boundary(again.valid_from) == math.floor(deleted_at) + 1
    store.close()


@pytest.mark.parametrize("seconds", [0, 0.5, -1, math.nan, math.inf])
def test_retention_must_be_a_second_or_more(seconds: float) -> None:
    with pytest.raises(ValueError, match="at least 1 second"):
        Store(":memory:", tombstone_retention=seconds)


def test_sweeper_task_survives_a_failing_sweep(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(":memory:")
    calls: list[int] = []

    def failing(limit: int = SWEEP_BATCH) -> int:
        calls.append(limit)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "sweep", failing)

    async def scenario() -> None:
        task = asyncio.create_task(_store.sweep_tombstones(store, interval=0.01))
        while len(calls) < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(asyncio.wait_for(scenario(), 30))
    assert "could not remove expired tombstones" in caplog.text
    store.close()


# -- the service in this process, on a fake clock ---------------------------------------------
class FakeTime:
    """``time.time`` moved forward at will (the real clock keeps ticking underneath)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._real = time.time

    def __call__(self) -> float:
        return self._real() + self.offset


@dataclass
class Service:
    port: int
    access_key: str
    loop: asyncio.AbstractEventLoop
    store: Store
    certificate: None = None

    def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the service's event loop (the store belongs to it)."""

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(30)

    def sweep_all(self) -> None:
        while self.run(self.store.sweep):
            pass


@contextmanager
def in_process_service(db: str, **options: Any) -> Iterator[Service]:
    """``create_app`` served on a free port by an event loop in a thread."""
    from acs_identity_emulator import create_app, emulator_of
    from aiohttp import web

    loop = asyncio.new_event_loop()
    started: list[tuple[web.AppRunner, Service]] = []
    ready = threading.Event()

    async def start() -> None:
        app = create_app(db, **options)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        emulator = emulator_of(app)
        port = int(runner.addresses[0][1])
        started.append((runner, Service(port, emulator.access_key, loop, emulator.store)))

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        finally:
            ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="in-process-service", daemon=True)
    thread.start()
    assert ready.wait(60)
    assert started, "the service did not start"
    runner, service = started[0]
    try:
        yield service
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


def _not_found(identity: str) -> dict[str, Any]:
    return {"error": {"code": "IdentityNotFound", "message": f"Identity '{identity}' was not found."}}


def _assert_gone_answers(client: RawClient, identity: str) -> None:
    """What every identity operation answers for a deleted identity, tombstone or not."""
    for method, path, body, version in (
        ("POST", f"/identities/{enc(identity)}/:issueAccessToken", {"scopes": ["chat"]}, GA),
        ("POST", f"/identities/{enc(identity)}/:revokeAccessTokens", None, GA),
        ("DELETE", f"/identities/{enc(identity)}", None, GA),
        ("POST", f"/identities/{enc(identity)}/token", {"scopes": ["chat"]}, PREVIEW),
        ("PATCH", f"/identities/{enc(identity)}", {}, PREVIEW),
        ("DELETE", f"/identities/{enc(identity)}", None, PREVIEW),
    ):
        reply = client.request(method, path, body, api_version=version)
        assert (reply.status, reply.json()) == (404, _not_found(identity)), (method, path, version)


def _assign(client: RawClient, obj: str) -> None:
    """A Teams Phone access assignment for ``obj``, so its user can exchange."""
    path = f"/access/teamsExtension/tenants/{TENANT}/assignments/{obj}"
    assert client.request("PUT", path, {"principalType": "user"}, api_version=V_PHONE).status == 201


def _phone(client: RawClient, obj: str, exp: int) -> tuple[str, str]:
    bearer = client.entra_token(appid=APP, oid=obj, tid=TENANT, exp=exp)
    reply = client.request(
        "POST", TEAMS_PHONE_EXCHANGE, None, api_version=V_PHONE, headers={"Authorization": f"Bearer {bearer}"}
    )
    assert reply.status == 200, reply.body
    data = reply.json()
    return data["identity"]["id"], data["accessToken"]["token"]


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(time, "time", fake)
    return fake


def test_deleted_identity_answers_before_and_after_expiry(tmp_path: Path, fake_time: FakeTime) -> None:
    """``identity_deleted`` while a token could live, ``expired`` after, and 404 for every operation throughout."""
    with in_process_service(str(tmp_path / "s.db")) as service:
        client = RawClient(service)  # type: ignore[arg-type]
        created = client.request("POST", "/identities", {"createTokenWithScopes": ["chat"]})
        assert created.status == 201
        identity = created.json()["identity"]["id"]
        token = created.json()["accessToken"]["token"]
        issued = client.issue(identity).json()["token"]
        obj = str(uuid.uuid4())
        _assign(client, obj)
        phone, phone_token = _phone(client, obj, int(time.time()) + TEN_YEARS)
        for gone in (identity, phone):
            assert client.request("DELETE", f"/identities/{enc(gone)}").status == 204
        assert service.run(service.store.counts)[1] == 2

        # Until the longest lifetime has passed: the tombstone answers.
        fake_time.offset = DEFAULT_TOMBSTONE_RETENTION - 60
        service.sweep_all()
        assert service.run(service.store.counts)[1] == 2
        for jwt in (token, issued, phone_token):
            assert client.introspect(jwt)["reason"] == "identity_deleted"
        _assert_gone_answers(client, identity)

        # After: the ACS tokens have expired and the tombstones are gone.
        fake_time.offset = DEFAULT_TOMBSTONE_RETENTION + 1
        service.sweep_all()
        assert service.run(service.store.counts)[1] == 0
        for jwt in (token, issued):
            assert jwt_parts(jwt)[1]["exp"] <= time.time()
            assert client.introspect(jwt)["reason"] == "expired"
        # A Teams Phone token lives as long as its Entra token: still reported as the deleted identity's.
        assert client.introspect(phone_token)["reason"] == "identity_deleted"
        _assert_gone_answers(client, identity)
        _assert_gone_answers(client, phone)

        # The Teams Phone user exchanges again: the same identity, a working token, the old one stays dead.
        again, fresh = _phone(client, obj, int(time.time()) + 3600)
        assert again == phone
        assert client.introspect(fresh)["active"] is True
        assert client.introspect(phone_token)["reason"] == "revoked"


def test_restart_after_expiry_answers_the_same(tmp_path: Path, fake_time: FakeTime) -> None:
    db = str(tmp_path / "s.db")
    obj = str(uuid.uuid4())
    with in_process_service(db) as service:
        client = RawClient(service)  # type: ignore[arg-type]
        identity = client.create()
        token = client.issue(identity).json()["token"]
        _assign(client, obj)
        phone, phone_token = _phone(client, obj, int(time.time()) + TEN_YEARS)
        alive = client.create()
        for gone in (identity, phone):
            assert client.request("DELETE", f"/identities/{enc(gone)}").status == 204
        assert client.introspect(token)["reason"] == "identity_deleted"
    fake_time.offset = DEFAULT_TOMBSTONE_RETENTION + 1
    with in_process_service(db) as service:
        service.sweep_all()
        assert service.run(service.store.counts) == (1, 0)
        client = RawClient(service)  # type: ignore[arg-type]
        assert client.introspect(token)["reason"] == "expired"
        assert client.introspect(phone_token)["reason"] == "identity_deleted"
        _assert_gone_answers(client, identity)
        assert client.issue(alive).status == 200
        again, fresh = _phone(client, obj, int(time.time()) + 3600)
        assert again == phone
        assert client.introspect(fresh)["active"] is True
        assert client.introspect(phone_token)["reason"] == "revoked"


def test_short_retention_changes_no_answer(tmp_path: Path, fake_time: FakeTime) -> None:
    """With a retention shorter than token lifetimes, unexpired tokens of a forgotten identity still answer the same."""
    with in_process_service(str(tmp_path / "s.db"), tombstone_retention=1) as service:
        client = RawClient(service)  # type: ignore[arg-type]
        identity = client.create()
        token = client.issue(identity).json()["token"]
        obj = str(uuid.uuid4())
        _assign(client, obj)
        phone, phone_token = _phone(client, obj, int(time.time()) + 7200)
        for gone in (identity, phone):
            assert client.request("DELETE", f"/identities/{enc(gone)}").status == 204
        fake_time.offset = 2
        service.sweep_all()
        assert service.run(service.store.counts)[1] == 0
        assert client.introspect(token)["reason"] == "identity_deleted"
        assert client.introspect(phone_token)["reason"] == "identity_deleted"
        _assert_gone_answers(client, identity)
        again, fresh = _phone(client, obj, int(time.time()) + 3600)
        assert again == phone
        assert client.introspect(phone_token)["reason"] == "revoked"
        assert client.introspect(fresh)["active"] is True


# -- the command line ------------------------------------------------------------------------
def test_tombstone_retention_option_removes_tombstones(tmp_path: Path) -> None:
    """``--tombstone-retention 1``: the running service forgets a deleted identity within seconds."""
    db = tmp_path / "s.db"
    with running_emulator(str(db), extra_args=["--tombstone-retention", "1"]) as emu:
        client = RawClient(emu)
        identity = client.create()
        token = client.issue(identity).json()["token"]
        assert client.request("DELETE", f"/identities/{enc(identity)}").status == 204
        deadline = time.monotonic() + 30
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as reader:
            while reader.execute("SELECT COUNT(*) FROM identities WHERE id = ?", (identity,)).fetchone()[0]:
                assert time.monotonic() < deadline, "the tombstone was not removed"
                time.sleep(0.05)  # polling a condition, with a deadline
        assert client.introspect(token)["reason"] == "identity_deleted"
        _assert_gone_answers(client, identity)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.5", "0.5 is too short: tombstones are kept at least 1 second"),
        ("nan", "invalid number of seconds: 'nan'"),
        ("soon", "invalid number of seconds: 'soon'"),
    ],
)
def test_tombstone_retention_option_refuses_bad_values(
    value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from acs_identity_emulator._cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--tombstone-retention", value])
    assert caught.value.code == 2
    assert f"acs-identity-emulator: error: argument --tombstone-retention: {message}" in capsys.readouterr().err


def test_acs_identity_serve_takes_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    """``acs-identity serve`` hands the option to the same parser."""
    from azure.communication.administration._cli import main

    assert main(["serve", "--tombstone-retention", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "acs-identity serve: error: argument --tombstone-retention: 0.5 is too short" in err
