"""Repeatable requests: what makes a create safe to send again when its answer is lost.

Where the client's API version declares ``Repeatability-Request-ID`` and
``Repeatability-First-Sent`` on an operation (the catalog says where: create, in 2023-08-01),
each logical call of it carries a fresh random UUID and the time of the call as an HTTP date
(IMF-fixdate, RFC 1123), and the service performs a request it has seen under that id only
once, answering a repeat with the first answer. So the call may be retried whatever
happened to the first try: azure-core's retry policy, which never sends a POST again once
it may have reached the service (a connection dropped after the request was written, a read
timeout), is told that this one may be (``retry_on_methods``, for this call only). Every try
sends the same two values; the authentication policy signs each try again. The usual retry
settings apply (``retry_total=0`` turns retries off).

A caller's own ``Repeatability-Request-ID`` / ``Repeatability-First-Sent`` in ``headers=``
are kept: the way to make one create repeatable across processes.
"""

from __future__ import annotations

import time
import uuid
from email.utils import formatdate
from typing import Any

from ._api_versions import ApiVersion, header_parameters

REQUEST_ID = "Repeatability-Request-ID"
FIRST_SENT = "Repeatability-First-Sent"
RESULT = "Repeatability-Result"


def is_repeatable(version: ApiVersion, operation: str) -> bool:
    """Whether ``version``'s document declares both repeatability headers on ``operation`` (``"METHOD path"``)."""
    declared = header_parameters(version, operation)
    return REQUEST_ID in declared and FIRST_SENT in declared


def repeatable_call(version: ApiVersion, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` for one logical call of ``operation``: the two headers and a retry that covers it.

    Unchanged where ``version`` does not declare the headers on ``operation``.
    """
    if not is_repeatable(version, operation):
        return kwargs
    headers = dict(kwargs.get("headers") or {})
    given = {name.lower() for name in headers}
    if REQUEST_ID.lower() not in given:
        headers[REQUEST_ID] = str(uuid.uuid4())
    if FIRST_SENT.lower() not in given:
        headers[FIRST_SENT] = formatdate(time.time(), usegmt=True)  # RFC 1123, English whatever the locale
    method = operation.partition(" ")[0]
    methods = frozenset(kwargs.get("retry_on_methods") or ()) | {method}
    return {**kwargs, "headers": headers, "retry_on_methods": methods}
