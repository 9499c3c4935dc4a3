"""SQLite persistence with an in-memory mirror for the hot read path.

Durability: the database runs in WAL mode with ``synchronous=NORMAL`` and
every write is committed before the HTTP answer is sent.  In WAL mode a
commit appends the transaction to the ``-wal`` file with ``write()`` before
``commit()`` returns, so once we acknowledge a write its bytes are in the
operating system's page cache: a ``kill -9`` of this process cannot lose
them (only an OS crash or power cut before the next checkpoint's fsync
could, which is acceptable for an emulator and much faster than ``FULL``).

Only this process writes the database, so the in-memory mirror of the
identities and assignments (loaded at start-up, updated after each commit)
is always consistent with the store and issuing a token touches no disk.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
    id         TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    -- tokens whose iat is before this instant are revoked (NULL: none)
    valid_from REAL,
    -- tombstone: set when the identity is deleted (NULL: alive)
    deleted_at REAL
);
CREATE TABLE IF NOT EXISTS assignments (
    tenant_id      TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    client_ids     TEXT,           -- JSON array, NULL when not given
    PRIMARY KEY (tenant_id, object_id)
);
"""


@dataclass(slots=True)
class IdentityState:
    """What the service needs to know about an identity to issue/judge tokens."""

    valid_from: float | None
    deleted_at: float | None


@dataclass(frozen=True, slots=True)
class Assignment:
    """A Teams Phone access assignment."""

    tenant_id: str
    object_id: str
    principal_type: str
    client_ids: tuple[str, ...] | None

    def to_json(self) -> dict[str, object]:
        """The wire shape of ``TeamsExtensionAssignmentResponse``."""
        body: dict[str, object] = {
            "objectId": self.object_id,
            "tenantId": self.tenant_id,
            "principalType": self.principal_type,
        }
        if self.client_ids is not None:
            body["clientIds"] = list(self.client_ids)
        return body


class Store:
    """The emulator's state.  Not thread-safe by design: the event loop owns it."""

    def __init__(self, path: str) -> None:
        # check_same_thread=False only so tests/tools may close it from
        # another thread; all normal use is from the event-loop thread.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        # See the module docstring for why NORMAL survives kill -9.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self._identities: dict[str, IdentityState] = {
            row[0]: IdentityState(row[1], row[2])
            for row in self._db.execute("SELECT id, valid_from, deleted_at FROM identities")
        }
        self._assignments: dict[tuple[str, str], Assignment] = {}
        for tenant, obj, ptype, cids in self._db.execute(
            "SELECT tenant_id, object_id, principal_type, client_ids FROM assignments"
        ):
            ids = tuple(json.loads(cids)) if cids is not None else None
            self._assignments[(tenant, obj)] = Assignment(tenant, obj, ptype, ids)

    # -- meta ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A stored setting, or ``None``."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta_if_absent(self, key: str, value: str) -> str:
        """Store ``value`` unless a value exists; return the value in force."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        stored = self.get_meta(key)
        assert stored is not None
        return stored

    def set_meta(self, key: str, value: str) -> None:
        """Store ``value``, replacing any value (committed on return)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def resource_id(self) -> str:
        """The resource guid, fixed per store."""
        return self.set_meta_if_absent("resource_id", str(uuid.uuid4()))

    # -- identities ---------------------------------------------------------
    def identity(self, identity_id: str) -> IdentityState | None:
        """The state of an identity (deleted ones included), from memory."""
        return self._identities.get(identity_id)

    def create_identity(self, identity_id: str, now: float) -> None:
        """Persist a new identity (committed on return)."""
        with self._lock:
            self._db.execute("INSERT INTO identities (id, created_at) VALUES (?, ?)", (identity_id, now))
        self._identities[identity_id] = IdentityState(None, None)

    def revoke_before(self, identity_id: str, instant: float) -> None:
        """Revoke every token issued before ``instant``.

        Revocation only moves forward: a later call with an earlier instant
        never brings revoked tokens back.
        """
        state = self._identities[identity_id]
        new = instant if state.valid_from is None else max(state.valid_from, instant)
        with self._lock:
            self._db.execute("UPDATE identities SET valid_from = ? WHERE id = ?", (new, identity_id))
        state.valid_from = new

    def delete_identity(self, identity_id: str, now: float) -> None:
        """Tombstone an identity: its tokens die, its id answers 404 from now on."""
        with self._lock:
            self._db.execute(
                "UPDATE identities SET deleted_at = ?, valid_from = ? WHERE id = ?",
                (now, now, identity_id),
            )
        state = self._identities[identity_id]
        state.deleted_at = now
        state.valid_from = now

    def ensure_identity(self, identity_id: str, now: float) -> IdentityState:
        """Create (or bring back after a delete) a Teams Phone identity.

        A resurrected identity keeps ``valid_from`` at the resurrection time,
        so tokens issued before its deletion stay dead.
        """
        state = self._identities.get(identity_id)
        if state is not None and state.deleted_at is None:
            return state
        with self._lock:
            if state is None:
                self._db.execute("INSERT INTO identities (id, created_at) VALUES (?, ?)", (identity_id, now))
                state = IdentityState(None, None)
            else:
                self._db.execute(
                    "UPDATE identities SET deleted_at = NULL, valid_from = ? WHERE id = ?",
                    (now, identity_id),
                )
                state = IdentityState(now, None)
        self._identities[identity_id] = state
        return state

    # -- Teams Phone assignments -------------------------------------------
    def assignment(self, tenant_id: str, object_id: str) -> Assignment | None:
        """The assignment of (tenant, object), from memory."""
        return self._assignments.get((tenant_id.lower(), object_id.lower()))

    def upsert_assignment(self, assignment: Assignment) -> bool:
        """Create or replace; return True when it was created."""
        key = (assignment.tenant_id, assignment.object_id)
        created = key not in self._assignments
        cids = None if assignment.client_ids is None else json.dumps(list(assignment.client_ids))
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO assignments "
                "(tenant_id, object_id, principal_type, client_ids) VALUES (?, ?, ?, ?)",
                (assignment.tenant_id, assignment.object_id, assignment.principal_type, cids),
            )
        self._assignments[key] = assignment
        return created

    def delete_assignment(self, tenant_id: str, object_id: str) -> bool:
        """Delete; return False when there was nothing to delete."""
        key = (tenant_id.lower(), object_id.lower())
        if key not in self._assignments:
            return False
        with self._lock:
            self._db.execute("DELETE FROM assignments WHERE tenant_id = ? AND object_id = ?", key)
        del self._assignments[key]
        return True

    def close(self) -> None:
        """Close the database (checkpointing the WAL)."""
        with self._lock:
            self._db.close()
