"""Dispatch: from a raw request to the handler of its operation, built from the catalog.

An *operation* is what the swagger documents call one: a method and a path template
(``POST /identities/{id}/:issueAccessToken``), whatever its operationId in a given version
(``CommunicationIdentity_Create`` up to 2023-10-01 and ``IdentityOperations_Create`` from
2025-06-30 are one operation). The routing table is built from the catalog (``_versions``):
every documented operation gets a route, its versions and its operationIds; the handlers in
``_handlers/`` say what each one does, registered with :func:`handles`. A documented
operation without a handler answers 501 ``NotImplemented`` (after authentication and the
version check), so a new version is served the day its document is added.

Adding an operation is one function in the ``_handlers`` module of its resource::

    @handles("POST /identities/{id}/:frobnicate")
    async def frobnicate(service: Emulator, call: Call) -> Result:
        identity_id = call.params[0]
        ...
        return 200, {"done": True}

Nothing else: its versions, its route and the ``api-supported-versions`` header come from the
catalog; a body is read with ``_bodies``, errors are made by ``_errors``. Routes of this
service's own (``/emulator/...``, ``/.well-known/...``) are registered with
:func:`extra_route` and take no ``api-version``.

The path is parsed *raw*: ids arrive percent-encoded (``8%3Aacs%3A...``), the action segment
keeps a literal colon (``/:issueAccessToken``) and the HMAC signature covers the path exactly
as sent, so aiohttp's decoding router would only get in the way; it also lets unknown routes
(404) and wrong methods (405) answer in the service's error shape.

Order of checks for every request (:func:`dispatch`): route (404) -> method (405) -> body size
(413) -> authentication (401: HMAC, or the Entra bearer token of the operations that take one)
-> ``api-version`` (400) -> the service's interceptor, if one is set -> the handler (body
validation 400, then the operation). Authentication comes before the version check on every
route, so that an unauthenticated caller learns nothing but "Denied" (or, where the credential
is an Entra token, ``InvalidAccessToken``). An operation that some version's document makes
repeatable (``Repeatability-Request-ID``; see ``_repeatability``) has its handler wrapped once
here, so the interceptor sees the repeatable operation. The interceptor
(``Emulator.intercept``) is the seam for layers that act on authenticated requests by
operation, such as fault injection: it gets the :class:`Call` (``call.operation`` says which
operation, by key and operationIds; ``call.operation.versions is None`` for this service's own
routes) and the handler to run, or not. Without one, a request costs one attribute test more.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import parse_qs, unquote

from aiohttp import web
from aiohttp.http_exceptions import ContentEncodingError

from . import _errors, _repeatability, _versions
from ._entra import EntraCaller, bearer_caller, clients_caller

if TYPE_CHECKING:
    from ._app import Emulator

log = logging.getLogger("acs_identity_emulator")

#: What a handler returns: the status and the JSON body (``None``: no body, as for 204).
Result = tuple[int, Any]
#: How an operation authenticates: the resource's HMAC key, an Entra bearer token (``bearer``: for
#: the Teams Phone resource; ``clients-bearer``: for Communication Services Clients), or not at all.
Auth = Literal["hmac", "bearer", "clients-bearer", "none"]
#: A handler: (service, request context) -> (status, JSON body or None).
Handler = Callable[["Emulator", "Call"], Awaitable[Result]]
#: Runs between authentication and the handler: (service, call, handler) -> what to answer.
Interceptor = Callable[["Emulator", "Call", Handler], Awaitable[Result]]


class Operation(NamedTuple):
    """One operation: its key (method, path template), names, versions, authentication and handler."""

    method: str
    path: str
    #: Every operationId the documents give it, oldest first (empty for this service's own routes).
    operation_ids: tuple[str, ...]
    #: The versions whose document has it; ``None``: a route of this service's own (no api-version).
    versions: tuple[str, ...] | None
    auth: Auth
    handler: Handler

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


@dataclass(slots=True)
class Call:
    """Everything a handler needs about the request it serves."""

    request: web.BaseRequest
    params: list[str]
    api_version: str
    body: bytes
    operation: Operation
    #: Who the Entra bearer token speaks for (operations with ``auth="bearer"`` or ``"clients-bearer"`` only).
    caller: EntraCaller | None = None
    #: Headers the answer carries besides the usual ones (``Repeatability-Result``).
    response_headers: dict[str, str] = field(default_factory=dict)


class _Registration(NamedTuple):
    handler: Handler
    auth: Auth


#: ``(METHOD, path template)`` -> handler: the documented operations (:func:`handles`) and this
#: service's own routes (:func:`extra_route`).
_HANDLERS: dict[tuple[str, str], _Registration] = {}
_EXTRAS: dict[tuple[str, str], _Registration] = {}


def handles(operation: str, *, auth: Auth = "hmac") -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of a documented operation.

    ``operation`` is ``"METHOD /path/template"`` as in the documents, or any of its operationIds;
    a name no document has is an error at import.
    """
    key = _versions.operation_key(operation)
    return _register(_HANDLERS, key, auth)


def extra_route(operation: str, *, auth: Auth = "hmac") -> Callable[[Handler], Handler]:
    """Register a route of this service's own (``"METHOD /path"``, ``{name}`` for a segment): no api-version."""
    method, _, path = operation.partition(" ")
    return _register(_EXTRAS, (method, path), auth)


def _register(
    table: dict[tuple[str, str], _Registration], key: tuple[str, str], auth: Auth
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if key in table:
            raise RuntimeError(f"two handlers for {key[0]} {key[1]}")
        table[key] = _Registration(handler, auth)
        return handler

    return register


def registered() -> frozenset[tuple[str, str]]:
    """The documented operations that have a handler (the rest answer 501)."""
    return frozenset(_HANDLERS)


@dataclass(frozen=True, slots=True)
class Route:
    """A path pattern (``None`` = a parameter segment) and the operation of each method on it."""

    pattern: tuple[str | None, ...]
    versions: tuple[str, ...] | None  # for the api-supported-versions header
    methods: dict[str, Operation]
    supported_header: str | None = field(init=False)

    def __post_init__(self) -> None:
        header = None if self.versions is None else _versions.header_value(self.versions)
        object.__setattr__(self, "supported_header", header)

    def match(self, segments: list[str]) -> list[str] | None:
        """The parameter values if ``segments`` fits this route."""
        if len(segments) != len(self.pattern):
            return None
        params: list[str] = []
        for want, got in zip(self.pattern, segments, strict=True):
            if want is None:
                if not got:
                    return None
                params.append(got)
            elif want != got:
                return None
        return params


def _pattern(path: str) -> tuple[str | None, ...]:
    """``/identities/{id}/token`` -> ``("", "identities", None, "token")``."""
    return tuple(None if part.startswith("{") and part.endswith("}") else part for part in path.split("/"))


def _not_implemented(method: str, path: str) -> Handler:
    """The handler of a documented ``method path`` that has no behaviour here yet."""
    names = " / ".join(_versions.operation_ids(method, path))

    async def handler(service: Emulator, call: Call) -> Result:
        raise _errors.not_implemented(names, method, path, call.api_version)

    return handler


def routing_table() -> list[Route]:
    """Every documented operation (from the catalog) and every extra route, literal segments first."""
    by_path: dict[str, dict[str, Operation]] = {}
    path_versions: dict[str, list[str]] = {}
    for (method, path), versions in _versions.operations().items():
        registration = _HANDLERS.get((method, path)) or _Registration(_not_implemented(method, path), "hmac")
        if _repeatability.declared_anywhere(method, path):
            registration = registration._replace(handler=_repeatability.repeatable(method, path, registration.handler))
        ids = _versions.operation_ids(method, path)
        by_path.setdefault(path, {})[method] = Operation(
            method, path, ids, versions, registration.auth, registration.handler
        )
        seen = path_versions.setdefault(path, [])
        seen.extend(v for v in versions if v not in seen)
    routes = [
        # Ordered like the documents' version list, so the header reads oldest first.
        Route(_pattern(path), tuple(v for v in _versions.ALL_VERSIONS if v in path_versions[path]), methods)
        for path, methods in by_path.items()
    ]
    # Literal segments win over parameters when two patterns could match the same path.
    routes.sort(key=lambda route: sum(part is None for part in route.pattern))
    extras: dict[str, dict[str, Operation]] = {}
    for (method, path), registration in _EXTRAS.items():
        extras.setdefault(path, {})[method] = Operation(method, path, (), None, registration.auth, registration.handler)
    return [*routes, *(Route(_pattern(path), None, methods) for path, methods in extras.items())]


def _api_version(query: str) -> str:
    """The first ``api-version`` query value ("" when absent).

    The common case (one plain parameter) skips ``parse_qs``, which is a
    measurable share of a token request.
    """
    if query.startswith("api-version=") and "&" not in query and "%" not in query:
        return query[len("api-version=") :]
    values = parse_qs(query, keep_blank_values=True).get("api-version")
    return values[0] if values else ""


def _unquote_segment(segment: str) -> str:
    """Percent-decode one path segment; ids only escape ``:`` (``8%3Aacs%3A...``), so try that first."""
    if "%" not in segment:
        return segment
    simple = segment.replace("%3A", ":").replace("%3a", ":")
    return simple if "%" not in simple else unquote(segment)


class ClientGone(Exception):
    """The request body ended early: the client disconnected or broke its framing."""


async def dispatch(service: Emulator, request: web.BaseRequest, headers: dict[str, str]) -> Result:
    """Run the checks in order, then the operation's handler; adds ``api-supported-versions`` to ``headers``."""
    raw = request.raw_path
    raw_path, _, query = raw.partition("?")
    segments = [_unquote_segment(s) for s in raw_path.split("/")]
    for route in service.routes:
        params = route.match(segments)
        if params is not None:
            break
    else:
        raise _errors.not_found(unquote(raw_path))
    if route.supported_header is not None:
        headers["api-supported-versions"] = route.supported_header
    operation = route.methods.get(request.method)
    if operation is None:
        raise _errors.method_not_allowed(request.method, unquote(raw_path), tuple(route.methods))

    body = await _read_body(request, service.body_timeout)
    caller: EntraCaller | None = None
    if operation.auth == "hmac":
        service.verifier.verify(request.method, raw, request.headers, body)
    elif operation.auth == "bearer":
        caller = bearer_caller(service.entra, request.headers)
    elif operation.auth == "clients-bearer":
        caller = clients_caller(service.entra, request.headers)

    api_version = ""
    if operation.versions is not None:
        api_version = _api_version(query)
        if not api_version:
            raise _errors.missing_api_version()
        if api_version not in operation.versions:
            uri = f"{request.scheme}://{request.host}{raw}"
            raise _errors.unsupported_api_version(uri, api_version)
    call = Call(request, params, api_version, body, operation, caller, response_headers=headers)
    if service.intercept is not None:
        return await service.intercept(service, call, operation.handler)
    return await operation.handler(service, call)


async def _read_body(request: web.BaseRequest, timeout: float) -> bytes:
    length = request.content_length
    if length is not None and length > _errors.MAX_BODY_BYTES:
        raise _errors.body_too_large()
    try:
        if request.content.is_eof():  # the whole body is already here (the usual case)
            return await request.read()
        # A slow body holds a connection and a handler: bound it.
        return await asyncio.wait_for(request.read(), timeout)
    except web.HTTPRequestEntityTooLarge:
        raise _errors.body_too_large() from None
    except asyncio.TimeoutError:
        raise _errors.body_timeout(timeout) from None
    except web.RequestPayloadError as error:
        if isinstance(error.__cause__, ContentEncodingError):
            # Nothing more of this body can be read: mark it ended, or aiohttp reads it again
            # after the answer (to drain it), meets the same error and logs all three tracebacks.
            request.content.feed_eof()
            raise _undecodable(request) from None
        # The client ended the body short of its Content-Length or chunked framing.
        raise ClientGone() from error
    except ConnectionError as error:  # the client closed the connection
        raise ClientGone() from error


#: Content codings aiohttp can decode; another value is never repeated back (it is the caller's text).
_CODINGS = frozenset({"gzip", "deflate", "br", "zstd"})


def _undecodable(request: web.BaseRequest) -> _errors.ServiceError:
    """400 for a body that is not what its Content-Encoding says, and one log line about it.

    Unauthenticated callers can send these at will, so the line is at INFO, names only the
    client address and the coding, and carries no traceback (aiohttp's error chain is three deep).
    """
    sent = request.headers.get("Content-Encoding", "").strip().lower()
    coding = sent if sent in _CODINGS else None
    log.info("rejected a request body that is not valid %s from %s: 400", coding or "encoded data", request.remote)
    return _errors.undecodable_body(coding)
