"""Durability: every acknowledged write survives ``kill -9`` under load.

Writers hammer the emulator (loopback only) with creates, token issues,
revocations, deletions and Teams Phone assignments; once enough writes were
acknowledged the process is killed with SIGKILL while requests are still in
flight.  A new emulator on the same ``--db`` must then know every
acknowledged identity, keep every acknowledged deletion and revocation, and
present the same connection string.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from acs_identity_emulator.testing import running_emulator, start_emulator
from emu_helpers import RawClient, enc

pytestmark = pytest.mark.slow  # local services of their own, under load, killed and restarted

TARGET_ACKED = 300
DEADLINE_S = 20.0
V_PHONE = "2025-06-30"
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"


@dataclass
class Acked:
    lock: threading.Lock = field(default_factory=threading.Lock)
    alive: list[str] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)  # (id, token issued before)
    revoked: list[tuple[str, str]] = field(default_factory=list)  # (id, token issued before)
    assignments: list[str] = field(default_factory=list)
    count: int = 0


def _writer(client: RawClient, acked: Acked, stop: threading.Event, enough: threading.Event, worker: int) -> None:
    step = 0
    try:
        while not stop.is_set():
            step += 1
            reply = client.request("POST", "/identities", {"createTokenWithScopes": ["chat"]})
            if reply.status != 201:
                return
            data = reply.json()
            identity, token = data["identity"]["id"], data["accessToken"]["token"]
            action = step % 4
            if action == 1:
                r = client.request("POST", f"/identities/{enc(identity)}/:revokeAccessTokens")
                if r.status != 204:
                    return
                with acked.lock:
                    acked.revoked.append((identity, token))
            elif action == 2:
                r = client.request("DELETE", f"/identities/{enc(identity)}")
                if r.status != 204:
                    return
                with acked.lock:
                    acked.deleted.append((identity, token))
            elif action == 3:
                obj = str(uuid.uuid4())
                r = client.request(
                    "PUT",
                    f"/access/teamsExtension/tenants/{TENANT}/assignments/{obj}",
                    {"principalType": "user"},
                    api_version=V_PHONE,
                )
                if r.status != 201:
                    return
                with acked.lock:
                    acked.alive.append(identity)
                    acked.assignments.append(obj)
            else:
                with acked.lock:
                    acked.alive.append(identity)
            with acked.lock:
                acked.count += 2
                if acked.count >= TARGET_ACKED:
                    enough.set()
    except OSError:
        return  # the server was killed mid-request: nothing acknowledged


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    db = str(tmp_path / "identity.db")
    emu = start_emulator(db=db)
    first_connection_string = emu.connection_string
    acked, stop, enough = Acked(), threading.Event(), threading.Event()
    client = RawClient(emu)
    threads = [threading.Thread(target=_writer, args=(client, acked, stop, enough, i), daemon=True) for i in range(8)]
    for thread in threads:
        thread.start()
    try:
        assert enough.wait(DEADLINE_S), "the emulator did not acknowledge enough writes in time"
        emu.kill()  # SIGKILL while the writers are still sending
    finally:
        stop.set()
        emu.kill()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()

    with running_emulator(db=db) as again:
        assert again.connection_string.split(";")[1] == first_connection_string.split(";")[1]
        client = RawClient(again)
        assert len(acked.alive) + len(acked.deleted) + len(acked.revoked) >= TARGET_ACKED // 2
        for identity in acked.alive:
            assert client.issue(identity).status == 200, identity
        for identity, token in acked.deleted:
            assert client.issue(identity).status == 404, identity
            assert client.introspect(token)["reason"] == "identity_deleted"
        for identity, token in acked.revoked:
            assert client.introspect(token)["reason"] == "revoked"
            fresh = client.issue(identity)
            assert fresh.status == 200
            assert client.introspect(fresh.json()["token"])["active"] is True
        for obj in acked.assignments:
            reply = client.request(
                "GET",
                f"/access/teamsExtension/tenants/{TENANT}/assignments/{obj}",
                api_version=V_PHONE,
            )
            assert reply.status == 200, obj


def test_restart_keeps_key_resource_and_signing_key(tmp_path: Path) -> None:
    db = str(tmp_path / "identity.db")
    with running_emulator(db=db) as first:
        client = RawClient(first)
        identity = client.create()
        token = client.issue(identity).json()["token"]
        jwks = client.request("GET", "/.well-known/jwks.json", api_version=None, sign=False).json()
    with running_emulator(db=db) as second:
        assert second.access_key == first.access_key
        client = RawClient(second)
        assert client.create().split("_")[0] == identity.split("_")[0]
        assert client.introspect(token)["active"] is True
        assert client.request("GET", "/.well-known/jwks.json", api_version=None, sign=False).json() == jwks
