"""Both HMAC signing forms the published clients use, judged by the same rules.

Current SDKs sign ``x-ms-date`` (``SignedHeaders=x-ms-date;host;x-ms-content-sha256``);
the 2020 ones (Python ``azure-communication-administration`` 1.0.0b1-b4, Java and,
under Node, JavaScript ``communication-common`` betas) sign the standard ``Date``
header (``SignedHeaders=date;host;x-ms-content-sha256``).  Every refusal below is
asserted for both forms and must be byte for byte the same answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import formatdate

import pytest
from emu_helpers import GA, PREVIEW, RawClient, Reply, enc

FORMS = ["x-ms-date", "Date"]
PATH = f"/identities?api-version={GA}"
DENIED = b'{"error":{"code":"Denied","message":"Denied by the resource provider."}}'
HASH_DIFFERS = (
    b'{"error":{"code":"Denied","message":"Request \'x-ms-content-sha256\' differs from generated content hash."}}'
)


def _send(client: RawClient, headers: dict[str, str], body: bytes = b"", path: str = PATH) -> Reply:
    if body:
        headers = {"Content-Type": "application/json", **headers}
    return client.request("POST", path, raw=body, api_version=None, sign=False, headers=headers)


def _without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() != name.lower()}


def _stale(seconds: int) -> str:
    return formatdate(time.time() + seconds, usegmt=True)


@pytest.mark.parametrize("form", FORMS)
def test_each_form_is_accepted(client: RawClient, form: str) -> None:
    headers = client.sign_headers("POST", PATH, b"", date_header=form)
    assert headers["Authorization"].startswith(f"HMAC-SHA256 SignedHeaders={form.lower()};host;x-ms-content-sha256&")
    reply = _send(client, headers)
    assert reply.status == 201, reply.body


@pytest.mark.parametrize("form", FORMS)
def test_each_form_accepts_the_host_without_its_port(client: RawClient, form: str) -> None:
    reply = _send(client, client.sign_headers("POST", PATH, b"", host="127.0.0.1", date_header=form))
    assert reply.status == 201, reply.body


@pytest.mark.parametrize("form", FORMS)
def test_each_form_signs_the_encoded_path_and_the_body(client: RawClient, form: str) -> None:
    identity = client.create(api_version=PREVIEW)
    path = f"/identities/{enc(identity)}/token?api-version={PREVIEW}"
    body = b'{"scopes": ["chat"]}'
    reply = _send(client, client.sign_headers("POST", path, body, date_header=form), body, path)
    assert reply.status == 200, reply.body
    assert reply.json()["id"] == identity


Refusal = Callable[[RawClient, str], Reply]


def _wrong_key(client: RawClient, form: str) -> Reply:
    return _send(client, client.sign_headers("POST", PATH, b"", key=b"wrong key", date_header=form))


def _body_not_the_hashed_one(client: RawClient, form: str) -> Reply:
    return _send(client, client.sign_headers("POST", PATH, b"", date_header=form), b"{}")


def _body_and_hash_replaced(client: RawClient, form: str) -> Reply:
    signed = client.sign_headers("POST", PATH, b"", date_header=form)
    other = client.sign_headers("POST", PATH, b"{}", date_header=form)
    return _send(client, {**signed, "x-ms-content-sha256": other["x-ms-content-sha256"]}, b"{}")


def _date_16_minutes_old(client: RawClient, form: str) -> Reply:
    return _send(client, client.sign_headers("POST", PATH, b"", date=_stale(-16 * 60), date_header=form))


def _date_16_minutes_ahead(client: RawClient, form: str) -> Reply:
    return _send(client, client.sign_headers("POST", PATH, b"", date=_stale(16 * 60), date_header=form))


def _date_header_missing(client: RawClient, form: str) -> Reply:
    return _send(client, _without(client.sign_headers("POST", PATH, b"", date_header=form), form))


def _content_hash_header_missing(client: RawClient, form: str) -> Reply:
    headers = client.sign_headers("POST", PATH, b"", date_header=form)
    return _send(client, _without(headers, "x-ms-content-sha256"))


def _signed_date_sent_under_the_other_name(client: RawClient, form: str) -> Reply:
    # The signature names one date header; the same value under the other name does not count.
    headers = client.sign_headers("POST", PATH, b"", date_header=form)
    other = "Date" if form == "x-ms-date" else "x-ms-date"
    return _send(client, {**_without(headers, form), other: headers[form]})


def _signed_date_stale_other_date_fresh(client: RawClient, form: str) -> Reply:
    # The clock check applies to the signed header, whatever the other one says.
    headers = client.sign_headers("POST", PATH, b"", date=_stale(-16 * 60), date_header=form)
    other = "Date" if form == "x-ms-date" else "x-ms-date"
    return _send(client, {**headers, other: _stale(0)})


def _garbled_date(client: RawClient, form: str) -> Reply:
    return _send(client, client.sign_headers("POST", PATH, b"", date="yesterday", date_header=form))


REFUSALS: list[tuple[Refusal, bytes]] = [
    (_wrong_key, DENIED),
    (_body_not_the_hashed_one, HASH_DIFFERS),
    (_body_and_hash_replaced, DENIED),
    (_date_16_minutes_old, DENIED),
    (_date_16_minutes_ahead, DENIED),
    (_date_header_missing, DENIED),
    (_content_hash_header_missing, DENIED),
    (_signed_date_sent_under_the_other_name, DENIED),
    (_signed_date_stale_other_date_fresh, DENIED),
    (_garbled_date, DENIED),
]


@pytest.mark.parametrize("refusal,body", REFUSALS, ids=[r.__name__.strip("_") for r, _ in REFUSALS])
def test_date_form_is_refused_exactly_like_its_x_ms_date_twin(client: RawClient, refusal: Refusal, body: bytes) -> None:
    replies = {form: refusal(client, form) for form in FORMS}
    for form, reply in replies.items():
        assert reply.status == 401, form
        assert reply.header("Content-Type") == "application/json", form
        assert reply.body == body, form
    twin, dated = replies["x-ms-date"], replies["Date"]
    assert (dated.status, dated.header("Content-Type"), dated.body) == (
        twin.status,
        twin.header("Content-Type"),
        twin.body,
    )


@pytest.mark.parametrize("form", FORMS)
def test_the_other_date_header_may_be_sent_too(client: RawClient, form: str) -> None:
    # .NET and Java send Date and x-ms-date with the same value and sign x-ms-date.
    headers = client.sign_headers("POST", PATH, b"", date_header=form)
    other = "Date" if form == "x-ms-date" else "x-ms-date"
    reply = _send(client, {**headers, other: headers[form]})
    assert reply.status == 201, reply.body


@pytest.mark.parametrize(
    "signed",
    [
        "date;x-ms-date;host",
        "date;host;x-ms-content-sha256;x-ms-date",
        "date;host",
        "date;date;host",
        "date;host;content-type",
    ],
)
def test_signed_header_lists_other_than_one_date_host_and_hash_are_denied(client: RawClient, signed: str) -> None:
    headers = client.sign_headers("POST", PATH, b"", date_header="Date")
    headers["x-ms-date"] = headers["Date"]
    headers["Authorization"] = headers["Authorization"].replace("date;host;x-ms-content-sha256", signed)
    reply = _send(client, headers)
    assert reply.status == 401 and reply.body == DENIED


def test_the_host_as_current_javascript_clients_send_it_for_an_explicit_port(client: RawClient) -> None:
    # @azure/communication-common (core-rest-pipeline) signs `${url.host}:${url.port}` and, under
    # Node, sends it as Host; url.host already carries an explicit port, so it arrives twice.
    host = f"{client.host}:{client.port}"
    headers = client.sign_headers("POST", PATH, b"", host=host)
    reply = _send(client, {**headers, "Host": host})
    assert reply.status == 201, reply.body
