"""``acs-identity`` when the service cannot be used: one line that says which endpoint, why, and what to do.

The same cases ``make demo`` explains (tests/samples): a connection string whose local
service has stopped, a key the service refuses, and a ``--tls`` local service whose
certificate is not trusted yet, which ``--ca-file`` or ``SSL_CERT_FILE`` (or
``REQUESTS_CA_BUNDLE``, which wins over it) fixes. No line names an internal class or holds
the key. Each runs the real command as a subprocess.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import pytest
from acs_identity_emulator import _tls
from acs_identity_emulator.testing import EmulatorProcess, running_emulator

ENV = "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def acs_identity(
    *args: str, conn: Optional[str], key: str, env: Optional[dict[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != ENV and k not in CA_VARIABLES}
    if conn is not None:
        environment[ENV] = conn
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "azure.communication.administration", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    for output in (done.stdout, done.stderr):
        assert key not in output
        assert "Traceback" not in output
        for internal in ("_Connection(", "_TLSConnection(", " object at 0x", "ssl:default", "ssl:True"):
            assert internal not in output, output
    return done


def one_error_line(done: subprocess.CompletedProcess[str], status: int) -> str:
    assert done.returncode == status, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("acs-identity: error: ")
    return line


def succeeded(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert isinstance(result, dict)
    return result


# ----- a stopped service, a refused key -----


def test_a_stopped_service_names_the_endpoint_why_and_what_to_do() -> None:
    with running_emulator() as stopped:
        conn, endpoint, key = stopped.connection_string, stopped.endpoint, stopped.access_key
    line = one_error_line(acs_identity("user", "create", conn=conn, key=key), 1)
    assert line == (
        f"acs-identity: error: cannot reach the service at {endpoint} (from ${ENV}): connection refused, nothing "
        "listens there. If it was printed by an 'acs-identity serve' that has stopped, start that again and use "
        "the line it prints (with --port 0 the port changes at each start); or check the endpoint."
    )


def test_the_connection_string_option_is_named_as_the_source() -> None:
    with running_emulator() as stopped:
        conn, endpoint, key = stopped.connection_string, stopped.endpoint, stopped.access_key
    line = one_error_line(acs_identity("--connection-string", conn, "user", "create", conn=None, key=key), 1)
    assert line.startswith(f"acs-identity: error: cannot reach the service at {endpoint} (from --connection-string): ")


def test_an_unknown_host_says_to_check_the_endpoint() -> None:
    key = base64.b64encode(b"a key for a host that does not exist").decode()
    conn = f"endpoint=https://no-such-resource.invalid/;accesskey={key}"
    line = one_error_line(acs_identity("user", "create", conn=conn, key=key), 1)
    assert line == (
        "acs-identity: error: cannot reach the service at https://no-such-resource.invalid/ (from "
        f"${ENV}): its host name does not resolve; check the endpoint in the connection string."
    )


def test_a_refused_key_says_the_key_is_not_this_services(identity_service: EmulatorProcess) -> None:
    wrong = base64.b64encode(b"not the key of this local service").decode()
    conn = f"endpoint={identity_service.endpoint};accesskey={wrong}"
    line = one_error_line(acs_identity("user", "create", conn=conn, key=wrong), 1)
    assert line.startswith("acs-identity: error: Denied: Denied by the resource provider. (HTTP 401). ")
    assert (
        f"The service at {identity_service.endpoint} refused the access key of the connection string "
        f"(from ${ENV}): the key is not this service's"
    ) in line
    assert "the line its 'acs-identity serve' printed" in line


# ----- a --tls local service -----


@pytest.fixture(scope="module")
def tls_service() -> Iterator[EmulatorProcess]:
    with running_emulator(tls=True) as service:
        assert service.certificate
        yield service


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A CA file that did not issue the local service's certificate."""
    _, cert = _tls.new_ca(datetime.datetime.now(datetime.timezone.utc))
    path = tmp_path_factory.mktemp("other-ca") / "other-ca.pem"
    path.write_bytes(cert)
    return str(path)


def test_an_untrusted_certificate_says_the_service_was_reached_and_how_to_trust_it(
    tls_service: EmulatorProcess,
) -> None:
    done = acs_identity("user", "create", conn=tls_service.connection_string, key=tls_service.access_key)
    line = one_error_line(done, 1)
    assert line.startswith(
        f"acs-identity: error: the service at {tls_service.endpoint} (from ${ENV}) was reached, but its TLS "
        "certificate is not trusted (CERTIFICATE_VERIFY_FAILED: "
    )
    assert line.endswith(
        "For a local service started with --tls, trust the file it printed after the connection string "
        "(certificate=<path>): pass --ca-file <path>, or export SSL_CERT_FILE=<path>."
    )
    assert "cannot reach" not in line


def test_ca_file_option_trusts_the_local_service(tls_service: EmulatorProcess) -> None:
    conn, key, ca = tls_service.connection_string, tls_service.access_key, str(tls_service.certificate)
    assert str(succeeded(acs_identity("--ca-file", ca, "user", "create", conn=conn, key=key))["user_id"]).startswith(
        "8:acs:"
    )
    # After the command too, like the other connection options.
    assert succeeded(acs_identity("user", "create", "--ca-file", ca, conn=conn, key=key))["user_id"]


@pytest.mark.parametrize("variable", CA_VARIABLES)
def test_each_ca_bundle_variable_trusts_the_local_service(tls_service: EmulatorProcess, variable: str) -> None:
    done = acs_identity(
        "user",
        "create",
        conn=tls_service.connection_string,
        key=tls_service.access_key,
        env={variable: str(tls_service.certificate)},
    )
    assert succeeded(done)["user_id"]


def test_requests_ca_bundle_wins_over_ssl_cert_file_and_ca_file_over_both(
    tls_service: EmulatorProcess, other_ca: str
) -> None:
    conn, key, ca = tls_service.connection_string, tls_service.access_key, str(tls_service.certificate)
    line = one_error_line(
        acs_identity("user", "create", conn=conn, key=key, env={"REQUESTS_CA_BUNDLE": other_ca, "SSL_CERT_FILE": ca}),
        1,
    )
    assert "certificate is not trusted" in line
    done = acs_identity("user", "create", conn=conn, key=key, env={"REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": other_ca})
    assert succeeded(done)["user_id"]
    done = acs_identity("--ca-file", ca, "user", "create", conn=conn, key=key, env={"REQUESTS_CA_BUNDLE": other_ca})
    assert succeeded(done)["user_id"]


def test_a_ca_file_that_does_not_exist_is_a_usage_error(tls_service: EmulatorProcess, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.pem")
    done = acs_identity(
        "--ca-file", missing, "user", "create", conn=tls_service.connection_string, key=tls_service.access_key
    )
    assert one_error_line(done, 2) == f"acs-identity: error: --ca-file: no such file: {missing!r}"


def test_a_ca_variable_naming_no_file_is_a_usage_error_naming_it(tls_service: EmulatorProcess, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.pem")
    done = acs_identity(
        "user", "create", conn=tls_service.connection_string, key=tls_service.access_key, env={"SSL_CERT_FILE": missing}
    )
    line = one_error_line(done, 2)
    assert line.startswith(f"acs-identity: error: SSL_CERT_FILE names {missing!r}, which does not exist")


def test_help_lists_the_ca_file_option() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "azure.communication.administration", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--ca-file PEM" in done.stdout
    assert "SSL_CERT_FILE" in " ".join(done.stdout.split())
