"""Four of the store's tables, each behind a small class: Teams Phone assignments, the answers
to repeatable requests, identities' details (caller-chosen id, last token time) and Entra
assignments.

They share the :class:`~._store.Store`'s connection and write lock (the table definitions are in
``_store._SCHEMA``, with the rest); ``store.assignments``, ``store.answers``, ``store.details`` and
``store.entra_assignments`` are these. The Roles table is in ``_store_roles``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
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
class Details:
    """What the store knows about an identity beyond its state."""

    custom_id: str | None
    last_token_at: float | None


class IdentityDetails:
    """Caller-chosen ids (``customId`` / ``externalId``) and last token times, by identity id."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db = db
        self._lock = lock

    def get(self, identity_id: str) -> Details:
        """The details of ``identity_id`` (both ``None`` when there are none)."""
        row = self._db.execute(
            "SELECT custom_id, last_token_at FROM identity_details WHERE identity_id = ?", (identity_id,)
        ).fetchone()
        return Details(None, None) if row is None else Details(row[0], row[1])

    def claim(self, custom_id: str, identity_id: str, alive: Callable[[str], bool]) -> str:
        """The identity that has ``custom_id``: an alive one that already has it, else ``identity_id``.

        A deleted identity gives its id up, so the id can be used again (committed on return).
        """
        with self._lock:
            row = self._db.execute(
                "SELECT identity_id FROM identity_details WHERE custom_id = ?", (custom_id,)
            ).fetchone()
            if row is not None and alive(row[0]):
                return str(row[0])
            if row is not None:
                self._db.execute("UPDATE identity_details SET custom_id = NULL WHERE identity_id = ?", (row[0],))
            self._db.execute(
                "INSERT INTO identity_details (identity_id, custom_id) VALUES (?, ?) "
                "ON CONFLICT (identity_id) DO UPDATE SET custom_id = excluded.custom_id",
                (identity_id, custom_id),
            )
        return identity_id

    def token_issued(self, identity_id: str, now: float) -> None:
        """Remember that a token was issued for ``identity_id`` at ``now`` (committed on return)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO identity_details (identity_id, last_token_at) VALUES (?, ?) "
                "ON CONFLICT (identity_id) DO UPDATE SET last_token_at = excluded.last_token_at",
                (identity_id, now),
            )


@dataclass(frozen=True, slots=True)
class EntraAssignment:
    """An Entra access assignment (2025-03-02-preview): which applications may exchange Entra
    tokens of a user, of a group's members or of a whole tenant (ids in lower case)."""

    object_id: str
    tenant_id: str
    principal_type: str
    client_ids: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The wire shape of ``EntraAssignment``."""
        return {
            "objectId": self.object_id,
            "tenantId": self.tenant_id,
            "principalType": self.principal_type,
            "clientIds": list(self.client_ids),
        }


def _entra_row(row: tuple[str, str, str, str]) -> EntraAssignment:
    return EntraAssignment(row[0], row[1], row[2], tuple(json.loads(row[3])))


class EntraAssignments:
    """Entra access assignments of the resource, keyed by object id (lower case)."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db = db
        self._lock = lock

    def get(self, object_id: str) -> EntraAssignment | None:
        """The assignment of ``object_id``, or ``None``."""
        row = self._db.execute(
            "SELECT object_id, tenant_id, principal_type, client_ids FROM entra_assignments WHERE object_id = ?",
            (object_id.lower(),),
        ).fetchone()
        return None if row is None else _entra_row(row)

    def all(self) -> list[EntraAssignment]:
        """Every assignment, by object id."""
        rows = self._db.execute(
            "SELECT object_id, tenant_id, principal_type, client_ids FROM entra_assignments ORDER BY object_id"
        ).fetchall()
        return [_entra_row(row) for row in rows]

    def matching(self, tenant_id: str, object_ids: Iterable[str]) -> list[EntraAssignment]:
        """The assignments of ``tenant_id`` whose object id is one of ``object_ids``."""
        ids = json.dumps(sorted({o.lower() for o in object_ids}))
        rows = self._db.execute(
            "SELECT object_id, tenant_id, principal_type, client_ids FROM entra_assignments"
            " WHERE tenant_id = ? AND object_id IN (SELECT value FROM json_each(?))",
            (tenant_id.lower(), ids),
        ).fetchall()
        return [_entra_row(row) for row in rows]

    def _write(self, assignment: EntraAssignment) -> bool:
        created = (
            self._db.execute("SELECT 1 FROM entra_assignments WHERE object_id = ?", (assignment.object_id,)).fetchone()
            is None
        )
        self._db.execute(
            "INSERT OR REPLACE INTO entra_assignments (object_id, tenant_id, principal_type, client_ids)"
            " VALUES (?, ?, ?, ?)",
            (
                assignment.object_id,
                assignment.tenant_id,
                assignment.principal_type,
                json.dumps(list(assignment.client_ids)),
            ),
        )
        return created

    def upsert(self, assignment: EntraAssignment) -> bool:
        """Create or replace (committed on return); return True when it was created."""
        with self._lock:
            return self._write(assignment)

    def delete(self, object_id: str) -> bool:
        """Delete (committed on return); return False when there was nothing to delete."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM entra_assignments WHERE object_id = ?", (object_id.lower(),))
        return cursor.rowcount > 0

    def update(self, sets: Iterable[EntraAssignment], removals: Iterable[str]) -> None:
        """Set and remove assignments in one transaction: all of it is committed on return, or none."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for object_id in removals:
                    self._db.execute("DELETE FROM entra_assignments WHERE object_id = ?", (object_id.lower(),))
                for assignment in sets:
                    self._write(assignment)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
