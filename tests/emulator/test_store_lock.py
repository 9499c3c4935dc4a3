"""One store, one process, however the store is named (issue 18, item 1).

The lock belongs to the database file, not to the path it was opened by: a second
process reaching the same file through a symbolic link, a linked folder or a hard link
refuses to start, as it does on the same path.  SQLite names its ``-wal`` file after
the path it opens, so a store with a second hard link is refused outright: after a
``kill -9``, a start under the other name would not see the writes the first name's
``-wal`` still holds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from emu_helpers import RawClient, enc
from emu_processes import run_emulator

BASE = ("--host", "127.0.0.1", "--port", "0")


def _symlink(store: Path, tmp_path: Path) -> Path:
    link = tmp_path / "link.db"
    link.symlink_to(store)
    return link


def _relative_symlink(store: Path, tmp_path: Path) -> Path:
    other = tmp_path / "other"
    other.mkdir()
    link = other / "link.db"
    link.symlink_to(os.path.relpath(store, other))
    return link


def _linked_folder(store: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "linked-folder"
    folder.symlink_to(store.parent, target_is_directory=True)
    return folder / store.name


def _hard_link(store: Path, tmp_path: Path) -> Path:
    link = tmp_path / "hard.db"
    os.link(store, link)
    return link


OTHER_NAMES: list[Callable[[Path, Path], Path]] = [_symlink, _relative_symlink, _linked_folder, _hard_link]


@pytest.mark.parametrize("other_name", OTHER_NAMES, ids=[f.__name__.strip("_") for f in OTHER_NAMES])
def test_a_second_process_on_another_name_of_the_store_refuses_to_start(
    tmp_path: Path, other_name: Callable[[Path, Path], Path]
) -> None:
    (tmp_path / "store").mkdir()
    store = tmp_path / "store" / "identity.db"
    with run_emulator(tmp_path / "first.txt", *BASE, "--db", str(store)) as first:
        assert first.emulator is not None, first.stderr
        name = other_name(store, tmp_path)
        with run_emulator(tmp_path / "second.txt", *BASE, "--db", str(name)) as second:
            assert second.emulator is None, "a second process served the same store"
            assert second.returncode == 1
            assert second.lines == []  # the key is never printed by the refused process
            message = second.stderr
        assert message.count("\n") == 1, message
        assert f"in use by another emulator process (pid {first.emulator.pid})" in message
        assert os.path.realpath(name) in message  # the real file (for a hard link, the name given)
        assert "Traceback" not in message
        # the first one still serves its store
        RawClient(first.emulator).create()


@pytest.mark.parametrize("other_name", OTHER_NAMES[:3], ids=[f.__name__.strip("_") for f in OTHER_NAMES[:3]])
def test_a_symbolic_link_serves_the_real_store_and_its_wal(
    tmp_path: Path, other_name: Callable[[Path, Path], Path]
) -> None:
    store = tmp_path / "identity.db"
    link = other_name(store, tmp_path)
    with run_emulator(tmp_path / "first.txt", *BASE, "--db", str(link)) as first:
        assert first.emulator is not None, first.stderr
        client = RawClient(first.emulator)
        identity = client.create()
        first.emulator.kill()  # kill -9: the write is in the -wal file only
        assert sorted(p.name for p in store.parent.iterdir() if p.name.startswith(store.name)) == [
            "identity.db",
            "identity.db-shm",
            "identity.db-wal",
        ]
    with run_emulator(tmp_path / "again.txt", *BASE, "--db", str(store)) as again:
        assert again.emulator is not None, again.stderr
        assert again.emulator.access_key == first.emulator.access_key
        reply = RawClient(again.emulator).request(
            "POST", f"/identities/{enc(identity)}/:issueAccessToken", {"scopes": ["chat"]}
        )
        assert reply.status == 200, reply.body


def test_a_store_with_two_hard_links_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "identity.db"
    with run_emulator(tmp_path / "first.txt", *BASE, "--db", str(store)) as first:
        assert first.emulator is not None, first.stderr
        identity = RawClient(first.emulator).create()
        first.emulator.kill()  # the acknowledged write is in identity.db-wal only
    other = tmp_path / "hard.db"
    os.link(store, other)
    for name in (other, store):
        with run_emulator(tmp_path / "stderr.txt", *BASE, "--db", str(name)) as run:
            # A start under the other name would not see identity.db-wal: the write would be lost.
            assert run.emulator is None, f"served {name}, where {identity} may be missing"
            assert run.returncode == 2
            assert run.lines == []
            message = run.stderr
            assert message.count("\n") == 1, message
            assert "2 names (hard links)" in message and "remove the other links" in message
    # with one name again, the write is there
    other.unlink()
    with run_emulator(tmp_path / "last.txt", *BASE, "--db", str(store)) as last:
        assert last.emulator is not None, last.stderr
        reply = RawClient(last.emulator).request(
            "POST", f"/identities/{enc(identity)}/:issueAccessToken", {"scopes": ["chat"]}
        )
        assert reply.status == 200, reply.body


def test_the_lock_makes_no_file_and_dies_with_its_process(tmp_path: Path) -> None:
    store = tmp_path / "identity.db"
    with run_emulator(tmp_path / "first.txt", *BASE, "--db", str(store)) as first:
        assert first.emulator is not None, first.stderr
        first.emulator.kill()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("identity.db")) == [
        "identity.db",
        "identity.db-shm",
        "identity.db-wal",
    ]
    with run_emulator(tmp_path / "second.txt", *BASE, "--db", str(_symlink(store, tmp_path))) as second:
        assert second.emulator is not None, second.stderr
