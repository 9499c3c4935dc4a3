"""A body that is not what its Content-Encoding says: one 400, at most one log line (issue 18, item 3).

Before, each such request (unauthenticated) was logged at ERROR with three chained
tracebacks, about 39 lines: a log flood anyone could start. The service's own log is
captured here at DEBUG, the most it ever says.
"""

from __future__ import annotations

import gzip
import http.client
import json
import logging
import zlib
from pathlib import Path

import pytest
from emu_helpers import RawClient, serving_in_process
from emu_processes import run_emulator

GZIP_THEN_GARBAGE = gzip.compress(b'{"createTokenWithScopes":["chat"]}')[:10] + b"\xff" * 40
BODIES = {
    "gzip": [b"not gzip at all", GZIP_THEN_GARBAGE],
    "GZIP": [b"plain text"],
    "deflate": [b"not deflate", b"\xff\xfe\xfd"],
}


def _message(coding: str) -> bytes:
    return (
        b'{"error":{"code":"BadRequest","message":"The request body cannot be decoded as its Content-Encoding '
        + f"'{coding}'".encode()
        + b' says."}}'
    )


def _send(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/identities?api-version=2023-10-01", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_an_undecodable_body_is_one_400_and_at_most_one_quiet_log_line(tmp_path: Path) -> None:
    sent = 0
    signatures: list[str] = []
    with run_emulator(tmp_path / "stderr", "--port", "0", "--db", ":memory:", "--log-level", "DEBUG") as run:
        assert run.emulator is not None
        client = RawClient(run.emulator)
        for coding, bodies in BODIES.items():
            for body in bodies:
                for signed in (False, True):
                    headers = {"Content-Type": "application/json", "Content-Encoding": coding}
                    if signed:  # a signed request gets no further: the body is read before anything else
                        headers.update(client.sign_headers("POST", "/identities?api-version=2023-10-01", body))
                        signatures.append(headers["Authorization"].partition("Signature=")[2])
                    status, reply_headers, reply = _send(run.emulator.port, body, headers)
                    sent += 1
                    assert status == 400
                    assert reply == _message(coding.lower())
                    assert reply_headers["content-type"] == "application/json"
                    assert reply_headers["connection"] == "close"
        # The service still serves, and a correct body is unaffected.
        assert client.request("POST", "/identities", {}).status == 201
        run.emulator.stop()
    log = run.stderr
    lines = log.splitlines()
    assert "Traceback" not in log and "ERROR" not in log and "WARNING" not in log
    rejected = [line for line in lines if "rejected a request body that is not valid" in line]
    assert len(rejected) == sent
    assert len(lines) <= sent + 2  # plus, at most, aiohttp's own start-up lines at DEBUG
    assert all(" INFO " in line for line in rejected)
    assert {line.split(" not valid ")[1].split(" from ")[0] for line in rejected} == {
        "gzip",
        "deflate",
    }
    assert run.emulator.access_key not in log
    assert signatures and not any(signature in log for signature in signatures)


def test_a_correct_gzip_body_still_reaches_the_signature_check(client: RawClient) -> None:
    """Decoding works as before: a valid gzip body is decoded, then judged like any other (here: unsigned, 401)."""
    port = client.port
    status, _, reply = _send(
        port,
        gzip.compress(json.dumps({}).encode()),
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert status == 401
    assert json.loads(reply)["error"]["code"] == "Denied"
    status, _, _ = _send(port, zlib.compress(b"{}"), {"Content-Encoding": "deflate"})
    assert status == 401


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_undecodable_body_on_the_in_process_app_is_the_same_400(coding: str, caplog: pytest.LogCaptureFixture) -> None:
    """The in-process app (``create_app`` under aiohttp's runner) answers the same, without a traceback."""
    caplog.set_level(logging.DEBUG)
    with serving_in_process() as served:
        status, headers, reply = _send(served.port, b"garbage!", {"Content-Encoding": coding})
    assert (status, reply) == (400, _message(coding))
    assert headers["content-type"] == "application/json"
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.WARNING]
    assert [r.getMessage() for r in caplog.records if "not valid" in r.getMessage()] == [
        f"rejected a request body that is not valid {coding} from 127.0.0.1: 400"
    ]
