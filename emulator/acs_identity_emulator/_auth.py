"""HMAC-SHA256 request verification and unverified JWT reading.

The string to sign is::

    <METHOD>\\n<path?query exactly as sent>\\n<x-ms-date>;<host>;<x-ms-content-sha256>

The path and query are taken from the raw request line so percent-encoding is
compared exactly as the client sent it.  Some SDKs sign the host without its
port, so both forms of the ``Host`` header are tried.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from email.utils import parsedate_to_datetime
from typing import Any

from . import _errors

#: Largest accepted difference between ``x-ms-date`` and the server clock.
#: Not published by Azure; 15 minutes is the common Azure value.
MAX_CLOCK_SKEW_SECONDS = 15 * 60

_EXPECTED_SIGNED = frozenset({"x-ms-date", "host", "x-ms-content-sha256"})
_PREFIX = "HMAC-SHA256 "


def content_hash(body: bytes) -> str:
    """base64(SHA-256(body)), the value of ``x-ms-content-sha256``."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def sign(key: bytes, string_to_sign: str) -> str:
    """base64(HMAC-SHA256(key, string_to_sign))."""
    return base64.b64encode(hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).digest()).decode("ascii")


def _host_candidates(host: str) -> list[str]:
    """The Host header as sent, and without its port if it has one."""
    candidates = [host]
    if host.startswith("["):  # IPv6 literal: [::1]:8080
        end = host.find("]")
        if end != -1 and host[end + 1 : end + 2] == ":":
            candidates.append(host[: end + 1])
    elif host.count(":") == 1:
        candidates.append(host.split(":", 1)[0])
    return candidates


class HmacVerifier:
    """Verifies HMAC-signed requests against one access key."""

    def __init__(self, key: bytes, max_skew: float = MAX_CLOCK_SKEW_SECONDS) -> None:
        self._key = key
        self._max_skew = max_skew
        # Clients send the same x-ms-date string for a whole second; parsing
        # RFC 1123 dates is a noticeable share of a token request.
        self._date_cache: dict[str, float] = {}

    def verify(
        self,
        method: str,
        raw_path_and_query: str,
        headers: Any,
        body: bytes,
    ) -> None:
        """Raise :class:`~._errors.ServiceError` (401) unless the request is signed.

        ``headers`` is any case-insensitive mapping (aiohttp's CIMultiDictProxy).
        """
        authorization = headers.get("Authorization")
        if not authorization or not authorization.startswith(_PREFIX):
            raise _errors.denied()
        signed_headers: list[str] | None = None
        signature: str | None = None
        for part in authorization[len(_PREFIX) :].strip().split("&"):
            name, sep, value = part.partition("=")
            if not sep:
                raise _errors.denied()
            lowered = name.strip().lower()
            if lowered == "signedheaders":
                signed_headers = [h.strip().lower() for h in value.split(";")]
            elif lowered == "signature":
                # base64 contains '=' padding, so take everything after the first '='.
                signature = value.strip()
        if signed_headers is None or signature is None:
            raise _errors.denied()
        if len(signed_headers) != 3 or set(signed_headers) != _EXPECTED_SIGNED:
            raise _errors.denied()

        date_value = headers.get("x-ms-date")
        claimed_hash = headers.get("x-ms-content-sha256")
        host = headers.get("Host")
        if not date_value or claimed_hash is None or not host:
            raise _errors.denied()
        sent_at = self._date_cache.get(date_value)
        if sent_at is None:
            try:
                sent_at = parsedate_to_datetime(date_value).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                raise _errors.denied() from None
            if len(self._date_cache) >= 64:
                self._date_cache.clear()
            self._date_cache[date_value] = sent_at
        if abs(time.time() - sent_at) > self._max_skew:
            raise _errors.denied()

        if not hmac.compare_digest(claimed_hash.encode("utf-8"), content_hash(body).encode()):
            raise _errors.content_hash_mismatch()

        try:
            given = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise _errors.denied() from None
        upper = method.upper()
        for candidate in _host_candidates(host):
            values = {"x-ms-date": date_value, "host": candidate, "x-ms-content-sha256": claimed_hash}
            string_to_sign = f"{upper}\n{raw_path_and_query}\n" + ";".join(values[h] for h in signed_headers)
            expected = hmac.new(self._key, string_to_sign.encode("utf-8"), hashlib.sha256).digest()
            if hmac.compare_digest(expected, given):
                return
        raise _errors.denied()


def b64url_decode(segment: str) -> bytes:
    """Decode unpadded base64url (raises ``binascii.Error``/``ValueError``)."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def read_jwt_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return (header, claims) of a compact JWS without checking its signature.

    ``None`` when the token is not three base64url parts with JSON-object
    header and payload.  Used for Entra tokens, whose signatures the emulator
    does not check (it has no access to Entra's keys offline).
    """
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims
