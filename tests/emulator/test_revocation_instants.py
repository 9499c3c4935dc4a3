"""A preview ``tokensValidFrom`` instant revokes exactly the tokens issued before it (issue 18, item 2).

``iat`` has whole seconds, so an instant with any non-zero fraction lies after every
token issued in its second and revokes them all, however many digits the fraction
has (.NET writes 7: ``12:00:00.0000001``); a fraction of zeros is the whole second
itself and spares that second's tokens.
"""

from __future__ import annotations

import time

import pytest
from acs_identity_emulator._formats import parse_date_time
from emu_helpers import PREVIEW, RawClient, enc, jwt_parts

LENGTHS = range(1, 10)


def _issue(client: RawClient, identity: str) -> str:
    reply = client.request("POST", f"/identities/{enc(identity)}/token", {"scopes": ["chat"]}, api_version=PREVIEW)
    assert reply.status == 200, reply.body
    return str(reply.json()["token"])


def _valid_from(client: RawClient, identity: str, instant: str) -> None:
    reply = client.request(
        "PATCH",
        f"/identities/{enc(identity)}",
        {"tokensValidFrom": instant},
        api_version=PREVIEW,
        content_type="application/merge-patch+json",
    )
    assert reply.status == 204, reply.body


def _second_of(token: str) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(jwt_parts(token)[1]["iat"]))


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("offset", ["Z", "+00:00"])
def test_smallest_fraction_of_each_length_revokes_the_tokens_of_its_second(
    client: RawClient, length: int, offset: str
) -> None:
    identity = client.create(api_version=PREVIEW)
    token = _issue(client, identity)
    _valid_from(client, identity, f"{_second_of(token)}.{'1'.rjust(length, '0')}{offset}")
    assert client.introspect(token)["reason"] == "revoked"


@pytest.mark.parametrize("length", LENGTHS)
def test_largest_fraction_of_each_length_revokes_the_tokens_of_its_second(client: RawClient, length: int) -> None:
    identity = client.create(api_version=PREVIEW)
    token = _issue(client, identity)
    _valid_from(client, identity, f"{_second_of(token)}.{'9' * length}Z")
    assert client.introspect(token)["reason"] == "revoked"


@pytest.mark.parametrize("fraction", ["", *(("." + "0" * n) for n in LENGTHS)])
def test_a_whole_second_spares_the_tokens_of_that_second(client: RawClient, fraction: str) -> None:
    """Nothing loosened the other way: the instant is not moved later than it is."""
    identity = client.create(api_version=PREVIEW)
    token = _issue(client, identity)
    _valid_from(client, identity, f"{_second_of(token)}{fraction}Z")
    assert client.introspect(token)["active"] is True
    # and the second before it, with any fraction, spares it too
    identity = client.create(api_version=PREVIEW)
    token = _issue(client, identity)
    before = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(jwt_parts(token)[1]["iat"] - 1))
    _valid_from(client, identity, f"{before}.9999999Z")
    assert client.introspect(token)["active"] is True


EPOCH_2021 = 1_609_459_200  # 2021-01-01T00:00:00Z


@pytest.mark.parametrize("length", LENGTHS)
def test_fractions_past_microseconds_round_the_microsecond_up(length: int) -> None:
    smallest = parse_date_time(f"2021-01-01T00:00:00.{'1'.rjust(length, '0')}Z")
    assert smallest > EPOCH_2021
    assert smallest == pytest.approx(EPOCH_2021 + max(10.0**-length, 1e-6), abs=1e-7)
    assert parse_date_time(f"2021-01-01T00:00:00.{'0' * length}Z") == EPOCH_2021
    assert EPOCH_2021 < parse_date_time(f"2021-01-01T00:00:00.{'9' * length}Z") <= EPOCH_2021 + 1


@pytest.mark.parametrize(
    "text",
    [
        "2021-01-01T00:00:00.\u0661Z",  # a digit of another script
        "2021-01-01T00:00:00.1\u0661Z",
        "2021-01-01T00:00:60Z",
    ],
)
def test_nothing_else_is_accepted(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date_time(text)
