"""Every code block of README.md is executed or checked here, so the docs cannot drift.

- ``python`` blocks run in a subprocess against the local Identity service;
- ``console`` blocks: ``acs-identity ...`` lines run, as the installed console script, against
  it; ``make X`` lines must name a Makefile target, ``pip install ".[extra]"`` lines must name
  a real extra; ``source .venv/bin/activate`` must put ``acs-identity`` on the ``PATH``;
- ``text`` blocks (the architecture tree) must only name paths that exist.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from acs_identity_emulator.testing import EmulatorProcess

pytestmark = pytest.mark.slow  # every README block runs as a process

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(README.read_text(encoding="utf-8")) if lang == kind]


def _service_env(service: EmulatorProcess) -> dict[str, str]:
    """Only what the README tells the reader to set: the connection string, nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_COMMUNICATION_")}
    env["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"] = service.connection_string
    return env


def test_python_blocks_read_only_the_connection_string() -> None:
    for code in _blocks("python"):
        for name in re.findall(r"AZURE_[A-Z_]+", code):
            assert name == "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING", f"README reads {name}, which nothing sets"


def _commands(kind: str) -> list[str]:
    lines = []
    for body in _blocks(kind):
        for line in body.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command:
                lines.append(command)
    return lines


def test_readme_has_blocks_of_every_checked_kind() -> None:
    assert len(_blocks("python")) >= 3
    assert _commands("console")
    assert _blocks("text")
    other = {lang for lang, _ in _BLOCK.findall(README.read_text(encoding="utf-8"))} - {"python", "console", "text"}
    assert not other, f"README has code blocks no test runs: {other}"


def test_first_screen_names_the_two_setup_commands() -> None:
    first_screen = "\n".join(README.read_text(encoding="utf-8").splitlines()[:25])
    assert "make demo" in first_screen
    assert "make test" in first_screen


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_python_block_runs(index: int, identity_service: EmulatorProcess) -> None:
    code = _blocks("python")[index]
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_service_env(identity_service),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"README python block {index} failed:\n{code}\n{done.stderr}"
    assert identity_service.access_key not in done.stdout + done.stderr


def test_console_commands(identity_service: EmulatorProcess) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    setup_py = (ROOT / "setup.py").read_text(encoding="utf-8")
    checked = 0
    for command in _commands("console"):
        words = shlex.split(command)
        if words[0] == "make":
            assert words[1] in targets, f"README names `make {words[1]}`, which the Makefile lacks"
        elif words[:2] == ["pip", "install"]:
            for extra in re.findall(r"\[(\w+)\]", command):
                assert f'"{extra}":' in setup_py, f"README names extra [{extra}], setup.py lacks it"
        elif words == ["source", ".venv/bin/activate"]:
            # Activating the environment the tests run in puts the console scripts on PATH.
            bin_dir = Path(sys.executable).parent
            assert (bin_dir / "activate").is_file(), "the README says to activate .venv, which has no activate script"
            assert (bin_dir / "acs-identity").is_file(), "activating .venv does not bring acs-identity"
        elif words[0] == "acs-identity":
            if words[1] == "serve":
                continue  # a server that runs until stopped; tests/cli covers it
            script = Path(sys.executable).with_name("acs-identity")
            command = [str(script)] if script.exists() else [sys.executable, "-m", "azure.communication.administration"]
            done = subprocess.run(
                [*command, *words[1:]],
                env=_service_env(identity_service),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, f"`{command}` failed: {done.stderr}"
            assert identity_service.access_key not in done.stdout + done.stderr
        else:
            pytest.fail(f"README console line no test knows how to check: {command}")
        checked += 1
    assert checked >= 4


def test_architecture_paths_exist() -> None:
    for body in _blocks("text"):
        for token in re.findall(r"(?<![\w.])([\w./-]+/|[\w/-]+\.(?:py|md|json))(?=\s|$)", body):
            path = token.replace("*.json", "")
            if "/" in path or path.endswith((".py", ".md")):
                bases = (
                    ROOT,
                    ROOT / "azure/communication/administration",
                    ROOT / "generator",
                    ROOT / "generated",
                    ROOT / "tests",
                )
                candidates = [base / path for base in bases]
                assert any(c.exists() for c in candidates), f"README architecture names {token}, not found"


def test_readme_says_how_to_get_the_commands_on_the_path() -> None:
    """``acs-identity`` lives in .venv/bin after ``make demo``; the README must say how to reach it."""
    text = README.read_text(encoding="utf-8")
    commands = _commands("console")
    assert "source .venv/bin/activate" in commands
    assert commands.index("source .venv/bin/activate") < min(
        i for i, c in enumerate(commands) if c.startswith("acs-identity")
    )
    assert text.index("source .venv/bin/activate") < text.index("acs-identity serve")
