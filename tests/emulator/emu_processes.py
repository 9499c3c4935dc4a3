"""Start the local service as a real process whose start may fail, and look at what it did.

:func:`run_emulator` runs ``python -m acs_identity_emulator ARGS`` (or ``acs-identity
serve ARGS``) with its stderr in a file, reads stdout until the connection string (and,
over HTTPS, the ``certificate=`` line) or until the process exits, and yields a
:class:`Run`: ``run.emulator`` when it is serving (stopped on exit), else the exit status
in ``run.returncode`` and the messages in ``run.stderr``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from acs_identity_emulator.testing import EmulatorProcess

EMULATOR = (sys.executable, "-m", "acs_identity_emulator")
SERVE = (sys.executable, "-m", "azure.communication.administration", "serve")
READY = re.compile(r"^endpoint=(https?://[^/;]+:(\d+)/);accesskey=(\S+)$")
_EMULATOR_DIR = str(Path(__file__).resolve().parents[2] / "emulator")
_KEY_ENV = "ACS_IDENTITY_EMULATOR_ACCESS_KEY"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment, without an access key, with the emulator importable and unbuffered output."""
    env = {k: v for k, v in os.environ.items() if k != _KEY_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), _EMULATOR_DIR) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@dataclass
class Run:
    """One start of the service."""

    process: subprocess.Popen[str]
    stderr_file: Path
    #: stdout lines read before it was ready (the connection string and certificate lines included) or exited
    lines: list[str] = field(default_factory=list)
    emulator: EmulatorProcess | None = None

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    @property
    def stderr(self) -> str:
        return self.stderr_file.read_text()


@contextmanager
def run_emulator(
    stderr_file: Path,
    *args: str,
    command: Sequence[str] = EMULATOR,
    env: Mapping[str, str] | None = None,
    umask: int = -1,
) -> Iterator[Run]:
    """Start the service with ``args``; see the module docstring."""
    with open(stderr_file, "w") as stderr:
        process = subprocess.Popen(
            [*command, *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=child_env() if env is None else dict(env),
            umask=umask,
        )
    run = Run(process, stderr_file)
    assert process.stdout is not None
    match = None
    for line in process.stdout:  # blocks until a line, or EOF when it exits
        run.lines.append(line.rstrip("\n"))
        match = READY.match(run.lines[-1])
        if match:
            break
    if match is None:
        process.wait(60)
        process.stdout.close()
        yield run
        return
    certificate = None
    if match.group(1).startswith("https://"):
        run.lines.append(process.stdout.readline().rstrip("\n"))
        certificate = run.lines[-1].removeprefix("certificate=")
    run.emulator = EmulatorProcess(
        process=process,
        endpoint=match.group(1),
        access_key=match.group(3),
        port=int(match.group(2)),
        certificate=certificate,
    )
    try:
        yield run
    finally:
        run.emulator.stop()
