"""The local service's HMAC verifier and unverified JWT reader, on their own: each check that
make mutate showed unpinned answers a bad request with the service's 401 (never a 500, never a
pass), and each limit is pinned at its boundary."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.utils import formatdate
from typing import Any

import pytest
from acs_identity_emulator import _auth
from acs_identity_emulator._auth import MAX_CLOCK_SKEW_SECONDS, HmacVerifier, parse_imf_fixdate
from acs_identity_emulator._errors import CONTENT_HASH_MESSAGE, DENIED_MESSAGE, ServiceError
from multidict import CIMultiDict

KEY = b"mutation-pin-key"
PATH = "/identities?api-version=2023-10-01"
EMPTY_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="  # base64(sha256(b""))
NOW = 1_700_000_000.0
CANONICAL = "x-ms-date;host;x-ms-content-sha256"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_auth.time, "time", lambda: NOW)


def _signature(method: str, path: str, values: list[str], key: bytes = KEY) -> str:
    to_sign = f"{method}\n{path}\n{';'.join(values)}".encode("utf-8", "surrogateescape")
    return base64.b64encode(hmac.new(key, to_sign, hashlib.sha256).digest()).decode()


def _headers(
    *,
    date: str | None = None,
    host: str = "localhost:8080",
    signed_host: str | None = None,
    path: str = PATH,
    authorization: str | None = None,
    **extra: str,
) -> CIMultiDict[str]:
    date = date or formatdate(NOW, usegmt=True)
    signature = _signature("POST", path, [date, signed_host or host, EMPTY_HASH])
    headers = CIMultiDict(
        {
            "x-ms-date": date,
            "Host": host,
            "x-ms-content-sha256": EMPTY_HASH,
            "Authorization": authorization
            if authorization is not None
            else f"HMAC-SHA256 SignedHeaders={CANONICAL}&Signature={signature}",
        }
    )
    headers.update(extra)
    return headers


def _verify(headers: Any, path: str = PATH, body: bytes = b"", verifier: HmacVerifier | None = None) -> None:
    (verifier or HmacVerifier(KEY)).verify("POST", path, headers, body)


def _denied(headers: Any, path: str = PATH, body: bytes = b"", message: str = DENIED_MESSAGE) -> None:
    with pytest.raises(ServiceError) as caught:
        _verify(headers, path, body)
    assert (caught.value.status, caught.value.code, caught.value.message) == (401, "Denied", message)


def test_a_canonical_signature_passes():
    _verify(_headers())


def test_a_wrong_key_is_denied():
    with pytest.raises(ServiceError) as caught:
        _verify(_headers(), verifier=HmacVerifier(b"another key"))
    assert (caught.value.status, caught.value.message) == (401, DENIED_MESSAGE)


@pytest.mark.parametrize(
    "authorization",
    [
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256",
        "HMAC-SHA256 Signature=abcd",
        "HMAC-SHA256 Signature=abcd&Other=1",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature",
        "HMAC-SHA256 ",
        "HMAC-SHA256",
        "Bearer abc",
        "",
    ],
    ids=["no-signature", "no-signed-headers", "other-part", "part-without-equals", "empty", "bare", "bearer", "blank"],
)
def test_an_incomplete_authorization_is_denied(authorization: str) -> None:
    _denied(_headers(authorization=authorization))


def test_the_general_parse_accepts_any_case_order_and_spacing():
    headers = _headers()
    signature = headers["Authorization"].rsplit("Signature=", 1)[1]
    headers["Authorization"] = (
        f"HMAC-SHA256 signature={signature} & SIGNEDHEADERS= X-MS-Date ; Host;x-ms-content-sha256"
    )
    _verify(headers)


@pytest.mark.parametrize(
    "signed",
    [
        "x-ms-date;host",
        "x-ms-date;host;x-ms-content-sha256;content-type",
        "x-ms-date;date;host",
        "x-ms-date;host;host",
        "host;x-ms-content-sha256;content-type",
    ],
)
def test_exactly_three_signed_headers_one_of_them_a_date(signed: str) -> None:
    headers = _headers()
    signature = headers["Authorization"].rsplit("Signature=", 1)[1]
    headers["Authorization"] = f"HMAC-SHA256 SignedHeaders={signed}&Signature={signature}"
    _denied(headers)


def test_a_date_header_named_date_is_signed_and_checked():
    date = formatdate(NOW, usegmt=True)
    signature = _signature("POST", PATH, ["localhost:8080", date, EMPTY_HASH])
    headers = CIMultiDict(
        {
            "Date": date,
            "Host": "localhost:8080",
            "x-ms-content-sha256": EMPTY_HASH,
            "Authorization": f"HMAC-SHA256 SignedHeaders=host;date;x-ms-content-sha256&Signature={signature}",
        }
    )
    _verify(headers)


@pytest.mark.parametrize(
    "signature",
    [
        "not base64!",
        "YWJj ZGVm",  # whitespace inside
        "YWJjZA",  # missing padding
    ],
)
def test_the_signature_must_be_strict_base64(signature: str) -> None:
    _denied(_headers(authorization=f"HMAC-SHA256 SignedHeaders={CANONICAL}&Signature={signature}"))


def test_a_signature_with_non_base64_text_around_the_right_bytes_is_denied():
    headers = _headers()
    good = headers["Authorization"].rsplit("Signature=", 1)[1]
    headers["Authorization"] = f"HMAC-SHA256 SignedHeaders={CANONICAL}&Signature=!{good}"
    # lenient base64 would drop '!' and accept the signature
    _denied(headers)


@pytest.mark.parametrize(
    "date",
    [
        "Tue, 14 Nov 2023 22:13:20 GMT ",
        "Tue, 31 Nov 2023 22:13:20 GMT",  # matches the pattern, no such date
        "Mon, 14 Nov 2023 22:13:20 GMT",  # wrong day name
        "xx GMT",
        "Tue, 14 Nov 2023 24:00:00 GMT",
    ],
)
def test_an_unparseable_date_ending_in_gmt_is_denied(date: str) -> None:
    _denied(_headers(date=date))
    assert parse_imf_fixdate(date) is None


def test_imf_fixdate_values():
    assert parse_imf_fixdate("Tue, 14 Nov 2023 22:13:20 GMT") == 1_700_000_000.0
    assert parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777.0
    assert parse_imf_fixdate("Sat, 01 Jan 2000 00:00:00 GMT") == 946684800.0
    assert parse_imf_fixdate("Fri, 31 Dec 1999 23:59:59 GMT") == 946684799.0


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (0, True),
        (MAX_CLOCK_SKEW_SECONDS, True),
        (-MAX_CLOCK_SKEW_SECONDS, True),
        (MAX_CLOCK_SKEW_SECONDS + 1, False),
        (-MAX_CLOCK_SKEW_SECONDS - 1, False),
    ],
)
def test_clock_skew_boundary(offset: int, accepted: bool) -> None:
    assert MAX_CLOCK_SKEW_SECONDS == 900
    headers = _headers(date=formatdate(NOW + offset, usegmt=True))
    if accepted:
        _verify(headers)
    else:
        _denied(headers)


def test_the_date_cache_is_bounded_and_still_right_after_clearing():
    verifier = HmacVerifier(KEY)
    dates = [formatdate(NOW - i, usegmt=True) for i in range(200)]
    for date in dates:
        _verify(_headers(date=date), verifier=verifier)
        assert len(verifier._date_cache) <= 64
    assert len(verifier._date_cache) == 200 % 64 or len(verifier._date_cache) == 64
    # a cached value is the parsed date, not just "seen": an old date is refused when cached
    old = formatdate(NOW - MAX_CLOCK_SKEW_SECONDS - 5, usegmt=True)
    for _ in range(2):
        with pytest.raises(ServiceError):
            _verify(_headers(date=old), verifier=verifier)


def test_the_date_cache_holds_at_most_64_dates():
    verifier = HmacVerifier(KEY)
    for i in range(64):
        _verify(_headers(date=formatdate(NOW - i, usegmt=True)), verifier=verifier)
    assert len(verifier._date_cache) == 64
    _verify(_headers(date=formatdate(NOW - 64, usegmt=True)), verifier=verifier)
    assert len(verifier._date_cache) == 1


@pytest.mark.parametrize(
    ("host", "signed_host", "accepted"),
    [
        ("[::1]:8080", "[::1]", True),
        ("[::1]:8080", "[::1]:8080", True),
        ("[::1]", "[::1]", True),
        ("[::1]:8080", "[::1]:9090", False),
        ("[::1]:8080", "::1", False),
        ("localhost:8080", "localhost", True),
        ("localhost:8080", "localhost:8080", True),
        ("localhost", "localhost", True),
        ("a:b:c", "a", False),
        ("[::1]x8080", "[::1]", False),
    ],
)
def test_host_with_and_without_port(host: str, signed_host: str, accepted: bool) -> None:
    headers = _headers(host=host, signed_host=signed_host)
    if accepted:
        _verify(headers)
    else:
        _denied(headers)


def test_non_utf8_path_bytes_are_verified_as_sent():
    # aiohttp hands bytes that are not UTF-8 over as surrogate escapes
    path = "/identities/\udcff\udcfe?api-version=2023-10-01"
    _verify(_headers(path=path), path=path)
    _denied(_headers(path=PATH), path=path)


@pytest.mark.parametrize("header", ["x-ms-date", "Host", "x-ms-content-sha256"])
def test_a_missing_signed_header_is_denied(header: str) -> None:
    headers = _headers()
    del headers[header]
    _denied(headers)


@pytest.mark.parametrize("header", ["x-ms-date", "Host"])
def test_an_empty_signed_header_is_denied(header: str) -> None:
    headers = _headers()
    headers[header] = ""
    _denied(headers)


@pytest.mark.parametrize(
    ("header", "value"),
    [("Host", "h\udcffst"), ("x-ms-content-sha256", "\udcff"), ("Authorization", None)],
)
def test_non_ascii_header_values_are_denied(header: str, value: str | None) -> None:
    headers = _headers()
    if value is None:  # the signature itself
        headers["Authorization"] = headers["Authorization"] + "\udcff"
    else:
        headers[header] = value
    _denied(headers)


def test_a_wrong_content_hash_has_its_own_message():
    _denied(_headers(), body=b"x", message=CONTENT_HASH_MESSAGE)


def test_method_is_signed_upper_case():
    headers = _headers()
    HmacVerifier(KEY).verify("post", PATH, headers, b"")
    with pytest.raises(ServiceError):
        HmacVerifier(KEY).verify("GET", PATH, headers, b"")
