"""Start the emulator as a subprocess for tests, demos and benchmarks.

Stable API::

    from acs_identity_emulator.testing import running_emulator

    with running_emulator() as emu:          # db=":memory:", fresh key
        emu.connection_string  # "endpoint=http://127.0.0.1:PORT/;accesskey=KEY"
        emu.endpoint           # "http://127.0.0.1:PORT/"
        emu.access_key         # base64 key
        emu.port               # int
        emu.process            # subprocess.Popen
        emu.certificate        # None over HTTP

    with emu.faults({"operation": "CommunicationIdentity_Create", "status": 503, "count": 2}) as applied:
        ...                    # fault rules (README: Fault injection) apply in this block only
        applied.hits()         # [2]: how many requests each rule faulted
    emu.fault_rules()          # every rule the service has, each with its hits

    with running_emulator(tls=True) as emu:  # HTTPS
        emu.endpoint           # "https://127.0.0.1:PORT/"
        emu.certificate        # PEM file to trust: connection_verify=emu.certificate

Tokens for the Teams exchanges::

    from acs_identity_emulator.testing import entra_token

    aad = entra_token(emu, tenant_id, object_id, app_id)  # signed by the service's Entra issuer

``running_emulator(db=":memory:", access_key=None, extra_args=(), *,
startup_timeout=30.0, env=None, tls=False)`` runs ``python -m
acs_identity_emulator --host 127.0.0.1 --port 0 --db DB [--tls] *extra_args``
with the current interpreter, waits (without sleeping)
for the connection-string line on stdout (and, over HTTPS, the
``certificate=PATH`` line that follows it; ``extra_args`` may also carry
``--cert FILE --key FILE``), and on exit stops the process with SIGTERM,
waiting up to 10 s before SIGKILL.  :func:`start_emulator` / :meth:`EmulatorProcess.stop` do the
same without a ``with`` block, and :meth:`EmulatorProcess.kill` sends SIGKILL
(for durability tests).

A given ``access_key`` reaches the child through a pipe it reads as
``--access-key-file /dev/fd/N``: never on its command line, which other local
users can read (``ps``, ``/proc/<pid>/cmdline``), nor in its environment, which
stays readable to the same user for the life of the process
(``/proc/<pid>/environ``).  Where ``/dev/fd`` cannot open a pipe it goes in the
environment (``ACS_IDENTITY_EMULATOR_ACCESS_KEY``), which the child reads once.

The child's ``PYTHONPATH`` gets the folder that holds this package appended,
so it works both installed and from a source checkout.  Its stderr is
inherited, so server-side errors show up in test output.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import _testing_faults
from ._testing_faults import AppliedFaults

_READY = re.compile(r"^endpoint=(https?://[^/;]+:(\d+)/);accesskey=(\S+)$")
_CERTIFICATE = re.compile(r"^certificate=(.+)$")
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Same name as ``_cli.ACCESS_KEY_ENV`` (not imported: this module loads without aiohttp).
_ACCESS_KEY_ENV = "ACS_IDENTITY_EMULATOR_ACCESS_KEY"

__all__ = ["AppliedFaults", "EmulatorProcess", "entra_token", "running_emulator", "start_emulator"]


@dataclass
class EmulatorProcess:
    """A running emulator subprocess and how to reach it."""

    process: subprocess.Popen[str]
    endpoint: str
    access_key: str = field(repr=False)  # keep the key out of test failure output
    port: int = 0
    #: Over HTTPS, the PEM file a client must trust (``connection_verify=``); ``None`` over HTTP.
    certificate: str | None = None
    _stdout_lines: queue.Queue[str | None] = field(default_factory=queue.Queue, repr=False)

    @property
    def connection_string(self) -> str:
        """``endpoint=http[s]://127.0.0.1:PORT/;accesskey=KEY``."""
        return f"endpoint={self.endpoint};accesskey={self.access_key}"

    @property
    def pid(self) -> int:
        """The process id of the emulator."""
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, wait up to ``timeout`` s, then SIGKILL; return the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close()
        return self.process.returncode

    def kill(self) -> int:
        """SIGKILL (``kill -9``) and reap; return the exit status."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._close()
        return self.process.returncode

    def faults(self, *rules: Mapping[str, Any]) -> AbstractContextManager[AppliedFaults]:
        """Apply fault injection rules (README: *Fault injection*) for a ``with`` block, then remove them.

        ``with emu.faults({"operation": "CommunicationIdentity_Create", "status": 503, "count": 2}) as applied:``
        ... ``applied.hits()`` says how many requests each rule has faulted; ``applied.ids`` are their ids.
        A bad rule raises ``ValueError`` with the service's message naming the field.
        """
        return _testing_faults.applied(self, rules)

    def fault_rules(self) -> list[dict[str, Any]]:
        """Every fault rule the service has (``--fault`` ones included), each with its ``hits``."""
        return _testing_faults.listed(self)

    def _close(self) -> None:
        if self.process.stdout is not None:
            self.process.stdout.close()


def _key_pipe(access_key: str) -> int | None:
    """The read end of a pipe holding ``access_key``, if the child can open it as ``/dev/fd/N``."""
    data = access_key.encode("utf-8")
    if len(data) > 512 or not os.path.isdir("/dev/fd"):  # 512: PIPE_BUF's least value, so one write fills it
        return None
    reader, writer = os.pipe()
    try:
        os.write(writer, data)
    finally:
        os.close(writer)
    if not os.path.exists(f"/dev/fd/{reader}"):  # e.g. FreeBSD without fdescfs
        os.close(reader)
        return None
    return reader


def _child_env(env: Mapping[str, str] | None, access_key: str | None) -> dict[str, str]:
    result = dict(os.environ if env is None else env)
    result.pop(_ACCESS_KEY_ENV, None)
    if access_key is not None:
        result[_ACCESS_KEY_ENV] = access_key
    existing = result.get("PYTHONPATH")
    result["PYTHONPATH"] = _PACKAGE_PARENT if not existing else existing + os.pathsep + _PACKAGE_PARENT
    result.setdefault("PYTHONUNBUFFERED", "1")
    return result


def start_emulator(
    db: str = ":memory:",
    access_key: str | None = None,
    extra_args: Sequence[str] = (),
    *,
    startup_timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
    tls: bool = False,
) -> EmulatorProcess:
    """Start the emulator and return once it printed its connection string.

    ``tls=True`` serves HTTPS (``--tls``).  Raises ``RuntimeError`` if it
    exits or stays silent for ``startup_timeout``.  The caller must call
    :meth:`EmulatorProcess.stop` (or use :func:`running_emulator`).
    """
    cmd = [sys.executable, "-m", "acs_identity_emulator", "--host", "127.0.0.1", "--port", "0", "--db", db]
    if tls:
        cmd.append("--tls")
    key_pipe = None if access_key is None else _key_pipe(access_key)
    if key_pipe is not None:
        cmd += ["--access-key-file", f"/dev/fd/{key_pipe}"]
    cmd += list(extra_args)
    try:
        process = subprocess.Popen(  # noqa: S603 - fixed interpreter and module
            cmd,
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=_child_env(env, access_key if key_pipe is None else None),
            pass_fds=() if key_pipe is None else (key_pipe,),
        )
    finally:
        if key_pipe is not None:
            os.close(key_pipe)  # the child has its own copy
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        # Keeps draining stdout for the life of the process so it never
        # blocks on a full pipe.
        assert process.stdout is not None
        try:
            for line in process.stdout:
                lines.put(line.rstrip("\r\n"))
        except ValueError:  # stdout closed by stop()
            pass
        lines.put(None)

    threading.Thread(target=pump, name="emulator-stdout", daemon=True).start()

    deadline = time.monotonic() + startup_timeout

    def next_line() -> str:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=remaining) if remaining > 0 else None
        except queue.Empty:
            line = None
        if line is None:
            process.kill()
            process.wait()
            raise RuntimeError(f"emulator did not become ready (exit status {process.returncode})")
        return line

    while True:
        match = _READY.match(next_line())
        if match:
            break
    certificate = None
    if match.group(1).startswith("https://"):
        while True:  # printed right after the connection string
            found = _CERTIFICATE.match(next_line())
            if found:
                certificate = found.group(1)
                break
    return EmulatorProcess(
        process=process,
        endpoint=match.group(1),
        access_key=match.group(3),
        port=int(match.group(2)),
        certificate=certificate,
        _stdout_lines=lines,
    )


@contextmanager
def running_emulator(
    db: str = ":memory:",
    access_key: str | None = None,
    extra_args: Sequence[str] = (),
    *,
    startup_timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
    tls: bool = False,
) -> Iterator[EmulatorProcess]:
    """Context manager around :func:`start_emulator`; stops it on exit."""
    emulator = start_emulator(db, access_key, extra_args, startup_timeout=startup_timeout, env=env, tls=tls)
    try:
        yield emulator
    finally:
        emulator.stop()


def entra_token(
    emulator: EmulatorProcess,
    tenant_id: str,
    object_id: str,
    app_id: str,
    *,
    scopes: Sequence[str] | None = None,
    expires_in_minutes: int | None = None,
    claims: dict[str, Any] | None = None,
    resource: str | None = None,
) -> str:
    """A signed Entra ID access token of a Teams user, minted by the running ``emulator``.

    Its Teams user and Teams Phone exchanges accept it (by default it grants the delegated
    permissions of both); see the emulator README, *Entra ID tokens*. ``claims`` replaces or
    adds claims (``None`` removes one), for tests of how the exchanges refuse tokens: for
    example ``claims={"exp": 1}`` is a token that expired long ago, still correctly signed.
    ``resource="clients"`` makes a token for the Entra ID user exchange of 2025-03-02-preview
    instead (``aud`` ``https://communication.azure.com/clients``, scope ``VoIP`` by default).
    """
    from ._entra_command import request_entra_token  # the client, loaded only when asked for

    token, _ = request_entra_token(
        emulator.connection_string,
        tenant_id,
        object_id,
        app_id,
        scopes=scopes,
        expires_in_minutes=expires_in_minutes,
        claims=claims,
        connection_verify=emulator.certificate,
        resource=resource,
    )
    return token
