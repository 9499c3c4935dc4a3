"""parse_connection_string: the checks make mutate showed unpinned (empty key, base64, what the
"unknown part(s)" message may echo)."""

from __future__ import annotations

import pytest
from azure.core.credentials import AzureKeyCredential

from azure.communication.administration import CommunicationIdentityClient
from azure.communication.administration._connection_string import (
    ConnectionString,
    decode_access_key,
    parse_connection_string,
)

ENDPOINT = "https://r.communication.azure.com/"
KEY = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NQ=="  # base64(b"secret-key-material-12345")


def _error(conn_str: str) -> str:
    with pytest.raises(ValueError) as caught:
        parse_connection_string(conn_str)
    return str(caught.value)


def test_a_key_that_decodes_to_nothing_is_refused():
    # empty text decodes to b"" without complaint from base64: only the emptiness check stops
    # a client that would sign every request with an empty key
    with pytest.raises(ValueError) as caught:
        decode_access_key("")
    assert str(caught.value) == "The access key is empty."
    assert _error(f"endpoint={ENDPOINT};accesskey='  '") == "Connection string is missing accesskey."


def test_a_blank_credential_key_is_refused_by_the_client():
    with pytest.raises(ValueError) as caught:
        CommunicationIdentityClient(ENDPOINT, AzureKeyCredential("  "))
    assert str(caught.value) == "The access key is empty."
    with pytest.raises(ValueError) as caught:
        CommunicationIdentityClient(ENDPOINT, AzureKeyCredential("abc*"))
    assert str(caught.value) == "The access key is not valid base64."


def test_a_key_rotated_to_blank_is_refused_before_signing():
    credential = AzureKeyCredential(KEY)
    client = CommunicationIdentityClient(ENDPOINT, credential)
    credential.update(" ")
    with pytest.raises(ValueError) as caught:
        client.create_user()
    assert str(caught.value) == "The access key is empty."


def test_a_whitespace_key_in_quotes_is_empty():
    with pytest.raises(ValueError) as caught:
        decode_access_key("   ")
    assert str(caught.value) == "The access key is empty."


def test_base64_is_checked_strictly():
    assert _error(f"endpoint={ENDPOINT};accesskey=abc*def=") == "The access key is not valid base64."
    assert _error(f"endpoint={ENDPOINT};accesskey=YWJj ZGVm") == "The access key is not valid base64."
    assert decode_access_key(KEY) == b"secret-key-material-12345"
    assert decode_access_key(f"  {KEY} ") == b"secret-key-material-12345"


def test_parsed_values_and_repr():
    parsed = parse_connection_string(f'"endpoint={ENDPOINT};accesskey={KEY}"')
    assert parsed == ConnectionString(ENDPOINT, KEY)
    assert repr(parsed) == f"ConnectionString(endpoint={ENDPOINT!r}, access_key='***')"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("region=westeurope", "Connection string has unknown part(s): region."),
        ("b=1;a=2", "Connection string has unknown part(s): a, b."),
        ("abcdefghijklmnopqrstuvwx=1", "Connection string has unknown part(s): abcdefghijklmnopqrstuvwx."),
        ("abcdefghijklmnopqrstuvwxy=1", "Connection string has unknown part(s): (a part that is not name=value)."),
        ("abc1=1", "Connection string has unknown part(s): (a part that is not name=value)."),
        # the key pasted a second time: its fragment before '=' becomes a "name", never echoed
        (KEY, "Connection string has unknown part(s): (a part that is not name=value)."),
    ],
)
def test_unknown_parts_echo_only_short_alphabetic_names(extra, message):
    assert _error(f"endpoint={ENDPOINT};accesskey={KEY};{extra}") == message


def test_part_numbers_count_non_empty_segments():
    assert _error(f"endpoint={ENDPOINT};;accesskey={KEY};oops") == (
        "Connection string part 3 is not of the form 'name=value'."
    )
    assert _error(f"=x;endpoint={ENDPOINT}") == "Connection string part 1 is not of the form 'name=value'."


def test_duplicate_names_are_refused_case_insensitively():
    assert _error(f"endpoint={ENDPOINT};accesskey={KEY};Endpoint={ENDPOINT}") == (
        "Connection string has 'endpoint' more than once."
    )


@pytest.mark.parametrize(
    ("conn_str", "message"),
    [
        (f"accesskey={KEY}", "Connection string is missing endpoint."),
        (f"endpoint={ENDPOINT}", "Connection string is missing accesskey."),
        ("x=1", "Connection string is missing endpoint and accesskey."),
    ],
)
def test_missing_parts_are_named(conn_str, message):
    assert _error(conn_str) == message


def test_non_string_is_refused():
    assert _error(None).startswith("Connection string is empty;")  # type: ignore[arg-type]
