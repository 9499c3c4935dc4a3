"""A token has one spelling (issue 18, item 6).

JWS segments are base64url without padding (RFC 7515).  A lenient decoder also
takes ``=`` padding, the standard alphabet's ``+`` and ``/``, whitespace and
non-zero unused bits in the last character, each of which gives the same bytes,
so the same token would have several spellings.  Wherever the service reads a
token (introspection of its own tokens, the Entra tokens of both Teams exchanges)
only the one spelling counts.
"""

from __future__ import annotations

import base64
import http.client
import uuid
from collections.abc import Callable

import pytest
from emu_helpers import GA, RawClient, Reply, enc

APP = "11111111-2222-3333-4444-555555555555"
TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"
PHONE = "2025-06-30"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
INVALID = {"error": {"code": "InvalidAccessToken", "message": "Provided access token is not valid."}}

Segments = tuple[str, str, str]


def _with(parts: Segments, index: int, segment: str) -> Segments:
    head, payload, signature = (*parts[:index], segment, *parts[index + 1 :])
    return head, payload, signature


def _padded(parts: Segments, index: int) -> Segments:
    segment = parts[index] + "=" * (-len(parts[index]) % 4 or 1)
    return _with(parts, index, segment)


def _standard_alphabet(parts: Segments, index: int) -> Segments:
    segment = parts[index].replace("-", "+").replace("_", "/")
    assert segment != parts[index], "the segment has neither '-' nor '_'"
    return _with(parts, index, segment)


def _unused_bits_set(parts: Segments, index: int) -> Segments:
    segment = parts[index]
    assert len(segment) % 4 in (2, 3), "the segment's last character has no unused bits"
    last = ALPHABET[ALPHABET.index(segment[-1]) | 1]
    assert last != segment[-1]
    return _with(parts, index, segment[:-1] + last)


def _line_break(parts: Segments, index: int) -> Segments:
    segment = parts[index]
    middle = len(segment) // 2
    return _with(parts, index, segment[:middle] + "\n" + segment[middle:])


RESPELL: list[Callable[[Segments, int], Segments]] = [_padded, _standard_alphabet, _unused_bits_set, _line_break]
IDS = [f.__name__.strip("_") for f in RESPELL]


def _respelled(token: str, index: int, respell: Callable[[Segments, int], Segments]) -> str:
    head, payload, signature = token.split(".")
    variant = ".".join(respell((head, payload, signature), index))
    assert variant != token
    return variant


# -- the service's own tokens: introspection ------------------------------------------------
def _token_with_every_feature(client: RawClient) -> str:
    """A token whose signature has '-' and '_' and a last character with unused bits."""
    for _ in range(20):
        identity = client.create()
        reply = client.request("POST", f"/identities/{enc(identity)}/:issueAccessToken", {"scopes": ["chat"]})
        assert reply.status == 200, reply.body
        token = str(reply.json()["token"])
        signature = token.rsplit(".", 1)[1]
        if "-" in signature and "_" in signature:
            return token
    raise AssertionError("no token with both '-' and '_' in its signature in 20 tries")


@pytest.mark.parametrize("respell", RESPELL, ids=IDS)
def test_a_respelled_token_does_not_introspect_active(client: RawClient, respell: Callable[..., Segments]) -> None:
    token = _token_with_every_feature(client)
    assert client.introspect(token)["active"] is True
    judged = client.introspect(_respelled(token, 2, respell))
    assert judged == {"active": False, "reason": "invalid_signature", "claims": {}}


def test_a_token_with_padding_appended_does_not_introspect_active(client: RawClient) -> None:
    token = _token_with_every_feature(client)
    for suffix in ("=", "==", "==="):
        assert client.introspect(token + suffix)["reason"] == "invalid_signature", suffix


# -- Entra tokens: the Teams user exchange and the Teams Phone bearer ------------------------
def _entra(client: RawClient, oid: str) -> str:
    """An Entra token of the service's issuer whose payload spells '-' and '_' (and has unused bits)."""
    for filler in range(8):
        token = client.entra_token(appid=APP, oid=oid, tid=TENANT, name="?" * filler + ">>>???~~~")
        payload = token.split(".")[1]
        if "-" in payload and "_" in payload and len(payload) % 4 in (2, 3):
            return token
    raise AssertionError("no filler gave a payload with '-', '_' and unused bits")


def _exchange_teams_user(client: RawClient, token: str, user: str) -> Reply:
    body = {"token": token, "appId": APP, "userId": user}
    return client.request("POST", "/teamsUser/:exchangeAccessToken", body, api_version=GA)


def _exchange_teams_phone(client: RawClient, bearer: str) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=30)
    try:
        conn.request(
            "POST",
            f"/access/teamsExtension/:exchangeAccessToken?api-version={PHONE}",
            body=b"{}",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"},
        )
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


#: (segment, respelling): every respelling of the payload, which the exchange reads; the header
#: and the signature have no '-' or '_' to respell, but may not be padded or broken either.
ENTRA_CASES = [
    *((1, f) for f in RESPELL),
    (0, _padded),
    (0, _line_break),
    (2, _padded),
    (2, _unused_bits_set),
    (2, _line_break),
]


@pytest.mark.parametrize(
    ("index", "respell"),
    ENTRA_CASES,
    ids=[f"{('header', 'payload', 'signature')[i]}-{f.__name__.strip('_')}" for i, f in ENTRA_CASES],
)
def test_a_respelled_entra_token_is_refused_by_the_teams_user_exchange(
    client: RawClient, index: int, respell: Callable[..., Segments]
) -> None:
    user = str(uuid.uuid4())
    token = _entra(client, user)
    assert _exchange_teams_user(client, token, user).status == 200
    reply = _exchange_teams_user(client, _respelled(token, index, respell), user)
    assert (reply.status, reply.json()) == (401, INVALID)


@pytest.mark.parametrize("respell", [_padded, _standard_alphabet, _unused_bits_set], ids=IDS[:3])
def test_a_respelled_entra_token_is_refused_as_a_teams_phone_bearer(
    client: RawClient, respell: Callable[..., Segments]
) -> None:
    obj = str(uuid.uuid4())
    path = f"/access/teamsExtension/tenants/{TENANT}/assignments/{obj}"
    assert client.request("PUT", path, {"principalType": "user"}, api_version=PHONE).status == 201
    bearer = _entra(client, obj)
    assert _exchange_teams_phone(client, bearer).status == 200
    reply = _exchange_teams_phone(client, _respelled(bearer, 1, respell))
    assert (reply.status, reply.json()) == (401, INVALID)
    reply = _exchange_teams_phone(client, bearer + "=")
    assert (reply.status, reply.json()) == (401, INVALID)


def test_canonical_segments_still_decode() -> None:
    from acs_identity_emulator._auth import b64url_decode

    for size in range(0, 40):
        data = bytes(range(256))[size : size * 2 + 3]
        assert b64url_decode(base64.urlsafe_b64encode(data).rstrip(b"=").decode()) == data
