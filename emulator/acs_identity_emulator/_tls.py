"""Opt-in HTTPS: a per-store local CA and server certificate, or the caller's own pair.

``--tls`` serves HTTPS with a server certificate for ``localhost``,
``127.0.0.1`` and ``::1`` (plus the ``--host`` name when it is a specific
address), issued by a small CA of the store's own.  Both are generated once
(ECDSA P-256, quick to make) and kept in the store's ``meta`` table like the
token signing key, so a restart presents the same chain and clients keep
trusting the same CA file.  The server certificate is re-issued by the same CA
when it would not cover the requested host or is about to expire.

A CA plus a server certificate, rather than one self-signed certificate, is
what strict verifiers (Python 3.13's ``VERIFY_X509_STRICT`` among them) accept
as a trust anchor and an end-entity certificate respectively.

The CA is name-constrained (a critical ``NameConstraints`` extension) to
exactly the names it issues for, so trusting its file can never make a client
accept it for any other site, even if its key leaked.  A CA without
constraints (made by an older version) or whose constraints do not cover the
``--host`` name is replaced; clients then need the new CA file.

The private keys never leave the store for a file: :mod:`ssl` loads a key only
from a path, so the server's chain and key reach it through two pipes, opened by
their ``/dev/fd`` paths, and nothing is left behind whatever ends the process
(``kill -9`` included).  Only where ``/dev/fd`` cannot open a pipe (FreeBSD
without fdescfs) do they go through a private (0700) temporary folder, removed
at once.  The CA file written for clients holds only the public
certificate: mode 0644, so a client run by another user can trust it.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ._store import Store

#: Names every generated server certificate covers.
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
_CA_DAYS = 3650
_SERVER_DAYS = 825
_RENEW_BEFORE = _dt.timedelta(days=1)

_META_CA_KEY = "tls_ca_key_pem"
_META_CA_CERT = "tls_ca_cert_pem"
_META_KEY = "tls_key_pem"
_META_CERT = "tls_cert_pem"
#: The CA certificate file: public (its key stays in the store, 0600).
CA_FILE_MODE = 0o644


@dataclass(frozen=True)
class TlsMaterial:
    """PEM text of a CA (what clients trust) and of the server's chain and key."""

    ca_pem: bytes
    chain_pem: bytes  # server certificate, then the CA certificate
    key_pem: bytes = field(repr=False)


def server_names(host: str) -> tuple[str, ...]:
    """The names a certificate for ``--host`` must cover: the local ones, and ``host`` if specific."""
    if host in ("", "0.0.0.0", "::") or host in LOCAL_NAMES:  # noqa: S104 - comparison, not a bind
        return LOCAL_NAMES
    return (*LOCAL_NAMES, host)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _permitted(name: str) -> x509.GeneralName:
    """The name-constraint subtree of exactly ``name`` (one address, or a DNS name)."""
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return x509.DNSName(name)
    return x509.IPAddress(ipaddress.ip_network(f"{address}/{address.max_prefixlen}"))


def _constrained_to(ca_cert: x509.Certificate, names: tuple[str, ...]) -> bool:
    """Does the CA carry critical name constraints that permit every one of ``names``?"""
    try:
        extension = ca_cert.extensions.get_extension_for_class(x509.NameConstraints)
    except x509.ExtensionNotFound:
        return False
    permitted = extension.value.permitted_subtrees or []
    return extension.critical and all(_permitted(n) in permitted for n in names)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the store's TLS key is not an EC key")
    return key


def new_ca(now: _dt.datetime, names: tuple[str, ...] = LOCAL_NAMES) -> tuple[bytes, bytes]:
    """(key PEM, certificate PEM) of a new local CA, name-constrained to ``names``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "acs-identity-emulator local CA")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.NameConstraints(permitted_subtrees=[_permitted(n) for n in names], excluded_subtrees=None),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _pem_key(key), cert.public_bytes(serialization.Encoding.PEM)


def new_server_certificate(
    ca_key_pem: bytes, ca_cert_pem: bytes, names: tuple[str, ...], now: _dt.datetime
) -> tuple[bytes, bytes]:
    """(key PEM, certificate PEM) of a server certificate for ``names``, issued by the CA."""
    ca_key = _load_key(ca_key_pem)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_pem)
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = min(now + _dt.timedelta(days=_SERVER_DAYS), _validity(ca_cert)[1])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _pem_key(key), cert.public_bytes(serialization.Encoding.PEM)


def _validity(cert: x509.Certificate) -> tuple[_dt.datetime, _dt.datetime]:
    """(not before, not after) as aware datetimes (the ``*_utc`` properties are cryptography 42+)."""
    if hasattr(cert, "not_valid_after_utc"):
        return cert.not_valid_before_utc, cert.not_valid_after_utc
    utc = _dt.timezone.utc
    return cert.not_valid_before.replace(tzinfo=utc), cert.not_valid_after.replace(tzinfo=utc)


def _usable(cert: x509.Certificate, now: _dt.datetime) -> bool:
    not_before, not_after = _validity(cert)
    return not_before <= now and now + _RENEW_BEFORE < not_after


def _covers(cert_pem: bytes, ca_cert_pem: bytes, names: tuple[str, ...], now: _dt.datetime) -> bool:
    """Is this server certificate issued by this CA, valid, and for every one of ``names``?"""
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_cert_pem))
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    return _usable(cert, now) and all(_general_name(n) in san for n in names)


def store_material(store: Store, names: tuple[str, ...]) -> TlsMaterial:
    """The store's CA and server certificate for ``names``, made (or renewed) as needed."""
    now = _dt.datetime.now(_dt.timezone.utc)
    ca_key, ca_cert = store.get_meta(_META_CA_KEY), store.get_meta(_META_CA_CERT)
    if (
        ca_key is None
        or ca_cert is None
        or not _usable(x509.load_pem_x509_certificate(ca_cert.encode()), now)
        or not _constrained_to(x509.load_pem_x509_certificate(ca_cert.encode()), names)
    ):
        new_key, new_cert = new_ca(now, names)
        ca_key, ca_cert = new_key.decode("ascii"), new_cert.decode("ascii")
        store.set_meta(_META_CA_KEY, ca_key)
        store.set_meta(_META_CA_CERT, ca_cert)
    key, cert = store.get_meta(_META_KEY), store.get_meta(_META_CERT)
    if key is None or cert is None or not _covers(cert.encode(), ca_cert.encode(), names, now):
        new_key, new_cert = new_server_certificate(ca_key.encode(), ca_cert.encode(), names, now)
        key, cert = new_key.decode("ascii"), new_cert.decode("ascii")
        store.set_meta(_META_KEY, key)
        store.set_meta(_META_CERT, cert)
    return TlsMaterial(ca_cert.encode(), (cert + ca_cert).encode(), key.encode())


def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def context_from_files(cert_file: str, key_file: str) -> ssl.SSLContext:
    """A server context for a PEM certificate (chain) file and its key file (``OSError``/``ssl.SSLError``)."""
    context = _server_context()
    context.load_cert_chain(cert_file, key_file)
    return context


def context_from_material(material: TlsMaterial) -> ssl.SSLContext:
    """A server context for store-kept material, loaded without writing the private key to a file."""
    context = _server_context()
    if not _load_through_pipes(context, material.chain_pem, material.key_pem):
        with tempfile.TemporaryDirectory(prefix="acs-identity-emulator-tls-") as folder:  # mode 0700
            path = os.path.join(folder, "server.pem")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(material.chain_pem + material.key_pem)
            context.load_cert_chain(path, path)
    return context


#: What a pipe holds without a reader on every POSIX system (PIPE_BUF is at least 512,
#: the buffer at least 4 KiB); the chain and key of a P-256 server are well under it.
_PIPE_CAPACITY = 4096


def _load_through_pipes(context: ssl.SSLContext, chain_pem: bytes, key_pem: bytes) -> bool:
    """``load_cert_chain`` from two pipes' ``/dev/fd`` paths; False where that cannot work."""
    if len(chain_pem) > _PIPE_CAPACITY or len(key_pem) > _PIPE_CAPACITY:
        return False
    readers: list[int] = []
    try:
        for data in (chain_pem, key_pem):
            reader, writer = os.pipe()
            readers.append(reader)
            try:
                written = os.write(writer, data)  # fits in the pipe: never blocks
            finally:
                os.close(writer)
            if written != len(data):
                return False
        paths = [f"/dev/fd/{reader}" for reader in readers]
        if not all(os.path.exists(path) for path in paths):
            return False
        context.load_cert_chain(paths[0], paths[1])
        return True
    finally:
        for reader in readers:
            os.close(reader)


def write_ca_file(path: str, ca_pem: bytes) -> None:
    """Write the CA certificate clients trust (0644, replaced atomically, left as is when unchanged)."""
    try:
        with open(path, "rb") as file:
            if file.read() == ca_pem:
                if os.stat(path).st_mode & 0o777 != CA_FILE_MODE:
                    os.chmod(path, CA_FILE_MODE)
                return
    except FileNotFoundError:
        pass
    partial = f"{path}.{os.getpid()}.tmp"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, CA_FILE_MODE)
    os.fchmod(fd, CA_FILE_MODE)  # exact whatever the umask
    with os.fdopen(fd, "wb") as file:
        file.write(ca_pem)
    os.replace(partial, path)
