"""The signing helper processes of the local service (``_tokens._SigningHelper``) through their
lifecycle: a helper dying idle, with a request in flight, or under a burst; Ctrl-C; a stuck helper
at close; and the service exiting without closing them. Nothing here waits on a clock: the
bounds (``wait_for``) only turn a hang into a failure."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from typing import Any

import pytest
from acs_identity_emulator._tokens import (
    _PADDING,
    _SHA256,
    TokenSigner,
    _signing_helper_main,
    _SigningHelper,
    generate_key_material,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIMS = {"skypeid": "acs:x", "exp": 2_000_000_000, "iat": 1_700_000_000}
BOUND = 30.0  # seconds: generous for a loaded machine; reached only when something hangs


@pytest.fixture(scope="module")
def material() -> tuple[bytes, bytes]:
    return generate_key_material()


@pytest.fixture
def processes() -> Iterator[list[BaseProcess]]:
    """Helper processes a test made; any still running afterwards (a mutant's leftovers) are killed."""
    made: list[BaseProcess] = []
    yield made
    for process in made:
        if process.exitcode is None:
            process.kill()
            process.join()


async def _started(signer: TokenSigner, count: int, processes: list[BaseProcess]) -> list[_SigningHelper]:
    await signer.start_helpers(count)
    processes.extend(h._process for h in signer._helpers)
    return list(signer._helpers)


async def _until_noticed_dead(helper: _SigningHelper) -> None:
    # Yields to the event loop (no clock) until the helper's pipe reader has seen the death.
    while helper.alive:
        await asyncio.sleep(0)


class _ScriptedPipe:
    """The helper's end of the pipe: hands out ``incoming`` in turn (raising an exception
    instance), records what the helper sends back."""

    def __init__(self, *incoming: bytes | BaseException) -> None:
        self.incoming = list(incoming)
        self.sent: list[bytes] = []

    def recv_bytes(self) -> bytes:
        item = self.incoming.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)


@pytest.mark.parametrize(
    "end",
    [EOFError(), BrokenPipeError(), ConnectionResetError(), KeyboardInterrupt()],
    ids=["pipe closed", "broken pipe", "reset", "ctrl-c"],
)
def test_the_helper_body_signs_batches_and_ends_quietly(material: tuple[bytes, bytes], end: BaseException) -> None:
    # The server closing the pipe (even by dying), a broken or reset pipe, and Ctrl-C (sent to the
    # whole process group) end the helper without a traceback.
    pipe = _ScriptedPipe(b"a.b\nc.d", end)
    assert _signing_helper_main(pipe, material[0]) is None  # type: ignore[arg-type]
    key = serialization.load_pem_private_key(material[0], password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert pipe.sent == [key.sign(b"a.b", _PADDING, _SHA256) + key.sign(b"c.d", _PADDING, _SHA256)]


def test_close_stops_every_helper_cleanly(material: tuple[bytes, bytes], processes: list[BaseProcess]) -> None:
    signer = TokenSigner(*material)

    async def run() -> None:
        await _started(signer, 2, processes)
        signer.close()

    asyncio.run(run())
    assert signer._helpers == []
    # exit status 0: each ended on its own when its pipe closed (not killed, no traceback)
    assert [p.exitcode for p in processes] == [0, 0]


def test_ctrl_c_ends_a_helper_quietly(material: tuple[bytes, bytes], processes: list[BaseProcess]) -> None:
    # A process started in the background by a shell without job control has SIGINT ignored, and
    # a spawned helper inherits that (Python then installs no KeyboardInterrupt handler): give this
    # process Python's own handler first, as a terminal's Ctrl-C would find it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    signer = TokenSigner(*material)

    async def run() -> str:
        (helper,) = await _started(signer, 1, processes)
        os.kill(helper._process.pid, signal.SIGINT)  # type: ignore[arg-type]
        await asyncio.wait_for(_until_noticed_dead(helper), BOUND)
        token = await signer.sign_async(CLAIMS)  # signed in process now
        signer.close()
        return token

    try:
        assert asyncio.run(run()) == signer.sign(CLAIMS)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert processes[0].exitcode == 0


def test_a_helper_dying_idle_is_noticed_and_passed_over(
    material: tuple[bytes, bytes], processes: list[BaseProcess]
) -> None:
    signer = TokenSigner(*material)

    async def run() -> str:
        dying, other = await _started(signer, 2, processes)
        dying._process.kill()
        dying._process.join()
        await asyncio.wait_for(_until_noticed_dead(dying), BOUND)
        assert other.alive
        tokens = await asyncio.wait_for(asyncio.gather(*(signer.sign_async(CLAIMS) for _ in range(3))), BOUND)
        assert dying.backlog == 0 and other.backlog == 0
        signer.close()
        return tokens[0]

    assert asyncio.run(run()) == signer.sign(CLAIMS)


def test_a_request_in_flight_when_its_helper_dies_fails(
    material: tuple[bytes, bytes], processes: list[BaseProcess], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="asyncio")
    signer = TokenSigner(*material)

    async def run() -> None:
        (helper,) = await _started(signer, 1, processes)
        pid = helper._process.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # it will not read the request
        future = helper.sign(b"x")
        await asyncio.sleep(0)  # one loop turn: the batch is sent (call_soon order)
        assert len(helper._in_flight) == 1
        helper._process.kill()
        helper._process.join()
        # the unread request makes the pipe reset, not merely close; either way it fails, not hangs
        with pytest.raises(RuntimeError, match=r"^the signing process is gone$"):
            await asyncio.wait_for(future, BOUND)
        assert helper.alive is False
        signer.close()

    asyncio.run(run())
    # and quietly: no "Exception in callback" traceback from the pipe reader in the server's log
    assert [r.getMessage() for r in caplog.records] == []


def test_a_token_whose_helper_dies_in_flight_is_signed_in_process(
    material: tuple[bytes, bytes], processes: list[BaseProcess]
) -> None:
    # The service's side of the death above: the request still gets its token (not a 500).
    signer = TokenSigner(*material)

    async def run() -> str:
        (helper,) = await _started(signer, 1, processes)
        pid = helper._process.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # it will not answer
        token = asyncio.ensure_future(signer.sign_async(CLAIMS))
        while not helper._in_flight:  # the batch is on its way to the stopped helper
            await asyncio.sleep(0)
        helper._process.kill()
        helper._process.join()
        signed = await asyncio.wait_for(token, BOUND)
        assert helper.alive is False
        signer.close()
        return signed

    assert asyncio.run(run()) == signer.sign(CLAIMS)


@pytest.mark.parametrize("noticed", [False, True], ids=["just died", "known dead"])
def test_a_burst_to_a_dead_helper_fails_every_request(
    material: tuple[bytes, bytes], processes: list[BaseProcess], noticed: bool
) -> None:
    # Three batches: the first meets the broken pipe (or the known death), the rest the known death.
    signer = TokenSigner(*material)
    count = 2 * _SigningHelper.MAX_BATCH + 1

    async def run() -> list[Any]:
        (helper,) = await _started(signer, 1, processes)
        helper._process.kill()
        helper._process.join()
        if noticed:
            await asyncio.wait_for(_until_noticed_dead(helper), BOUND)
        futures = [helper.sign(b"x") for _ in range(count)]
        results = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), BOUND)
        signer.close()
        return results

    results = asyncio.run(run())
    assert [str(r) for r in results] == ["the signing process is gone"] * count
    assert all(isinstance(r, RuntimeError) for r in results)


def test_close_kills_a_stuck_helper(material: tuple[bytes, bytes], processes: list[BaseProcess]) -> None:
    signer = TokenSigner(*material)

    async def run() -> None:
        (helper,) = await _started(signer, 1, processes)
        helper.CLOSE_GRACE = 0.1  # a stopped helper never exits on its own: do not wait 5 s for it
        os.kill(helper._process.pid, signal.SIGSTOP)  # type: ignore[arg-type]
        signer.close()

    asyncio.run(run())
    assert processes[0].exitcode == -signal.SIGKILL


def test_the_service_exits_without_closing_its_helpers(tmp_path: Any) -> None:
    # A server that ends without close() (an unhandled error, a fast shutdown path) must still
    # exit, and take its helpers with it: they are daemon processes.
    script = textwrap.dedent(
        """
        import asyncio
        import signal
        signal.alarm(30)  # a hang at exit must not outlive the test (it also ends the helper's pipe)
        from acs_identity_emulator._tokens import TokenSigner, generate_key_material

        signer = TokenSigner(*generate_key_material())
        asyncio.run(signer.start_helpers(1))
        print(signer._helpers[0]._process.pid, flush=True)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=90, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    with pytest.raises(ProcessLookupError):
        os.kill(int(done.stdout), 0)
