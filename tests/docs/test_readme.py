"""Every code block of README.md is executed or checked here, so the docs cannot drift.

Each block on its own (below), and the whole README read top to bottom in one shell
(``test_readme_runs_top_to_bottom_with_only_what_it_said_before``): a block may use only what
the README said before it.

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
import shutil
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
        elif words[0] == "export":
            continue  # what it sets, and from where, is the top-to-bottom reading's to check (below)
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


# ----- the README read top to bottom: each block with only what the README said before it -----

#: What the README's export line stands for: the first line the service it just started printed.
PRINTED_LINE = "<the line it printed>"
_CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def _venv_extras() -> set[str]:
    """The extras ``make demo`` / ``make test`` install into .venv (the Makefile's venv recipe)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r'pip install [^\n]*-e "\.\[([\w,]+)\]"', makefile)
    assert found, "the Makefile's venv recipe installs no extras any more: update this test"
    return set(found.group(1).split(","))


class _Reader:
    """A reader going through README.md top to bottom in one shell.

    It starts with nothing the README has not said: no connection string, no CA bundle
    setting, the project's environment neither made nor active. Console lines change that as
    a shell would (``make demo`` makes ``.venv``, ``source .venv/bin/activate`` activates it,
    ``export`` sets a variable, ``acs-identity serve`` starts a service and prints its line);
    each Python block then runs in that shell's state.
    """

    def __init__(self) -> None:
        bin_dir = str(Path(sys.executable).parent)  # the environment the tests run in stands for .venv
        self.bin_dir = bin_dir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("AZURE_COMMUNICATION_") and k not in (*_CA_VARIABLES, "VIRTUAL_ENV")
        }
        self.env["PATH"] = os.pathsep.join(p for p in self.env.get("PATH", "").split(os.pathsep) if p != bin_dir)
        self.venv_made = False
        self.venv_active = False
        self.printed: str | None = None
        self.services: list[subprocess.Popen[str]] = []
        self.ran = {"python": 0, "export": 0, "acs-identity": 0}

    def console(self, line: str) -> None:
        words = shlex.split(line)
        if words[0] == "make":
            if words[1] in ("demo", "test", "check", "dev"):
                self.venv_made = True
        elif words == ["source", ".venv/bin/activate"]:
            assert self.venv_made, "README activates .venv before any command made it"
            self.env["PATH"] = os.pathsep.join((self.bin_dir, self.env["PATH"]))
            self.env["VIRTUAL_ENV"] = str(Path(self.bin_dir).parent)
            self.venv_active = True
        elif words[:2] == ["pip", "install"]:
            assert not self.venv_active, (
                f"README runs `{line}` in the activated .venv: it replaces the editable install"
            )
            pytest.fail(f"README installs into an environment it never made: `{line}`")
        elif words[0] == "export":
            name, _, value = words[1].partition("=")
            if value == PRINTED_LINE:
                assert self.printed is not None, f"README exports {name} from a line nothing printed before"
                value = self.printed
            self.env[name] = value
            self.ran["export"] += 1
        elif words[0] == "acs-identity":
            script = shutil.which("acs-identity", path=self.env["PATH"])
            assert script, f"README runs `{line}` before it has put acs-identity on the PATH"
            self.ran["acs-identity"] += 1
            if words[1] == "serve":
                self._serve([script, *words[1:]])
            else:
                done = subprocess.run(
                    [script, *words[1:]], env=self.env, capture_output=True, text=True, timeout=60, check=False
                )
                assert done.returncode == 0, f"`{line}`, run where the README has got to, failed: {done.stderr}"
        else:
            pytest.fail(f"README console line the reader does not know how to run: {line}")

    def _serve(self, command: list[str]) -> None:
        service = subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.services.append(service)
        assert service.stdout is not None
        first = service.stdout.readline().strip()  # the service prints it when ready, or exits
        assert first.startswith("endpoint="), f"`{' '.join(command[1:])}` printed {first!r}"
        self.printed = first

    def python(self, code: str) -> None:
        assert self.venv_active, "README shows Python before any environment with the package is active"
        if "acs_identity_emulator" in code:
            assert "emulator" in _venv_extras(), "a Python block needs the emulator extra, which .venv lacks"
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (
            f"README python block, run where the README has got to, failed:\n{code}\n{done.stderr}"
        )
        self.ran["python"] += 1

    def close(self) -> None:
        for service in self.services:
            service.terminate()
            service.wait(timeout=30)


def test_readme_runs_top_to_bottom_with_only_what_it_said_before() -> None:
    reader = _Reader()
    try:
        for lang, body in _BLOCK.findall(README.read_text(encoding="utf-8")):
            if lang == "console":
                for line in body.splitlines():
                    command = line.split("  #", 1)[0].strip()
                    if command:
                        reader.console(command)
            elif lang == "python":
                reader.python(body)
    finally:
        reader.close()
    assert reader.ran["python"] == len(_blocks("python"))
    assert reader.ran["export"] >= 1
    assert reader.ran["acs-identity"] >= 4


def test_pip_install_is_never_shown_as_a_command_for_the_activated_venv() -> None:
    """In prose it names real extras; as a console line it would replace .venv's editable install."""
    text = README.read_text(encoding="utf-8")
    setup_py = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert not any(c.startswith("pip install") for c in _commands("console"))
    mentions = re.findall(r'`pip install "\.\[([\w,]+)\]"`', text)
    assert mentions, "README no longer says how to install into an environment of one's own"
    for extras in mentions:
        for extra in extras.split(","):
            assert f'"{extra}":' in setup_py, f"README names extra [{extra}], setup.py lacks it"
