"""The store's database file: served by one process, under one name, owner-only.

SQLite itself would let a second process open the file, but the service is built as its only
writer, so :class:`LockedFile` takes an exclusive ``flock`` on the database file itself: the lock
belongs to the file, not to the name it was opened by, so a second process on the same file (by
the same path, a symbolic link or a hard link) refuses to start (:class:`StoreInUseError`).
``flock`` locks die with their process (``kill -9`` included), so a stale lock never blocks a
restart, and SQLite's own ``fcntl`` locks on the same file are not disturbed by it.

SQLite names its ``-wal`` and ``-shm`` files after the path it is given, so the file is opened by
its real path (symbolic links resolved) and a file with more than one hard link is refused
(:class:`StoreLinkError`): after a ``kill -9``, a start under another name would not see the
committed writes waiting in the first name's ``-wal`` file.

The store holds the access key and private keys, so the database and SQLite's side files are
owner-only (0600) whatever the umask, and an existing one readable by others is tightened.
"""

from __future__ import annotations

import contextlib
import os
import stat

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no cross-process lock
    fcntl = None  # type: ignore[assignment]

#: Mode of every file the store creates: it holds the access key and private keys.
PRIVATE_MODE = 0o600
#: SQLite's side files, named after the database's path.
SIDE_FILES = ("-wal", "-shm", "-journal")


class StoreInUseError(RuntimeError):
    """Another process serves this store (the message names the store and that process)."""


class StoreLinkError(OSError):
    """The store file has more than one name (hard links); the message says what to do."""


def private_file(path: str) -> None:
    """Create ``path`` owner-only (0600) if absent, else take away group/other access.

    ``fchmod`` after ``open`` makes the mode exact whatever the umask (a
    umask can only take bits away, and a strict one such as 0277 would leave
    a file its owner cannot write).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != PRIVATE_MODE:
            os.fchmod(fd, PRIVATE_MODE)
    finally:
        os.close(fd)


def _flock_holder(fd: int) -> int | None:
    """The pid holding an exclusive ``flock`` on ``fd``'s file, from ``/proc/locks`` (Linux), else ``None``."""
    info = os.fstat(fd)
    found: list[tuple[bool, int]] = []
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as table:
            for line in table:
                # "1: FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF"; waiters are "1: -> FLOCK ...".
                fields = line.split()
                if len(fields) < 6 or fields[1:4] != ["FLOCK", "ADVISORY", "WRITE"]:
                    continue
                device, _, inode = fields[5].rpartition(":")
                major, _, minor = device.partition(":")
                if inode != str(info.st_ino):
                    continue
                with contextlib.suppress(ValueError):
                    same_device = (int(major, 16), int(minor, 16)) == (os.major(info.st_dev), os.minor(info.st_dev))
                    found.append((same_device, int(fields[4])))
    except OSError:
        return None
    exact = [pid for same, pid in found if same]
    if len(exact) == 1:
        return exact[0]
    # Some file systems (btrfs subvolumes) report another device number here than stat does.
    return found[0][1] if len(found) == 1 else None


class LockedFile:
    """The database file at ``path``, locked for this process until :meth:`release`.

    ``path`` is the real path it was opened by (give it to SQLite); ``created`` says whether this
    process created the file (a failed start removes it again, see :meth:`release`).  Raises
    :class:`StoreInUseError` or :class:`StoreLinkError`.
    """

    def __init__(self, path: str) -> None:
        # SQLite names -wal and -shm after the path it is given: always the real one.
        self.path = os.path.realpath(path)
        self.fd, self.created = self._lock(self.path)
        try:
            for suffix in SIDE_FILES:
                if os.path.exists(self.path + suffix):
                    private_file(self.path + suffix)
        except BaseException:
            self.release(remove=False)
            raise

    @staticmethod
    def _lock(path: str) -> tuple[int | None, bool]:
        """Lock the database file at ``path`` (a real path) for the life of this store.

        Returns (the locked descriptor, whether this call created the file), or
        raises :class:`StoreInUseError` or :class:`StoreLinkError`.  The lock is an
        exclusive ``flock`` on the file itself, so it holds however the file is
        named, and dies with its process (``kill -9`` included): a stale lock
        never blocks a restart.  SQLite locks the same file with ``fcntl`` locks,
        which ``flock`` does not interfere with.  The file is created owner-only
        (0600 whatever the umask) or tightened to 0600.
        """
        if fcntl is None:  # pragma: no cover - not POSIX: no cross-process lock
            private_file(path)
            return None, False
        for _ in range(10):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_MODE)
                created = True
            except FileExistsError:
                fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
                created = False
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _flock_holder(fd)
                os.close(fd)
                by = "another emulator process" + ("" if holder is None else f" (pid {holder})")
                raise StoreInUseError(
                    f"the store {path} is in use by {by}; one store is served by one process at a time"
                ) from None
            locked = os.fstat(fd)
            try:
                named = os.stat(path)
            except FileNotFoundError:
                named = None
            if named is not None and (named.st_dev, named.st_ino) == (locked.st_dev, locked.st_ino):
                break
            # A start that failed removed (or replaced) the file between our open and our lock.
            os.close(fd)
        else:
            raise OSError(f"the store {path} keeps being removed or replaced while it is opened")
        if locked.st_nlink > 1:
            os.close(fd)
            raise StoreLinkError(
                f"{path} has {locked.st_nlink} names (hard links); SQLite keeps the store's recent writes in a "
                f"-wal file named after the name it was opened by, so a store must have one name: remove the other "
                f"links, or use a symbolic link"
            )
        if stat.S_IMODE(locked.st_mode) != PRIVATE_MODE:
            os.fchmod(fd, PRIVATE_MODE)  # exact whatever the umask
        return fd, created

    def release(self, *, remove: bool) -> None:
        """Unlock (once); with ``remove``, first delete the file and SQLite's side files."""
        if self.fd is None:
            return
        if remove:
            # Still locked: no other process can have taken this file for its store.
            for suffix in ("", *SIDE_FILES):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path + suffix)
        os.close(self.fd)  # releases the flock
        self.fd = None
