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

Both logs also scrub the client's own secrets (its access key) from every line they write,
wherever a caller put it: a custom header, ``user_agent=``, the client request id, a
``send_request`` URL or body. Header allow-lists and JSON field names cannot see a key pasted
into a value; the client knows its key, so it looks for that key itself, as written and
URL-encoded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Optional
from urllib.parse import quote, quote_plus

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HttpLoggingPolicy, NetworkTraceLoggingPolicy

_LOGGER = logging.getLogger("azure.communication.administration")
#: Set in the pipeline context by the trace policy when it logs this request.
_TRACED = "acs_network_trace_logged"
REDACTED = "REDACTED"
_SECRET_HEADERS = frozenset({"authorization", "x-ms-content-sha256"})
_SECRET_FIELDS = frozenset({"token", "accesstoken"})


#: What a logging policy calls for the client's secrets at the moment it logs (a rotated
#: ``AzureKeyCredential`` key is the one in force).
Secrets = Callable[[], Iterable[str]]


def _no_secrets() -> Iterable[str]:
    return ()


def scrub(text: str, secrets: Secrets) -> str:
    """``text`` with every secret, as written or URL-encoded, replaced by ``REDACTED``.

    >>> scrub("user-agent: c2VjcmV0K2tleQ== and c2VjcmV0K2tleQ%3D%3D", lambda: ["c2VjcmV0K2tleQ=="])
    'user-agent: REDACTED and REDACTED'
    """
    for secret in secrets():
        if not secret:
            continue
        # The longest forms first: a percent-encoded key contains no raw one, and vice versa.
        for form in sorted({secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}, key=len, reverse=True):
            text = text.replace(form, REDACTED)
    return text


class _ScrubbingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger that formats each record's message and scrubs the client's secrets from it.

    Given to azure-core's ``HttpLoggingPolicy`` as its logger: that policy redacts headers by
    an allow-list of names (``User-Agent`` and ``x-ms-client-request-id`` are on it), so a key
    passed in their values would reach the log as it is.
    """

    def __init__(self, logger: logging.Logger, secrets: Secrets) -> None:
        super().__init__(logger, {})
        self._secrets = secrets

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        kwargs.setdefault("stacklevel", 2)
        self.logger.log(level, "%s", scrub(text, self._secrets), **kwargs)


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


def _headers(headers: Mapping[str, Any]) -> str:
    return "".join(
        f"\n    {name!r}: {REDACTED if name.lower() in _SECRET_HEADERS else value!r}" for name, value in headers.items()
    )


class RedactingNetworkTraceLoggingPolicy(NetworkTraceLoggingPolicy):
    """``logging_enable=True`` (client-wide or per call) logs requests and responses at DEBUG.

    azure-core's network trace with its output replaced: same switch, same place in the pipeline.
    """

    def __init__(self, logging_enable: bool = False, *, secrets: Secrets = _no_secrets, **kwargs: Any) -> None:
        super().__init__(logging_enable=logging_enable, **kwargs)
        self._enabled = logging_enable
        self._secrets = secrets

    def _debug(self, text: str) -> None:
        _LOGGER.debug("%s", scrub(text, self._secrets))

    def on_request(self, request: PipelineRequest[Any]) -> None:
        enabled = request.context.options.pop("logging_enable", self._enabled)
        request.context["logging_enable"] = enabled
        if not enabled or not _LOGGER.isEnabledFor(logging.DEBUG):
            request.context[_TRACED] = False
            return
        request.context[_TRACED] = True
        http_request = request.http_request
        body = getattr(http_request, "content", None)
        self._debug(
            f"Request {http_request.method} {http_request.url}\nRequest headers:{_headers(http_request.headers)}"
            f"\nRequest body: {redact_body(body)}"
        )

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        if not request.context.get(_TRACED):
            return
        http_response = response.http_response
        try:
            body: Any = http_response.body()
        except Exception:
            body = None
        self._debug(
            f"Response status: {http_response.status_code}\nResponse headers:{_headers(http_response.headers)}"
            f"\nResponse body: {redact_body(body)}"
        )


class UntracedHttpLoggingPolicy(HttpLoggingPolicy):
    """azure-core's ``HttpLoggingPolicy``, silent for requests the redacting trace already logs.

    For the others it logs through a logger that scrubs the client's secrets.
    """

    def __init__(
        self, logger: Optional[logging.Logger] = None, *, secrets: Secrets = _no_secrets, **kwargs: Any
    ) -> None:
        super().__init__(logger, **kwargs)
        self._secrets = secrets

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if not request.context.get(_TRACED):
            # The logger azure-core would pick (the call's, a retry's, or this policy's), scrubbing.
            logger = request.context.get("logger") or request.context.options.pop("logger", None) or self.logger
            if not isinstance(logger, _ScrubbingLogger):
                logger = _ScrubbingLogger(logger, self._secrets)
            request.context["logger"] = logger
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
