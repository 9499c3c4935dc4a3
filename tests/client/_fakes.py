"""Recording fake transports (sync and async) that answer with canned responses.

Each request that reaches the transport is recorded as a :class:`Recorded`
(method, full URL, headers, body bytes): exactly what would leave the client.
Responses are ``(status, json_body_or_None, headers)`` triples taken from a
queue; when the queue is empty, ``default`` answers.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qsl, urlsplit

from azure.core.pipeline.transport import (
    AsyncHttpResponse,
    AsyncHttpTransport,
    HttpResponse,
    HttpTransport,
)

KEY = "a25vd24tYW5zd2VyLWtleQ=="  # base64(b"known-answer-key")
ENDPOINT = "https://contoso.communication.azure.com"
USER_ID = "8:acs:00000000-1111-2222-3333-444444444444_00000000-0000-0000-0000-000000000abc"
USER_ID_QUOTED = "8%3Aacs%3A00000000-1111-2222-3333-444444444444_00000000-0000-0000-0000-000000000abc"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJmYWtlIjp0cnVlfQ.c2lnbmF0dXJl"
EXPIRES_ON = "2030-01-02T03:04:05.1234567+00:00"
EXPIRES_EPOCH = 1893553445  # int(datetime(2030,1,2,3,4,5.1234567,UTC).timestamp())
HMAC_PREFIX = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="

Canned = tuple  # (status, body, headers)


@dataclass
class Recorded:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def raw_query(self) -> str:
        return urlsplit(self.url).query

    def header(self, name: str) -> Optional[str]:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _body_of(request: Any) -> bytes:
    content = getattr(request, "content", None)
    if content is None:
        content = getattr(request, "body", None)
    if content is None:
        return b""
    if isinstance(content, str):
        return content.encode("utf-8")
    return bytes(content)


class _FakeResponseMixin:
    def _setup(self, status: int, body: Any, headers: Optional[dict[str, str]]) -> None:
        self.status_code = status
        self.reason = "OK" if status < 400 else "Error"
        if body is None:
            self._bytes = b""
            self.headers = dict(headers or {})
            self.content_type = None
        else:
            self._bytes = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            ctype = "application/json; charset=utf-8" if status < 400 else "application/json"
            self.headers = {"Content-Type": ctype, **(headers or {})}
            self.content_type = self.headers["Content-Type"]

    def body(self) -> bytes:
        return self._bytes


class FakeResponse(_FakeResponseMixin, HttpResponse):
    def __init__(self, request: Any, status: int, body: Any = None, headers: Any = None) -> None:
        HttpResponse.__init__(self, request, None)
        self._setup(status, body, headers)


class FakeAsyncResponse(_FakeResponseMixin, AsyncHttpResponse):
    def __init__(self, request: Any, status: int, body: Any = None, headers: Any = None) -> None:
        AsyncHttpResponse.__init__(self, request, None)
        self._setup(status, body, headers)

    async def load_body(self) -> None:
        return None


class _Recorder:
    def __init__(self, *responses: Canned, default: Canned = (200, {}, None)) -> None:
        self.requests: list[Recorded] = []
        self.responses: deque[Canned] = deque(responses)
        self.default = default
        self.opened = 0
        self.closed = 0

    def queue(self, *responses: Canned) -> None:
        self.responses.extend(responses)

    def _record(self, request: Any) -> Canned:
        self.requests.append(Recorded(request.method, request.url, dict(request.headers.items()), _body_of(request)))
        canned = self.responses.popleft() if self.responses else self.default
        status, body, *rest = canned
        return status, body, (rest[0] if rest else None)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]


class FakeTransport(_Recorder, HttpTransport):
    """Sync transport: records each request, answers from the queue."""

    def send(self, request: Any, **kwargs: Any) -> FakeResponse:
        status, body, headers = self._record(request)
        return FakeResponse(request, status, body, headers)

    def open(self) -> None:
        self.opened += 1

    def close(self) -> None:
        self.closed += 1

    def __enter__(self) -> FakeTransport:
        self.open()
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class FakeAsyncTransport(_Recorder, AsyncHttpTransport):
    """Async transport: records each request, answers from the queue."""

    async def send(self, request: Any, **kwargs: Any) -> FakeAsyncResponse:
        status, body, headers = self._record(request)
        return FakeAsyncResponse(request, status, body, headers)

    async def open(self) -> None:
        self.opened += 1

    async def close(self) -> None:
        self.closed += 1

    async def __aenter__(self) -> FakeAsyncTransport:
        await self.open()
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()


# ----- canned service answers (shapes from shared/WIRE.md) -----


def preview_identity(user_id: str = USER_ID) -> Canned:
    return (200, {"id": user_id})


def preview_token(user_id: str = USER_ID) -> Canned:
    return (200, {"id": user_id, "token": TOKEN, "expiresOn": EXPIRES_ON})


def ga_identity(user_id: str = USER_ID, with_token: bool = False) -> Canned:
    body: dict[str, Any] = {"identity": {"id": user_id}}
    if with_token:
        body["accessToken"] = {"token": TOKEN, "expiresOn": EXPIRES_ON}
    return (201, body)


def ga_token() -> Canned:
    return (200, {"token": TOKEN, "expiresOn": EXPIRES_ON})


NO_CONTENT: Canned = (204, None)


def error(status: int, code: str, message: str, target: Optional[str] = None) -> Canned:
    err: dict[str, Any] = {"code": code, "message": message}
    if target is not None:
        err["target"] = target
    return (status, {"error": err})


@dataclass
class FakeTokenCredential:
    """A ``TokenCredential`` that records the scopes it was asked for."""

    token: str = "fake-entra"
    scopes: list[tuple[str, ...]] = field(default_factory=list)

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken(self.token, 4102444800)
