"""_redact on its own: each detection pinned without help from the others (make mutate found
that a 32+ character base64 run hid the ``accesskey=`` and JWT rules)."""

from __future__ import annotations

import pytest

from azure.communication.administration._redact import looks_secret, shown

# base64url header '{"alg":"HS256"}', a dot, a payload; no run of 32+ standard base64 characters.
SHORT_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln"


def test_accesskey_with_a_short_value_is_secret():
    # "abc" is no base64 run and no JWT: only the accesskey= rule can say secret
    assert looks_secret("endpoint=https://x/;accesskey=abc") is True
    assert looks_secret("AccessKey=abc") is True
    assert shown("AccessKey=abc") == "a 13-character string (not shown: it looks like an access key or a token)"


def test_jwt_without_a_long_base64_run_is_secret():
    assert len(max(SHORT_JWT.split("."), key=len)) < 32
    assert looks_secret(SHORT_JWT) is True
    assert looks_secret("Bearer " + SHORT_JWT) is True
    assert (
        shown(SHORT_JWT) == f"a {len(SHORT_JWT)}-character string (not shown: it looks like an access key or a token)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "eyJ1234567.1234567",  # parts shorter than 8 characters
        "eyJabcdefgh",  # no dot
        "xeyJ...",
        "hello world",
        "8:acs:0d9c2f1e-0000-4000-8000-000000000001_00000000-0000-4000-8000-000000000002",
        "",
    ],
)
def test_harmless_text_is_not_secret(text):
    assert looks_secret(text) is False
    assert shown(text) == repr(text)


def test_base64_runs_of_31_and_32_characters():
    assert looks_secret("A" * 31) is False
    assert looks_secret("A" * 32) is True
    assert looks_secret("id " + "A" * 32 + " end") is True


def test_base64_run_with_padding_is_secret():
    # 33 characters + "=" decodes (padding re-made from the bare run)
    assert looks_secret("QUJD" * 8 + "QQ==") is True
    assert looks_secret("QUJD" * 8 + "QUI=") is True


def test_an_undecodable_run_does_not_end_the_search():
    # a 33-character run is not base64 (1 character left over); the second run is a key
    undecodable = "A" * 33
    assert looks_secret(undecodable) is False
    assert looks_secret(undecodable + " " + "QUJD" * 8) is True


def test_long_text_is_cut_at_100_characters():
    assert shown("x-" * 50) == repr("x-" * 50)
    assert shown("x-" * 50 + "y") == repr("x-" * 50) + "... (101 characters)"
    assert shown("ab " * 50) == repr(("ab " * 50)[:100]) + "... (150 characters)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "None"),
        (True, "True"),
        (False, "False"),
        (0, "0"),
        (-3, "-3"),
        (1.5, "1.5"),
        (b"bytes", "a bytes"),
        (["list"], "a list"),
        ({"k": "v"}, "a dict"),
    ],
)
def test_non_strings_are_named_by_type_or_shown(value, expected):
    assert shown(value) == expected
