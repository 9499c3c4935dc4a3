"""The command line and the ``acs_identity_emulator.testing`` helper."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from pathlib import Path

import acs_identity_emulator
import pytest
from acs_identity_emulator.testing import running_emulator
from emu_helpers import RawClient

pytestmark = pytest.mark.slow  # every test starts the local service's command line as a process

EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(acs_identity_emulator.__file__)))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), EMULATOR_DIR) if p)
    return env


def test_ready_line_and_properties() -> None:
    with running_emulator() as emu:
        assert emu.endpoint == f"http://127.0.0.1:{emu.port}/"
        assert emu.connection_string == f"endpoint={emu.endpoint};accesskey={emu.access_key}"
        assert len(base64.b64decode(emu.access_key)) == 64
        assert emu.process.poll() is None
        assert "accesskey" not in repr(emu) and emu.access_key not in repr(emu)
    assert emu.process.returncode == 0  # SIGTERM is a clean stop


def test_given_access_key_is_used() -> None:
    key = base64.b64encode(b"k" * 32).decode()
    with running_emulator(access_key=key) as emu:
        assert emu.access_key == key
        assert RawClient(emu).request("POST", "/identities").status == 201


def test_invalid_access_key_exits_2_without_echoing_it() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "acs_identity_emulator",
            "--port",
            "0",
            "--db",
            ":memory:",
            "--access-key",
            "not base64!!",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "not base64!!" not in proc.stderr
    assert "the access key must be base64" in proc.stderr


def test_sigint_stops_cleanly(tmp_path: Path) -> None:
    with running_emulator(db=str(tmp_path / "x.db")) as emu:
        emu.process.send_signal(signal.SIGINT)
        assert emu.process.wait(30) == 0


def test_key_never_logged_to_stderr(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "acs_identity_emulator",
            "--port",
            "0",
            "--db",
            ":memory:",
            "--access-log",
            "--log-level",
            "DEBUG",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("endpoint=http://127.0.0.1:")
        key = line.split("accesskey=", 1)[1]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert key not in err


def test_module_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "--help"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 0
    for flag in ("--host", "--port", "--db", "--access-key"):
        assert flag in proc.stdout


def test_cli_main_is_callable() -> None:
    from acs_identity_emulator._cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0


def test_in_process_app() -> None:
    import asyncio

    from acs_identity_emulator import create_app, emulator_of
    from aiohttp.test_utils import TestClient, TestServer

    async def scenario() -> None:
        app = create_app(":memory:")
        async with TestClient(TestServer(app)) as http:
            reply = await http.get("/.well-known/jwks.json")
            assert reply.status == 200
            assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
            assert emulator_of(app).access_key

    asyncio.run(scenario())


def test_main_takes_the_program_name(capsys: pytest.CaptureFixture[str]) -> None:
    from acs_identity_emulator._cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--help"], prog="acs-identity serve")
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("usage: acs-identity serve [-h] ")


@pytest.mark.parametrize("loop", ["asyncio", "auto"])
def test_event_loop_choice_serves(loop: str) -> None:
    with running_emulator(extra_args=["--loop", loop]) as emu:
        client = RawClient(emu)
        assert client.issue(client.create()).status == 200
    assert emu.process.returncode == 0


def _without_uvloop(tmp_path: Path) -> dict[str, str]:
    """An environment where ``import uvloop`` fails, as on a machine without it."""
    (tmp_path / "uvloop").mkdir()
    (tmp_path / "uvloop" / "__init__.py").write_text('raise ImportError("no uvloop here")\n')
    env = _env()
    env["PYTHONPATH"] = os.pathsep.join((str(tmp_path), env["PYTHONPATH"]))
    return env


def test_works_without_uvloop(tmp_path: Path) -> None:
    with running_emulator(env=_without_uvloop(tmp_path)) as emu:
        client = RawClient(emu)
        assert client.issue(client.create()).status == 200


def test_loop_uvloop_without_uvloop_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "--port", "0", "--db", ":memory:", "--loop", "uvloop"],
        capture_output=True,
        text=True,
        env=_without_uvloop(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == "acs-identity-emulator: --loop uvloop: uvloop is not installed"
