"""The local service under attack and misuse (issue 13).

Exact revocation at any speed, no 500 for bad input, no secret in a log or an
error answer, owner-only files, a name-constrained CA, the access key off the
command line, bounded header/idle time, one process per store, GMT-only dates.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import selectors
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from acs_identity_emulator.testing import EmulatorProcess, running_emulator
from cryptography import x509
from emu_helpers import GA, RawClient, Reply, b64url, enc, jwt_parts

APP = "11111111-2222-3333-4444-555555555555"
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"
PHONE = "2025-06-30"
_READY = re.compile(r"^endpoint=(https?://[^/;]+:(\d+)/);accesskey=(\S+)$")
_EMULATOR_DIR = str(Path(__file__).resolve().parents[2] / "emulator")


# -- helpers --------------------------------------------------------------------
@contextmanager
def logged_emulator(
    stderr_path: Path, *args: str, umask: int = -1, key: str | None = None
) -> Iterator[EmulatorProcess | subprocess.Popen[str]]:
    """An emulator whose stderr goes to a file; yields the Popen itself when it exits before it is ready."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), _EMULATOR_DIR) if p)
    env["PYTHONUNBUFFERED"] = "1"
    if key is not None:
        env["ACS_IDENTITY_EMULATOR_ACCESS_KEY"] = key
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "acs_identity_emulator", "--host", "127.0.0.1", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            umask=umask,
        )
    assert process.stdout is not None
    match = None
    for line in process.stdout:  # blocks until the line, or EOF when it exits
        match = _READY.match(line.strip())
        if match:
            break
    if match is None:
        process.wait(30)
        yield process
        return
    emu = EmulatorProcess(process=process, endpoint=match.group(1), access_key=match.group(3), port=int(match.group(2)))
    try:
        yield emu
    finally:
        emu.stop()


def raw_exchange(port: int, data: bytes, *, half_close: bool = False) -> bytes:
    """Send raw bytes; return everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk


def split_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def revoke(client: RawClient, identity: str) -> Reply:
    return client.request("POST", f"/identities/{enc(identity)}/:revokeAccessTokens")


def phone_exchange(client: RawClient, bearer: str) -> Reply:
    return client.request(
        "POST",
        "/access/teamsExtension/:exchangeAccessToken",
        {},
        api_version=PHONE,
        sign=False,
        headers={"Authorization": f"Bearer {bearer}"},
    )


def assign(client: RawClient, obj: str) -> None:
    path = f"/access/teamsExtension/tenants/{TENANT}/assignments/{obj}"
    assert client.request("PUT", path, {"principalType": "user"}, api_version=PHONE).status == 201


def entra(client: RawClient, obj: str, exp: Any = None) -> str:
    return client.entra_token(appid=APP, oid=obj, tid=TENANT, exp=int(time.time()) + 3600 if exp is None else exp)


# -- revocation: exact at any speed --------------------------------------------------
@pytest.mark.slow  # waits for the clock's next second, twice
def test_revoke_issue_revoke_within_one_second_revokes_the_token(client: RawClient) -> None:
    """The rule: revoked iff issued before the latest revocation, however fast the calls come."""
    identity = client.create()
    for _ in range(3):  # tight loop: every step follows the previous one at once
        assert revoke(client, identity).status == 204
        token = client.issue(identity).json()["token"]
        assert client.introspect(token)["active"] is True  # issued after the revocation
        assert revoke(client, identity).status == 204
        assert client.introspect(token)["reason"] == "revoked"  # issued before this one
        claims = jwt_parts(token)[1]
        assert claims["iat"] <= time.time()  # never in the future, never rounded up
        assert claims["csi"] == str(claims["iat"])


@pytest.mark.slow  # waits for the clock's next second
def test_teams_phone_revoke_exchange_delete_exchange_does_not_revive(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    assign(client, obj)
    bearer = entra(client, obj)
    first = phone_exchange(client, bearer)
    assert first.status == 200
    identity = first.json()["identity"]["id"]
    for _ in range(2):
        assert revoke(client, identity).status == 204
        before_delete = phone_exchange(client, bearer).json()["accessToken"]["token"]
        assert client.introspect(before_delete)["active"] is True
        assert client.request("DELETE", f"/identities/{enc(identity)}").status == 204
        after = phone_exchange(client, bearer)
        assert after.status == 200
        fresh = after.json()["accessToken"]["token"]
        assert client.introspect(before_delete)["reason"] == "revoked"  # the delete killed it for good
        assert client.introspect(fresh)["active"] is True
        assert fresh != before_delete


# -- Entra exp --------------------------------------------------------------------
BAD_EXPS = [math.nan, math.inf, 1e300, 10**20]
INVALID_TOKEN = {"error": {"code": "InvalidAccessToken", "message": "Provided access token is not valid."}}


@pytest.mark.parametrize("exp", BAD_EXPS, ids=["nan", "inf", "1e300", "10**20"])
def test_teams_user_exchange_rejects_unusable_exp(client: RawClient, exp: Any) -> None:
    user = str(uuid.uuid4())
    body = {"token": entra(client, user, exp), "appId": APP, "userId": user}
    reply = client.request("POST", "/teamsUser/:exchangeAccessToken", body)
    assert reply.status == 401
    assert reply.json() == INVALID_TOKEN


@pytest.mark.parametrize("exp", BAD_EXPS, ids=["nan", "inf", "1e300", "10**20"])
def test_teams_phone_exchange_with_unusable_exp_changes_nothing(client: RawClient, exp: Any) -> None:
    obj = str(uuid.uuid4())
    assign(client, obj)
    identity = phone_exchange(client, entra(client, obj)).json()["identity"]["id"]
    assert client.request("DELETE", f"/identities/{enc(identity)}").status == 204
    reply = phone_exchange(client, entra(client, obj, exp))
    assert reply.status == 401
    assert reply.json() == INVALID_TOKEN
    # the deleted identity did not come back
    assert client.issue(identity).json()["error"]["code"] == "IdentityNotFound"


# -- no 500 for bad input -------------------------------------------------------------
def _signed_raw(client: RawClient, path: str, body: bytes, **replace: bytes) -> bytes:
    headers = {k.lower(): v.encode() for k, v in client.sign_headers("POST", path, body).items()}
    headers["host"] = client.host.encode()
    headers["content-length"] = str(len(body)).encode()
    headers.update(replace)
    lines = b"".join(k.encode() + b": " + v + b"\r\n" for k, v in headers.items())
    return b"POST " + path.encode() + b" HTTP/1.1\r\n" + lines + b"Connection: close\r\n\r\n" + body


@pytest.mark.parametrize("header", ["host", "x-ms-content-sha256", "x-ms-date"])
def test_non_ascii_header_byte_is_denied(client: RawClient, header: str) -> None:
    path = f"/identities?api-version={GA}"
    sent = _signed_raw(client, path, b"{}")
    original = re.search(rb"\r\n" + header.encode() + rb": ([^\r]*)\r\n", sent)
    assert original is not None
    data = _signed_raw(client, path, b"{}", **{header: original.group(1) + b"\xff"})
    status, headers, body = split_response(raw_exchange(client.port, data))
    assert status == 401
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "Denied"


def test_deeply_nested_json_body_is_400(client: RawClient) -> None:
    signed = client.request("POST", "/identities", raw=b"[" * 30000)
    assert signed.status == 400
    assert signed.json() == {"error": {"code": "BadRequest", "message": "The request body is not valid JSON."}}
    # reachable without the key: Teams Phone exchange with an unsigned (Entra) bearer
    obj = str(uuid.uuid4())
    unsigned = client.request(
        "POST",
        "/access/teamsExtension/:exchangeAccessToken",
        raw=b"[" * 30000,
        api_version=PHONE,
        sign=False,
        headers={"Authorization": f"Bearer {entra(client, obj)}"},
    )
    assert unsigned.status == 400
    assert unsigned.json()["error"]["code"] == "BadRequest"


def test_deeply_nested_jwt_header_is_not_a_500(client: RawClient) -> None:
    nested = b64url(b"[" * 5000)
    claims = b64url(json.dumps({"appid": APP, "oid": APP, "tid": TENANT, "exp": time.time() + 60}).encode())
    token = f"{nested}.{claims}.{b64url(b'sig')}"
    assert phone_exchange(client, token).json() == INVALID_TOKEN
    reply = client.request("POST", "/emulator/introspect", {"token": token}, api_version=None)
    assert reply.status == 200
    assert reply.json() == {"active": False, "reason": "invalid_signature", "claims": {}}


def test_newline_in_path_answers_in_the_service_shape(client: RawClient) -> None:
    request = b"GET /%0A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    status, headers, body = split_response(raw_exchange(client.port, request))
    assert status == 404
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"error": {"code": "NotFound", "message": "The requested resource '/\n' was not found."}}


@pytest.mark.slow  # a local service of its own
def test_malformed_requests_leak_no_secret_and_vanished_clients_log_no_error(tmp_path: Path) -> None:
    log = tmp_path / "stderr.txt"
    with logged_emulator(log, "--db", ":memory:", "--log-level", "INFO") as emu:
        assert isinstance(emu, EmulatorProcess)
        bad_requests = [
            # a control character in a header that carries a signature
            b"POST /identities HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
            b"&Signature=SECRETSIG\x01\r\n\r\n",
            # conflicting framing in front of a body holding a token
            b"POST /emulator/introspect HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\nTransfer-Encoding: chunked\r\n\r\n"
            b'{"token": "eyJSECRETTOKEN"}',
            # a header line too long, made of a token
            b"POST /identities HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer eyJSECRETTOKEN" + b"A" * 9000 + b"\r\n\r\n",
        ]
        for data in bad_requests:
            answer = raw_exchange(emu.port, data)
            status, headers, body = split_response(answer)
            assert status in (400, 431), answer[:200]
            assert headers["content-type"] == "application/json"
            assert set(json.loads(body)["error"]) == {"code", "message"}
            assert b"SECRET" not in answer
        # a client that vanishes in the middle of its body
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", emu.port)) as sock:
                sock.sendall(
                    b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
                )
        # the server is still fine, and has seen everything above
        assert RawClient(emu).request("POST", "/identities", {}).status == 201
    text = log.read_text()
    assert "SECRET" not in text
    assert "Traceback" not in text
    assert " ERROR " not in text
    assert "rejected a malformed HTTP request" in text  # one line each, at INFO


# -- no secrets on disk or on the command line ---------------------------------------
@pytest.mark.slow  # a local service of its own per umask
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_store_and_key_files_are_owner_only(tmp_path: Path, umask: int) -> None:
    db = tmp_path / "identity.db"
    with logged_emulator(tmp_path / "stderr.txt", "--db", str(db), "--tls", umask=umask) as emu:
        assert isinstance(emu, EmulatorProcess)
        emu.certificate = str(db) + "-ca.pem"
        RawClient(emu).create()  # a write: the -wal and -shm files exist now
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        for path in files:
            assert path.exists(), path
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path, oct(path.stat().st_mode))
        # The CA certificate is public (its key is in the store): readable by the clients of other users.
        ca = Path(f"{db}-ca.pem")
        assert stat.S_IMODE(ca.stat().st_mode) == 0o644, oct(ca.stat().st_mode)
        assert b"PRIVATE KEY" not in ca.read_bytes()
        # the process lock is on the database file itself: no other file
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(p.name for p in files), ca.name, "stderr.txt"])


@pytest.mark.slow  # a local service of its own
def test_existing_store_readable_by_others_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "identity.db"
    db.touch()
    db.chmod(0o644)
    with logged_emulator(tmp_path / "stderr.txt", "--db", str(db)) as emu:
        assert isinstance(emu, EmulatorProcess)
        assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.slow  # starts the session's HTTPS service
def test_local_ca_is_name_constrained(tls_service: EmulatorProcess) -> None:
    assert tls_service.certificate is not None
    ca = x509.load_pem_x509_certificate(Path(tls_service.certificate).read_bytes())
    RawClient(tls_service).create()  # and the chain still verifies
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert {str(n.value) for n in constraints.value.permitted_subtrees or []} == {
        "localhost",
        "127.0.0.1/32",
        "::1/128",
    }
    assert constraints.value.excluded_subtrees is None


@pytest.mark.slow  # a local service of its own
@pytest.mark.skipif(not os.path.exists("/proc/self/cmdline"), reason="needs /proc")
def test_running_emulator_keeps_the_key_off_the_command_line() -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    with running_emulator(access_key=key) as emu:
        cmdline = Path(f"/proc/{emu.pid}/cmdline").read_bytes()
        assert key.encode() not in cmdline
        assert b"--access-key\x00" not in cmdline
        assert key.encode() not in Path(f"/proc/{emu.pid}/environ").read_bytes()
        assert emu.access_key == key
        assert RawClient(emu).request("POST", "/identities", {}).status == 201  # the key is in force


# -- robustness -----------------------------------------------------------------------
@pytest.mark.slow  # a local service of its own, flooded
def test_partial_header_flood_is_shed_and_legit_clients_are_served(tmp_path: Path) -> None:
    flood = 1500
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < flood + 200:
        if hard != resource.RLIM_INFINITY and hard < flood + 200:
            pytest.skip("too few file descriptors for the flood")
        resource.setrlimit(resource.RLIMIT_NOFILE, (flood + 200, hard))
    with logged_emulator(tmp_path / "stderr.txt", "--db", ":memory:", "--idle-timeout", "1") as emu:
        assert isinstance(emu, EmulatorProcess)
        client = RawClient(emu)
        socks = []
        try:
            for _ in range(flood):  # each one a request head that never ends
                sock = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
                sock.sendall(b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nHost: x\r\nx-ms-date: ")
                socks.append(sock)
            started = time.monotonic()
            for _ in range(5):
                assert client.request("POST", "/identities", {}).status == 201
            # every half-sent connection is closed by the server within the limit (plus slack)
            deadline = time.monotonic() + 8
            open_socks = set(socks)
            with selectors.DefaultSelector() as selector:  # epoll: no FD_SETSIZE limit
                for sock in socks:
                    selector.register(sock, selectors.EVENT_READ)
                while open_socks and time.monotonic() < deadline:
                    for key, _ in selector.select(0.5):
                        sock = key.fileobj
                        assert isinstance(sock, socket.socket)
                        try:
                            closed = sock.recv(4096) == b""
                        except ConnectionError:
                            closed = True
                        if closed:
                            open_socks.discard(sock)
                            selector.unregister(sock)
            assert not open_socks, f"{len(open_socks)} of {flood} partial connections still open"
            assert time.monotonic() - started < 8
        finally:
            for sock in socks:
                sock.close()
        # an idle keep-alive connection is closed too
        with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as idle:
            idle.sendall(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n")
            received = b""
            while True:
                chunk = idle.recv(65536)
                if not chunk:
                    break  # closed by the server after ~1 s of idleness
                received += chunk
            assert received.startswith(b"HTTP/1.1 200")
        # a body that stops coming gets a 408 in the service's shape
        slow_body = b"POST /identities?api-version=2023-10-01 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"
        status, headers, body = split_response(raw_exchange(emu.port, slow_body))
        assert status == 408
        assert headers["content-type"] == "application/json"
        assert json.loads(body) == {
            "error": {"code": "RequestTimeout", "message": "The request body did not arrive within 1 seconds."}
        }


@pytest.mark.slow  # local services of their own
def test_second_process_on_one_store_refuses_to_start(tmp_path: Path) -> None:
    db = tmp_path / "identity.db"
    with logged_emulator(tmp_path / "first.txt", "--db", str(db)) as first:
        assert isinstance(first, EmulatorProcess)
        with logged_emulator(tmp_path / "second.txt", "--db", str(db)) as second:
            assert isinstance(second, subprocess.Popen), "a second emulator served the same store"
            assert second.returncode == 1
        message = (tmp_path / "second.txt").read_text()
        assert str(db) in message
        assert f"pid {first.pid}" in message
        assert "Traceback" not in message
        RawClient(first).create()
    # once the first is gone, the store is free again
    with logged_emulator(tmp_path / "third.txt", "--db", str(db)) as third:
        assert isinstance(third, EmulatorProcess)


@pytest.mark.parametrize("zone", ["", " -0000", " +0000", " UTC"])
def test_x_ms_date_must_be_gmt(client: RawClient, zone: str) -> None:
    local = time.strftime("%a, %d %b %Y %H:%M:%S", time.localtime()) if zone == "" else None
    date = local or time.strftime("%a, %d %b %Y %H:%M:%S", time.gmtime()) + zone
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"", date=date)
    reply = client.request("POST", "/identities", None, headers=headers, sign=False)
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "Denied"
    # the same request with a GMT date is fine
    gmt = client.sign_headers("POST", path, b"", date=formatdate(time.time(), usegmt=True))
    assert client.request("POST", "/identities", None, headers=gmt, sign=False).status == 201
