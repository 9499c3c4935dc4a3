"""The access key and the TLS private keys stay where they belong (issue 18, item 7).

``--access-key-file FILE`` gives the key without the command line (readable by every
local user) or the environment (readable by the same user in ``/proc/<pid>/environ``
for the life of the process); the file is read once and closed.  The ``--tls`` server
key reaches :mod:`ssl` through pipes, so no file ever holds it outside the store and a
``kill -9`` at any moment leaves none behind.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from acs_identity_emulator.testing import running_emulator
from emu_helpers import RawClient
from emu_processes import EMULATOR, SERVE, child_env, run_emulator

COMMANDS = {"acs-identity-emulator": EMULATOR, "acs-identity serve": SERVE}
needs_proc = pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="needs /proc")


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _key_file(folder: Path, content: str) -> Path:
    path = folder / "access.key"
    path.write_text(content)
    path.chmod(0o600)
    return path


def _open_files(pid: int) -> list[str]:
    folder = Path(f"/proc/{pid}/fd")
    names = []
    for fd in folder.iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            names.append(os.readlink(fd))
    return names


@needs_proc
@pytest.mark.parametrize("prog", COMMANDS)
def test_access_key_file_keeps_the_key_off_the_command_line_and_the_environment(tmp_path: Path, prog: str) -> None:
    key = _key()
    key_file = _key_file(tmp_path, f"{key}\n")
    args = ("--port", "0", "--db", ":memory:", "--access-key-file", str(key_file))
    with run_emulator(tmp_path / "stderr.txt", *args, command=COMMANDS[prog]) as run:
        emu = run.emulator
        assert emu is not None, run.stderr
        assert emu.access_key == key
        assert RawClient(emu).request("POST", "/identities", {}).status == 201  # the key is in force
        for what in ("cmdline", "environ"):
            assert key.encode() not in Path(f"/proc/{emu.pid}/{what}").read_bytes(), what
        assert str(key_file) not in _open_files(emu.pid)  # read, then closed
    assert key not in run.stderr


@needs_proc
def test_running_emulator_passes_the_key_by_file(tmp_path: Path) -> None:
    key = _key()
    with running_emulator(access_key=key) as emu:
        for what in ("cmdline", "environ"):
            assert key.encode() not in Path(f"/proc/{emu.pid}/{what}").read_bytes(), what
        assert b"--access-key-file" in Path(f"/proc/{emu.pid}/cmdline").read_bytes()
        assert RawClient(emu).request("POST", "/identities", {}).status == 201


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read --access-key-file {path}: No such file or directory"),
        ("", "--access-key-file {path} is empty"),
        (" \n", "--access-key-file {path} is empty"),
        ("x" * 5000, "--access-key-file {path} is not an access key (over 4096 bytes)"),
        ("s3cret-but-not-base64!", "must be base64"),
    ],
    ids=["missing", "empty", "blank", "huge", "not-base64"],
)
def test_a_bad_key_file_is_one_line_that_never_shows_its_content(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "access.key" if content is None else _key_file(tmp_path, content)
    args = ("--port", "0", "--db", str(tmp_path / "identity.db"), "--access-key-file", str(path))
    with run_emulator(tmp_path / "stderr.txt", *args) as run:
        assert run.emulator is None and run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert message.format(path=path) in run.stderr
    if content and content.strip():
        assert content.strip() not in run.stderr
    assert not (tmp_path / "identity.db").exists()


def test_key_and_key_file_do_not_go_together(tmp_path: Path) -> None:
    path = _key_file(tmp_path, _key())
    done = subprocess.run(
        [*EMULATOR, "--access-key", _key(), "--access-key-file", str(path)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr


def test_a_key_file_others_can_read_gets_a_warning(tmp_path: Path) -> None:
    key = _key()
    path = _key_file(tmp_path, key)
    path.chmod(0o644)
    with run_emulator(
        tmp_path / "stderr.txt", "--port", "0", "--db", ":memory:", "--access-key-file", str(path)
    ) as run:
        assert run.emulator is not None and run.emulator.access_key == key
    assert f"{path} can be read by other users; make it owner-only: chmod 600 {path}" in run.stderr
    assert key not in run.stderr


def _no_private_key_in(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path


@pytest.mark.parametrize("db", [":memory:", "identity.db"])
def test_a_tls_start_killed_while_loading_its_key_leaves_no_private_key_behind(tmp_path: Path, db: str) -> None:
    """``kill -9`` at the moment a file would hold the server's private key: there is none."""
    (tmp_path / "tmp").mkdir()
    (tmp_path / "store").mkdir()
    store = db if db == ":memory:" else str(tmp_path / "store" / db)
    script = (
        "import os, signal, ssl, sys\n"
        "def load_cert_chain(self, *args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "ssl.SSLContext.load_cert_chain = load_cert_chain\n"
        "from acs_identity_emulator._cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = child_env({"TMPDIR": str(tmp_path / "tmp")})
    with run_emulator(
        tmp_path / "stderr.txt", "--port", "0", "--db", store, "--tls", command=(sys.executable, "-c", script), env=env
    ) as run:
        assert run.emulator is None
    assert run.returncode == -signal.SIGKILL
    assert os.listdir(tmp_path / "tmp") == []  # TMPDIR: where a temporary file would have gone
    # beside the store: the store itself (which keeps the keys, owner-only) and SQLite's files only
    assert set(os.listdir(tmp_path / "store")) <= {"identity.db", "identity.db-wal", "identity.db-shm"}


def test_a_tls_server_serves_with_no_key_file_open(tmp_path: Path) -> None:
    with running_emulator(tls=True, env=child_env({"TMPDIR": str(tmp_path)})) as emu:
        assert RawClient(emu).request("POST", "/identities", {}).status == 201
        if os.path.isdir(f"/proc/{emu.pid}/fd"):
            assert not [name for name in _open_files(emu.pid) if name.endswith(".pem") and "server" in name]
    _no_private_key_in(tmp_path)
