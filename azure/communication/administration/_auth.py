"""HMAC-SHA256 request signing, one policy for the sync and the async pipeline.

String to sign (``shared/WIRE.md``)::

    <METHOD>\\n<path?query as sent on the wire>\\n<x-ms-date>;<host>;<x-ms-content-sha256>

Everything that does not change between requests (the decoded key, the host,
the transport quirk below) is worked out once; the per-request path only hashes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any, Optional, Union
from urllib.parse import urlsplit

from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import (
    AsyncBearerTokenCredentialPolicy,
    BearerTokenCredentialPolicy,
    SansIOHTTPPolicy,
)

from ._connection_string import decode_access_key

# aiohttp (through yarl) re-quotes the path before sending, turning the ids'
# "%3A" into ":"; the signature must cover what it actually sends. Only async
# pipelines can hold an aiohttp transport, so only they load yarl (at
# construction: importing aiohttp costs a sync process ~0.2 s for nothing).
_AIOHTTP_MODULE = "azure.core.pipeline.transport._aiohttp"

__all__ = [
    "TEAMS_PHONE_TOKEN_OPTION",
    "AsyncBearerPolicy",
    "BearerPolicy",
    "HMACCredentialPolicy",
    "teams_phone_token",
]

SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256"
_DEFAULT_PORTS = {"https": 443, "http": 80}

#: Per-call keyword carrying an Entra token that authenticates this one request
#: (the Teams Phone exchange) instead of the client's HMAC key.
TEAMS_PHONE_TOKEN_OPTION = "acs_teams_phone_token"  # noqa: S105 - an option name, not a secret


@functools.lru_cache(maxsize=64)  # a pure function of the (normalised) endpoint; clients per request reuse it
def _host_of(endpoint: str) -> str:
    """The URL authority as the ``Host`` header carries it: the port only when not the default."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def teams_phone_token(request: PipelineRequest[Any]) -> Optional[str]:
    """The Entra token a call passed as ``acs_teams_phone_token``, or ``None``.

    The Teams Phone exchange is authorised by the Teams Phone user's own token,
    not by the client's credential. The option is taken out of the call's
    options (so it never reaches the transport) and kept in the pipeline
    context, which retries and redirects share, so every try carries it.
    """
    context = request.context
    token: Optional[str] = context.options.pop(TEAMS_PHONE_TOKEN_OPTION, None)
    if token:
        context[TEAMS_PHONE_TOKEN_OPTION] = token
        return token
    return context.get(TEAMS_PHONE_TOKEN_OPTION) or None


def _use_teams_phone_token(request: PipelineRequest[Any]) -> bool:
    token = teams_phone_token(request)
    if token:
        request.http_request.headers["Authorization"] = f"Bearer {token}"
    return bool(token)


class HMACCredentialPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Signs each request with the resource's access key.

    The client's ``authentication_policy``: azure-core runs it after the retry
    and redirect policies, so every try and every redirected request is signed
    anew. A call carrying a Teams Phone token is signed too (the ``x-ms-date``
    and content hash stay) but authorised by that token.

    :param endpoint: The resource endpoint; its authority is the signed host.
    :param credential: The base64 access key, as a ``str`` or an ``AzureKeyCredential``
        (whose key may be rotated with ``update``; it is decoded again only then).
    :param clock: Seconds since the epoch; injectable so tests can fix the date.
    """

    def __init__(
        self,
        endpoint: str,
        credential: Union[str, AzureKeyCredential],
        *,
        clock: Callable[[], float] = time.time,
        for_async: bool = False,
    ) -> None:
        super().__init__()
        self._requote: Any = None
        if for_async:
            try:
                from yarl import URL  # construction time, async clients only

                self._requote = URL
            except ImportError:  # pragma: no cover - no aiohttp, so no aiohttp transport either
                pass
        self._host = _host_of(endpoint)
        self._https = endpoint.lower().startswith("https:")
        self._credential = credential
        self._clock = clock
        key = credential.key if isinstance(credential, AzureKeyCredential) else credential
        self._key_text = key
        self._key = decode_access_key(key)

    def _current_key(self) -> bytes:
        if isinstance(self._credential, AzureKeyCredential):
            key = self._credential.key
            if key is not self._key_text and key != self._key_text:
                self._key, self._key_text = decode_access_key(key), key
        return self._key

    def known_secrets(self) -> tuple[str, ...]:
        """The access key in force, as the caller gave it: what the client's logs scrub."""
        key = self._credential.key if isinstance(self._credential, AzureKeyCredential) else self._key_text
        return (key,)

    def sign(self, method: str, path_and_query: str, body: bytes, date: str) -> dict[str, str]:
        """The three auth headers for one request (public for known-answer tests)."""
        content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
        string_to_sign = f"{method.upper()}\n{path_and_query}\n{date};{self._host};{content_hash}"
        signature = base64.b64encode(
            hmac.new(self._current_key(), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
        ).decode("ascii")
        return {
            "x-ms-date": date,
            "x-ms-content-sha256": content_hash,
            "Authorization": f"HMAC-SHA256 SignedHeaders={SIGNED_HEADERS}&Signature={signature}",
        }

    def on_request(self, request: PipelineRequest[Any]) -> None:
        http_request = request.http_request
        if self._https and http_request.url[:5].lower() == "http:":
            # Only a redirect gets here (the redirect policy refuses it first); as azure-core's
            # bearer policy does for tokens, nothing is signed for a plain-HTTP URL.
            raise ServiceRequestError(
                "A request of this https client was redirected to plain HTTP; it is not signed or sent."
            )
        http_request.headers.update(
            self.sign(
                http_request.method,
                self._wire_path(http_request.url, request.context.transport),
                _body_bytes(http_request),
                formatdate(self._clock(), usegmt=True),  # RFC 1123, English whatever the locale
            )
        )
        _use_teams_phone_token(request)

    def _wire_path(self, url: str, transport: Any) -> str:
        """``path?query`` exactly as the transport will put it on the request line."""
        if self._requote is not None and _is_aiohttp(transport):
            return str(self._requote(url).raw_path_qs)
        parts = urlsplit(url)
        return f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"


class BearerPolicy(BearerTokenCredentialPolicy):  # type: ignore[type-arg]
    """azure-core's bearer policy for a ``TokenCredential``; a Teams Phone token, if given, replaces it."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        super().on_request(request)  # also refuses plain http, as for any bearer token
        _use_teams_phone_token(request)

    def on_challenge(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> bool:
        # A rejected Teams Phone token must not be answered with the client's own token.
        if request.context.get(TEAMS_PHONE_TOKEN_OPTION):
            return False
        return bool(super().on_challenge(request, response))


class AsyncBearerPolicy(AsyncBearerTokenCredentialPolicy):  # type: ignore[type-arg]
    """The async :class:`BearerPolicy`."""

    async def on_request(self, request: PipelineRequest[Any]) -> None:
        await super().on_request(request)
        _use_teams_phone_token(request)

    async def on_challenge(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> bool:
        if request.context.get(TEAMS_PHONE_TOKEN_OPTION):
            return False
        return bool(await super().on_challenge(request, response))


def _is_aiohttp(transport: Any) -> bool:
    # The pipeline may wrap the real transport (e.g. a sync-to-async adapter).
    while transport is not None:
        if any(cls.__module__ == _AIOHTTP_MODULE for cls in type(transport).__mro__):
            return True
        transport = getattr(transport, "_transport", None)
    return False


def _body_bytes(http_request: Any) -> bytes:
    content = getattr(http_request, "content", None)
    if content is None:
        content = getattr(http_request, "body", None)
    if content is None:
        return b""
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, (bytes, bytearray)):
        return bytes(content)
    raise TypeError("HMAC signing needs the request body as bytes or text, not a stream.")
