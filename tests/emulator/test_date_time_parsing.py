"""The local service reads RFC 3339 date-times alike on every supported Python.

Python 3.10's ``fromisoformat`` knows neither ``Z`` nor fractions other than 3 or 6 digits.
"""

from __future__ import annotations

import pytest
from acs_identity_emulator._formats import parse_date_time

EPOCH_2021 = 1_609_459_200  # 2021-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-01-01T00:00:00Z", EPOCH_2021),
        ("2021-01-01T00:00:00z", EPOCH_2021),
        ("2021-01-01T00:00:00+00:00", EPOCH_2021),
        ("2021-01-01T00:00:00", EPOCH_2021),  # naive means UTC
        ("2021-01-01T01:00:00+01:00", EPOCH_2021),
        ("2021-01-01T00:00:00.5Z", EPOCH_2021 + 0.5),
        ("2021-01-01T00:00:00.12+00:00", EPOCH_2021 + 0.12),
        ("2021-01-01T00:00:00.1234Z", EPOCH_2021 + 0.1234),
        ("2021-01-01T00:00:00.123456+00:00", EPOCH_2021 + 0.123456),
        ("2021-01-01T00:00:00.1234567+00:00", EPOCH_2021 + 0.123457),  # .NET's seven digits, rounded up
        (" 2021-01-01T00:00:00.250Z ", EPOCH_2021 + 0.25),
    ],
)
def test_parse_date_time(text: str, expected: float) -> None:
    assert parse_date_time(text) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("text", ["", "yesterday", "2021-13-01T00:00:00Z", "2021-01-01T25:00:00Z"])
def test_parse_date_time_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date_time(text)
