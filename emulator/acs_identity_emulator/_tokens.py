"""RS256 access tokens: key/certificate generation, signing, JWKS, verification.

One RSA-2048 key per store, wrapped in a self-signed certificate so the JWT
header can carry the same ``kid`` (SHA-1 thumbprint, upper-case hex) and
``x5t`` (base64url SHA-1 thumbprint) fields real ACS tokens carry.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as _dt
import hashlib
import json
import multiprocessing
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from ._auth import b64url_decode

#: ``scp`` claim of ACS user tokens (always this number on the real service).
ACS_SCP = 1792
#: ``scp`` claim the emulator puts in Teams user tokens (a documented choice).
TEAMS_USER_SCP = 1024
REGION = "amer"
RESOURCE_LOCATION = "unitedstates"

_PADDING = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
#: ``json.dumps(..., separators=(",", ":"))`` without building an encoder per call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64url(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def generate_key_material() -> tuple[bytes, bytes]:
    """Return (private key PEM, self-signed certificate PEM) for a new store."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "acs-identity-emulator")])
    now = _dt.datetime.now(_dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


class TokenSigner:
    """Signs and verifies the emulator's RS256 JWTs.

    The loaded key object and the encoded header are built once: the
    per-token cost is then one RSA signature (~0.4 ms) plus JSON/base64 work.
    """

    def __init__(self, key_pem: bytes, cert_pem: bytes) -> None:
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the store's signing key is not an RSA key")
        self._key = key
        self._key_pem = key_pem
        self._helpers: list[_SigningHelper] = []
        self._public = key.public_key()
        cert = x509.load_pem_x509_certificate(cert_pem)
        der = cert.public_bytes(serialization.Encoding.DER)
        thumb = hashlib.sha1(der).digest()  # noqa: S324 - x5t is defined as SHA-1
        self.kid = thumb.hex().upper()
        self.x5t = _b64url(thumb)
        self._x5c = base64.b64encode(der).decode("ascii")
        header = {"alg": "RS256", "kid": self.kid, "x5t": self.x5t, "typ": "JWT"}
        self._header_b64 = _b64url(json.dumps(header, separators=(",", ":")).encode())

    def _signing_input(self, claims: dict[str, Any]) -> str:
        payload = _b64url(_COMPACT.encode(claims).encode("utf-8"))
        return f"{self._header_b64}.{payload}"

    def sign(self, claims: dict[str, Any]) -> str:
        """Return the compact JWS of ``claims`` (dict order is kept), in this thread."""
        signing_input = self._signing_input(claims)
        signature = self._key.sign(signing_input.encode("ascii"), _PADDING, _SHA256)
        return f"{signing_input}.{_b64url(signature)}"

    async def sign_async(self, claims: dict[str, Any]) -> str:
        """Like :meth:`sign`, but on a signing process when there are any.

        The least busy live helper gets the work, which keeps the batches
        short (a request never waits behind a long batch on one helper while
        another is idle).
        """
        signing_input = self._signing_input(claims)
        helper = min((h for h in self._helpers if h.alive), key=lambda h: h.backlog, default=None)
        if helper is not None:
            try:
                signature = await helper.sign(signing_input.encode("ascii"))
                return f"{signing_input}.{_b64url(signature)}"
            except SigningHelperGone:
                pass  # it died with this request in flight: sign here rather than fail the request
        signature = self._key.sign(signing_input.encode("ascii"), _PADDING, _SHA256)
        return f"{signing_input}.{_b64url(signature)}"

    async def start_helpers(self, count: int) -> None:
        """Move RSA signing to ``count`` helper processes (see :class:`_SigningHelper`)."""
        while len(self._helpers) < count:
            helper = _SigningHelper(self._key_pem)
            self._helpers.append(helper)
            await helper.sign(b"warm-up")

    def close(self) -> None:
        """Stop the signing processes, if any."""
        for helper in self._helpers:
            helper.close()
        self._helpers = []

    def verify(self, token: str) -> dict[str, Any] | None:
        """Claims of a token this store signed, or ``None`` if it did not."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            header = json.loads(b64url_decode(parts[0]))
            if not isinstance(header, dict) or header.get("alg") != "RS256":
                return None
            signature = b64url_decode(parts[2])
            self._public.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"), _PADDING, _SHA256)
            claims = json.loads(b64url_decode(parts[1]))
        except (InvalidSignature, ValueError, UnicodeError, RecursionError):
            # RecursionError: a header nested deeper than the JSON parser's stack.
            return None
        return claims if isinstance(claims, dict) else None

    def jwks(self) -> dict[str, Any]:
        """The public key as a JSON Web Key Set."""
        numbers = self._public.public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.kid,
                    "x5t": self.x5t,
                    "n": _int_b64url(numbers.n),
                    "e": _int_b64url(numbers.e),
                    "x5c": [self._x5c],
                }
            ]
        }


def _signing_helper_main(conn: Connection, key_pem: bytes) -> None:
    """Body of the signing process: sign batches until the pipe closes.

    A request is the signing inputs joined by ``\\n`` (they are base64url and
    dots, so never contain one); the answer is the RSA-2048 signatures
    concatenated (256 bytes each).  The pipe closing (the server exited,
    even by ``kill -9``) ends the process.
    """
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    try:
        while True:
            batch = conn.recv_bytes()
            conn.send_bytes(b"".join(key.sign(m, _PADDING, _SHA256) for m in batch.split(b"\n")))
    except (EOFError, OSError, KeyboardInterrupt):
        return


class SigningHelperGone(RuntimeError):
    """A signing helper process died before answering (the request is signed in process instead)."""


class _SigningHelper:
    """Signs RS256 inputs in one helper process, in batches.

    RSA-2048 signing (~0.4 ms) holds the GIL, so a thread pool cannot run it
    beside the event loop; a process can, on the second core.  A
    ``ProcessPoolExecutor`` costs more in per-task IPC than the signature
    itself, so this sends everything requested during one event-loop turn
    as a single pipe message and gets all signatures back in one message.
    Batches are answered in order, so a FIFO of pending batches suffices.
    """

    _SIGNATURE_BYTES = 256  # RSA-2048
    #: Largest batch per pipe message.  Measured with bench/emulator_load.py
    #: (32 concurrent, 2 cores): 8 beats 1, 2, 4, 16 and 32 on both tokens/s
    #: and p99 -- fewer wake-ups of the helper than small batches, while the
    #: first requests of a burst still do not wait for the whole burst.
    MAX_BATCH = 8
    #: Seconds :meth:`close` waits for the helper to exit on its own (it does at once when its
    #: pipe closes) before killing it.
    CLOSE_GRACE = 5.0

    def __init__(self, key_pem: bytes) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_conn = ctx.Pipe(duplex=True)
        self._process = ctx.Process(
            target=_signing_helper_main,
            args=(child_conn, key_pem),
            name="acs-identity-emulator-signer",
            daemon=True,
        )
        self._process.start()
        child_conn.close()
        self._loop = asyncio.get_running_loop()
        self._pending: list[tuple[bytes, asyncio.Future[bytes]]] = []
        self._in_flight: deque[list[asyncio.Future[bytes]]] = deque()
        self._flush_scheduled = False
        self.alive = True
        #: signatures asked for and not yet delivered
        self.backlog = 0
        self._loop.add_reader(self._conn.fileno(), self._on_readable)

    def sign(self, signing_input: bytes) -> asyncio.Future[bytes]:
        """A future for the signature of ``signing_input``."""
        future: asyncio.Future[bytes] = self._loop.create_future()
        self._pending.append((signing_input, future))
        self.backlog += 1
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self._flush_scheduled = False
        pending, self._pending = self._pending, []
        # Small batches, pipelined: the helper answers each as soon as it is
        # signed, so the first requests of a burst do not wait for the last.
        for start in range(0, len(pending), self.MAX_BATCH):
            batch = pending[start : start + self.MAX_BATCH]
            if not self.alive:
                self._fail([f for _, f in batch])
                continue
            try:
                self._conn.send_bytes(b"\n".join(m for m, _ in batch))
            except OSError:
                self._die()
                self._fail([f for _, f in batch])
                continue
            self._in_flight.append([f for _, f in batch])

    def _on_readable(self) -> None:
        try:
            data = self._conn.recv_bytes()
        except (EOFError, OSError):
            self._die()
            return
        futures = self._in_flight.popleft()
        self.backlog -= len(futures)
        size = self._SIGNATURE_BYTES
        for i, future in enumerate(futures):
            if not future.done():
                future.set_result(data[i * size : (i + 1) * size])

    def _fail(self, futures: list[asyncio.Future[bytes]]) -> None:
        for future in futures:
            if not future.done():
                future.set_exception(SigningHelperGone("the signing process is gone"))

    def _die(self) -> None:
        if self.alive:
            self.alive = False
            self._loop.remove_reader(self._conn.fileno())
            while self._in_flight:
                self._fail(self._in_flight.popleft())

    def close(self) -> None:
        """Stop the helper process."""
        self._die()
        self._conn.close()
        self._process.join(self.CLOSE_GRACE)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def acs_claims(skypeid: str, scopes: list[str], iat: int, exp: int, resource_id: str) -> dict[str, Any]:
    """The ACS claim set, in the real service's order."""
    return {
        "skypeid": skypeid,
        "scp": ACS_SCP,
        "csi": str(iat),
        "exp": exp,
        "rgn": REGION,
        "acsScope": ",".join(scopes),
        "resourceId": resource_id,
        "resourceLocation": RESOURCE_LOCATION,
        "iat": iat,
    }
