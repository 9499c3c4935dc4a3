"""HMAC-SHA256 request verification, and the one spelling of JWS segments.

The string to sign is::

    <METHOD>\\n<path?query exactly as sent>\\n<date>;<host>;<x-ms-content-sha256>

in the order the ``SignedHeaders`` list names them.  ``<date>`` is the value of
whichever date header that list names: ``x-ms-date`` (every current SDK) or the
standard ``Date`` (the 2020 SDKs: Python ``azure-communication-administration``
1.0.0b1-b4, the Java and, under Node, JavaScript ``communication-common`` betas);
the clock-skew check applies to that same header and any other date header is
ignored.  The path and query are taken from the raw request line so
percent-encoding is compared exactly as the client sent it.  Some SDKs sign the
host without its port, so both forms of the ``Host`` header are tried.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import datetime as _dt
import hashlib
import hmac
import re
import time
from typing import Any

from . import _errors

#: Largest accepted difference between the signed date header and the server clock.
#: Not published by Azure; 15 minutes is the common Azure value.
MAX_CLOCK_SKEW_SECONDS = 15 * 60

#: The date headers a signature may name; exactly one of them is signed.
_DATE_HEADERS = ("x-ms-date", "date")
_OTHER_SIGNED = frozenset({"host", "x-ms-content-sha256"})
_PREFIX = "HMAC-SHA256 "
_CANONICAL_SIGNED = ("x-ms-date", "host", "x-ms-content-sha256")
_CANONICAL_PREFIX = f"{_PREFIX}SignedHeaders={';'.join(_CANONICAL_SIGNED)}&Signature="

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: RFC 7231 section 7.1.1.1 IMF-fixdate, the one form a sender may generate, as every
#: SDK does: ``Sun, 06 Nov 1994 08:49:37 GMT``.  Names are case-sensitive, the day has
#: two digits and the year four; the obsolete RFC 850 and asctime forms, two-digit
#: years and numeric zones are not it.
_IMF_FIXDATE = re.compile(
    rf"({'|'.join(_DAY_NAMES)}), ([0-9]{{2}}) ({'|'.join(_MONTHS)}) ([0-9]{{4}}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)


def content_hash(body: bytes) -> str:
    """base64(SHA-256(body)), the value of ``x-ms-content-sha256``."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def sign(key: bytes, string_to_sign: str) -> str:
    """base64(HMAC-SHA256(key, string_to_sign))."""
    return base64.b64encode(hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).digest()).decode("ascii")


def _host_without_port(host: str) -> str | None:
    """The Host header without its port, or ``None`` if it has none."""
    if host.startswith("["):  # IPv6 literal: [::1]:8080
        end = host.find("]")
        if end != -1 and host[end + 1 : end + 2] == ":":
            return host[: end + 1]
    elif host.count(":") == 1:
        return host.split(":", 1)[0]
    return None


class HmacVerifier:
    """Verifies HMAC-signed requests against one access key.

    Built once per key: the keyed HMAC state is prepared here and copied per
    request, and date strings (the same for a whole second) are parsed
    once, so a request costs one SHA-256 of the body and one HMAC.
    """

    def __init__(self, key: bytes, max_skew: float = MAX_CLOCK_SKEW_SECONDS) -> None:
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self._max_skew = max_skew
        self._date_cache: dict[str, float] = {}

    def _mac(self, string_to_sign: str) -> bytes:
        mac = self._keyed.copy()
        # surrogateescape: aiohttp hands non-UTF-8 request bytes over as
        # surrogate escapes; this signs the bytes the client actually sent.
        mac.update(string_to_sign.encode("utf-8", "surrogateescape"))
        return mac.digest()

    @staticmethod
    def _parse_authorization(authorization: str) -> tuple[tuple[str, ...], str, str]:
        """(signed header names in order, the signed date header, signature), else 401."""
        if authorization.startswith(_CANONICAL_PREFIX) and "&" not in authorization[len(_CANONICAL_PREFIX) :]:
            # What every current SDK sends: skip the general parse.
            return _CANONICAL_SIGNED, "x-ms-date", authorization[len(_CANONICAL_PREFIX) :].strip()
        signed_headers: tuple[str, ...] | None = None
        signature: str | None = None
        for part in authorization[len(_PREFIX) :].strip().split("&"):
            name, sep, value = part.partition("=")
            if not sep:
                raise _errors.denied()
            lowered = name.strip().lower()
            if lowered == "signedheaders":
                signed_headers = tuple(h.strip().lower() for h in value.split(";"))
            elif lowered == "signature":
                # base64 contains '=' padding, so take everything after the first '='.
                signature = value.strip()
        if signed_headers is None or signature is None:
            raise _errors.denied()
        if len(signed_headers) != 3:
            raise _errors.denied()
        dates = [h for h in signed_headers if h in _DATE_HEADERS]
        if len(dates) != 1 or set(signed_headers) - {dates[0]} != _OTHER_SIGNED:
            raise _errors.denied()
        return signed_headers, dates[0], signature

    def _sent_at(self, date_value: str) -> float:
        sent_at = self._date_cache.get(date_value)
        if sent_at is None:
            sent_at = parse_imf_fixdate(date_value)
            if sent_at is None:
                raise _errors.denied()
            if len(self._date_cache) >= 64:
                self._date_cache.clear()
            self._date_cache[date_value] = sent_at
        return sent_at

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
        signed_headers, date_header, signature = self._parse_authorization(authorization)

        date_value = headers.get(date_header)
        claimed_hash = headers.get("x-ms-content-sha256")
        host = headers.get("Host")
        if not date_value or claimed_hash is None or not host:
            raise _errors.denied()
        # Header bytes outside ASCII arrive as surrogate escapes that cannot
        # be encoded for the HMAC; no SDK sends them (hosts go as punycode).
        if not (date_value.isascii() and claimed_hash.isascii() and host.isascii() and signature.isascii()):
            raise _errors.denied()
        if abs(time.time() - self._sent_at(date_value)) > self._max_skew:
            raise _errors.denied()

        if not hmac.compare_digest(claimed_hash.encode("utf-8"), content_hash(body).encode()):
            raise _errors.content_hash_mismatch()

        try:
            given = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise _errors.denied() from None
        prefix = f"{method.upper()}\n{raw_path_and_query}\n"
        candidate: str | None = host
        while candidate is not None:
            values = {date_header: date_value, "host": candidate, "x-ms-content-sha256": claimed_hash}
            if hmac.compare_digest(self._mac(prefix + ";".join(values[h] for h in signed_headers)), given):
                return
            # Some SDKs sign the host without its port.
            candidate = _host_without_port(candidate) if candidate is host else None
        raise _errors.denied()


def parse_imf_fixdate(value: str) -> float | None:
    """Seconds since the epoch of an IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``), else ``None``.

    The date must exist and the day name must be that date's (``Mon, 06 Nov 1994`` is
    refused); hours run to 23, minutes and seconds to 59.
    """
    match = _IMF_FIXDATE.fullmatch(value)
    if match is None:
        return None
    day_name, day, month, year, hour, minute, second = match.groups()
    try:
        moment = _dt.datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second))
    except ValueError:  # 31 Nov, 24:00, year 0000, second 60, ...
        return None
    if _DAY_NAMES[moment.weekday()] != day_name:
        return None
    return float(calendar.timegm(moment.timetuple()))


def b64url_decode(segment: str) -> bytes:
    """Decode a JWS segment: unpadded base64url, in its one spelling (else ``ValueError``).

    RFC 7515 segments are base64url without ``=`` padding.  Python's decoder is
    lenient (it drops characters outside the alphabet and takes extra padding), so
    ``+``/``/``, ``=``, whitespace, a length no encoding has, or non-zero unused
    bits in the last character would each give another spelling of the same token.
    Only the string that re-encodes to itself is accepted.
    """
    if not segment.isascii():
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=") != segment.encode("ascii"):
        raise ValueError("not unpadded base64url in its canonical spelling")
    return data
