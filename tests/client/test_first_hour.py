"""A new user's common slips, each answered locally in one line that names the fix (issue 14).

The slips: the connection string or the key passed as the endpoint, a connection string
pasted with its quotes, an endpoint without ``http://`` at the plain-http local service, a
user id that cannot be a Communication Services id, a call after ``close()``.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from acs_identity_emulator.testing import EmulatorProcess
from azure.core.exceptions import ServiceRequestError

from azure.communication.administration import (
    CommunicationIdentityClient,
    CommunicationUserIdentifier,
    identifier_from_raw_id,
    parse_connection_string,
)
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

KEY = base64.b64encode(b"thirty-two bytes of secret key!!").decode()
CONN = f"endpoint=http://127.0.0.1:9/;accesskey={KEY}"
#: Nothing listens on port 9: a call that reached the network would fail there, not locally.
NOWHERE = "http://127.0.0.1:9"


# ----- the endpoint -----


@pytest.mark.parametrize("client_class", [CommunicationIdentityClient, AsyncClient])
def test_connection_string_as_endpoint_says_from_connection_string(client_class: Any) -> None:
    with pytest.raises(ValueError, match=r"connection string .*pass it to .*from_connection_string") as caught:
        client_class(CONN, KEY)
    assert KEY not in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("endpoint", [KEY, f" {KEY} ", f"'{KEY}'", KEY[:-1]])
def test_key_as_endpoint_is_refused_without_quoting_it(endpoint: str) -> None:
    with pytest.raises(ValueError, match="looks like an access key") as caught:
        CommunicationIdentityClient(endpoint, KEY)
    assert KEY[:-1] not in str(caught.value)


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("x.communication.azure.com", "https://x.communication.azure.com"),
        ('"https://x.communication.azure.com/"', "https://x.communication.azure.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_endpoint_forms_that_work(endpoint: str, expected: str) -> None:
    assert repr(CommunicationIdentityClient(endpoint, KEY)).startswith(
        f"CommunicationIdentityClient(endpoint={expected!r}"
    )


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("http://127.0.0.1:99999", "invalid port"),
        ("ftp://x.communication.azure.com", "not an http(s) URL"),
        ("https://x.communication.azure.com/?a=b", "without user, query or fragment"),
        ("https://bad host", "not an http(s) URL"),
    ],
)
def test_endpoint_forms_refused(endpoint: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        CommunicationIdentityClient(endpoint, KEY)


def test_scheme_less_endpoint_at_the_plain_http_service_says_http(identity_service: EmulatorProcess) -> None:
    host = identity_service.endpoint.removeprefix("http://").rstrip("/")
    client = CommunicationIdentityClient(host, identity_service.access_key, retry_total=0)
    with client, pytest.raises(ServiceRequestError) as caught:
        client.create_user()
    message = str(caught.value)
    assert f"the endpoint is http, write it as http://{host}" in message
    assert "without a scheme means https" in message
    assert identity_service.access_key not in message


def test_scheme_less_endpoint_at_the_plain_http_service_says_http_async(identity_service: EmulatorProcess) -> None:
    host = identity_service.endpoint.removeprefix("http://").rstrip("/")

    async def main() -> str:
        async with AsyncClient(host, identity_service.access_key, retry_total=0) as client:
            with pytest.raises(ServiceRequestError) as caught:
                await client.create_user()
        return str(caught.value)

    assert f"the endpoint is http, write it as http://{host}" in asyncio.run(main())


# ----- the connection string -----


@pytest.mark.parametrize("quote", ['"', "'"])
def test_quoted_connection_string_works(identity_service: EmulatorProcess, quote: str) -> None:
    pasted = f"{quote}{identity_service.connection_string}{quote}"
    with CommunicationIdentityClient.from_connection_string(pasted) as client:
        assert client.create_user().raw_id.startswith("8:acs:")


def test_quoted_values_in_a_connection_string_work() -> None:
    parsed = parse_connection_string(f'endpoint="https://x.communication.azure.com/"; accesskey="{KEY}"')
    assert parsed == ("https://x.communication.azure.com/", KEY)
    assert KEY not in repr(parsed)


def test_public_parse_connection_string_splits_endpoint_and_key(identity_service: EmulatorProcess) -> None:
    endpoint, key = parse_connection_string(identity_service.connection_string)
    assert (endpoint, key) == (identity_service.endpoint, identity_service.access_key)


# ----- user ids -----

CALLS = [
    ("delete_user", lambda c, u: c.delete_user(u)),
    ("issue_token", lambda c, u: c.issue_token(u, ["chat"])),
    ("get_token", lambda c, u: c.get_token(u, ["chat"])),
    ("revoke_tokens", lambda c, u: c.revoke_tokens(u)),
]


@pytest.mark.parametrize("bad", ["abc", "4:+14255550123", "8:orgid:00000000-0000-0000-0000-000000000001", "8:acs:"])
@pytest.mark.parametrize(("name", "call"), CALLS)
def test_user_id_that_cannot_be_an_acs_id_fails_locally(bad: str, name: str, call: Any) -> None:
    client = CommunicationIdentityClient(NOWHERE, KEY, retry_total=0)
    with pytest.raises(ValueError, match=r"user id such as '8:acs:<resource id>_<user id>'") as caught:
        call(client, bad)
    assert repr(bad) in str(caught.value)


@pytest.mark.parametrize(
    "bad",
    [
        "8:acs:foo",
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652",
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_",
        "8:acs:_00000023-1ab4-2f3c-f40f-343a0d003d60",
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652__00000023-1ab4-2f3c-f40f-343a0d003d60",
        "8:spool:foo",
        "8:dod-acs:foo",
        "8:gcch-acs:foo",
        "8:acs:res_user_x_y",
        "8:acs:res_us er",
    ],
)
@pytest.mark.parametrize(("name", "call"), CALLS)
def test_a_prefix_without_resource_and_user_fails_locally(bad: str, name: str, call: Any) -> None:
    client = CommunicationIdentityClient(NOWHERE, KEY, retry_total=0)  # a request would raise ServiceRequestError
    with pytest.raises(ValueError, match=r"come the resource id, '_' and the user id") as caught:
        call(client, bad)
    assert repr(bad) in str(caught.value)


@pytest.mark.parametrize("bad", ["abc", CommunicationUserIdentifier("nope")])
def test_user_id_checked_locally_async(bad: Any) -> None:
    async def main() -> None:
        async with AsyncClient(NOWHERE, KEY, retry_total=0) as client:
            with pytest.raises(ValueError, match="8:acs:"):
                await client.get_token(bad, ["chat"])

    asyncio.run(main())


@pytest.mark.parametrize(
    "good",
    [
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000023-1ab4-2f3c-f40f-343a0d003d60",
        "8:spool:2dee53b4-368b-45b4-ab52-8493fb117652_00000023-1ab4-2f3c-f40f-343a0d003d60",
        "8:dod-acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000023-1ab4-2f3c-f40f-343a0d003d60",
        "8:gcch-acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000023-1ab4-2f3c-f40f-343a0d003d60",
        # Forms in the official SDKs' tests, recordings and fixtures: communication-common's
        # identifier tests (JS, Python, .NET, Java share them), a 2020 chat fixture's spool id
        # whose user part is not GUID-shaped, ids from service recordings, and Teams Phone users
        # (resource_tenant_object) in each cloud.
        "8:acs:bbbcbc1e-9f06-482a-b5d8-20e3f26ef0cd_45ab2481-1c1c-4005-be24-0ffb879b1130",
        "8:spool:57b9bac9-df6c-4d39-a73b-26e944adf6ea_9b0110-08007f1041",
        "8:acs:bc360ba8-d29b-4ef2-b698-769ebef85521_0000000c-1fb9-4878-07fd-0848220077e1",
        "8:acs:bbbcbc1e-9f06-482a-b5d8-20e3f26ef0cd_45ab2481-1c1c-4005-be24-0ffb879b1130_207ffef6-9444-41fb-92ab-20eacaae2768",
        "8:dod-acs:bbbcbc1e-9f06-482a-b5d8-20e3f26ef0cd_45ab2481-1c1c-4005-be24-0ffb879b1130_207ffef6-9444-41fb-92ab-20eacaae2768",
        "8:gcch-acs:bbbcbc1e-9f06-482a-b5d8-20e3f26ef0cd_45ab2481-1c1c-4005-be24-0ffb879b1130_207ffef6-9444-41fb-92ab-20eacaae2768",
        "8:acs:BBBCBC1E-9F06-482A-B5D8-20E3F26EF0CD_45AB2481-1C1C-4005-BE24-0FFB879B1130",
    ],
)
def test_every_real_user_id_form_goes_to_the_service(good: str) -> None:
    client = CommunicationIdentityClient(NOWHERE, KEY, retry_total=0)
    with pytest.raises(ServiceRequestError):  # the network, not a local refusal
        client.get_token(good, ["chat"])


def test_ids_the_local_service_issues_pass_the_check(identity_service: EmulatorProcess) -> None:
    with CommunicationIdentityClient.from_connection_string(identity_service.connection_string) as client:
        user = client.create_user()
        assert client.get_token(user.raw_id, ["chat"]).token
        assert client.get_token(f"  {user.raw_id} ", ["chat"]).token
        client.delete_user(str(user))


def test_str_of_an_identifier_is_its_raw_id() -> None:
    raw = "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000023-1ab4-2f3c-f40f-343a0d003d60"
    assert str(CommunicationUserIdentifier(raw)) == raw
    assert f"{identifier_from_raw_id('4:+14255550123')}" == "4:+14255550123"


# ----- after close() -----


def test_sync_client_refuses_calls_after_close(identity_service: EmulatorProcess) -> None:
    client = CommunicationIdentityClient.from_connection_string(identity_service.connection_string)
    client.create_user()
    client.close()
    with pytest.raises(RuntimeError, match=r"is closed .*create a new client"):
        client.create_user()
    with CommunicationIdentityClient.from_connection_string(identity_service.connection_string) as other:
        other.create_user()
    with pytest.raises(RuntimeError, match="is closed"):
        other.create_user_and_token(["chat"])


def test_async_client_refuses_calls_after_close_the_same_way(identity_service: EmulatorProcess) -> None:
    async def main() -> list[str]:
        messages = []
        client = AsyncClient.from_connection_string(identity_service.connection_string)
        await client.create_user()
        await client.close()
        with pytest.raises(RuntimeError) as caught:
            await client.create_user()
        messages.append(str(caught.value))
        async with AsyncClient.from_connection_string(identity_service.connection_string) as other:
            await other.create_user()
        with pytest.raises(RuntimeError) as caught:
            await other.get_token("8:acs:r_u", ["chat"])
        messages.append(str(caught.value))
        return messages

    for message in asyncio.run(main()):
        assert message == (
            "This CommunicationIdentityClient is closed (by close() or the end of its 'with' block); "
            "create a new client to make more calls."
        )
