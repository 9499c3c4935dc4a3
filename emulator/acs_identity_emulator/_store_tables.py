"""Three of the store's tables, each behind a small class: Teams Phone assignments, the answers
to repeatable requests and roles.

They share the :class:`~._store.Store`'s connection and write lock (the table definitions are in
``_store._SCHEMA``, with the rest); ``store.assignments``, ``store.answers`` and ``store.roles``
are these.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class RepeatableAnswer:
    """A remembered answer to a repeatable request: what it was for, and what it was."""

    fingerprint: str
    status: int
    body: str | None
    headers: dict[str, str] | None = None


def add_missing_columns(db: sqlite3.Connection) -> None:
    """Columns added since a store file was made: ``repeatable_answers.headers`` (replayed headers)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(repeatable_answers)")}
    if "headers" not in columns:
        db.execute("ALTER TABLE repeatable_answers ADD COLUMN headers TEXT")


class Assignments:
    """Teams Phone access assignments, keyed by (tenant id, object id) in lower case."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db = db
        self._lock = lock

    def get(self, tenant_id: str, object_id: str) -> Assignment | None:
        """The assignment of (tenant, object), or ``None``."""
        key = (tenant_id.lower(), object_id.lower())
        row = self._db.execute(
            "SELECT principal_type, client_ids FROM assignments WHERE tenant_id = ? AND object_id = ?", key
        ).fetchone()
        if row is None:
            return None
        client_ids = None if row[1] is None else tuple(json.loads(row[1]))
        return Assignment(key[0], key[1], row[0], client_ids)

    def upsert(self, assignment: Assignment) -> bool:
        """Create or replace (committed on return); return True when it was created."""
        key = (assignment.tenant_id.lower(), assignment.object_id.lower())
        cids = None if assignment.client_ids is None else json.dumps(list(assignment.client_ids))
        with self._lock:
            created = (
                self._db.execute("SELECT 1 FROM assignments WHERE tenant_id = ? AND object_id = ?", key).fetchone()
                is None
            )
            self._db.execute(
                "INSERT OR REPLACE INTO assignments "
                "(tenant_id, object_id, principal_type, client_ids) VALUES (?, ?, ?, ?)",
                (*key, assignment.principal_type, cids),
            )
        return created

    def delete(self, tenant_id: str, object_id: str) -> bool:
        """Delete (committed on return); return False when there was nothing to delete."""
        key = (tenant_id.lower(), object_id.lower())
        with self._lock:
            cursor = self._db.execute("DELETE FROM assignments WHERE tenant_id = ? AND object_id = ?", key)
        return cursor.rowcount > 0


class RepeatableAnswers:
    """Answers to repeatable requests (``Repeatability-Request-ID``), kept until they expire."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db = db
        self._lock = lock

    def get(self, request_id: str, now: float) -> RepeatableAnswer | None:
        """The answer remembered under ``request_id``, unless there is none or it expired."""
        row = self._db.execute(
            "SELECT fingerprint, status, body, headers FROM repeatable_answers WHERE request_id = ? AND expires_at > ?",
            (request_id, now),
        ).fetchone()
        if row is None:
            return None
        return RepeatableAnswer(row[0], int(row[1]), row[2], None if row[3] is None else json.loads(row[3]))

    def remember(
        self,
        request_id: str,
        fingerprint: str,
        status: int,
        body: str | None,
        expires_at: float,
        now: float,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Remember an answer (committed on return) and forget those whose time has passed."""
        kept = None if not headers else json.dumps(headers, separators=(",", ":"))
        with self._lock:
            self._db.execute("DELETE FROM repeatable_answers WHERE expires_at <= ?", (now,))
            self._db.execute(
                "INSERT OR REPLACE INTO repeatable_answers (request_id, fingerprint, status, body, expires_at, headers)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (request_id, fingerprint, status, body, expires_at, kept),
            )


@dataclass(frozen=True, slots=True)
class Role:
    """A role of the Roles API: its permissions are ``{"chat": {name: bool}, "calling": {name: bool}}``."""

    id: str
    name: str
    is_enabled: bool
    permissions: dict[str, dict[str, bool]]
    created_at: float
    updated_at: float
    etag: str


class Roles:
    """Roles, keyed by id; listed in id order."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db = db
        self._lock = lock

    _COLUMNS = "id, name, is_enabled, permissions, created_at, updated_at, etag"

    @staticmethod
    def _role(row: tuple[object, ...]) -> Role:
        return Role(
            str(row[0]),
            str(row[1]),
            bool(row[2]),
            json.loads(str(row[3])),
            float(row[4]),  # type: ignore[arg-type]
            float(row[5]),  # type: ignore[arg-type]
            str(row[6]),
        )

    def get(self, role_id: str) -> Role | None:
        row = self._db.execute(f"SELECT {self._COLUMNS} FROM roles WHERE id = ?", (role_id,)).fetchone()  # noqa: S608
        return None if row is None else self._role(row)

    def page(self, after: str | None, limit: int) -> list[Role]:
        """Up to ``limit`` roles whose id sorts after ``after`` (from the first when ``None``)."""
        rows = self._db.execute(
            f"SELECT {self._COLUMNS} FROM roles WHERE id > ? ORDER BY id LIMIT ?",  # noqa: S608
            ("" if after is None else after, limit),
        ).fetchall()
        return [self._role(row) for row in rows]

    def put(self, role: Role) -> None:
        """Create or replace (committed on return)."""
        with self._lock:
            self._db.execute(
                f"INSERT OR REPLACE INTO roles ({self._COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (
                    role.id,
                    role.name,
                    int(role.is_enabled),
                    json.dumps(role.permissions, separators=(",", ":")),
                    role.created_at,
                    role.updated_at,
                    role.etag,
                ),
            )

    def delete(self, role_id: str) -> bool:
        """Delete (committed on return); False when there was none."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM roles WHERE id = ?", (role_id,))
        return cursor.rowcount > 0
