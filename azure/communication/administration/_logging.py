"""Network trace logging that never writes a secret.

azure-core's ``NetworkTraceLoggingPolicy`` logs every header and body verbatim
when ``logging_enable=True``: the HMAC signature, bearer tokens and the access
tokens in response bodies would all reach the log. This policy logs the same
trace with those values replaced by ``REDACTED``; the client passes it as the
generated client's ``logging_policy`` (the slot of azure-core's).

azure-core's ``HttpLoggingPolicy`` also logs each request and response (at
INFO, headers redacted by an allow-list, no bodies). For a request that the
trace above logs, that would be a second, differently redacted copy, so the
client's ``http_logging_policy`` stays quiet for exactly those requests: each
request and response is logged once.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HttpLoggingPolicy, NetworkTraceLoggingPolicy

_LOGGER = logging.getLogger("azure.communication.administration")
#: Set in the pipeline context by the trace policy when it logs this request.
_TRACED = "acs_network_trace_logged"
REDACTED = "REDACTED"
_SECRET_HEADERS = frozenset({"authorization", "x-ms-content-sha256"})
_SECRET_FIELDS = frozenset({"token", "accesstoken"})


def _redact_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: REDACTED if k.lower() in _SECRET_FIELDS and isinstance(v, str) else _redact_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(v) for v in value]
    return value


def redact_body(body: Any) -> str:
    """The body as text with token values replaced; a body that is not JSON is not logged."""
    if not body:
        return "(no body)"
    try:
        return json.dumps(_redact_json(json.loads(body)), separators=(",", ":"))
    except (TypeError, ValueError):
        return f"({len(body)} bytes, not JSON, not logged)"


def _headers(headers: Any) -> str:
    return "".join(
        f"\n    {name!r}: {REDACTED if name.lower() in _SECRET_HEADERS else value!r}" for name, value in headers.items()
    )


class RedactingNetworkTraceLoggingPolicy(NetworkTraceLoggingPolicy):
    """``logging_enable=True`` (client-wide or per call) logs requests and responses at DEBUG.

    azure-core's network trace with its output replaced: same switch, same place in the pipeline.
    """

    def __init__(self, logging_enable: bool = False, **kwargs: Any) -> None:
        super().__init__(logging_enable=logging_enable, **kwargs)
        self._enabled = logging_enable

    def on_request(self, request: PipelineRequest[Any]) -> None:
        enabled = request.context.options.pop("logging_enable", self._enabled)
        request.context["logging_enable"] = enabled
        if not enabled or not _LOGGER.isEnabledFor(logging.DEBUG):
            request.context[_TRACED] = False
            return
        request.context[_TRACED] = True
        http_request = request.http_request
        body = getattr(http_request, "content", None)
        _LOGGER.debug(
            "Request %s %s\nRequest headers:%s\nRequest body: %s",
            http_request.method,
            http_request.url,
            _headers(http_request.headers),
            redact_body(body),
        )

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        if not request.context.get(_TRACED):
            return
        http_response = response.http_response
        try:
            body: Any = http_response.body()
        except Exception:
            body = None
        _LOGGER.debug(
            "Response status: %s\nResponse headers:%s\nResponse body: %s",
            http_response.status_code,
            _headers(http_response.headers),
            redact_body(body),
        )


class UntracedHttpLoggingPolicy(HttpLoggingPolicy):
    """azure-core's ``HttpLoggingPolicy``, silent for requests the redacting trace already logs."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if not request.context.get(_TRACED):
            super().on_request(request)
            return
        # Still take this policy's per-call options out: they must not reach the transport.
        options = request.context.options
        for name in ("logger", "http_logging_level"):
            if name in options:
                request.context.setdefault(name, options.pop(name))

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        if not request.context.get(_TRACED):
            super().on_response(request, response)
