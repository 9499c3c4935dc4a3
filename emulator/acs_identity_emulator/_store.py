"""SQLite persistence: the one copy of the service's state.

Durability: the database runs in WAL mode with ``synchronous=NORMAL`` and
every write is committed before the HTTP answer is sent.  In WAL mode a
commit appends the transaction to the ``-wal`` file with ``write()`` before
``commit()`` returns, so once we acknowledge a write its bytes are in the
operating system's page cache: a ``kill -9`` of this process cannot lose
them (only an OS crash or power cut before the next checkpoint's fsync
could, which is acceptable for an emulator and much faster than ``FULL``).

Nothing is mirrored in memory: identities and assignments are read by
primary key when a request needs them (6 to 14 microseconds from SQLite's
page cache), so memory and start-up time do not grow with the number of
identities (``bench/store_startup.py``).
"One process per store" is enforced, not assumed, and the database file is
owner-only: see :mod:`._store_file`.

Deleting an identity leaves a tombstone (its id, deletion time and
revocation boundary) for the *tombstone retention*, by default the longest
lifetime a token can be given (read from the API catalog); by then every
token issued before the deletion has expired, so :meth:`Store.sweep`, run in
small batches by :func:`sweep_tombstones`, removes it.  The answers never
depend on it being there (see :meth:`Store.ensure_identity` and
``_handlers.extras.judge``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from . import _versions
from ._store_file import LockedFile, StoreInUseError, StoreLinkError
from ._store_roles import Role, Roles
from ._store_tables import (
    Assignment,
    Assignments,
    EntraAssignment,
    EntraAssignments,
    IdentityDetails,
    RepeatableAnswer,
    RepeatableAnswers,
    add_missing_columns,
)

__all__ = [
    "DEFAULT_TOMBSTONE_RETENTION",
    "MIN_TOMBSTONE_RETENTION",
    "Assignment",
    "EntraAssignment",
    "IdentityState",
    "RepeatableAnswer",
    "Role",
    "Store",
    "StoreInUseError",
    "StoreLinkError",
    "revocation_boundary",
    "sweep_tombstones",
]

log = logging.getLogger("acs_identity_emulator")

#: How long a deleted identity's tombstone is kept by default (seconds): the longest lifetime
#: any API version lets a token have, so every token issued before the deletion has expired.
DEFAULT_TOMBSTONE_RETENTION: float = _versions.LONGEST_EXPIRES_IN_MINUTES * 60.0
#: Shortest retention accepted: a deletion revokes the tokens of its whole second
#: (see :meth:`Store.delete_identity`), so its tombstone outlives that second.
MIN_TOMBSTONE_RETENTION = 1.0
#: Tombstones removed per transaction by :meth:`Store.sweep` (about a millisecond a batch).
SWEEP_BATCH = 64
#: Seconds between looks for expired tombstones when the last look found less than a batch.
SWEEP_INTERVAL = 1.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
    id         TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    -- tokens whose iat is before ceil(valid_from) are revoked (NULL: none);
    -- revocations "now" store the next whole second (see Store.revoke_now)
    valid_from REAL,
    -- tombstone: set when the identity is deleted (NULL: alive); removed by Store.sweep
    deleted_at REAL
);
CREATE INDEX IF NOT EXISTS identities_deleted_at ON identities (deleted_at) WHERE deleted_at IS NOT NULL;
-- answers to repeatable requests (Repeatability-Request-ID), kept until expires_at
CREATE TABLE IF NOT EXISTS repeatable_answers (
    request_id  TEXT PRIMARY KEY,  -- lower case
    fingerprint TEXT NOT NULL,     -- SHA-256 of method, path and query, body
    status      INTEGER NOT NULL,
    body        TEXT,              -- compact JSON, NULL for no body
    expires_at  REAL NOT NULL,
    headers     TEXT               -- JSON object of response headers replayed with it (Location, ETag), or NULL
);
CREATE INDEX IF NOT EXISTS repeatable_answers_expires_at ON repeatable_answers (expires_at);
-- what the 2025 previews tell about an identity: its caller-chosen id, its last token
CREATE TABLE IF NOT EXISTS identity_details (
    identity_id   TEXT PRIMARY KEY,
    custom_id     TEXT UNIQUE,     -- customId / externalId given at creation (NULL: none)
    last_token_at REAL             -- when a token was last issued for it (NULL: never)
);
CREATE TABLE IF NOT EXISTS assignments (
    tenant_id      TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    client_ids     TEXT,           -- JSON array, NULL when not given
    PRIMARY KEY (tenant_id, object_id)
);
-- roles (2023-08-30-preview's Roles API), see _store_roles.Roles
CREATE TABLE IF NOT EXISTS roles (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    is_enabled  INTEGER NOT NULL,
    permissions TEXT NOT NULL,     -- JSON {"chat": {name: bool}, "calling": {name: bool}}
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    etag        TEXT NOT NULL
);
-- Entra access assignments (2025-03-02-preview), one per object id of the resource
CREATE TABLE IF NOT EXISTS entra_assignments (
    object_id      TEXT PRIMARY KEY,  -- lower case
    tenant_id      TEXT NOT NULL,     -- lower case
    principal_type TEXT NOT NULL,
    client_ids     TEXT NOT NULL      -- JSON array of lower-case application ids
);
"""


def revocation_boundary(valid_from: float | None) -> int | None:
    """First whole second whose tokens are *not* revoked by ``valid_from``.

    ``iat`` has whole seconds, so "issued before ``valid_from``" is
    ``iat < ceil(valid_from)``.
    """
    return None if valid_from is None else math.ceil(valid_from)


@dataclass(frozen=True, slots=True)
class IdentityState:
    """What the service needs to know about an identity to issue/judge tokens (as read, a copy)."""

    valid_from: float | None
    deleted_at: float | None


def _checked_retention(seconds: float) -> float:
    if not (math.isfinite(seconds) and seconds >= MIN_TOMBSTONE_RETENTION):
        raise ValueError(f"the tombstone retention must be at least {MIN_TOMBSTONE_RETENTION:g} second")
    return seconds


def _connect(path: str) -> sqlite3.Connection:
    """Open the database (WAL, ``synchronous=NORMAL``: see the module docstring) with its tables."""
    # check_same_thread=False only so tests/tools may close it from
    # another thread; all normal use is from the event-loop thread.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        if path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        db.executescript(_SCHEMA)
        add_missing_columns(db)
    except BaseException:
        db.close()  # before the lock's descriptor, whose close drops SQLite's own locks
        raise
    return db


class Store:
    """The emulator's state.  Not thread-safe by design: the event loop owns it.

    ``tombstone_retention`` (seconds, at least :data:`MIN_TOMBSTONE_RETENTION`) is how long a
    deleted identity's tombstone stays; :meth:`sweep` reads the time from ``clock`` (default:
    ``time.time``, looked up at each call like the rest of the service does).
    """

    def __init__(
        self,
        path: str,
        *,
        tombstone_retention: float = DEFAULT_TOMBSTONE_RETENTION,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.tombstone_retention = _checked_retention(tombstone_retention)
        self._clock = clock
        self._file: LockedFile | None = None
        #: True when this store created its database file (see :meth:`discard`).
        self.created = False
        self._remove_on_release = False
        if path not in (":memory:", ""):  # "" is an SQLite temporary database
            self._file = LockedFile(path)
            path, self.created = self._file.path, self._file.created
        try:
            self._db = _connect(path)
        except BaseException:
            if self._file is not None:
                self._file.release(remove=self.created)
            raise
        self._lock = threading.Lock()
        #: Teams Phone access assignments.
        self.assignments = Assignments(self._db, self._lock)
        #: Entra access assignments.
        self.entra_assignments = EntraAssignments(self._db, self._lock)
        #: Answers to repeatable requests (see ``_repeatability``).
        self.answers = RepeatableAnswers(self._db, self._lock)
        #: Roles (2023-08-30-preview).
        self.roles = Roles(self._db, self._lock)
        #: Caller-chosen ids and last token times of identities.
        self.details = IdentityDetails(self._db, self._lock)

    def discard(self) -> None:
        """Close, and remove the database (and SQLite's side files) if this store created it.

        For a start that failed after opening its store: it leaves no new file behind.
        A store that existed before is only closed.
        """
        self._remove_on_release = self.created
        self.close()

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
        """The state of an identity (tombstones included), or ``None`` if the store has none."""
        row = self._db.execute("SELECT valid_from, deleted_at FROM identities WHERE id = ?", (identity_id,)).fetchone()
        return None if row is None else IdentityState(row[0], row[1])

    def create_identity(self, identity_id: str, now: float) -> None:
        """Persist a new identity (committed on return)."""
        with self._lock:
            self._db.execute("INSERT INTO identities (id, created_at) VALUES (?, ?)", (identity_id, now))

    def revoke_now(self, identity_id: str, now: float) -> None:
        """Revoke every token issued up to ``now``: tokens of this whole second included.

        ``iat`` has whole seconds, so the boundary is the next whole second;
        tokens issued later in this second get that second as ``iat`` (the
        service waits for it before signing, see ``Emulator.mint``).
        """
        self.revoke_before(identity_id, math.floor(now) + 1)

    def revoke_before(self, identity_id: str, instant: float) -> None:
        """Revoke every token whose ``iat`` is before ``instant`` (rounded up to whole seconds).

        Revocation only moves forward: a later call with an earlier instant
        never brings revoked tokens back.
        """
        with self._lock:
            self._db.execute(
                "UPDATE identities SET valid_from = MAX(COALESCE(valid_from, ?1), ?1) WHERE id = ?2",
                (instant, identity_id),
            )

    def delete_identity(self, identity_id: str, now: float) -> None:
        """Tombstone an identity: its tokens die, its id answers 404 from now on.

        Its tokens are revoked as by :meth:`revoke_now`, so a Teams Phone
        identity brought back by :meth:`ensure_identity` in the same second
        never revives them.  The tombstone goes after the retention (:meth:`sweep`).
        """
        boundary = float(math.floor(now) + 1)
        with self._lock:
            self._db.execute(
                "UPDATE identities SET deleted_at = ?1, valid_from = MAX(COALESCE(valid_from, ?2), ?2) WHERE id = ?3",
                (now, boundary, identity_id),
            )
            # its caller-chosen id is free again, and nothing of it outlives the identity
            self._db.execute("DELETE FROM identity_details WHERE identity_id = ?", (identity_id,))

    def ensure_identity(self, identity_id: str, now: float) -> IdentityState:
        """Create (or bring back after a delete) a Teams Phone identity.

        A resurrected identity keeps the ``valid_from`` its deletion set, so
        tokens issued before its deletion stay dead.  One whose tombstone is
        gone is created with ``valid_from`` at the start of this second: a
        Teams Phone id is the same for the same user, so tokens issued before
        a deletion that the store no longer remembers stay dead too (the
        tombstone lasted at least a second, so they are all from earlier
        seconds), and tokens issued from now on are not affected.
        """
        state = self.identity(identity_id)
        if state is not None and state.deleted_at is None:
            return state
        with self._lock:
            if state is None:
                state = IdentityState(float(math.floor(now)), None)
                self._db.execute(
                    "INSERT INTO identities (id, created_at, valid_from) VALUES (?, ?, ?)",
                    (identity_id, now, state.valid_from),
                )
            else:
                self._db.execute("UPDATE identities SET deleted_at = NULL WHERE id = ?", (identity_id,))
                state = IdentityState(state.valid_from, None)
        return state

    def sweep(self, limit: int = SWEEP_BATCH) -> int:
        """Remove up to ``limit`` tombstones older than the retention; return how many.

        A tombstone whose revocation instant is still ahead (a preview
        ``tokensValidFrom`` in the future) waits for it too, so a Teams Phone
        identity brought back later still honours it.  One short transaction,
        oldest tombstones first.
        """
        now = time.time() if self._clock is None else self._clock()
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM identities WHERE id IN (SELECT id FROM identities"
                " WHERE deleted_at IS NOT NULL AND deleted_at <= ? AND COALESCE(valid_from, 0) <= ?"
                " ORDER BY deleted_at LIMIT ?)",
                (now - self.tombstone_retention, now, limit),
            )
        return cursor.rowcount

    def counts(self) -> tuple[int, int]:
        """(live identities, tombstones): a full count, for tools and tests, not for requests."""
        row = self._db.execute("SELECT COUNT(*), COUNT(deleted_at) FROM identities").fetchone()
        return int(row[0]) - int(row[1]), int(row[1])

    def close(self) -> None:
        """Close the database (checkpointing the WAL) and let another process have it."""
        with self._lock:
            self._db.close()
        if self._file is not None:
            self._file.release(remove=self._remove_on_release)


async def sweep_tombstones(store: Store, interval: float = SWEEP_INTERVAL) -> None:
    """Remove expired tombstones for as long as the task runs (cancel it to stop).

    One batch (:data:`SWEEP_BATCH` rows, one short transaction) at a time; after a
    full batch it yields to the event loop so requests are served in between, and
    after a partial one it waits ``interval`` seconds.  A failed sweep (a disk
    error, say) is logged and retried after ``interval``: requests do not depend on it.
    """
    while True:
        try:
            removed = store.sweep()
        except sqlite3.Error as error:
            log.warning("could not remove expired tombstones (will retry): %s", error)
            removed = 0
        await asyncio.sleep(0 if removed >= SWEEP_BATCH else interval)
