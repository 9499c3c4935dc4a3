"""A start that fails says what to do in one line and leaves nothing behind (issue 18, item 15);
``--version``; what a ``--tls`` start tells its user about trusting the CA (item 14, the service's side).
"""

from __future__ import annotations

import os
import select
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

import pytest
from acs_identity_emulator.testing import EmulatorProcess
from emu_helpers import RawClient
from emu_processes import EMULATOR, READY, SERVE, child_env, run_emulator

REPO = Path(__file__).resolve().parents[2]
COMMANDS = {"acs-identity-emulator": EMULATOR, "acs-identity serve": SERVE}


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _store_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("identity.db"))


# -- a busy port ------------------------------------------------------------------------
@pytest.mark.parametrize("tls", [[], ["--tls"]], ids=["http", "tls"])
@pytest.mark.parametrize("prog", COMMANDS)
def test_a_busy_port_is_one_line_naming_port_0_and_leaves_no_new_file(
    tmp_path: Path, busy_port: int, prog: str, tls: list[str]
) -> None:
    (tmp_path / "store").mkdir()
    db = tmp_path / "store" / "identity.db"
    args = ["--host", "127.0.0.1", "--port", str(busy_port), "--db", str(db), *tls]
    with run_emulator(tmp_path / "stderr.txt", *args, command=COMMANDS[prog]) as run:
        assert run.emulator is None, "it served on a busy port"
        assert run.returncode == 1
        assert run.lines == []
    message = run.stderr
    assert message == (
        f"{prog}: port {busy_port} on 127.0.0.1 is in use by another program; "
        "pick a free one with --port 0 (or another --port)\n"
    )
    assert os.listdir(tmp_path / "store") == []  # no store, no -wal/-shm, no lock, no CA file


def test_a_busy_port_keeps_an_existing_store(tmp_path: Path, busy_port: int) -> None:
    db = tmp_path / "identity.db"
    with run_emulator(tmp_path / "first.txt", "--port", "0", "--db", str(db)) as first:
        assert first.emulator is not None, first.stderr
        identity = RawClient(first.emulator).create()
        key = first.emulator.access_key
    with run_emulator(tmp_path / "busy.txt", "--port", str(busy_port), "--db", str(db), "--tls") as busy:
        assert busy.emulator is None and busy.returncode == 1
    assert _store_files(tmp_path) == ["identity.db"]
    with run_emulator(tmp_path / "again.txt", "--port", "0", "--db", str(db)) as again:
        assert again.emulator is not None, again.stderr
        assert again.emulator.access_key == key
        client = RawClient(again.emulator)
        assert client.issue(identity).status == 200


def test_a_bad_key_leaves_no_new_store(tmp_path: Path) -> None:
    db = tmp_path / "identity.db"
    env = child_env({"ACS_IDENTITY_EMULATOR_ACCESS_KEY": "not base64!"})
    with run_emulator(tmp_path / "stderr.txt", "--port", "0", "--db", str(db), env=env) as run:
        assert run.emulator is None and run.returncode == 2
    assert "not base64!" not in run.stderr
    assert _store_files(tmp_path) == []


@pytest.mark.parametrize("loop", ["auto", "asyncio"])
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_signal_during_a_tls_start_leaves_no_new_store_and_no_temporary_file(
    tmp_path: Path, signal_name: str, loop: str
) -> None:
    """The signal arrives while the server's key is being loaded, the moment a file would hold it."""
    (tmp_path / "tmp").mkdir()
    (tmp_path / "store").mkdir()
    db = tmp_path / "store" / "identity.db"
    script = (
        "import os, signal, ssl, sys\n"
        "def load_cert_chain(self, *args, **kwargs):\n"
        f"    os.kill(os.getpid(), signal.{signal_name})\n"
        "ssl.SSLContext.load_cert_chain = load_cert_chain\n"
        "from acs_identity_emulator._cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = child_env({"TMPDIR": str(tmp_path / "tmp")})
    with run_emulator(
        tmp_path / "stderr.txt",
        *("--port", "0", "--db", str(db), "--tls", "--loop", loop),
        command=(sys.executable, "-c", script),
        env=env,
    ) as run:
        assert run.emulator is None
    assert run.returncode == {"SIGTERM": 143, "SIGINT": 130}[signal_name], run.stderr
    assert "Traceback" not in run.stderr
    assert os.listdir(tmp_path / "store") == []
    assert os.listdir(tmp_path / "tmp") == []


# -- --version --------------------------------------------------------------------------
@pytest.mark.parametrize("prog", COMMANDS)
def test_version_is_the_distribution_version(prog: str) -> None:
    done = subprocess.run([*COMMANDS[prog], "--version"], capture_output=True, text=True, env=child_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{prog} {metadata.version('azure-communication-administration')}\n"


def test_the_package_version_is_the_distribution_version() -> None:
    import acs_identity_emulator

    assert acs_identity_emulator.__version__ == metadata.version("azure-communication-administration")
    assert "__version__" in acs_identity_emulator.__all__


# -- a --tls start says how to trust its CA -----------------------------------------------
def _run(command: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def test_a_tls_start_prints_the_line_that_trusts_its_ca(tmp_path: Path) -> None:
    db = tmp_path / "identity.db"
    # stderr through a pipe, so reading its line waits for it (it is written after the stdout lines)
    process = subprocess.Popen(
        [*EMULATOR, "--host", "127.0.0.1", "--port", "0", "--db", str(db), "--tls"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=child_env(),
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        # stdout starts as it always did: the connection string, then the CA file
        ready = READY.match(process.stdout.readline().rstrip("\n"))
        assert ready is not None
        emu = EmulatorProcess(process, ready.group(1), ready.group(3), int(ready.group(2)), f"{db}-ca.pem")
        assert process.stdout.readline() == f"certificate={db}-ca.pem\n"
        # bounded, so a service that prints no hint fails here instead of hanging
        assert select.select([process.stderr], [], [], 60)[0], "no line on stderr"
        hint = process.stderr.readline()
        assert emu.access_key not in hint
        assert f"clients must trust {db}-ca.pem" in hint
        cli_line = hint.split("run the CLI as: ", 1)[1].split(" (the samples", 1)[0]
        sample_line = hint.split("(the samples likewise: ", 1)[1].split("; in code", 1)[0]
        assert cli_line == f"acs-identity --ca-file {shlex.quote(str(db) + '-ca.pem')} user create"
        assert sample_line == f"SSL_CERT_FILE={shlex.quote(str(db) + '-ca.pem')} python samples/identity_sync.py"
        # the lines work as printed, in a shell, with the connection string in the environment
        env = {
            k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
        }
        env["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"] = emu.connection_string
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        untrusted = _run(["acs-identity", "user", "create"], env)
        assert untrusted.returncode != 0
        trusted = _run(["bash", "-c", cli_line], env)
        assert trusted.returncode == 0, trusted.stderr
        assert '"8:acs:' in trusted.stdout
        sample = _run(["bash", "-c", sample_line], env)
        assert sample.returncode == 0, sample.stderr
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert process.returncode == 0
