"""Real clients under fault rules: the official ``azure-communication-identity`` 1.5.0 and ours.

Each scenario runs both clients against the local service with the same rule, applied for a
block by the testing helper (``EmulatorProcess.faults``); the service counts what reached it
(``hits``). The rules name the create operation by its older operationId,
``CommunicationIdentity_Create``: the official client speaks 2023-10-01 and ours the newest
version, where the operation is ``IdentityOperations_Create``; one rule takes both.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from acs_identity_emulator.testing import EmulatorProcess, running_emulator
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ServiceResponseError, ServiceResponseTimeoutError

from azure.communication.administration import CommunicationIdentityClient
from azure.communication.administration._generated import _catalog

pytest.importorskip("azure.communication.identity", reason="the official client comes with requirements-dev.txt")

pytestmark = pytest.mark.interop

CREATE = "CommunicationIdentity_Create"
#: Fast back-off, so that a wait the test sees comes from Retry-After, not from the policy.
FAST_RETRIES = {"retry_backoff_factor": 0.01, "retry_backoff_max": 0.05}
#: The version whose create is repeatable (Repeatability-Request-ID): issue 17 item 4.
REPEATABLE = "2023-08-01"


def _official(service: EmulatorProcess, **kwargs: Any) -> Any:
    from azure.communication.identity import CommunicationIdentityClient as Official

    return Official(service.endpoint.rstrip("/"), AzureKeyCredential(service.access_key), **kwargs)


def _ours(service: EmulatorProcess, **kwargs: Any) -> Any:
    return CommunicationIdentityClient(service.endpoint.rstrip("/"), AzureKeyCredential(service.access_key), **kwargs)


CLIENTS = [pytest.param(_official, id="official-1.5.0"), pytest.param(_ours, id="ours")]
Make = Callable[..., Any]


@pytest.mark.parametrize("make", CLIENTS)
def test_two_503s_then_created_in_three_requests(identity_service: EmulatorProcess, make: Make) -> None:
    client = make(identity_service, **FAST_RETRIES)
    unavailable = {"operation": CREATE, "status": 503, "count": 2}
    passed = {"operation": CREATE, "delayMs": 0}  # counts what gets past the first rule
    with identity_service.faults(unavailable, passed) as applied:
        user = client.create_user()
        assert applied.hits() == [2, 1]
    assert user.properties["id"].startswith("8:acs:")


@pytest.mark.parametrize("make", CLIENTS)
def test_429_with_retry_after_1_waits_about_a_second(identity_service: EmulatorProcess, make: Make) -> None:
    client = make(identity_service, **FAST_RETRIES)
    client.create_user()  # connection and pipeline set up outside the measured call
    with identity_service.faults({"operation": CREATE, "status": 429, "retryAfter": 1, "count": 1}) as applied:
        started = time.monotonic()
        client.create_user()
        waited = time.monotonic() - started
        assert applied.hits() == [1]
    # At least the second the service asked for; well under what a second wait would add.
    assert 1.0 <= waited < 1.9, waited


@pytest.mark.parametrize("make", CLIENTS)
def test_a_delay_past_the_read_timeout_is_the_client_timeout_error(
    identity_service: EmulatorProcess, make: Make
) -> None:
    client = make(identity_service, read_timeout=0.5, retry_total=0)
    with identity_service.faults({"operation": CREATE, "delayMs": 2500, "count": 1}) as applied:
        started = time.monotonic()
        with pytest.raises(ServiceResponseTimeoutError):
            client.create_user()
        assert time.monotonic() - started < 2.5  # the client gave up; the service had not answered
        assert applied.hits() == [1]


# -- drop: a service with a store the test can count -----------------------------------------


@pytest.fixture(scope="module")
def store_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmulatorProcess, Path]]:
    db = tmp_path_factory.mktemp("faults") / "identity.db"
    with running_emulator(str(db)) as service:
        yield service, db


def _live(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as reader:
        count: int = reader.execute("SELECT COUNT(*) - COUNT(deleted_at) FROM identities").fetchone()[0]
    return count


@pytest.mark.slow
@pytest.mark.parametrize("make", CLIENTS)
@pytest.mark.parametrize("drop,created", [("before", 0), ("after", 1)])
def test_a_dropped_create_is_a_connection_error_and_after_it_took_effect(
    store_service: tuple[EmulatorProcess, Path], make: Make, drop: str, created: int
) -> None:
    service, db = store_service
    client = make(service, **FAST_RETRIES)
    live = _live(db)
    with service.faults({"operation": CREATE, "drop": drop, "count": 1}) as applied:
        with pytest.raises(ServiceResponseError) as caught:
            client.create_user()
        # A POST is not retried after a lost answer (azure-core retries reads of idempotent
        # methods only): one request, and the caller never learns the new user's id.
        assert applied.hits() == [1]
    assert not isinstance(caught.value, ServiceResponseTimeoutError)
    assert _live(db) == live + created


@pytest.mark.slow
@pytest.mark.skipif(
    REPEATABLE not in _catalog.VERSIONS,
    reason=f"API version {REPEATABLE} (repeatable create, issue 17 item 4) is not in the catalog yet",
)
def test_a_repeatable_create_whose_answer_was_lost_ends_with_exactly_one_user(
    store_service: tuple[EmulatorProcess, Path],
) -> None:
    service, db = store_service
    client = _ours(service, api_version=REPEATABLE, **FAST_RETRIES)
    live = _live(db)
    rule = {"operation": "POST /identities", "apiVersion": REPEATABLE, "drop": "after", "count": 1}
    with service.faults(rule, {"operation": "POST /identities", "apiVersion": REPEATABLE, "delayMs": 0}) as applied:
        user = client.create_user()  # retried with the same Repeatability-Request-ID
        assert applied.hits() == [1, 1]
    assert _live(db) == live + 1
    client.get_token(user, ["chat"])  # the user the client got is the one the store has


def test_a_drop_over_https_is_a_connection_error_too(tls_service: EmulatorProcess) -> None:
    from azure.communication.identity import CommunicationIdentityClient as Official

    # from_connection_string: the official client's own way in, which always speaks https.
    client = Official.from_connection_string(tls_service.connection_string, connection_verify=tls_service.certificate)
    with tls_service.faults({"operation": CREATE, "drop": "before", "count": 1}) as applied:
        with pytest.raises(ServiceResponseError):
            client.create_user()
        client.create_user()
        assert applied.hits() == [1]
