"""A client builds its generated layer and azure-core pipeline on first use, and checks its arguments at once.

Construct + close (a client per request that ends up making no call) must cost
only the argument checks (issue 11); a bad argument must still fail in the
constructor, never at the first call.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

import azure.communication.administration._generated.ga as ga_layer
import azure.communication.administration._generated.ga.aio as ga_aio_layer
from azure.communication.administration import CommunicationIdentityClient
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every generated client built from now on, "sync" or "async", in order."""
    built: list[str] = []

    def counting(layer: Any, kind: str) -> Any:
        class Counting(layer):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                built.append(kind)
                super().__init__(*args, **kwargs)

        return Counting

    monkeypatch.setattr(ga_layer, "IdentityRestClient", counting(ga_layer.IdentityRestClient, "sync"))
    monkeypatch.setattr(ga_aio_layer, "IdentityRestClient", counting(ga_aio_layer.IdentityRestClient, "async"))
    return built


def test_construct_and_close_builds_no_pipeline_and_opens_no_connection(builds: list[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        port = listener.getsockname()[1]
        client = CommunicationIdentityClient(f"https://127.0.0.1:{port}", f.KEY)
        client.close()
        with pytest.raises(BlockingIOError):  # nobody connected
            listener.accept()
    assert builds == []
    with pytest.raises(RuntimeError, match="is closed"):
        client.create_user()
    assert builds == []  # a closed client builds nothing either


def test_close_of_an_unused_client_closes_its_transport_as_before(builds: list[str]) -> None:
    transport = f.FakeTransport()
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport)
    client.close()
    client.close()
    assert (transport.opened, transport.closed, transport.requests, builds) == (0, 2, [], [])


def test_the_first_call_builds_the_pipeline_once(builds: list[str]) -> None:
    transport = f.FakeTransport(f.ga_identity(), f.ga_identity())
    client = CommunicationIdentityClient(f.ENDPOINT, AzureKeyCredential(f.KEY), transport=transport)
    assert repr(client) == (
        f"CommunicationIdentityClient(endpoint={f.ENDPOINT!r}, api_version={client.api_version.value!r})"
    )
    assert builds == []
    assert client.create_user().raw_id == f.USER_ID
    assert client.create_user().raw_id == f.USER_ID
    assert builds == ["sync"]
    assert (transport.last.header("Authorization") or "").startswith(f.HMAC_PREFIX)
    client.close()
    assert transport.closed == 1


def test_with_block_enters_and_closes_the_transport(builds: list[str]) -> None:
    transport = f.FakeTransport(f.ga_identity())
    with CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=transport) as client:
        assert (transport.opened, transport.closed) == (1, 0)
        client.create_user()
    assert (transport.opened, transport.closed, builds) == (1, 1, ["sync"])
    with pytest.raises(RuntimeError, match="is closed"):
        client.create_user()


def test_threads_sharing_a_new_client_build_one_pipeline(builds: list[str]) -> None:
    client = CommunicationIdentityClient(f.ENDPOINT, f.KEY, transport=f.FakeTransport())
    start = threading.Barrier(8)
    seen: list[Any] = []

    def first_use() -> None:
        start.wait(timeout=10)
        seen.append(client._rest)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(seen) == 8 and len({id(rest) for rest in seen}) == 1
    assert builds == ["sync"]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("not a url at all", f.KEY), {}, ValueError, "endpoint"),
        ((f.ENDPOINT, 42), {}, TypeError, "credential must be"),
        ((f.ENDPOINT, "not base64!"), {}, ValueError, "base64"),
        ((f.ENDPOINT, f.KEY), {"api_version": "1999-01-01"}, ValueError, "api_version"),
        ((f.ENDPOINT, f.KEY), {"policies": []}, TypeError, "policies="),
    ],
)
def test_a_bad_argument_still_fails_in_the_constructor(
    builds: list[str], args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        CommunicationIdentityClient(*args, **kwargs)
    with pytest.raises(error, match=message):
        AsyncClient(*args, **kwargs)
    assert builds == []


def test_a_missing_ca_bundle_still_fails_in_the_sync_constructor(builds: list[str]) -> None:
    # The sync transport checks the path when it is made (the async one, aiohttp's, never did).
    with pytest.raises(ValueError, match="connection_verify must be True, False or an existing CA bundle path"):
        CommunicationIdentityClient(f.ENDPOINT, f.KEY, connection_verify="/nonexistent/ca.pem")
    assert builds == []


def test_async_client_builds_on_first_use_and_closes_an_unused_transport(builds: list[str]) -> None:
    async def run() -> None:
        unused = f.FakeAsyncTransport()
        client = AsyncClient(f.ENDPOINT, f.KEY, transport=unused)
        await client.close()
        assert (unused.opened, unused.closed, builds) == (0, 1, [])
        with pytest.raises(RuntimeError, match="is closed"):
            await client.create_user()

        used = f.FakeAsyncTransport(f.ga_identity(), f.ga_identity())
        async with AsyncClient(f.ENDPOINT, f.KEY, transport=used) as client:
            assert builds == ["async"]  # entering opens the transport through the pipeline, as before
            await client.create_user()
            await client.create_user()
        assert (used.opened, used.closed, builds) == (1, 1, ["async"])

    asyncio.run(run())
