"""Known answers for the request hot path: HMAC verification, ``expiresOn``, path decoding.

These helpers have fast paths for what every SDK sends; each test pins the
fast path and the general one to the same literal outcome.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from acs_identity_emulator._auth import HmacVerifier
from acs_identity_emulator._dispatch import _unquote_segment
from acs_identity_emulator._errors import ServiceError
from acs_identity_emulator._formats import format_expires_on
from multidict import CIMultiDict

KEY = b"k" * 32
DATE = "Thu, 25 Aug 2022 20:03:34 GMT"
PATH = "/identities/8%3Aacs%3Ax/:issueAccessToken?api-version=2023-10-01"
BODY = b'{"scopes":["chat"]}'
BODY_HASH = "J+doRQjtFVYLx3qOvzptwBLjQWqy6OEWEEk1TY1+rT4="  # openssl dgst -sha256 -binary | base64


def _signature(string_to_sign: str, key: bytes = KEY) -> str:
    return base64.b64encode(hmac.new(key, string_to_sign.encode(), hashlib.sha256).digest()).decode()


#: printf '%s' "<string to sign>" | openssl dgst -sha256 -hmac kkkk... -binary | base64
SIGNATURE = "F+3wRkge+It6iM3ZOIpuGBCUl4HWpCUWoaQk2kyZJAc="
REORDERED = _signature(f"POST\n{PATH}\n127.0.0.1:8080;{DATE};{BODY_HASH}")


def _headers(authorization: str, host: str = "127.0.0.1:8080") -> dict[str, str]:
    return {"Authorization": authorization, "x-ms-date": DATE, "x-ms-content-sha256": BODY_HASH, "Host": host}


def _verify(authorization: str, host: str = "127.0.0.1:8080", body: bytes = BODY) -> None:
    # The fixed date is years old: allow any skew so only the signature is judged.
    HmacVerifier(KEY, max_skew=10**12).verify("POST", PATH, _headers(authorization, host), body)


def test_known_answers() -> None:
    assert base64.b64encode(hashlib.sha256(BODY).digest()).decode() == BODY_HASH
    assert _signature(f"POST\n{PATH}\n{DATE};127.0.0.1:8080;{BODY_HASH}") == SIGNATURE


@pytest.mark.parametrize(
    "authorization",
    [
        f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={SIGNATURE}",  # fast path
        f"HMAC-SHA256 signedheaders=x-ms-date;host;x-ms-content-sha256&signature={SIGNATURE}",
        f"HMAC-SHA256 Signature={SIGNATURE}&SignedHeaders=x-ms-date;host;x-ms-content-sha256",
        f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={SIGNATURE}&Extra=1",
        f"HMAC-SHA256 SignedHeaders=host;x-ms-date;x-ms-content-sha256&Signature={REORDERED}",
    ],
)
def test_accepted_authorization_forms(authorization: str) -> None:
    _verify(authorization)


@pytest.mark.parametrize(
    "authorization",
    [
        f"HMAC-SHA256 SignedHeaders=date;host;x-ms-content-sha256&Signature={SIGNATURE}",
        f"HMAC-SHA256 SignedHeaders=Date;Host;X-MS-Content-SHA256&Signature={SIGNATURE}",
        f"HMAC-SHA256 SignedHeaders=host;date;x-ms-content-sha256&Signature={REORDERED}",
    ],
)
def test_date_form_signs_the_same_string_with_the_date_header(authorization: str) -> None:
    # The 2020 SDKs' form: the string to sign is unchanged, its date comes from ``Date``.
    # aiohttp hands the verifier a case-insensitive mapping, as here.
    headers = CIMultiDict(
        {"Authorization": authorization, "Date": DATE, "x-ms-content-sha256": BODY_HASH, "Host": "127.0.0.1:8080"}
    )
    HmacVerifier(KEY, max_skew=10**12).verify("POST", PATH, headers, BODY)
    with pytest.raises(ServiceError):  # the value must come from the header the signature names
        HmacVerifier(KEY, max_skew=10**12).verify("POST", PATH, {**_headers(authorization)}, BODY)


def test_host_signed_without_port_accepted() -> None:
    without_port = _signature(f"POST\n{PATH}\n{DATE};127.0.0.1;{BODY_HASH}")
    _verify(f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={without_port}")


@pytest.mark.parametrize(
    "authorization",
    [
        f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={SIGNATURE}&",
        f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={SIGNATURE[:-4]}",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
        + _signature(f"POST\n{PATH}\n{DATE};127.0.0.1:8080;{BODY_HASH}", b"other key"),
        f"HMAC-SHA256 SignedHeaders=x-ms-date;host&Signature={SIGNATURE}",
        f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256;host&Signature={SIGNATURE}",
    ],
)
def test_denied_authorization_forms(authorization: str) -> None:
    with pytest.raises(ServiceError) as caught:
        _verify(authorization)
    assert caught.value.status == 401
    assert caught.value.message == "Denied by the resource provider."


def test_other_port_denied() -> None:
    with pytest.raises(ServiceError):
        _verify(f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={SIGNATURE}", "127.0.0.1:9")


def test_body_hash_mismatch() -> None:
    with pytest.raises(ServiceError) as caught:
        _verify(f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={SIGNATURE}", body=b"{}")
    assert caught.value.message == "Request 'x-ms-content-sha256' differs from generated content hash."


@pytest.mark.parametrize(
    "epoch,text",
    [
        (1622671257.295796, "2021-06-02T22:00:57.295796+00:00"),
        (1622671257, "2021-06-02T22:00:57+00:00"),
        (1622671257.5, "2021-06-02T22:00:57.5+00:00"),
        (1622671257.12, "2021-06-02T22:00:57.12+00:00"),
        (1622671257.9999996, "2021-06-02T22:00:58+00:00"),  # rounds into the next second
        (1622671257.0000004, "2021-06-02T22:00:57+00:00"),
        (1700000000.0000014, "2023-11-14T22:13:20.000001+00:00"),
    ],
)
def test_format_expires_on(epoch: float, text: str) -> None:
    assert format_expires_on(epoch) == text
    assert format_expires_on(epoch) == text  # and again, from the per-second cache


@pytest.mark.parametrize(
    "segment,decoded",
    [
        ("identities", "identities"),
        ("8%3Aacs%3Aabc_def", "8:acs:abc_def"),
        ("8%3aacs%3aabc", "8:acs:abc"),
        ("a%2Fb%3Ac", "a/b:c"),
        ("100%", "100%"),
        ("%zz%3A", "%zz:"),
    ],
)
def test_unquote_segment(segment: str, decoded: str) -> None:
    assert _unquote_segment(segment) == decoded
