"""Repeatable requests: ``Repeatability-Request-ID`` and ``Repeatability-First-Sent``.

An operation whose document, in the request's API version, declares both headers (create,
``POST /identities``, in 2023-08-01: the catalog says which) is *repeatable* there: a client
that lost the answer may send the same request again with the same two headers, and the
service performs it once. This follows the Azure REST API guidelines' repeatable requests
(OASIS Repeatable Requests 1.0) as Communication Services documents them:

- A request with neither header is performed as usual (no ``Repeatability-Result``).
- A request with both, first seen: performed; a successful answer (2xx) is remembered under
  its id for :data:`WINDOW_SECONDS` from ``Repeatability-First-Sent``, and answered with
  ``Repeatability-Result: accepted``. Error answers are not remembered: a repeat performs the
  request again (which, for a refused create, refuses it again).
- The same id again with the *same request* (method, path and query, body bytes) within the
  window: the first answer (status, body, and its ``Location`` and ``ETag`` headers) is sent
  again with ``Repeatability-Result: accepted``, and nothing is performed. A repeat that
  arrives while the first is still being performed waits for it and gets its answer.
- The same id with a *different request*: 400 ``RepeatableRequestMismatch``, target
  ``Repeatability-Request-ID``, ``Repeatability-Result: rejected``; nothing is performed.
- ``Repeatability-First-Sent`` older than the window: 412 ``RepeatableRequestExpired``,
  ``Repeatability-Result: rejected`` (the service cannot tell whether it performed it).
- Only one of the headers, an id that is not a UUID, a ``Repeatability-First-Sent`` that is
  not an IMF-fixdate, or one more than the HMAC clock skew in the future: 400
  ``ValidationError`` naming the header, ``Repeatability-Result: rejected``.

Ids are kept in the store (they survive a restart) and forgotten once their window has
passed. On versions whose document does not declare the headers they are ignored, as any
unknown header is.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import time
from typing import TYPE_CHECKING

from . import _errors, _versions
from ._auth import MAX_CLOCK_SKEW_SECONDS, parse_imf_fixdate
from ._formats import is_guid

if TYPE_CHECKING:
    from ._app import Emulator
    from ._dispatch import Call, Handler, Result

REQUEST_ID = "Repeatability-Request-ID"
FIRST_SENT = "Repeatability-First-Sent"
RESULT = "Repeatability-Result"

#: Response headers a repeat gets again with the first answer's status and body: where a created
#: resource is (``POST /roles`` answers 201 with no body) and its version tag.
REPLAYED_HEADERS = ("Location", "ETag")

#: How long after ``Repeatability-First-Sent`` an id is remembered (seconds): Communication
#: Services' documented tracking window, five minutes.
WINDOW_SECONDS = 5 * 60.0


def is_repeatable(api_version: str, method: str, path: str) -> bool:
    """Whether ``method path`` declares both repeatability headers in ``api_version``'s document."""
    declared = _versions.header_parameters(api_version, method, path)
    return REQUEST_ID in declared and FIRST_SENT in declared


def declared_anywhere(method: str, path: str) -> bool:
    """Whether any version's document makes ``method path`` repeatable (so its handler needs :func:`repeatable`)."""
    return any(is_repeatable(version, method, path) for version in _versions.ALL_VERSIONS)


def _rejected(error: _errors.ServiceError) -> _errors.ServiceError:
    error.headers[RESULT] = "rejected"
    return error


def _fingerprint(call: Call) -> str:
    """What makes two requests "the same": method, path and query as sent, and the body bytes."""
    digest = hashlib.sha256()
    for part in (call.request.method.encode("ascii"), call.request.raw_path.encode("utf-8"), call.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _headers(call: Call) -> tuple[str, float] | None:
    """(request id, first-sent instant), ``None`` without either header; 400 for a bad pair."""
    request_id = call.request.headers.get(REQUEST_ID)
    first_sent = call.request.headers.get(FIRST_SENT)
    if request_id is None and first_sent is None:
        return None
    if request_id is None or first_sent is None:
        missing, given = (REQUEST_ID, FIRST_SENT) if request_id is None else (FIRST_SENT, REQUEST_ID)
        raise _rejected(_errors.validation(f"{missing} is required when {given} is sent.", missing))
    if not is_guid(request_id):
        raise _rejected(_errors.validation(f"{REQUEST_ID} must be a UUID.", REQUEST_ID))
    sent = parse_imf_fixdate(first_sent)
    if sent is None:
        raise _rejected(
            _errors.validation(
                f"{FIRST_SENT} must be an HTTP date (IMF-fixdate), e.g. Sun, 06 Nov 1994 08:49:37 GMT.", FIRST_SENT
            )
        )
    if sent > time.time() + MAX_CLOCK_SKEW_SECONDS:
        raise _rejected(_errors.validation(f"{FIRST_SENT} is in the future.", FIRST_SENT))
    return request_id.lower(), sent


def repeatable(method: str, path: str, handler: Handler) -> Handler:
    """``handler`` made repeatable on the versions whose document declares the headers for ``method path``."""
    in_flight: dict[str, asyncio.Future[None]] = {}

    @functools.wraps(handler)  # __wrapped__: the operation's own handler
    async def run(service: Emulator, call: Call) -> Result:
        if not is_repeatable(call.api_version, method, path):
            return await handler(service, call)
        found = _headers(call)
        if found is None:
            return await handler(service, call)
        request_id, sent = found
        fingerprint = _fingerprint(call)
        while (pending := in_flight.get(request_id)) is not None:
            await asyncio.shield(pending)  # the first is still being performed: its answer is the one
        now = time.time()
        if sent + WINDOW_SECONDS <= now:
            raise _rejected(
                _errors.ServiceError(
                    412,
                    "RepeatableRequestExpired",
                    f"{FIRST_SENT} is more than {WINDOW_SECONDS / 60:g} minutes ago, longer than requests "
                    "are remembered; send the request with a new id if it should be performed.",
                )
            )
        remembered = service.store.answers.get(request_id, now)
        if remembered is not None:
            if remembered.fingerprint != fingerprint:
                raise _rejected(
                    _errors.ServiceError(
                        400,
                        "RepeatableRequestMismatch",
                        f"{REQUEST_ID} {request_id} was first sent with a different request; "
                        "a new request needs a new id.",
                        REQUEST_ID,
                    )
                )
            call.response_headers[RESULT] = "accepted"
            call.response_headers.update(remembered.headers or {})
            body = None if remembered.body is None else json.loads(remembered.body)
            return remembered.status, body
        done = asyncio.get_running_loop().create_future()
        in_flight[request_id] = done
        try:
            status, body = await handler(service, call)
            if 200 <= status < 300:
                text = None if body is None else json.dumps(body, separators=(",", ":"))
                replayed = {k: call.response_headers[k] for k in REPLAYED_HEADERS if k in call.response_headers}
                service.store.answers.remember(
                    request_id, fingerprint, status, text, sent + WINDOW_SECONDS, now, headers=replayed
                )
        finally:
            del in_flight[request_id]
            done.set_result(None)
        call.response_headers[RESULT] = "accepted"
        return status, body

    return run
