"""The store's Roles table (2023-08-30-preview), behind a small class: ``store.roles``.

It shares the :class:`~._store.Store`'s connection and write lock; the table definition is in
``_store._SCHEMA``, with the rest.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass


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
