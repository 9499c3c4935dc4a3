"""The service of one emulated Communication Services resource, and its aiohttp application.

Where the rest of the service lives:

- ``_dispatch``: the routing table built from the catalog, keyed by operation; the order of
  checks; the interceptor seam between authentication and the handler;
- ``_handlers/``: one module per resource (identities and tokens, Teams user, Teams Phone
  assignments and exchange, this service's own routes), one function per operation;
- ``_bodies``: every check of a request body; ``_errors``: every error answer;
- ``_keys``: the access key and token signing key, made once per store; ``_store``: SQLite;
- ``_auth`` (HMAC), ``_entra`` (Entra tokens), ``_tokens`` (signing), ``_formats`` (wire formats);
- ``_faults``: fault injection rules, acting through the interceptor seam while there are any;
- ``_http`` and ``_cli``: the server the command line runs.

:class:`Emulator` holds the resource's state (store, keys, routing table) and turns what a
handler returns or raises into the HTTP answer (:meth:`Emulator.handle`, which never raises);
:meth:`Emulator.mint` issues ACS tokens for the handlers.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import (
    _errors,
    _handlers,  # noqa: F401 - importing it registers every handler
)
from ._dispatch import ClientGone, Interceptor, dispatch, routing_table
from ._entra import EntraIssuer
from ._errors import ServiceError
from ._faults import DropConnection, FaultRules
from ._formats import format_expires_on
from ._keys import load_keys
from ._limits import DEFAULT_IDLE_TIMEOUT
from ._store import DEFAULT_TOMBSTONE_RETENTION, IdentityState, Store, revocation_boundary, sweep_tombstones
from ._tokens import acs_claims

log = logging.getLogger("acs_identity_emulator")

JSON_UTF8 = "application/json; charset=utf-8"
JSON_ERROR = "application/json"

_STATIC_HEADERS = {"Strict-Transport-Security": "max-age=2592000"}
#: ``json.dumps(..., separators=(",", ":"))`` without building an encoder per call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _json_response(status: int, payload: Any, headers: dict[str, str]) -> web.Response:
    if payload is None:
        # 204: no body and no Content-Type, as the service answers.
        return web.Response(status=status, headers=headers)
    headers["Content-Type"] = JSON_UTF8
    body = _COMPACT.encode(payload).encode("utf-8")
    return web.Response(status=status, body=body, headers=headers)


def _ms_cv() -> str:
    """A correlation vector like the service's: 22 base64 chars + ``.0``."""
    return base64.b64encode(os.urandom(16)).decode("ascii")[:22] + ".0"


class Emulator:
    """State of one emulated Communication Services resource, and the door its requests come in by."""

    def __init__(self, store: Store, access_key: str | None = None) -> None:
        self.store = store
        #: Longest wait for a request body once its head has arrived (408 after).
        self.body_timeout: float = DEFAULT_IDLE_TIMEOUT
        self.resource_id = store.resource_id()
        keys = load_keys(store, access_key)  # ValueError for a bad key, which it never quotes
        self.access_key = keys.access_key
        self.verifier = keys.verifier
        self.signer = keys.signer
        #: The local stand-in for Entra ID: mints the Entra tokens the Teams exchanges accept.
        self.entra = EntraIssuer(store)
        self.routes = routing_table()
        #: Runs between authentication and each handler when set (see ``_dispatch``).
        self.intercept: Interceptor | None = None
        #: Fault injection rules; ``_faults.attach`` sets ``intercept`` while there are any.
        self.faults = FaultRules()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Serve one request; never raises."""
        started = time.perf_counter()
        headers = dict(_STATIC_HEADERS)
        client_request_id = request.headers.get("x-ms-client-request-id")
        if client_request_id is not None:
            headers["x-ms-client-request-id"] = client_request_id
        try:
            status, payload = await dispatch(self, request, headers)
        except DropConnection:
            # A fault rule's drop: close without a byte of an answer. aiohttp's attempt to send
            # the response below then meets a closing transport and ends quietly; 444 (nginx's
            # "connection closed without response") is what an access log line shows for it.
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=444)
        except ClientGone as gone:
            # Nobody is left to read an answer; not an error of ours.
            log.debug("client went away while sending its request body (%s)", type(gone.__cause__).__name__)
            failure = _errors.body_incomplete()
            headers["Content-Type"] = JSON_ERROR
            return web.Response(status=failure.status, body=failure.body(), headers=headers)
        except ServiceError as error:
            headers.update(error.headers)
            headers["Content-Type"] = JSON_ERROR
            headers["MS-CV"] = _ms_cv()
            headers["X-Processing-Time"] = f"{int((time.perf_counter() - started) * 1000)}ms"
            response = web.Response(status=error.status, body=error.body(), headers=headers)
            if error.close_connection:
                response.force_close()  # the rest of a stalled or undecodable body is not worth reading
            return response
        except Exception:
            log.exception("unexpected error serving %s %s", request.method, request.path)
            failure = _errors.internal_error()
            headers["Content-Type"] = JSON_ERROR
            return web.Response(status=failure.status, body=failure.body(), headers=headers)
        headers["MS-CV"] = _ms_cv()
        headers["X-Processing-Time"] = f"{int((time.perf_counter() - started) * 1000)}ms"
        return _json_response(status, payload, headers)

    async def mint(
        self,
        identity_id: str,
        live_state: Callable[[], IdentityState],
        scopes: list[str] | str,
        lifetime: float | None = None,
        expires_at: float | None = None,
    ) -> tuple[str, str]:
        """Sign an ACS token; return (jwt, expiresOn).

        The token lives ``lifetime`` seconds, or until ``expires_at`` (at
        least one second).  ``live_state`` gives the identity's current state
        (or raises, e.g. 404 when it was deleted meanwhile).

        Revocation is exact: a token is revoked if and only if it was issued
        before the latest revocation of its identity.  ``iat`` has whole
        seconds (as on the real service) and identical claims make identical
        tokens, so a token issued in the same second as, but after, a
        revocation cannot be told apart from one issued before it.  A
        revocation therefore covers its whole second (``Store.revoke_now``)
        and a token asked for in that second is signed at the start of the
        next one: ``iat`` is never in the future and never rounded, at the
        cost of up to one second of latency right after a revocation.
        """
        while True:
            state = live_state()
            now = time.time()
            boundary = revocation_boundary(state.valid_from)
            if boundary is None or not now < boundary <= now + 1:
                break
            await asyncio.sleep(boundary - now)
        iat = int(now)
        if expires_at is not None:
            expires = max(expires_at, now + 1.0)
        else:
            assert lifetime is not None
            expires = now + lifetime
        exp = int(expires)
        scope_list = scopes if isinstance(scopes, list) else scopes.split(",")
        claims = acs_claims(identity_id[2:], scope_list, iat, exp, self.resource_id)
        return await self.signer.sign_async(claims), format_expires_on(expires)


_EMULATOR_KEY: web.AppKey[Emulator] = web.AppKey("emulator", Emulator)


def create_app(
    db: str = ":memory:",
    access_key: str | None = None,
    signing_processes: int = 0,
    tombstone_retention: float = DEFAULT_TOMBSTONE_RETENTION,
) -> web.Application:
    """Build the aiohttp application for in-process use.

    ``db`` is a SQLite path or ``":memory:"``; ``access_key`` (base64) is
    generated and stored when omitted.  ``signing_processes`` > 0 moves RSA
    signing to that many helper processes (started with the app).  Deleted identities' tombstones
    are kept ``tombstone_retention`` seconds and removed while the app runs.  ``app[EMULATOR_KEY]`` /
    :func:`emulator_of` give the :class:`Emulator` (for its ``access_key``).
    The store is closed on application cleanup.

    The command line does not serve this app: it serves :meth:`Emulator.handle`
    through ``_http.make_server``, which also answers requests aiohttp cannot
    parse in the service's shape (echoing none of their bytes) and closes
    idle and half-sent connections.  An app run by aiohttp's own runner gets
    aiohttp's behaviour for those.
    """
    emulator = Emulator(Store(db, tombstone_retention=tombstone_retention), access_key)
    # aiohttp enforces the cap on chunked bodies too; _dispatch turns its
    # exception into a 413 in the service's error shape.
    app = web.Application(client_max_size=_errors.MAX_BODY_BYTES)
    app[_EMULATOR_KEY] = emulator
    # [\s\S], not ".": a decoded path may hold a newline (%0A), and every
    # path must reach the handler so it answers in the service's error shape.
    app.router.add_route("*", r"/{tail:[\s\S]*}", emulator.handle)

    sweeper: list[asyncio.Task[None]] = []

    async def _start(_: web.Application) -> None:
        await emulator.signer.start_helpers(signing_processes)
        sweeper.append(asyncio.create_task(sweep_tombstones(emulator.store)))

    async def _close(_: web.Application) -> None:
        for task in sweeper:
            task.cancel()
        await asyncio.gather(*sweeper, return_exceptions=True)
        emulator.signer.close()
        emulator.store.close()

    async def _stopping(_: web.Application) -> None:
        emulator.faults.stop()  # a fault rule's delay does not hold the shutdown up

    app.on_startup.append(_start)
    app.on_shutdown.append(_stopping)
    app.on_cleanup.append(_close)
    return app


def emulator_of(app: web.Application) -> Emulator:
    """The :class:`Emulator` behind an app made by :func:`create_app`."""
    return app[_EMULATOR_KEY]
