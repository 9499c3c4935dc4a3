"""HTTPS mode (``--tls``, ``--cert``/``--key``) and ``running_emulator(tls=True)``.

``from_connection_string`` of the official 1.5.0 client forces ``https://``, so
over TLS both clients are built from the printed connection string and trust
the printed certificate file with ``connection_verify``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import acs_identity_emulator
import pytest
from acs_identity_emulator import _tls
from acs_identity_emulator.testing import EmulatorProcess, running_emulator
from azure.core.exceptions import ServiceRequestError
from cryptography import x509
from emu_helpers import GA, RawClient, jwt_parts

pytestmark = pytest.mark.slow  # HTTPS set-up, and local services of their own

EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(acs_identity_emulator.__file__)))


@pytest.fixture(scope="session")
def tls_emulator(tls_service: EmulatorProcess) -> EmulatorProcess:
    """The session's local service over HTTPS (``tls_service`` of tests/conftest.py)."""
    return tls_service


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), EMULATOR_DIR) if p)
    return env


def _served_certificate(port: int, cafile: str) -> x509.Certificate:
    context = ssl.create_default_context(cafile=cafile)
    with (
        socket.create_connection(("127.0.0.1", port), timeout=30) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def test_ready_lines_and_helper(tls_emulator: EmulatorProcess) -> None:
    emu = tls_emulator
    assert emu.endpoint == f"https://127.0.0.1:{emu.port}/"
    assert emu.connection_string == f"endpoint=https://127.0.0.1:{emu.port}/;accesskey={emu.access_key}"
    assert emu.certificate is not None and os.path.isabs(emu.certificate)
    pem = Path(emu.certificate).read_text()
    assert pem.count("-----BEGIN CERTIFICATE-----") == 1
    assert "PRIVATE KEY" not in pem


def test_plain_http_has_no_certificate(identity_service: EmulatorProcess) -> None:
    assert identity_service.endpoint.startswith("http://")
    assert identity_service.certificate is None


def test_our_client_over_https(tls_emulator: EmulatorProcess) -> None:
    from azure.communication.administration import CommunicationIdentityClient

    client = CommunicationIdentityClient.from_connection_string(
        tls_emulator.connection_string, connection_verify=tls_emulator.certificate
    )
    user = client.create_user()
    token = client.get_token(user, ["chat"])
    _, claims = jwt_parts(token.token)
    assert claims["skypeid"] == user.properties["id"][2:]
    assert claims["acsScope"] == "chat"


def test_official_client_over_https(tls_emulator: EmulatorProcess) -> None:
    identity = pytest.importorskip("azure.communication.identity")
    client = identity.CommunicationIdentityClient.from_connection_string(
        tls_emulator.connection_string, connection_verify=tls_emulator.certificate
    )
    user = client.create_user()
    assert user.properties["id"].startswith("8:acs:")
    token = client.get_token(user, [identity.CommunicationTokenScope.CHAT, identity.CommunicationTokenScope.VOIP])
    _, claims = jwt_parts(token.token)
    assert claims["skypeid"] == user.properties["id"][2:]
    assert claims["acsScope"] == "chat,voip"


def test_clients_without_the_certificate_fail_verification(tls_emulator: EmulatorProcess) -> None:
    identity = pytest.importorskip("azure.communication.identity")
    from azure.communication.administration import CommunicationIdentityClient

    for client in (
        CommunicationIdentityClient.from_connection_string(tls_emulator.connection_string),
        identity.CommunicationIdentityClient.from_connection_string(tls_emulator.connection_string),
    ):
        with pytest.raises(ServiceRequestError) as caught:
            client.create_user()
        assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
        assert tls_emulator.access_key not in str(caught.value)


@pytest.mark.parametrize("signed_host", ["port", "no-port"])
def test_hmac_host_with_and_without_port(tls_emulator: EmulatorProcess, signed_host: str) -> None:
    client = RawClient(tls_emulator)
    path = f"/identities?api-version={GA}"
    host = f"127.0.0.1:{tls_emulator.port}" if signed_host == "port" else "127.0.0.1"
    headers = client.sign_headers("POST", path, b"", host=host)
    reply = client.request("POST", path, None, api_version=None, sign=False, headers=headers)
    assert reply.status == 201
    assert reply.header("Strict-Transport-Security") == "max-age=2592000"


def test_wrong_key_denied_over_https(tls_emulator: EmulatorProcess) -> None:
    client = RawClient(tls_emulator)
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"", key=b"wrong key")
    reply = client.request("POST", path, None, api_version=None, sign=False, headers=headers)
    assert reply.status == 401
    assert reply.json() == {"error": {"code": "Denied", "message": "Denied by the resource provider."}}


def test_unsupported_version_uri_is_https(tls_emulator: EmulatorProcess) -> None:
    reply = RawClient(tls_emulator).request("POST", "/identities", api_version="1999-01-01")
    assert reply.status == 400
    assert reply.json()["error"]["message"] == (
        f"The HTTP resource that matches the request URI 'https://127.0.0.1:{tls_emulator.port}"
        "/identities?api-version=1999-01-01' does not support the API version '1999-01-01'."
    )


def test_certificate_names_and_ca(tls_emulator: EmulatorProcess) -> None:
    assert tls_emulator.certificate is not None
    ca = x509.load_pem_x509_certificate(Path(tls_emulator.certificate).read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    served = _served_certificate(tls_emulator.port, tls_emulator.certificate)
    assert served.issuer == ca.subject
    san = served.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    assert served.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_strict_verification_accepts_the_chain(tls_emulator: EmulatorProcess) -> None:
    # What Python 3.13's default context turns on.
    assert tls_emulator.certificate is not None
    context = ssl.create_default_context(cafile=tls_emulator.certificate)
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    with (
        socket.create_connection(("127.0.0.1", tls_emulator.port), timeout=30) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_memory_store_certificate_removed_on_stop() -> None:
    with running_emulator(tls=True) as emu:
        assert emu.certificate is not None
        path = emu.certificate
        assert os.path.exists(path)
    assert emu.process.returncode == 0
    assert not os.path.exists(path)


def test_certificate_kept_in_store_across_restarts(tmp_path: Path) -> None:
    db = str(tmp_path / "identity.db")
    with running_emulator(db=db, tls=True) as first:
        assert first.certificate == db + "-ca.pem"
        ca_pem = Path(first.certificate).read_bytes()
        served = _served_certificate(first.port, first.certificate)
    with running_emulator(db=db, tls=True) as second:
        assert second.certificate == first.certificate
        assert Path(second.certificate).read_bytes() == ca_pem
        assert _served_certificate(second.port, second.certificate) == served
        assert RawClient(second).request("POST", "/identities").status == 201
    with running_emulator(db=db) as plain:  # the same store still serves plain HTTP without --tls
        assert plain.endpoint.startswith("http://") and plain.certificate is None


def test_own_certificate_and_key(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    ca_key, ca_cert = _tls.new_ca(now)
    key, cert = _tls.new_server_certificate(ca_key, ca_cert, ("localhost", "127.0.0.1"), now)
    chain_file, key_file = tmp_path / "chain.pem", tmp_path / "key.pem"
    chain_file.write_bytes(cert + ca_cert)
    key_file.write_bytes(key)
    with running_emulator(extra_args=["--cert", str(chain_file), "--key", str(key_file)]) as emu:
        assert emu.endpoint == f"https://127.0.0.1:{emu.port}/"
        assert emu.certificate == str(chain_file)
        served = _served_certificate(emu.port, str(chain_file))
        assert served == x509.load_pem_x509_certificate(cert)
        assert RawClient(emu).request("POST", "/identities").status == 201


@pytest.mark.parametrize(
    "args,message",
    [
        (["--cert", "x.pem"], "--cert and --key go together"),
        (["--key", "x.pem"], "--cert and --key go together"),
        (["--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem"], "cannot set up TLS"),
    ],
)
def test_tls_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "--port", "0", "--db", ":memory:", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_private_keys_and_access_key_never_printed_over_tls(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "acs_identity_emulator", "--port", "0", "--db", str(tmp_path / "s.db"), "--tls",
         "--access-log", "--log-level", "DEBUG"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline().strip()
        certificate = proc.stdout.readline().strip()
        assert ready.startswith("endpoint=https://127.0.0.1:")
        assert certificate == f"certificate={tmp_path / 's.db'}-ca.pem"
        key = ready.split("accesskey=", 1)[1]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "PRIVATE KEY" not in out + err
    assert key not in err
