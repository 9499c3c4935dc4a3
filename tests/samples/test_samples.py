"""The samples in ``samples/`` run as ``python samples/X.py``, as a user would run them."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType
from typing import Optional

import pytest
from acs_identity_emulator.testing import EmulatorProcess, entra_token, running_emulator

from azure.communication.administration._generated import _catalog

pytestmark = pytest.mark.slow  # every sample runs as a process

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
ENV = "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"
USER_ID = r"8:acs:[0-9a-f-]{36}_[0-9a-f-]{36}"
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.")


def run_sample(name: str, conn: Optional[str], **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != ENV}
    if conn is not None:
        env[ENV] = conn
    env.update(extra_env)
    done = subprocess.run(
        [sys.executable, str(SAMPLES / name)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=180,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def assert_no_secret(done: subprocess.CompletedProcess[str], key: str) -> None:
    for output in (done.stdout, done.stderr):
        assert key not in output
        assert "accesskey" not in output.lower()


# ----- the client samples, against the session's local service -----


def test_identity_2020_preview(identity_service: EmulatorProcess) -> None:
    done = run_sample("identity_2020_preview.py", identity_service.connection_string)
    assert done.returncode == 0, done.stderr
    assert_no_secret(done, identity_service.access_key)
    lines = done.stdout.splitlines()
    assert re.fullmatch(USER_ID, lines[0])  # create_user prints user.identifier
    assert len([line for line in lines if line.startswith("CommunicationIdentityToken(")]) == 2
    assert not JWT.search(done.stdout)  # the token's repr hides the token


@pytest.mark.parametrize("name", ["identity_sync.py", "identity_async.py"])
def test_modern_samples(identity_service: EmulatorProcess, name: str) -> None:
    done = run_sample(name, identity_service.connection_string)
    assert done.returncode == 0, done.stderr
    assert_no_secret(done, identity_service.access_key)
    assert re.search(rf"^Created user {USER_ID} with a chat token", done.stdout, re.M)
    assert re.search(rf"^Deleted {USER_ID}$", done.stdout, re.M)
    assert not JWT.search(done.stdout)


def test_samples_mark_their_snippets() -> None:
    for name in (
        "identity_2020_preview.py",
        "identity_sync.py",
        "identity_async.py",
        "teams_phone.py",
        "entra_users.py",
    ):
        text = (SAMPLES / name).read_text(encoding="utf-8")
        starts = re.findall(r"# \[START (\w+)\]", text)
        ends = re.findall(r"# \[END (\w+)\]", text)
        assert starts, name
        assert starts == ends, name


def test_2020_sample_uses_the_preview_surface() -> None:
    text = (SAMPLES / "identity_2020_preview.py").read_text(encoding="utf-8")
    for call in (
        "from azure.communication.administration import CommunicationIdentityClient",
        "CommunicationIdentityClient.from_connection_string(connection_string)",
        "identity_client.create_user()",
        'identity_client.issue_token(user, scopes=["chat"])',
        "identity_client.revoke_tokens(user)",
        "identity_client.delete_user(user)",
        'os.getenv("AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING")',
    ):
        assert call in text
    assert "self.connection_string" not in text  # each snippet runs as the docs show it (tests/docs)


# ----- the demo -----

BEFORE = re.compile(r"token active before revocation: yes$", re.M)
AFTER = re.compile(r"token active after revocation: no \(revoked\)$", re.M)


def _stored_key(store: Path) -> str:
    """The access key the local service generated and keeps in its store."""
    with closing(sqlite3.connect(store)) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'access_key'").fetchone()
    assert row is not None and row[0]
    return str(row[0])


def test_demo_runs_twice_on_its_own_service(tmp_path: Path) -> None:
    demo_dir = tmp_path / "demo-store"
    first = run_sample("demo.py", None, ACS_DEMO_DIR=str(demo_dir))
    assert first.returncode == 0, first.stdout + first.stderr
    store = demo_dir / "identity.db"
    assert store.is_file()
    second = run_sample("demo.py", None, ACS_DEMO_DIR=str(demo_dir))
    assert second.returncode == 0, second.stdout + second.stderr

    key = _stored_key(store)
    for done, state in ((first, "new"), (second, "reused")):
        out = done.stdout
        assert re.search(rf"^Local Identity service: http://127\.0\.0\.1:\d+/ \(store .*, {state}\)$", out, re.M)
        assert re.search(rf"create_user\s+{USER_ID}$", out, re.M)
        assert re.search(r"issue_token\(scopes=\[\"chat\"\]\)\s+expires \S+ \S+ UTC \(in 24 h\)$", out, re.M)
        assert BEFORE.search(out)
        assert re.search(r"revoke_tokens\s+", out)
        assert AFTER.search(out)
        assert re.search(rf"delete_user\s+{USER_ID} deleted$", out, re.M)
        assert out.index("before revocation") < out.index("revoke_tokens") < out.index("after revocation")
        assert "Local Identity service stopped." in out
        assert out.rstrip().endswith("Done.")
        assert re.search(rf"^API version: {re.escape(_catalog.LATEST_GA)}$", out, re.M)
        assert not JWT.search(out + done.stderr)
        assert_no_secret(done, key)


def test_demo_against_a_configured_resource(identity_service: EmulatorProcess, tmp_path: Path) -> None:
    done = run_sample("demo.py", identity_service.connection_string, ACS_DEMO_DIR=str(tmp_path / "unused"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert_no_secret(done, identity_service.access_key)
    assert f"Identity service: {identity_service.endpoint} (from {ENV})" in done.stdout
    assert BEFORE.search(done.stdout)
    assert AFTER.search(done.stdout)
    assert "Local Identity service" not in done.stdout
    assert not (tmp_path / "unused").exists()  # no local service, no store


def test_demo_rejects_a_malformed_connection_string(tmp_path: Path) -> None:
    key = "c2VjcmV0IGtleSB0aGF0IG11c3Qgbm90IGxlYWs="
    done = run_sample("demo.py", f"endpoint=http://127.0.0.1:9/;accesskey={key};bogus=1")
    assert done.returncode == 2
    assert "demo failed" in done.stderr
    assert key not in done.stdout + done.stderr


# ----- the introspection helper, against a service without the endpoint -----


class _NoIntrospection(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.dumps({"error": {"code": "NotFound", "message": "no such route"}}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture()
def real_like_service() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _NoIntrospection)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _introspect_module() -> ModuleType:
    sys.path.insert(0, str(SAMPLES))
    try:
        import _introspect
    finally:
        sys.path.remove(str(SAMPLES))
    return _introspect


def test_introspect_reports_the_local_service_verdict(identity_service: EmulatorProcess) -> None:
    from azure.communication.administration import CommunicationIdentityClient

    module = _introspect_module()
    with CommunicationIdentityClient.from_connection_string(identity_service.connection_string) as client:
        user, token = client.create_user_and_token(["chat"])
        verdict = module.introspect(identity_service.endpoint, identity_service.access_key, token.token)
        assert verdict["active"] is True
        assert verdict["claims"]["skypeid"] == user.raw_id[2:]
        client.delete_user(user)
        verdict = module.introspect(identity_service.endpoint, identity_service.access_key, token.token)
        assert verdict == {**verdict, "active": False, "reason": "identity_deleted"}


def test_introspect_is_none_without_the_endpoint(real_like_service: str) -> None:
    module = _introspect_module()
    assert module.introspect(real_like_service, "c2VjcmV0", "a.b.c") is None


# ----- issue 14: Teams Phone, and the demo against a stale connection string -----

TEAMS_TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"


def _unsigned_entra_token(**claims: object) -> str:
    """Entra-shaped, but signed by no one: the local service refuses it (the sample's own checks pass)."""

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


def test_teams_phone_sample(identity_service: EmulatorProcess) -> None:
    app, obj = str(uuid.uuid4()), str(uuid.uuid4())
    token = entra_token(identity_service, TEAMS_TENANT, obj, app)  # from the service's Entra issuer
    done = run_sample("teams_phone.py", identity_service.connection_string, TEAMS_PHONE_ENTRA_TOKEN=token)
    assert done.returncode == 0, done.stderr
    assert_no_secret(done, identity_service.access_key)
    assert done.stdout.splitlines() == [
        f"Assigned {obj} in tenant {TEAMS_TENANT} to ['{app}']",
        f"Assignment: user may be exchanged by ['{app}']",
        *[line for line in done.stdout.splitlines() if line.startswith("Teams Phone user ")],
        f"Removed the assignment of {obj}",
    ]
    assert re.search(
        rf"^Teams Phone user 8:acs:[0-9a-f-]{{36}}_{TEAMS_TENANT}_{obj} has a token expiring ", done.stdout, re.M
    )
    assert token not in done.stdout


def test_entra_users_sample(identity_service: EmulatorProcess) -> None:
    app, obj = str(uuid.uuid4()), str(uuid.uuid4())
    token = entra_token(identity_service, TEAMS_TENANT, obj, app, resource="clients")
    done = run_sample("entra_users.py", identity_service.connection_string, ENTRA_USER_TOKEN=token)
    assert done.returncode == 0, done.stderr
    assert_no_secret(done, identity_service.access_key)
    lines = done.stdout.splitlines()
    assert lines[:2] == [
        f"Assigned {obj} in tenant {TEAMS_TENANT} to ['{app}']",
        "The user's assignment is listed: True",
    ]
    assert re.fullmatch(rf"Entra user 8:acs:[0-9a-f-]{{36}}_{TEAMS_TENANT}_{obj} has a token expiring \S+", lines[2])
    assert lines[3:] == [f"Removed the assignment of {obj}"]
    assert token not in done.stdout


def test_entra_users_sample_refused_exchange_is_one_line(identity_service: EmulatorProcess) -> None:
    token = entra_token(identity_service, TEAMS_TENANT, str(uuid.uuid4()), str(uuid.uuid4()))  # a Teams token
    done = run_sample("entra_users.py", identity_service.connection_string, ENTRA_USER_TOKEN=token)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "entra_users.py: the service refused the call: InvalidAccessToken: Provided access token is not valid."
        " (HTTP 401)"
    )


def test_teams_phone_sample_without_a_token_says_what_to_set(identity_service: EmulatorProcess) -> None:
    done = run_sample("teams_phone.py", identity_service.connection_string)
    assert done.returncode == 2
    assert done.stderr.strip() == "Set TEAMS_PHONE_ENTRA_TOKEN to a Teams Phone user's Entra ID access token."


def test_demo_with_a_stale_connection_string_says_which_endpoint_and_why(tmp_path: Path) -> None:
    with running_emulator() as stopped:
        conn, endpoint, key = stopped.connection_string, stopped.endpoint, stopped.access_key
    done = run_sample("demo.py", conn, ACS_DEMO_DIR=str(tmp_path / "unused"))
    assert done.returncode == 1
    assert_no_secret(done, key)
    assert f"Identity service: {endpoint} (from {ENV})" in done.stdout
    assert f"API version: {_catalog.LATEST_GA}" in done.stdout
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"demo failed against {endpoint} (from {ENV}): cannot reach the service (")
    assert f"'unset {ENV}' and the demo starts its own local service" in line


def test_demo_with_another_services_key_says_the_key_is_refused(identity_service: EmulatorProcess) -> None:
    wrong = base64.b64encode(b"not the key of this local service").decode()
    done = run_sample("demo.py", f"endpoint={identity_service.endpoint};accesskey={wrong}")
    assert done.returncode == 1
    assert_no_secret(done, wrong)
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"demo failed against {identity_service.endpoint} (from {ENV}): the service refused")
    assert "the key is not this service's" in line


# ----- issue 18: a --tls local service, trusted through SSL_CERT_FILE -----

NO_OTHER_CA = {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""}  # empty: unset, so SSL_CERT_FILE is the one read


def test_demo_against_an_untrusted_tls_service_says_how_to_trust_it(tmp_path: Path) -> None:
    with running_emulator(tls=True) as service:
        done = run_sample("demo.py", service.connection_string, ACS_DEMO_DIR=str(tmp_path / "unused"), **NO_OTHER_CA)
    assert done.returncode == 1
    assert_no_secret(done, service.access_key)
    (line,) = done.stderr.splitlines()
    assert line == (
        f"demo failed against {service.endpoint} (from {ENV}): the service was reached, but its TLS certificate "
        "is not trusted. If it is an 'acs-identity serve --tls', trust the file it printed after the connection "
        "string: export SSL_CERT_FILE=<the certificate=<path> it printed> and run the demo again."
    )


@pytest.mark.parametrize("name", ["demo.py", "identity_2020_preview.py", "identity_sync.py", "identity_async.py"])
def test_samples_run_against_a_tls_service_trusted_with_ssl_cert_file(name: str, tmp_path: Path) -> None:
    with running_emulator(tls=True) as service:
        assert service.certificate
        done = run_sample(
            name,
            service.connection_string,
            SSL_CERT_FILE=str(service.certificate),
            ACS_DEMO_DIR=str(tmp_path / "unused"),
            **NO_OTHER_CA,
        )
    assert done.returncode == 0, done.stderr
    assert_no_secret(done, service.access_key)
    assert re.search(USER_ID, done.stdout)


# ----- issue 18: samples/teams_phone.py with a token that is not one -----


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("garbage", "it has 1 dot-separated part(s), a JWT has 3 (header.payload.signature)"),
        ("a.b", "it has 2 dot-separated part(s), a JWT has 3 (header.payload.signature)"),
        ("a.!!!.c", "its payload (the second part) is not base64url-encoded JSON"),
        (f"a.{_b64(b'not json')}.c", "its payload (the second part) is not base64url-encoded JSON"),
        (f"a.{_b64(b'[1, 2]')}.c", "its payload is not a JSON object of claims"),
        (f"a.{_b64(json.dumps({'tid': TEAMS_TENANT}).encode())}.c", "it has no oid, appid claim"),
    ],
    ids=["one-part", "two-parts", "not-base64", "not-json", "not-an-object", "claims-missing"],
)
def test_teams_phone_sample_with_a_garbage_token_says_so_in_one_line(
    identity_service: EmulatorProcess, token: str, why: str
) -> None:
    done = run_sample("teams_phone.py", identity_service.connection_string, TEAMS_PHONE_ENTRA_TOKEN=token)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"TEAMS_PHONE_ENTRA_TOKEN is not an Entra ID access token: {why}")
    assert token not in line


def test_teams_phone_sample_with_claims_that_are_not_entra_ids_says_so_in_one_line(
    identity_service: EmulatorProcess,
) -> None:
    token = _unsigned_entra_token(appid=str(uuid.uuid4()), oid="someone", tid=TEAMS_TENANT, exp=int(time.time()) + 3600)
    done = run_sample("teams_phone.py", identity_service.connection_string, TEAMS_PHONE_ENTRA_TOKEN=token)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line == (
        "teams_phone.py: object_id must be an Entra id, a GUID such as 00000000-0000-0000-0000-000000000000; "
        "got 'someone'."
    )


def test_teams_phone_sample_with_a_token_the_service_refuses_says_so_in_one_line(
    identity_service: EmulatorProcess,
) -> None:
    app, obj = str(uuid.uuid4()), str(uuid.uuid4())
    expired = entra_token(identity_service, TEAMS_TENANT, obj, app, claims={"exp": int(time.time()) - 3600})
    unsigned = _unsigned_entra_token(appid=app, oid=obj, tid=TEAMS_TENANT, exp=int(time.time()) + 3600)
    for refused in (expired, unsigned):
        done = run_sample("teams_phone.py", identity_service.connection_string, TEAMS_PHONE_ENTRA_TOKEN=refused)
        assert done.returncode == 1
        (line,) = done.stderr.splitlines()
        assert line == (
            "teams_phone.py: the service refused the call: InvalidAccessToken: Provided access token is not valid. "
            "(HTTP 401)"
        )
        assert refused not in done.stdout + done.stderr
