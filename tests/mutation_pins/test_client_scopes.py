"""Scopes and token lifetimes, checked locally: the refusals and bounds make mutate showed unpinned."""

from __future__ import annotations

from datetime import timedelta

import pytest

from azure.communication.administration import ApiVersion
from azure.communication.administration._scopes import (
    MAX_EXPIRES_IN,
    MIN_EXPIRES_IN,
    _hours,
    expires_in_minutes,
    normalize_scopes,
)

OLD = ApiVersion.V2022_10_01  # chat, voip; expiresInMinutes 60..1440
NEW = ApiVersion.V2023_10_01  # adds chat.join, chat.join.limited


def _error(scopes, version: ApiVersion = OLD) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as caught:
        normalize_scopes(scopes, version)
    return str(caught.value)


@pytest.mark.parametrize("scopes", ["chat", "", b"chat"])
def test_a_single_string_is_refused_not_iterated(scopes: object) -> None:
    assert _error(scopes) == (
        f"scopes must be a list of scopes such as ['chat'], not a single string; valid scopes for {OLD.value}: "
        "chat, voip."
    )


def test_a_non_iterable_is_refused() -> None:
    assert _error(42) == f"scopes must be a list of scopes; valid scopes for {OLD.value}: chat, voip."


def test_scopes_are_folded_stripped_and_deduplicated_in_order() -> None:
    assert normalize_scopes([" VoIP ", "chat", "voip", "CHAT"], OLD) == ["voip", "chat"]
    assert normalize_scopes(iter(["chat.join", "chat"]), NEW) == ["chat.join", "chat"]
    assert normalize_scopes(("chat",), OLD) == ["chat"]


def test_a_scope_of_a_later_version_says_which() -> None:
    assert _error(["chat", "chat.join"]) == (
        f"Unknown scope 'chat.join' for api_version {OLD.value} (it needs api_version {NEW.value} or later); "
        "valid scopes: chat, voip."
    )


@pytest.mark.parametrize(("raw", "quoted"), [("pstn", "'pstn'"), (42, "42"), (None, "None")])
def test_an_unknown_scope_is_quoted(raw: object, quoted: str) -> None:
    assert _error([raw]) == f"Unknown scope {quoted} for api_version {OLD.value}; valid scopes: chat, voip."


def test_no_scopes_is_refused() -> None:
    assert _error([]) == f"scopes must not be empty; valid scopes for {OLD.value}: chat, voip."


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(60, "1 hour"), (120, "2 hours"), (1440, "24 hours"), (6000, "100 hours"), (90, "90 minutes"), (59, "59 minutes")],
)
def test_hours(minutes: int, text: str) -> None:
    assert _hours(minutes) == text


def test_default_bounds() -> None:
    assert (timedelta(minutes=60), timedelta(minutes=1440)) == (MIN_EXPIRES_IN, MAX_EXPIRES_IN)


@pytest.mark.parametrize(
    ("lifetime", "minutes"),
    [(None, None), (timedelta(minutes=60), 60), (timedelta(hours=24), 1440), (timedelta(minutes=61), 61)],
)
def test_lifetimes_in_bounds(lifetime: timedelta | None, minutes: int | None) -> None:
    assert expires_in_minutes(lifetime, OLD) == minutes
    if minutes is not None:
        assert type(expires_in_minutes(lifetime, OLD)) is int


@pytest.mark.parametrize(
    "lifetime",
    [timedelta(minutes=59), timedelta(minutes=1441), timedelta(minutes=60, seconds=30), timedelta(minutes=-60)],
)
def test_lifetimes_out_of_bounds_or_not_whole_minutes(lifetime: timedelta) -> None:
    with pytest.raises(ValueError) as caught:
        expires_in_minutes(lifetime, OLD)
    assert str(caught.value) == (
        f"token_expires_in must be a whole number of minutes between 60 and 1440 (1 hour to 24 hours); got {lifetime}."
    )


def test_a_lifetime_that_is_not_a_timedelta_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        expires_in_minutes(60, OLD)  # type: ignore[arg-type]
    assert str(caught.value) == "token_expires_in must be a datetime.timedelta, not int."


def test_a_lifetime_for_a_version_without_it_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        expires_in_minutes(timedelta(minutes=60), ApiVersion.V2022_06_01)
    # 2023-08-30-preview (the Roles API only) is later and lacks it: named as an exception.
    assert str(caught.value) == (
        f"token_expires_in requires api_version {OLD.value} or later, except 2023-08-30-preview; "
        f"this client uses {ApiVersion.V2022_06_01.value}."
    )
