"""Signed dates are IMF-fixdate only (issue 18, item 5).

RFC 7231 section 7.1.1.1 lets a recipient read three forms but a sender generate
only one, IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``), and it is the one every
SDK sends.  Whichever date header the signature names (``x-ms-date`` or ``Date``),
anything else is the same 401 ``Denied`` as a wrong signature, byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from emu_helpers import GA, RawClient

FORMS = ["x-ms-date", "Date"]
PATH = f"/identities?api-version={GA}"
DENIED = b'{"error":{"code":"Denied","message":"Denied by the resource provider."}}'
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _fixdate(moment: float) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(moment))


def _rfc850(moment: float) -> str:
    return time.strftime("%A, %d-%b-%y %H:%M:%S GMT", time.gmtime(moment))


def _asctime(moment: float) -> str:
    parts = time.gmtime(moment)
    return time.strftime(f"%a %b {parts.tm_mday:2d} %H:%M:%S %Y", parts)


def _asctime_gmt(moment: float) -> str:
    return _asctime(moment) + " GMT"


def _two_digit_year(moment: float) -> str:
    return time.strftime("%a, %d %b %y %H:%M:%S GMT", time.gmtime(moment))


def _wrong_weekday(moment: float) -> str:
    right = _fixdate(moment)
    wrong = DAYS[(DAYS.index(right[:3]) + 1) % 7]
    return wrong + right[3:]


def _numeric_zone(moment: float) -> str:
    # The local time five hours east, with its zone before "GMT": the same instant if the zone were applied.
    return time.strftime("%a, %d %b %Y %H:%M:%S +0500 GMT", time.gmtime(moment + 5 * 3600))


def _lower_case_names(moment: float) -> str:
    return _fixdate(moment)[:-4].lower() + " GMT"


def _no_comma(moment: float) -> str:
    return _fixdate(moment).replace(",", "", 1)


def _two_spaces(moment: float) -> str:
    return _fixdate(moment).replace(" ", "  ", 1)


def _fraction_of_a_second(moment: float) -> str:
    return _fixdate(moment)[:-4] + ".5 GMT"


NOT_FIXDATES: list[Callable[[float], str]] = [
    _rfc850,
    _asctime,
    _asctime_gmt,
    _two_digit_year,
    _wrong_weekday,
    _numeric_zone,
    _lower_case_names,
    _no_comma,
    _two_spaces,
    _fraction_of_a_second,
]


def _send(client: RawClient, date: str, form: str) -> tuple[int, bytes]:
    headers = client.sign_headers("POST", PATH, b"", date=date, date_header=form)
    reply = client.request("POST", PATH, raw=b"", api_version=None, sign=False, headers=headers)
    return reply.status, reply.body


@pytest.mark.parametrize("form", FORMS)
def test_the_fixdate_of_now_is_accepted(client: RawClient, form: str) -> None:
    assert _send(client, _fixdate(time.time()), form)[0] == 201


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("spell", NOT_FIXDATES, ids=[f.__name__.strip("_") for f in NOT_FIXDATES])
def test_other_spellings_of_now_are_denied(client: RawClient, form: str, spell: Callable[[float], str]) -> None:
    assert _send(client, spell(time.time()), form) == (401, DENIED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784111777.0),  # RFC 7231's example
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Mon, 29 Feb 2016 23:59:59 GMT", 1456790399.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 253402300799.0),
    ],
)
def test_fixdates_are_read(text: str, expected: float) -> None:
    from acs_identity_emulator._auth import parse_imf_fixdate

    assert parse_imf_fixdate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Sunday, 06-Nov-94 08:49:37 GMT",  # RFC 850
        "Sun Nov  6 08:49:37 1994",  # asctime
        "Sun, 06 Nov 94 08:49:37 GMT",  # two-digit year
        "Mon, 06 Nov 1994 08:49:37 GMT",  # not that date's weekday
        "Sun, 06 Nov 1994 08:49:37 +0500 GMT",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 6 Nov 1994 08:49:37 GMT",  # one-digit day
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "sun, 06 nov 1994 08:49:37 GMT",  # names are case-sensitive
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "Sun, 06 Nov 01994 08:49:37 GMT",
        "Tue, 31 Nov 1994 08:49:37 GMT",  # no such date
        "Tue, 29 Feb 2022 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:60 GMT",
        "Sat, 01 Jan 0000 00:00:00 GMT",
        " Sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\n",
        "Sun, \u0660\u0666 Nov 1994 08:49:37 GMT",  # digits of another script
        "",
    ],
)
def test_anything_else_is_not_read(text: str) -> None:
    from acs_identity_emulator._auth import parse_imf_fixdate

    assert parse_imf_fixdate(text) is None
