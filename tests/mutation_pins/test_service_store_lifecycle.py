"""More of the store's life, in process (make mutate's survivors in _store, _store_file): a store
made on one thread and served on another, failed opens that close what they opened at once (not
when the garbage collector gets to it), the lock holder found among same-numbered inodes, and
Teams Phone identities brought back after a delete."""

from __future__ import annotations

import io
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from acs_identity_emulator import _store_file
from acs_identity_emulator._store import IdentityState, Store


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
def no_leak() -> Iterator[None]:
    before = _open_fds()
    yield
    assert _open_fds() <= before


def test_a_store_made_on_one_thread_is_served_and_closed_on_another(tmp_path: Path, no_leak: None) -> None:
    # create_app makes the store before serving, and the loop may run on another thread (the
    # tests' serving_in_process does exactly that).
    store = Store(str(tmp_path / "s.db"))
    seen: list[Any] = []

    def serve() -> None:
        try:
            store.create_identity("u", 100.0)
            seen.append(store.identity("u"))
            seen.append(store.resource_id() == store.get_meta("resource_id"))
            store.close()
        except BaseException as error:  # handed to the test's thread
            seen.append(error)

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join()
    assert seen == [IdentityState(None, None), True]


def test_a_database_that_fails_to_open_is_closed_at_once(tmp_path: Path) -> None:
    # Checked while the error (and its traceback, which holds the connection's frame) is still
    # alive, as it is while a caller reports it.
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not an SQLite database, but long enough to be read as one" * 2)
    before = _open_fds()
    with pytest.raises(sqlite3.DatabaseError) as caught:
        Store(str(path))
    assert _open_fds() <= before, caught.value


def test_a_side_file_that_cannot_be_tightened_fails_the_open_and_releases_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(str(path)).close()
    (tmp_path / "s.db-shm").mkdir()  # cannot be opened for writing: private_file raises
    before = _open_fds()
    with pytest.raises(IsADirectoryError) as caught:
        Store(str(path))
    assert _open_fds() <= before, caught.value
    (tmp_path / "s.db-shm").rmdir()
    Store(str(path)).close()  # the refused attempt holds no lock


def test_the_lock_holder_on_a_device_with_a_two_digit_minor(monkeypatch: pytest.MonkeyPatch) -> None:
    # /proc/locks spells major and minor in hex: minor 0x1a is 26, and only the exact device
    # tells the holder from another file system's file with the same inode number.
    class _Stat:
        st_ino = 5678
        st_dev = os.makedev(0x08, 0x1A)

    class _Os:
        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        @staticmethod
        def fstat(fd: int) -> _Stat:
            return _Stat()

    table = "1: FLOCK  ADVISORY  WRITE 999 08:1b:5678 0 EOF\n2: FLOCK  ADVISORY  WRITE 1234 08:1a:5678 0 EOF\n"
    monkeypatch.setattr(_store_file, "os", _Os())
    monkeypatch.setattr(_store_file, "open", lambda *a, **k: io.StringIO(table), raising=False)
    assert _store_file._flock_holder(0) == 1234


def test_a_teams_phone_identity_is_brought_back_with_its_revocation(no_leak: None) -> None:
    store = Store(":memory:")
    try:
        store.create_identity("t", 100.0)
        assert store.ensure_identity("t", 150.5) == IdentityState(None, None)  # alive: as it is
        store.delete_identity("t", 200.25)
        assert store.identity("t") == IdentityState(201.0, 200.25)
        back = store.ensure_identity("t", 300.0)
        assert back == IdentityState(201.0, None)  # alive again; tokens from before the delete stay dead
        assert store.identity("t") == back
        assert store.counts() == (1, 0)
        fresh = store.ensure_identity("new", 400.75)
        assert fresh == IdentityState(400.0, None) == store.identity("new")
    finally:
        store.close()
