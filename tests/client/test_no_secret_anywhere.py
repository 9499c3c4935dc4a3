"""The access key, planted in every argument of every public entry point, never comes back.

Client constructors, ``from_connection_string``, every method of the sync and the async
client and every CLI command get the local service's own access key in each of their
arguments in turn (the slips a user can make: the key or the connection string pasted in
the wrong place). Whatever happens (a local ``ValueError``, a service error, a success),
no exception message or repr, no client repr, no log record and no CLI output contains it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from acs_identity_emulator.testing import EmulatorProcess
from azure.core.credentials import AzureKeyCredential

from azure.communication.administration import ApiVersion, CommunicationIdentityClient
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

ENV = "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"
TENANT = str(uuid.uuid4())
OBJECT = str(uuid.uuid4())
APP = str(uuid.uuid4())
V = ApiVersion.V2025_06_30

Call = Callable[[Any, str, str], Any]  # (client, key, an existing user id) -> result or awaitable

METHOD_CALLS: dict[str, Call] = {
    "delete_user(communication_user)": lambda c, k, u: c.delete_user(k),
    "issue_token(user)": lambda c, k, u: c.issue_token(k, ["chat"]),
    "issue_token(scopes=[key])": lambda c, k, u: c.issue_token(u, [k]),
    "issue_token(scopes=key)": lambda c, k, u: c.issue_token(u, k),
    "revoke_tokens(user)": lambda c, k, u: c.revoke_tokens(k),
    "revoke_tokens(issued_before)": lambda c, k, u: c.revoke_tokens(u, issued_before=k),
    "create_user_and_token(scopes)": lambda c, k, u: c.create_user_and_token([k]),
    "create_user_and_token(token_expires_in)": lambda c, k, u: c.create_user_and_token(["chat"], token_expires_in=k),
    "get_token(user)": lambda c, k, u: c.get_token(k, ["chat"]),
    "get_token(scopes)": lambda c, k, u: c.get_token(u, [k]),
    "get_token(token_expires_in)": lambda c, k, u: c.get_token(u, ["chat"], token_expires_in=k),
    "get_token_for_teams_user(aad_token)": lambda c, k, u: c.get_token_for_teams_user(k, APP, OBJECT),
    "get_token_for_teams_user(client_id)": lambda c, k, u: c.get_token_for_teams_user("a.b.c", k, OBJECT),
    "get_token_for_teams_user(user_object_id)": lambda c, k, u: c.get_token_for_teams_user("a.b.c", APP, k),
    "get_token_for_teams_phone_user(entra_token)": lambda c, k, u: c.get_token_for_teams_phone_user(k),
    "get_teams_extension_assignment(tenant_id)": lambda c, k, u: c.get_teams_extension_assignment(k, OBJECT),
    "get_teams_extension_assignment(object_id)": lambda c, k, u: c.get_teams_extension_assignment(TENANT, k),
    "upsert_teams_extension_assignment(tenant_id)": lambda c, k, u: c.upsert_teams_extension_assignment(
        k, OBJECT, principal_type="user", client_ids=[APP]
    ),
    "upsert_teams_extension_assignment(object_id)": lambda c, k, u: c.upsert_teams_extension_assignment(
        TENANT, k, principal_type="user", client_ids=[APP]
    ),
    "upsert_teams_extension_assignment(principal_type)": lambda c, k, u: c.upsert_teams_extension_assignment(
        TENANT, OBJECT, principal_type=k, client_ids=[APP]
    ),
    "upsert_teams_extension_assignment(client_ids=[key])": lambda c, k, u: c.upsert_teams_extension_assignment(
        TENANT, OBJECT, principal_type="user", client_ids=[k]
    ),
    "upsert_teams_extension_assignment(client_ids=key)": lambda c, k, u: c.upsert_teams_extension_assignment(
        TENANT, OBJECT, principal_type="user", client_ids=k
    ),
    "delete_teams_extension_assignment(tenant_id)": lambda c, k, u: c.delete_teams_extension_assignment(k, OBJECT),
    "delete_teams_extension_assignment(object_id)": lambda c, k, u: c.delete_teams_extension_assignment(TENANT, k),
}
#: The Entra ID user methods, called on the one version that has them.
ENTRA_V = ApiVersion.V2025_03_02_PREVIEW
ENTRA_CALLS: dict[str, Call] = {
    "get_token_for_entra_user(entra_token)": lambda c, k, u: c.get_token_for_entra_user(k),
    "get_entra_assignment(object_id)": lambda c, k, u: c.get_entra_assignment(k),
    "delete_entra_assignment(object_id)": lambda c, k, u: c.delete_entra_assignment(k),
    "upsert_entra_assignment(object_id)": lambda c, k, u: c.upsert_entra_assignment(
        k, tenant_id=TENANT, principal_type="user", client_ids=[APP]
    ),
    "upsert_entra_assignment(tenant_id)": lambda c, k, u: c.upsert_entra_assignment(
        OBJECT, tenant_id=k, principal_type="user", client_ids=[APP]
    ),
    "upsert_entra_assignment(principal_type)": lambda c, k, u: c.upsert_entra_assignment(
        OBJECT, tenant_id=TENANT, principal_type=k, client_ids=[APP]
    ),
    "upsert_entra_assignment(client_ids=[key])": lambda c, k, u: c.upsert_entra_assignment(
        OBJECT, tenant_id=TENANT, principal_type="user", client_ids=[k]
    ),
    "update_entra_assignments(remove=[key])": lambda c, k, u: c.update_entra_assignments(remove=[k]),
    "update_entra_assignments(remove=key)": lambda c, k, u: c.update_entra_assignments(remove=k),
    "update_entra_assignments(assignments=[key])": lambda c, k, u: c.update_entra_assignments(assignments=[k]),
}
METHOD_CALLS.update(ENTRA_CALLS)


def _texts(error: BaseException) -> Iterator[str]:
    """What a user can see of an exception: str and repr, down its whole chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield from (str(arg) for arg in current.args)
        inner = getattr(current, "inner_exception", None)
        if isinstance(inner, BaseException):
            yield str(inner)
        current = current.__cause__ or current.__context__


def _assert_clean(key: str, texts: list[str], caplog: pytest.LogCaptureFixture, where: str) -> None:
    for text in texts:
        assert key not in text, f"{where}: the key is in {text[:200]!r}"
    for record in caplog.records:
        shown = record.getMessage() + (record.exc_text or "")
        assert key not in shown, f"{where}: the key is in a log record of {record.name}"


@pytest.fixture()
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture(scope="module")
def existing_user(identity_service: EmulatorProcess) -> str:
    with CommunicationIdentityClient.from_connection_string(identity_service.connection_string) as client:
        return client.create_user().raw_id


# ----- constructors and from_connection_string -----


def _constructions(service: EmulatorProcess) -> dict[str, Callable[[Any], Any]]:
    key, endpoint = service.access_key, service.endpoint
    conn = service.connection_string
    return {
        "endpoint=conn_str": lambda cls: cls(conn, key),
        "endpoint=key": lambda cls: cls(key, key),
        "endpoint='key'": lambda cls: cls(f"'{key}'", key),
        "endpoint=https://key": lambda cls: cls(f"https://{key}", key),
        "api_version=key": lambda cls: cls(endpoint, key, api_version=key),
        "credential=key (its place)": lambda cls: cls(endpoint, key),
        "credential=AzureKeyCredential": lambda cls: cls(endpoint, AzureKeyCredential(key)),
        "from_connection_string(key)": lambda cls: cls.from_connection_string(key),
        "from_connection_string(endpoint=key)": lambda cls: cls.from_connection_string(
            f"endpoint={key};accesskey={key}"
        ),
        "from_connection_string(key twice)": lambda cls: cls.from_connection_string(f"{conn};{key}"),
        "from_connection_string(key as a name)": lambda cls: cls.from_connection_string(f"{conn};{key}=1"),
        "from_connection_string(accesskey twice)": lambda cls: cls.from_connection_string(f"{conn};accesskey={key}"),
        "from_connection_string(bad base64)": lambda cls: cls.from_connection_string(f"{conn}!"),
        "from_connection_string(api_version=key)": lambda cls: cls.from_connection_string(conn, api_version=key),
        "from_connection_string(quoted)": lambda cls: cls.from_connection_string(f'"{conn}"'),
    }


@pytest.mark.parametrize("client_class", [CommunicationIdentityClient, AsyncClient], ids=["sync", "async"])
def test_constructors(
    identity_service: EmulatorProcess, client_class: Any, debug_logs: pytest.LogCaptureFixture
) -> None:
    key = identity_service.access_key
    for where, build in _constructions(identity_service).items():
        texts: list[str] = []
        try:
            client = build(client_class)
        except Exception as error:
            texts.extend(_texts(error))
        else:
            texts.append(repr(client))
            texts.append(str(client))
        _assert_clean(key, texts, debug_logs, where)


# ----- every method, sync and async, against the local service, network trace on -----


@pytest.mark.parametrize("where", list(METHOD_CALLS))
def test_sync_methods(
    identity_service: EmulatorProcess, existing_user: str, where: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    key = identity_service.access_key
    texts: list[str] = []
    with CommunicationIdentityClient.from_connection_string(
        identity_service.connection_string,
        api_version=ENTRA_V if where in ENTRA_CALLS else V,
        logging_enable=True,
        retry_total=0,
    ) as client:
        try:
            texts.append(repr(METHOD_CALLS[where](client, key, existing_user)))
        except Exception as error:
            texts.extend(_texts(error))
        texts.append(repr(client))
    _assert_clean(key, texts, debug_logs, where)


@pytest.mark.parametrize("where", list(METHOD_CALLS))
def test_async_methods(
    identity_service: EmulatorProcess, existing_user: str, where: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    key = identity_service.access_key

    async def main() -> list[str]:
        texts: list[str] = []
        async with AsyncClient.from_connection_string(
            identity_service.connection_string,
            api_version=ENTRA_V if where in ENTRA_CALLS else V,
            logging_enable=True,
            retry_total=0,
        ) as client:
            try:
                texts.append(repr(await METHOD_CALLS[where](client, key, existing_user)))
            except Exception as error:
                texts.extend(_texts(error))
            texts.append(repr(client))
        return texts

    _assert_clean(key, asyncio.run(main()), debug_logs, where)


# ----- the CLI -----


def _cli_cases(key: str, user: str) -> dict[str, list[str]]:
    return {
        "user delete ID": ["user", "delete", key],
        "token issue ID": ["token", "issue", key, "--scopes", "chat"],
        "--scopes": ["token", "issue", user, "--scopes", key],
        "--expires-in": ["token", "issue", user, "--scopes", "chat", "--expires-in", key],
        "token revoke ID": ["token", "revoke", key],
        "--issued-before": ["token", "revoke", user, "--issued-before", key],
        "--api-version": ["--api-version", key, "user", "create"],
        "--aad-token": ["token", "teams-user", "--aad-token", key, "--client-id", APP, "--user-object-id", OBJECT],
        "--client-id": ["token", "teams-user", "--aad-token", "a.b.c", "--client-id", key, "--user-object-id", OBJECT],
        "--user-object-id": ["token", "teams-user", "--aad-token", "a.b.c", "--client-id", APP,
                             "--user-object-id", key],
        "--entra-token": ["token", "teams-phone", "--entra-token", key],
        "--tenant-id": ["teams-assignment", "get", "--tenant-id", key, "--object-id", OBJECT],
        "--object-id": ["teams-assignment", "delete", "--tenant-id", TENANT, "--object-id", key],
        "--principal-type": ["teams-assignment", "set", "--tenant-id", TENANT, "--object-id", OBJECT,
                             "--principal-type", key, "--client-ids", APP],
        "--client-ids": ["teams-assignment", "set", "--tenant-id", TENANT, "--object-id", OBJECT,
                         "--principal-type", "user", "--client-ids", key],
        "--connection-string key": ["--connection-string", key, "user", "create"],
        "unknown option": ["user", "create", key],
    }  # fmt: skip


@pytest.mark.slow  # runs the acs-identity command line as a process
def test_cli(identity_service: EmulatorProcess, existing_user: str) -> None:
    key = identity_service.access_key
    env = {**os.environ, ENV: identity_service.connection_string}
    for where, args in _cli_cases(key, existing_user).items():
        done = subprocess.run(
            [sys.executable, "-m", "azure.communication.administration", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode != 0, where
        assert key not in done.stdout + done.stderr, f"{where}: {done.stderr}"
        assert "Traceback" not in done.stderr, where
        assert len(done.stderr.splitlines()) == 1, f"{where}: {done.stderr}"


def test_the_sweep_sees_the_network_trace(
    identity_service: EmulatorProcess, existing_user: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    """The log checks above are not vacuous: with logging_enable=True every request is logged."""
    with CommunicationIdentityClient.from_connection_string(
        identity_service.connection_string, logging_enable=True
    ) as client:
        client.get_token(existing_user, ["chat"])
    assert any("Request" in record.getMessage() for record in debug_logs.records)
