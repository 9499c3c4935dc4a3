"""The emulator's HTTP server: aiohttp's low-level server with the service's limits and error shape.

The command line serves :meth:`Emulator.handle` through :class:`aiohttp.web.Server`
rather than an ``Application``, because the application layer cannot change two
things the HTTP protocol layer does with a request it cannot parse:

- it logs the parser's exception at ERROR with a traceback whose message quotes
  the offending bytes (a ``Signature=...`` header, a token in a body), and
- it answers ``400`` in plain text echoing the same bytes.

:class:`_Protocol` answers such requests in the service's JSON error shape
without a byte of the request, and logs one line (the client address and the
kind of error) at INFO.  Every path, ``%0A`` included, reaches
:meth:`Emulator.handle`, which answers unknown routes itself.

Limits (see the README): a connection is closed when no complete request head
arrives within ``idle_timeout`` seconds of its opening or of the previous
response (slow headers and idle keep-alive alike: aiohttp's
``keepalive_timeout`` runs from both); a body must arrive within the same time
once its head has (408); bodies are capped at 64 KiB (413); the rest of a body
answered early is drained for at most ``min(idle_timeout, 10)`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from . import _errors
from ._app import JSON_ERROR, Emulator

log = logging.getLogger("acs_identity_emulator")

#: Pending connections the listening socket queues (the kernel caps it at somaxconn).
LISTEN_BACKLOG = 1024


class _Protocol(RequestHandler):
    """aiohttp's HTTP/1.1 protocol, answering unparsable requests in the service's shape."""

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A JSON error for a request aiohttp could not parse (or a failure of its own).

        Never logs or returns ``message`` or the exception's text: both quote
        the raw request bytes.
        """
        kind = "no detail" if exc is None else type(exc).__name__
        if status >= 500:
            log.error("HTTP layer failure serving a request from %s (%s)", request.remote, kind)
        else:
            log.info("rejected a malformed HTTP request from %s: %d (%s)", request.remote, status, kind)
        if request.writer.output_size > 0:
            # Part of a response is out already; all that is left is to drop the connection.
            raise ConnectionError("response already started")
        error = _errors.malformed_request(status)
        response = web.Response(
            status=error.status,
            body=error.body(),
            headers={"Content-Type": JSON_ERROR, "Strict-Transport-Security": "max-age=2592000"},
        )
        response.force_close()
        return response


class _Server(web.Server):
    """:class:`aiohttp.web.Server` whose connections use :class:`_Protocol`."""

    def __init__(self, handler: Any, *, request_factory: Any, **protocol_kwargs: Any) -> None:
        super().__init__(handler, request_factory=request_factory, **protocol_kwargs)
        self._protocol_kwargs = protocol_kwargs
        self._protocol_loop = asyncio.get_running_loop()

    def __call__(self) -> RequestHandler:
        return _Protocol(self, loop=self._protocol_loop, **self._protocol_kwargs)


def make_server(emulator: Emulator, idle_timeout: float, access_log: logging.Logger | None) -> web.Server:
    """The server for ``emulator`` (call inside the running event loop)."""
    loop = asyncio.get_running_loop()
    emulator.body_timeout = idle_timeout

    def request_factory(message: Any, payload: Any, protocol: Any, writer: Any, task: Any) -> web.BaseRequest:
        # The 64 KiB cap also for chunked bodies; Emulator turns aiohttp's
        # exception into a 413 in the service's shape.
        return web.BaseRequest(message, payload, protocol, writer, task, loop, client_max_size=_errors.MAX_BODY_BYTES)

    return _Server(
        emulator.handle,
        request_factory=request_factory,
        keepalive_timeout=idle_timeout,
        # After an answer given before the whole body came in (404, 408, 413),
        # aiohttp reads and drops the rest for up to this long, so the client
        # sees the answer rather than a reset; no longer than the idle limit.
        lingering_time=min(idle_timeout, 10.0),
        logger=log,
        access_log=access_log,
    )
