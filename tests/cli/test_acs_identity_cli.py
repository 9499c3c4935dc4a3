"""``acs-identity`` end to end: each command run as a subprocess against the local service.

Every run checks that stdout/stderr never hold the access key nor a traceback;
successful runs print exactly one JSON object, failures one ``acs-identity: error:`` line.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

import pytest
from acs_identity_emulator.testing import EmulatorProcess

from azure.communication.administration._generated import _catalog

pytestmark = pytest.mark.slow  # every test runs the acs-identity command line as a process

ENV = "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"
USER_ID = re.compile(r"^8:acs:[0-9a-f-]{36}_[0-9a-f-]{36}$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
REPO = Path(__file__).resolve().parents[2]
UNKNOWN_ID = "8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000001"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        assert self.code == 0, self.stderr
        assert self.stderr == ""
        lines = self.stdout.splitlines()
        assert len(lines) == 1, self.stdout
        result = json.loads(lines[0])
        assert isinstance(result, dict)
        return result

    def error(self, code: int) -> str:
        assert self.code == code, (self.code, self.stdout, self.stderr)
        assert self.stdout == ""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("acs-identity: error: ")
        return lines[0]


def _env(conn: Optional[str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != ENV}
    if conn is not None:
        env[ENV] = conn
    return env


def run_cli(*args: str, conn: Optional[str], secrets: tuple[str, ...] = ()) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "azure.communication.administration", *args],
        capture_output=True,
        text=True,
        env=_env(conn),
        timeout=120,
        check=False,
    )
    for secret in secrets:
        assert secret not in done.stdout
        assert secret not in done.stderr
    assert "Traceback" not in done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture()
def cli(identity_service: EmulatorProcess) -> Any:
    """``cli(*args)`` runs against the session's local service, env var set, key checked."""

    def call(*args: str, conn: Optional[str] = identity_service.connection_string) -> Run:
        return run_cli(*args, conn=conn, secrets=(identity_service.access_key,))

    return call


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def expires_near(expires_on: str, expected: timedelta) -> None:
    assert ISO_UTC.match(expires_on), expires_on
    when = datetime.fromisoformat(expires_on.replace("Z", "+00:00"))
    assert abs(when - (datetime.now(timezone.utc) + expected)) < timedelta(minutes=2)


def introspect(service: EmulatorProcess, token: str) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "samples"))
    try:
        from _introspect import introspect as ask
    finally:
        sys.path.remove(str(REPO / "samples"))
    verdict = ask(service.endpoint, service.access_key, token)
    assert verdict is not None
    return verdict


# ----- every command -----


def test_user_create(cli: Any) -> None:
    result = cli("user", "create").json()
    assert list(result) == ["user_id"]
    assert USER_ID.match(result["user_id"])


def test_user_delete(cli: Any) -> None:
    user_id = cli("user", "create").json()["user_id"]
    assert cli("user", "delete", user_id).json() == {"user_id": user_id, "deleted": True}
    cli("user", "delete", user_id).error(1)  # gone now


def test_user_create_with_token(cli: Any, identity_service: EmulatorProcess) -> None:
    result = cli("user", "create-with-token", "--scopes", "chat").json()
    assert list(result) == ["user_id", "token", "expires_on"]
    assert USER_ID.match(result["user_id"])
    expires_near(result["expires_on"], timedelta(hours=24))
    assert claims_of(result["token"])["acsScope"] == "chat"
    assert claims_of(result["token"])["skypeid"] == result["user_id"][2:]
    assert introspect(identity_service, result["token"])["active"] is True


def test_user_create_with_token_expires_in(cli: Any) -> None:
    result = cli("user", "create-with-token", "--scopes", "chat,voip", "--expires-in", "90").json()
    expires_near(result["expires_on"], timedelta(minutes=90))
    assert claims_of(result["token"])["acsScope"] == "chat,voip"


def test_token_issue(cli: Any) -> None:
    user_id = cli("user", "create").json()["user_id"]
    result = cli("token", "issue", user_id, "--scopes", "voip,chat,VOIP").json()
    assert list(result) == ["user_id", "token", "expires_on"]
    assert result["user_id"] == user_id
    expires_near(result["expires_on"], timedelta(hours=24))
    assert claims_of(result["token"])["acsScope"] == "voip,chat"


@pytest.mark.parametrize("minutes", [60, 1440])
def test_token_issue_expires_in(cli: Any, minutes: int) -> None:
    user_id = cli("user", "create").json()["user_id"]
    result = cli("token", "issue", user_id, "--scopes", "chat", "--expires-in", str(minutes)).json()
    expires_near(result["expires_on"], timedelta(minutes=minutes))


def test_token_issue_join_scopes(cli: Any) -> None:
    user_id = cli("user", "create").json()["user_id"]
    result = cli("token", "issue", user_id, "--scopes", "chat.join,voip.join").json()
    assert claims_of(result["token"])["acsScope"] == "chat.join,voip.join"


def test_token_revoke(cli: Any, identity_service: EmulatorProcess) -> None:
    created = cli("user", "create-with-token", "--scopes", "chat").json()
    user_id, token = created["user_id"], created["token"]
    assert introspect(identity_service, token)["active"] is True
    assert cli("token", "revoke", user_id).json() == {"user_id": user_id, "revoked": True}
    verdict = introspect(identity_service, token)
    assert verdict["active"] is False
    assert verdict["reason"] == "revoked"


def test_token_revoke_issued_before_on_the_preview(cli: Any, identity_service: EmulatorProcess) -> None:
    preview = ("--api-version", "2020-07-20-preview2")
    user_id = cli(*preview, "user", "create").json()["user_id"]
    token = cli(*preview, "token", "issue", user_id, "--scopes", "chat").json()["token"]
    # Tokens issued before an hour ago: this one survives.
    an_hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = cli("token", "revoke", user_id, "--issued-before", an_hour_ago, *preview).json()
    assert result == {"user_id": user_id, "revoked": True}
    assert introspect(identity_service, token)["active"] is True
    # Tokens issued before a minute from now (an explicit offset): this one is revoked.
    soon = (datetime.now(timezone.utc) + timedelta(minutes=1)).astimezone(timezone(timedelta(hours=2)))
    cli("token", "revoke", user_id, "--issued-before", soon.isoformat(), *preview).json()
    assert introspect(identity_service, token)["active"] is False


def _entra_token(service: EmulatorProcess, client_id: str, object_id: str, *options: str) -> str:
    """An Entra token from the running service's issuer, through the real ``entra-token`` command."""
    ids = ("--tenant", TEAMS_TENANT, "--object", object_id, "--app", client_id)
    done = subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "entra-token", *ids, *options],
        env={**os.environ, "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING": service.connection_string},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    token = done.stdout.strip()
    assert done.stdout == token + "\n" and token.count(".") == 2  # the token alone on its line
    return token


def test_token_teams_user(cli: Any, identity_service: EmulatorProcess) -> None:
    client_id, object_id = str(uuid.uuid4()), str(uuid.uuid4())
    aad = _entra_token(identity_service, client_id, object_id, "--expires-in", "90")
    exp = claims_of(aad)["exp"]
    assert abs(exp - (time.time() + 90 * 60)) < 60
    result = cli(
        "token", "teams-user", "--aad-token", aad, "--client-id", client_id, "--user-object-id", object_id
    ).json()
    assert list(result) == ["token", "expires_on"]
    assert result["expires_on"] == datetime.fromtimestamp(exp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert claims_of(result["token"])["skypeid"] == f"orgid:{object_id}"


def test_token_teams_user_wrong_user_is_a_service_error(cli: Any, identity_service: EmulatorProcess) -> None:
    client_id = str(uuid.uuid4())
    aad = _entra_token(identity_service, client_id, str(uuid.uuid4()))
    line = cli(
        "token", "teams-user", "--aad-token", aad, "--client-id", client_id, "--user-object-id", str(uuid.uuid4())
    ).error(1)
    assert "ValidationError" in line
    assert "unexpected user" in line


def test_global_options_after_the_command(identity_service: EmulatorProcess) -> None:
    conn = identity_service.connection_string
    run = run_cli(
        "user", "create", "--connection-string", conn, "--api-version", "2021-03-07", conn=None,
        secrets=(identity_service.access_key,),
    )  # fmt: skip
    assert USER_ID.match(run.json()["user_id"])
    run = run_cli(f"--connection-string={conn}", "user", "create", conn=None, secrets=(identity_service.access_key,))
    assert USER_ID.match(run.json()["user_id"])


def test_every_api_version(cli: Any) -> None:
    for version in _catalog.VERSIONS:
        if version not in _catalog.OPERATION_VERSIONS["POST /identities"]:  # the Roles preview: none
            line = cli("--api-version", version, "user", "create-with-token", "--scopes", "chat").error(2)
            assert line.startswith("acs-identity: error: 'user create-with-token' requires --api-version ")
            assert line.endswith(f"except {version}; this client uses {version}.")
            continue
        result = cli("--api-version", version, "user", "create-with-token", "--scopes", "chat").json()
        assert USER_ID.match(result["user_id"])
        expires_near(result["expires_on"], timedelta(hours=24))
    assert cli("--api-version", "2020-07-20-preview2", "user", "delete", result["user_id"]).json()["deleted"]


# ----- errors -----


@pytest.mark.parametrize(
    "args",
    [
        ("user", "delete", UNKNOWN_ID),
        ("token", "issue", UNKNOWN_ID, "--scopes", "chat"),
        ("token", "revoke", UNKNOWN_ID),
    ],
)
def test_unknown_user_is_a_service_error(cli: Any, args: tuple[str, ...]) -> None:
    line = cli(*args).error(1)
    assert "IdentityNotFound" in line
    assert "was not found" in line
    assert "HTTP 404" in line


def test_malformed_user_id_is_refused_before_any_request(cli: Any) -> None:
    line = cli("user", "delete", "8:acs:nope").error(2)
    assert line == (
        "acs-identity: error: ID must be a Communication Services user id such as '8:acs:<resource id>_<user id>' "
        "(as 'user create' prints it; also 8:spool:, 8:dod-acs:, 8:gcch-acs:), got '8:acs:nope' "
        "(after '8:acs:' come the resource id, '_' and the user id)."
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("token", "issue", UNKNOWN_ID, "--scopes", "chat,bogus"), "Unknown scope 'bogus'"),
        (("token", "issue", UNKNOWN_ID, "--scopes", ","), "scopes must not be empty"),
        (("user", "create-with-token", "--scopes", "chat", "--expires-in", "59"), "between 60 and 1440"),
        (("user", "create-with-token", "--scopes", "chat", "--expires-in", "1441"), "between 60 and 1440"),
        (("user", "create-with-token", "--scopes", "chat", "--expires-in", "1.5"), "whole minutes"),
        (("token", "issue", UNKNOWN_ID), "--scopes"),
        (("token", "revoke", UNKNOWN_ID, "--issued-before", "2026-01-01T00:00:00"), "no timezone"),
        (("token", "revoke", UNKNOWN_ID, "--issued-before", "yesterday"), "not an ISO 8601"),
        (("token", "revoke", UNKNOWN_ID, "--issued-before", "2026-01-01T00:00:00Z"), "2020-07-20-preview2"),
        (("--api-version", "2019-01-01", "user", "create"), "Unsupported --api-version"),
        (("--api-version", "2022-06-01", "token", "issue", UNKNOWN_ID, "--scopes", "chat.join"), "Unknown scope"),
        (
            ("--api-version", "2022-06-01", "token", "issue", UNKNOWN_ID, "--scopes", "chat", "--expires-in", "60"),
            "2022-10-01",
        ),
        (
            (
                "--api-version",
                "2021-03-07",
                "token",
                "teams-user",
                "--aad-token",
                "t",
                "--client-id",
                "c",
                "--user-object-id",
                "u",
            ),
            "2022-06-01",
        ),
        (("token", "teams-user", "--aad-token", "t"), "--client-id"),
        (("user",), "ACTION"),
        ((), "COMMAND"),
        (("group",), "invalid choice"),
        (("user", "create", "--connection"), "unrecognized arguments"),  # no abbreviations
    ],
)
def test_usage_and_validation_errors(cli: Any, args: tuple[str, ...], expected: str) -> None:
    assert expected in cli(*args).error(2)


def test_missing_connection_string() -> None:
    line = run_cli("user", "create", conn=None).error(2)
    assert "--connection-string" in line
    assert ENV in line
    run_cli("user", "create", conn="  ").error(2)


KEY = base64.b64encode(b"a secret that must not leak").decode()


@pytest.mark.parametrize(
    ("conn", "expected"),
    [
        ("endpoint=http://127.0.0.1:9/", "missing accesskey"),
        (f"accesskey={KEY}", "missing endpoint"),
        (f"endpoint=http://127.0.0.1:9/;accesskey={KEY}!!", "not valid base64"),
        (f"endpoint=http://127.0.0.1:9/;accesskey={KEY};region=x", "unknown part"),
        (f"endpoint=http://127.0.0.1:9/;{KEY}", "not of the form"),
    ],
)
def test_malformed_connection_string(conn: str, expected: str) -> None:
    line = run_cli("--connection-string", conn, "user", "create", conn=None, secrets=(KEY,)).error(2)
    assert expected in line


def test_malformed_connection_string_from_the_environment() -> None:
    conn = f"endpoint=http://127.0.0.1:9/;accesskey={KEY}!!"
    assert "not valid base64" in run_cli("user", "create", conn=conn, secrets=(KEY,)).error(2)


def test_wrong_key_is_a_service_error(identity_service: EmulatorProcess) -> None:
    conn = f"endpoint={identity_service.endpoint};accesskey={KEY}"
    line = run_cli("user", "create", conn=conn, secrets=(KEY, identity_service.access_key)).error(1)
    assert "Denied" in line
    assert "HTTP 401" in line


# ----- help -----


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("user",),
        ("user", "create"),
        ("user", "delete"),
        ("user", "create-with-token"),
        ("token",),
        ("token", "issue"),
        ("token", "revoke"),
        ("token", "teams-user"),
        ("token", "teams-phone"),
        ("teams-assignment",),
        ("teams-assignment", "get"),
        ("teams-assignment", "set"),
        ("teams-assignment", "delete"),
        ("serve",),
    ],
)
def test_help_at_every_level(args: tuple[str, ...]) -> None:
    run = run_cli(*args, "--help", conn=None)
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("usage:")
    assert run.stderr == ""


def test_short_help_flag() -> None:
    run = run_cli("-h", conn=None)
    assert run.code == 0
    assert run.stdout.startswith("usage: acs-identity")


def test_help_lists_the_commands() -> None:
    top = run_cli("--help", conn=None).stdout
    for name in ("user", "token", "serve", "--connection-string", "--api-version"):
        assert name in top
    token = run_cli("token", "--help", conn=None).stdout
    for name in ("issue", "revoke", "teams-user"):
        assert name in token
    serve = run_cli("serve", "--help", conn=None).stdout
    for name in ("--port", "--db", "--access-key"):
        assert name in serve


def test_serve_help_names_acs_identity_serve() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "azure.communication.administration", "serve", "--help"],
        capture_output=True,
        text=True,
        env={**_env(None), "COLUMNS": "80"},  # argparse wraps the usage line at the terminal width
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "usage: acs-identity serve [-h] [--host HOST] [--port PORT] [--db DB]"
    assert "acs-identity-emulator" not in done.stdout
    assert done.stderr == ""


def test_serve_usage_error_names_acs_identity_serve() -> None:
    run = run_cli("serve", "--port", "not-a-port", conn=None)
    assert run.code == 2
    assert run.stderr.splitlines() == [
        "acs-identity serve: error: argument --port: invalid int value: 'not-a-port' (see 'acs-identity serve --help')"
    ]


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("acs-identity")
    if not script.exists():
        pytest.skip("the acs-identity console script is not installed in this environment")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("usage: acs-identity")


# ----- serve -----


def test_serve_runs_the_local_service(tmp_path: Path) -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    process = subprocess.Popen(
        [sys.executable, "-m", "azure.communication.administration", "--api-version", "2023-10-01", "serve",
         "--port", "0", "--db", str(tmp_path / "serve.db"), "--access-key", key],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=_env(None),
    )  # fmt: skip
    lines: queue.Queue[Optional[str]] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=60)
        assert first is not None, "serve exited before printing its connection string"
        match = re.match(r"^endpoint=http://127\.0\.0\.1:(\d+)/;accesskey=(\S+)$", first)
        assert match, first
        assert match.group(2) == key
        run = run_cli("user", "create", conn=first, secrets=(key,))
        assert USER_ID.match(run.json()["user_id"])
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert (tmp_path / "serve.db").exists()


def test_serve_usage_error_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "azure.communication.administration", "serve", "--port", "not-a-port"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--port" in done.stderr
    assert "Traceback" not in done.stderr


# ----- issue 14: a user's first hour -----


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("token", "revoke", UNKNOWN_ID, "--issued-before", "2026-01-01T00:00:00Z"),
            f"--api-version {_catalog.LATEST_GA} revokes all tokens of a user and has no '--issued-before'; "
            "use --api-version 2020-07-20-preview2 to revoke tokens issued before a given time, "
            "or leave out --issued-before to revoke all.",
        ),
        (
            ("--api-version", "2022-06-01", "token", "issue", UNKNOWN_ID, "--scopes", "chat", "--expires-in", "60"),
            # 2023-08-30-preview (the Roles API only) is later and lacks it: named as an exception.
            "--expires-in requires --api-version 2022-10-01 or later, except 2023-08-30-preview; "
            "this client uses 2022-06-01.",
        ),
        (
            ("--api-version", "2021-03-07", "token", "teams-user", "--aad-token", "t", "--client-id", "c",
             "--user-object-id", "u"),
            "'token teams-user' requires --api-version 2022-06-01 or later, except 2023-08-30-preview; "
            "this client uses 2021-03-07.",
        ),
        (
            ("--api-version", "2023-10-01", "token", "teams-phone", "--entra-token", "t"),
            # 2025-03-02-preview has Teams Phone too, 2025-04-01-preview (a preview) does not
            "'token teams-phone' requires --api-version 2025-03-02-preview or later, except 2025-04-01-preview; "
            "this client uses 2023-10-01.",
        ),
        (("--api-version", "2019-01-01", "user", "create"), "Unsupported --api-version '2019-01-01'"),
        (("token", "issue", UNKNOWN_ID, "--scopes", ","), "--scopes must not be empty"),
    ],
)  # fmt: skip
def test_errors_speak_the_cli_terms(cli: Any, args: tuple[str, ...], expected: str) -> None:
    line = cli(*args).error(2)
    assert expected in line
    for python_name in ("api_version", "issued_before", "token_expires_in", "get_token_for", "revoke_tokens("):
        assert python_name not in line


@pytest.mark.parametrize(
    ("args", "help_of"),
    [
        (("user", "create", "--connection"), "acs-identity user create"),
        (("token", "issue", UNKNOWN_ID, "--scopes", "chat", "extra"), "acs-identity token issue"),
        (("token", "issue", UNKNOWN_ID), "acs-identity token issue"),
        (("token", "revoke", UNKNOWN_ID, "--issued-before", "yesterday"), "acs-identity token revoke"),
        (("teams-assignment", "set", "--tenant-id", "t"), "acs-identity teams-assignment set"),
        (("token",), "acs-identity token"),
    ],
)
def test_usage_errors_point_to_the_commands_help(cli: Any, args: tuple[str, ...], help_of: str) -> None:
    assert cli(*args).error(2).endswith(f"(see '{help_of} --help')")


def test_plain_string_user_id_is_checked_locally(cli: Any) -> None:
    line = cli("token", "issue", "abc", "--scopes", "chat").error(2)
    assert line == (
        "acs-identity: error: ID must be a Communication Services user id such as '8:acs:<resource id>_<user id>' "
        "(as 'user create' prints it; also 8:spool:, 8:dod-acs:, 8:gcch-acs:), got 'abc'."
    )


def test_quoted_connection_string_works(identity_service: EmulatorProcess) -> None:
    conn = f'"{identity_service.connection_string}"'
    run = run_cli("user", "create", conn=conn, secrets=(identity_service.access_key,))
    assert USER_ID.match(run.json()["user_id"])


def test_scheme_less_endpoint_at_the_plain_http_service(identity_service: EmulatorProcess) -> None:
    host = identity_service.endpoint.removeprefix("http://").rstrip("/")
    conn = f"endpoint={host};accesskey={identity_service.access_key}"
    line = run_cli("user", "create", conn=conn, secrets=(identity_service.access_key,)).error(1)
    assert f"the endpoint is http, write it as http://{host}" in line


TEAMS_TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"


def test_teams_assignment_commands_and_teams_phone_exchange(cli: Any, identity_service: EmulatorProcess) -> None:
    app, obj = str(uuid.uuid4()), str(uuid.uuid4())
    key = ("--tenant-id", TEAMS_TENANT, "--object-id", obj)
    assert "AssignmentNotFound" in cli("teams-assignment", "get", *key).error(1)
    created = cli("teams-assignment", "set", *key, "--principal-type", "user", "--client-ids", app).json()
    assert created == {"tenant_id": TEAMS_TENANT, "object_id": obj, "principal_type": "user", "client_ids": [app]}
    assert cli("teams-assignment", "get", *key).json() == created

    entra = _entra_token(identity_service, app, obj)
    result = cli("token", "teams-phone", "--entra-token", entra).json()
    assert list(result) == ["user_id", "token", "expires_on"]
    assert result["user_id"].startswith("8:acs:") and result["user_id"].endswith(f"_{TEAMS_TENANT}_{obj}")
    assert claims_of(result["token"])["skypeid"] == result["user_id"][2:]
    expires_near(result["expires_on"], timedelta(hours=1))

    assert cli("teams-assignment", "delete", *key).json() == {
        "tenant_id": TEAMS_TENANT,
        "object_id": obj,
        "deleted": True,
    }
    assert "Forbidden" in cli("token", "teams-phone", "--entra-token", entra).error(1)


def test_teams_assignment_validation_is_local(cli: Any) -> None:
    line = cli(
        "teams-assignment", "set", "--tenant-id", TEAMS_TENANT, "--object-id", "o", "--principal-type", "robot",
        "--client-ids", "a",
    ).error(2)  # fmt: skip
    assert "--principal-type: invalid choice: 'robot' (choose from " in line  # quoting varies by Python version
    assert "resourceAccount" in line


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "azure.communication.administration", "serve"],
        [sys.executable, "-m", "acs_identity_emulator"],
    ],
    ids=["acs-identity serve", "python -m acs_identity_emulator"],
)
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "99999"], "argument --port: 99999 is not a TCP port (0 to 65535; 0 picks a free one)"),
        (["--port", "-1"], "argument --port: -1 is not a TCP port (0 to 65535; 0 picks a free one)"),
        (["--db", "/nonexistent/dir/x.db"], "argument --db: the folder /nonexistent/dir does not exist"),
    ],
)
def test_serve_refuses_bad_ports_and_store_paths_in_one_line(
    command: list[str], args: list[str], expected: str
) -> None:
    done = subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert expected in lines[0]


def test_serve_store_that_is_not_sqlite_is_one_line(tmp_path: Path) -> None:
    store = tmp_path / "notes.db"
    store.write_text("not a database, just notes\n" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "--port", "0", "--db", str(store)],
        capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"acs-identity-emulator: cannot open the store {store}: file is not a database"]
