"""The store's file handling, in process: no descriptor leaks on any path (make mutate found a
deleted ``os.close(fd)`` unnoticed), the lock, the owner-only modes, and what ``discard`` removes."""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from acs_identity_emulator._store import (
    MIN_TOMBSTONE_RETENTION,
    Store,
    StoreInUseError,
    StoreLinkError,
    revocation_boundary,
)
from acs_identity_emulator._store_file import private_file


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
def no_leak() -> Iterator[None]:
    before = _open_fds()
    yield
    assert _open_fds() <= before


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_file_creates_owner_only_without_leaking(tmp_path: Path, no_leak: None) -> None:
    path = tmp_path / "f"
    for _ in range(3):
        private_file(str(path))
    assert path.exists() and _mode(path) == 0o600


def test_private_file_tightens_an_existing_file(tmp_path: Path, no_leak: None) -> None:
    path = tmp_path / "f"
    path.write_text("kept")
    path.chmod(0o644)
    private_file(str(path))
    assert _mode(path) == 0o600
    assert path.read_text() == "kept"


def test_open_and_close_leave_no_descriptor_and_release_the_lock(tmp_path: Path, no_leak: None) -> None:
    path = tmp_path / "s.db"
    store = Store(str(path))
    assert store.created is True
    store.close()
    again = Store(str(path))  # the lock was released
    assert again.created is False
    again.close()
    assert _mode(path) == 0o600


def test_a_store_in_use_is_refused_without_leaking(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    first = Store(str(path))
    try:
        before = _open_fds()
        for _ in range(3):
            with pytest.raises(StoreInUseError) as caught:
                Store(str(path))
            assert str(caught.value) == (
                f"the store {os.path.realpath(path)} is in use by another emulator process (pid {os.getpid()}); "
                "one store is served by one process at a time"
            )
        assert _open_fds() <= before
    finally:
        first.close()


def test_a_hard_linked_store_is_refused_without_leaking(tmp_path: Path, no_leak: None) -> None:
    path = tmp_path / "s.db"
    Store(str(path)).close()
    os.link(path, tmp_path / "other.db")
    with pytest.raises(StoreLinkError) as caught:
        Store(str(path))
    assert str(caught.value).startswith(f"{os.path.realpath(path)} has 2 names (hard links);")
    assert path.exists()
    os.unlink(tmp_path / "other.db")
    Store(str(path)).close()  # not locked by the refused attempt


def test_side_files_and_the_store_are_tightened_on_open(tmp_path: Path, no_leak: None) -> None:
    path = tmp_path / "s.db"
    Store(str(path)).close()
    path.chmod(0o644)
    wal = tmp_path / "s.db-wal"
    wal.write_bytes(b"")
    wal.chmod(0o644)
    store = Store(str(path))
    try:
        assert _mode(path) == 0o600
        assert _mode(wal) == 0o600
    finally:
        store.close()


def test_discard_removes_only_a_store_it_created(tmp_path: Path, no_leak: None) -> None:
    created = tmp_path / "new.db"
    Store(str(created)).discard()
    assert not created.exists()
    assert not list(tmp_path.iterdir())
    existing = tmp_path / "old.db"
    Store(str(existing)).close()
    Store(str(existing)).discard()
    assert existing.exists()


def test_a_failed_open_leaves_no_descriptor_and_no_new_file(tmp_path: Path, no_leak: None) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not an SQLite database, but long enough to be read as one" * 2)
    with pytest.raises(Exception):  # noqa: B017 - sqlite3.DatabaseError, whatever its subclass
        Store(str(path))
    assert path.exists()  # not created by the store: not removed either
    Store(str(tmp_path / "fresh.db")).close()


@pytest.mark.parametrize("retention", [0.0, 0.999, -1.0, math.nan, math.inf])
def test_tombstone_retention_below_one_second_or_not_finite_is_refused(retention: float) -> None:
    with pytest.raises(ValueError) as caught:
        Store(":memory:", tombstone_retention=retention)
    assert str(caught.value) == "the tombstone retention must be at least 1 second"


def test_tombstone_retention_of_exactly_the_minimum_is_accepted() -> None:
    store = Store(":memory:", tombstone_retention=MIN_TOMBSTONE_RETENTION)
    assert store.tombstone_retention == 1.0
    store.close()


def test_memory_store_takes_no_lock(no_leak: None) -> None:
    stores = [Store(":memory:"), Store(":memory:")]
    assert [s.created for s in stores] == [False, False]
    for store in stores:
        store.close()


@pytest.mark.parametrize(
    ("valid_from", "boundary"), [(None, None), (10.0, 10), (10.2, 11), (10.999, 11), (0.0, 0), (-0.5, 0)]
)
def test_revocation_boundary(valid_from: float | None, boundary: int | None) -> None:
    assert revocation_boundary(valid_from) == boundary


def _stat_failing(monkeypatch: pytest.MonkeyPatch, path: Path, times: int) -> list[str]:
    """os.stat of ``path`` says "no such file" ``times`` times: the file replaced while opening."""
    real_stat = os.stat
    failed: list[str] = []

    def stat_(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(name) == os.path.realpath(path) and len(failed) < times:
            failed.append(str(name))
            raise FileNotFoundError(name)
        return real_stat(name, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_)
    return failed


def test_a_store_replaced_while_opening_is_opened_again_without_leaking(
    tmp_path: Path, no_leak: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    failed = _stat_failing(monkeypatch, path, 2)
    store = Store(str(path))
    monkeypatch.undo()
    store.close()
    assert len(failed) == 2
    Store(str(path)).close()


def test_a_store_that_keeps_being_replaced_is_given_up_without_leaking(
    tmp_path: Path, no_leak: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    failed = _stat_failing(monkeypatch, path, 1000)
    with pytest.raises(OSError) as caught:
        Store(str(path))
    monkeypatch.undo()
    assert str(caught.value) == f"the store {os.path.realpath(path)} keeps being removed or replaced while it is opened"
    assert len(failed) == 10


def test_side_files_are_tightened_before_sqlite_opens_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite re-creates a -wal with the database's mode, which would hide a skipped tightening
    # after the fact: the mode is read when SQLite is about to open the store.
    from acs_identity_emulator import _store

    path = tmp_path / "s.db"
    Store(str(path)).close()
    sides = [tmp_path / f"s.db{suffix}" for suffix in ("-wal", "-shm", "-journal")]
    for side in sides:
        side.write_bytes(b"")
        side.chmod(0o644)
    seen: list[int] = []
    real_connect = _store.sqlite3.connect

    def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(_mode(side) for side in sides)
        for side in sides[1:]:
            side.unlink()  # an empty -shm/-journal is not SQLite's to read
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(_store.sqlite3, "connect", connect)
    Store(str(path)).close()
    assert seen == [0o600, 0o600, 0o600]


def test_assignments_round_trip(no_leak: None) -> None:
    from acs_identity_emulator._store_tables import Assignment

    store = Store(":memory:")
    try:
        first = Assignment("t", "o", "user", ("c1", "c2"))
        assert store.assignments.upsert(first) is True
        assert store.assignments.get("T", "O") == first
        assert store.assignments.upsert(Assignment("t", "o", "user", None)) is False
        assert store.assignments.get("t", "o") == Assignment("t", "o", "user", None)
        assert store.assignments.delete("T", "o") is True
        assert store.assignments.delete("t", "o") is False
        assert store.assignments.get("t", "o") is None
    finally:
        store.close()


LOCKS = "\n".join(
    [
        "1: POSIX  ADVISORY  WRITE 111 fd:01:5678 0 EOF",
        "2: -> FLOCK  ADVISORY  WRITE 222 fd:01:5678 0 EOF",
        "3: FLOCK  ADVISORY  READ 333 fd:01:5678 0 EOF",
        "4: FLOCK  ADVISORY  WRITE 444 fd:01:9999 0 EOF",
        "5: FLOCK  ADVISORY  WRITE 555 zz:01:5678 0 EOF",
        "6: FLOCK  ADVISORY  WRITE 666",  # cut short (5 fields): ignored, not an IndexError
    ]
)


@pytest.mark.parametrize(
    ("lines", "holder"),
    [
        ("6: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF", 1234),
        ("6: FLOCK  ADVISORY  WRITE 1234 fd:01:5678", 1234),  # the six fields read are enough
        # the same inode on another device too: the exact device wins
        ("6: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF\n7: FLOCK  ADVISORY  WRITE 999 fe:01:5678 0 EOF", 1234),
        # btrfs: only another device number than stat's, once: that one
        ("7: FLOCK  ADVISORY  WRITE 999 fe:01:5678 0 EOF", 999),
        # twice on other devices: unknown
        ("7: FLOCK  ADVISORY  WRITE 999 fe:01:5678 0 EOF\n8: FLOCK  ADVISORY  WRITE 998 fc:01:5678 0 EOF", None),
        ("", None),
    ],
)
def test_flock_holder_reads_proc_locks(lines: str, holder: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from acs_identity_emulator import _store_file as _store

    class _Stat:
        st_ino = 5678
        st_dev = os.makedev(0xFD, 0x01)

    class _Os:  # os for _store alone, with fstat answering for the locked file
        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        @staticmethod
        def fstat(fd: int) -> _Stat:
            return _Stat()

    monkeypatch.setattr(_store, "os", _Os())
    monkeypatch.setattr(_store, "open", lambda *a, **k: io.StringIO(LOCKS + "\n" + lines + "\n"), raising=False)
    assert _store._flock_holder(0) == holder


def test_flock_holder_without_proc_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    from acs_identity_emulator import _store_file as _store

    def missing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise FileNotFoundError("/proc/locks")

    monkeypatch.setattr(_store, "open", missing, raising=False)
    assert _store._flock_holder(os.open(os.devnull, os.O_RDONLY)) is None


def test_the_sweeper_paces_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import sqlite3

    from acs_identity_emulator import _store

    assert (_store.SWEEP_BATCH, _store.SWEEP_INTERVAL) == (64, 1.0)
    results: list[object] = [64, 3, sqlite3.OperationalError("disk I/O error"), 0]
    sleeps: list[float] = []

    class _Sweeping:
        def sweep(self) -> int:
            result = results.pop(0)
            if isinstance(result, Exception):
                raise result
            return int(result)  # type: ignore[call-overload]

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if not results:
            raise asyncio.CancelledError

    monkeypatch.setattr(_store.asyncio, "sleep", sleep)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(_store.sweep_tombstones(_Sweeping(), interval=7.0))  # type: ignore[arg-type]
    assert sleeps == [0, 7.0, 7.0, 7.0]


def test_sweep_removes_at_most_a_batch_of_expired_tombstones() -> None:
    now = [1000.0]
    store = Store(":memory:", tombstone_retention=10.0, clock=lambda: now[0])
    try:
        for i in range(70):
            store.create_identity(f"8:acs:r_{i}", 900.0)
            store.delete_identity(f"8:acs:r_{i}", 900.0 + i / 100)
        assert store.counts() == (0, 70)
        assert store.sweep() == 64
        assert store.sweep() == 6
        assert store.sweep() == 0
        store.create_identity("8:acs:r_x", 995.0)
        store.delete_identity("8:acs:r_x", 995.0)
        assert store.sweep() == 0  # 5 seconds old, retention 10
        now[0] = 1005.0
        assert store.sweep(limit=1) == 1
    finally:
        store.close()


def test_delete_revokes_the_whole_second_and_keeps_a_later_revocation() -> None:
    store = Store(":memory:")
    try:
        store.create_identity("8:acs:r_a", 50.0)
        store.delete_identity("8:acs:r_a", 100.5)
        state = store.identity("8:acs:r_a")
        assert state is not None
        assert (state.valid_from, state.deleted_at) == (101.0, 100.5)
        store.create_identity("8:acs:r_b", 50.0)
        store.revoke_before("8:acs:r_b", 200.0)
        store.delete_identity("8:acs:r_b", 100.5)
        state = store.identity("8:acs:r_b")
        assert state is not None and state.valid_from == 200.0
    finally:
        store.close()


def test_what_the_store_hands_out_is_read_only() -> None:
    import dataclasses

    from acs_identity_emulator._store_tables import Assignment

    store = Store(":memory:")
    try:
        store.create_identity("8:acs:r_a", 50.0)
        state = store.identity("8:acs:r_a")
        assert state is not None
        with pytest.raises(dataclasses.FrozenInstanceError):
            state.valid_from = 1.0  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            Assignment("t", "o", "user", None).principal_type = "x"  # type: ignore[misc]
    finally:
        store.close()


def test_a_file_store_is_in_wal_mode_and_its_lock_is_not_inherited(tmp_path: Path) -> None:
    for _ in range(2):  # created, then existing: both opening paths
        store = Store(str(tmp_path / "s.db"))
        try:
            assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert store._file is not None and store._file.fd is not None
            assert os.get_inheritable(store._file.fd) is False  # a child process must not hold the lock
        finally:
            store.close()
    memory = Store(":memory:")
    try:
        assert memory._db.execute("PRAGMA journal_mode").fetchone()[0] == "memory"
    finally:
        memory.close()
