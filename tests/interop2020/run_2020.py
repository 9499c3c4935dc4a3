"""Runs the published 2020 package, ``azure-communication-administration`` 1.0.0b4, unchanged.

Not a test module: the tests in this folder run it with the interpreter of
``.venv-2020`` (see ``conftest.py``), where that package is installed under the
same import path as this project's.  It reads one JSON object on stdin (the
connection string stays off the command line) and prints one JSON object on
stdout.  Commands (first argument):

``flow``     the 2020 sample flow against a service: {"conn_str", "cert", "mode": "sync"|"async"}
``wire``     every preview operation once, against a recording server: {"conn_str", "cert", "mode",
             "user_id", "issued_before"}
``surface``  the public surface: method signatures of both clients, attributes of the result types
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from datetime import datetime, timezone
from typing import Any

from azure.core.exceptions import HttpResponseError

from azure.communication.administration import (
    CommunicationIdentityClient,
    CommunicationIdentityToken,
    CommunicationUser,
    UnknownIdentifier,
)
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncCommunicationIdentityClient

#: Before any token of this run: revoking "tokens issued before" it revokes nothing.
LONG_AGO = datetime(2020, 7, 20, tzinfo=timezone.utc)


def _token(user: Any, token: Any) -> dict[str, Any]:
    return {
        "user": user.identifier,
        "user_type": type(user).__name__,
        "type": type(token).__name__,
        "id": token.id,
        "token": token.token,
        "expires_on": token.expires_on.isoformat(),
    }


def _error(exc: HttpResponseError) -> list[Any]:
    return [type(exc).__name__, exc.status_code, exc.error.code if exc.error else None]


def flow_sync(conn_str: str, cert: str) -> dict[str, Any]:
    client = CommunicationIdentityClient.from_connection_string(conn_str, connection_verify=cert)
    tokens: dict[str, Any] = {}
    kept = client.create_user()
    tokens["kept"] = _token(kept, client.issue_token(kept, scopes=["chat"]))
    assert client.revoke_tokens(kept, issued_before=LONG_AGO) is None

    cut = client.create_user()
    tokens["before_cut"] = _token(cut, client.issue_token(cut, scopes=["chat"]))
    client.revoke_tokens(cut, issued_before=datetime.now(timezone.utc))
    tokens["after_cut"] = _token(cut, client.issue_token(cut, scopes=["chat"]))

    revoked = client.create_user()
    tokens["revoked_all"] = _token(revoked, client.issue_token(revoked, scopes=["chat"]))
    client.revoke_tokens(revoked)

    gone = client.create_user()
    tokens["deleted"] = _token(gone, client.issue_token(gone, scopes=["chat"]))
    assert client.delete_user(gone) is None
    try:
        client.issue_token(gone, scopes=["chat"])
        after_delete: Any = None
    except HttpResponseError as exc:
        after_delete = _error(exc)
    return {"tokens": tokens, "after_delete": after_delete}


async def flow_async(conn_str: str, cert: str) -> dict[str, Any]:
    tokens: dict[str, Any] = {}
    async with AsyncCommunicationIdentityClient.from_connection_string(conn_str, connection_verify=cert) as client:
        kept = await client.create_user()
        tokens["kept"] = _token(kept, await client.issue_token(kept, scopes=["chat"]))
        assert await client.revoke_tokens(kept, issued_before=LONG_AGO) is None

        cut = await client.create_user()
        tokens["before_cut"] = _token(cut, await client.issue_token(cut, scopes=["chat"]))
        await client.revoke_tokens(cut, issued_before=datetime.now(timezone.utc))
        tokens["after_cut"] = _token(cut, await client.issue_token(cut, scopes=["chat"]))

        revoked = await client.create_user()
        tokens["revoked_all"] = _token(revoked, await client.issue_token(revoked, scopes=["chat"]))
        await client.revoke_tokens(revoked)

        gone = await client.create_user()
        tokens["deleted"] = _token(gone, await client.issue_token(gone, scopes=["chat"]))
        assert await client.delete_user(gone) is None
        try:
            await client.issue_token(gone, scopes=["chat"])
            after_delete: Any = None
        except HttpResponseError as exc:
            after_delete = _error(exc)
    return {"tokens": tokens, "after_delete": after_delete}


def wire(config: dict[str, Any]) -> dict[str, Any]:
    """Each preview operation once, in the order the recording server's script answers."""
    user = CommunicationUser(config["user_id"])
    issued_before = datetime.fromisoformat(config["issued_before"])
    if config["mode"] == "sync":
        client = CommunicationIdentityClient.from_connection_string(
            config["conn_str"], connection_verify=config["cert"]
        )
        created = client.create_user()
        client.issue_token(user, scopes=["chat"])
        client.revoke_tokens(user)
        client.revoke_tokens(user, issued_before=issued_before)
        client.delete_user(user)
        return {"created": created.identifier}

    async def run() -> dict[str, Any]:
        async with AsyncCommunicationIdentityClient.from_connection_string(
            config["conn_str"], connection_verify=config["cert"]
        ) as client:
            created = await client.create_user()
            await client.issue_token(user, scopes=["chat"])
            await client.revoke_tokens(user)
            await client.revoke_tokens(user, issued_before=issued_before)
            await client.delete_user(user)
            return {"created": created.identifier}

    return asyncio.run(run())


def _signature(function: Any) -> list[list[Any]]:
    params = []
    for param in inspect.signature(function).parameters.values():
        default = None if param.default is inspect.Parameter.empty else repr(param.default)
        params.append([param.name, param.kind.name, default])
    return params


def _methods(cls: type) -> dict[str, Any]:
    """Public methods (and ``__init__``) with their parameters; ``self``/``cls`` left out."""
    methods = {"__init__": _signature(cls.__init__)[1:]}  # type: ignore[misc]
    for name in dir(cls):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, classmethod):
            methods[name] = {"kind": "classmethod", "params": _signature(getattr(cls, name))}
        elif inspect.isfunction(raw):
            kind = "coroutine" if inspect.iscoroutinefunction(raw) else "method"
            methods[name] = {"kind": kind, "params": _signature(raw)[1:]}
    protocols = [n for n in ("__enter__", "__exit__", "__aenter__", "__aexit__") if hasattr(cls, n)]
    return {"methods": methods, "protocols": protocols}


def _attributes(instance: Any) -> dict[str, str]:
    return {k: type(v).__name__ for k, v in sorted(vars(instance).items()) if not k.startswith("_")}


def surface() -> dict[str, Any]:
    import azure.communication.administration as package

    token = CommunicationIdentityToken(id="8:acs:x", token="a.b.c", expires_on=datetime.now(timezone.utc))
    return {
        "sync": _methods(CommunicationIdentityClient),
        "aio": _methods(AsyncCommunicationIdentityClient),
        "results": {
            "CommunicationUser": _attributes(CommunicationUser("8:acs:x")),
            "CommunicationIdentityToken": _attributes(token),
            "UnknownIdentifier": _attributes(UnknownIdentifier("x")),
        },
        "model_methods": sorted(
            n for n in dir(CommunicationIdentityToken) if not n.startswith("_") and callable(getattr(token, n))
        ),
        "exports": sorted(package.__all__),
    }


def main() -> int:
    command = sys.argv[1]
    config = json.loads(sys.stdin.read() or "{}")
    if command == "flow":
        if config["mode"] == "sync":
            result = flow_sync(config["conn_str"], config["cert"])
        else:
            result = asyncio.run(flow_async(config["conn_str"], config["cert"]))
    elif command == "wire":
        result = wire(config)
    elif command == "surface":
        result = surface()
    else:
        print(f"run_2020.py: unknown command {command!r}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
