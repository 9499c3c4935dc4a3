"""Helpers for the emulator tests: a signing raw HTTP client and JWT utilities.

The emulator runs as a subprocess on a free port (``--port 0``); requests go
through :class:`RawClient`, which uses ``http.client`` so the path is sent
exactly as given (percent-encoding included) and HMAC-signs like the SDKs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

try:
    import acs_identity_emulator  # noqa: F401
except ImportError:  # source checkout without the package installed
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "emulator"))

from acs_identity_emulator import Emulator, create_app, emulator_of
from acs_identity_emulator.testing import EmulatorProcess
from aiohttp import web

# Deliberate pins of released history: the wire tests are written against these versions'
# documents (their error texts name them), whatever versions are added later.
GA = "2023-10-01"
PREVIEW = "2020-07-20-preview2"


@dataclass
class Reply:
    """A response as the tests look at it."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a JWT, unverified."""
    head, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(head))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
    )


def unsigned_entra_token(**claims: Any) -> str:
    """An Entra-shaped JWT that no one signed: the service refuses it (401 ``InvalidAccessToken``)."""
    head = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "test"}).encode())
    body = b64url(json.dumps(claims).encode())
    return f"{head}.{body}.{b64url(b'not-a-real-signature')}"


#: Ids :meth:`RawClient.entra_token` mints for when the claims do not name GUIDs of their own.
ENTRA_TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd"
ENTRA_APP = "11111111-2222-3333-4444-555555555555"
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def enc(identity_id: str) -> str:
    """Percent-encode an id for a path, as the SDKs send it."""
    return quote(identity_id, safe="")


class RawClient:
    """HMAC-signing HTTP client that sends paths byte for byte."""

    def __init__(self, emulator: EmulatorProcess) -> None:
        self.port = emulator.port
        self.key = base64.b64decode(emulator.access_key)
        self.host = f"127.0.0.1:{emulator.port}"
        # Over HTTPS (running_emulator(tls=True)), trust the emulator's CA file.
        self.tls = None if emulator.certificate is None else ssl.create_default_context(cafile=emulator.certificate)

    def sign_headers(
        self,
        method: str,
        path_query: str,
        body: bytes,
        *,
        host: str | None = None,
        date: str | None = None,
        key: bytes | None = None,
        date_header: str = "x-ms-date",
    ) -> dict[str, str]:
        """Headers that sign a request; ``date_header="Date"`` signs as the 2020 SDKs did."""
        date = date or formatdate(time.time(), usegmt=True)
        content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
        to_sign = f"{method}\n{path_query}\n{date};{host or self.host};{content_hash}"
        sig = base64.b64encode(hmac.new(key or self.key, to_sign.encode(), hashlib.sha256).digest()).decode()
        signed = f"{date_header.lower()};host;x-ms-content-sha256"
        return {
            date_header: date,
            "x-ms-content-sha256": content_hash,
            "Authorization": f"HMAC-SHA256 SignedHeaders={signed}&Signature={sig}",
        }

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        api_version: str | None = GA,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
        content_type: str = "application/json",
    ) -> Reply:
        """Send one request; ``body`` is JSON-encoded unless ``raw`` is given."""
        if api_version is not None:
            path += ("&" if "?" in path else "?") + f"api-version={api_version}"
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        all_headers: dict[str, str] = {}
        if data:
            all_headers["Content-Type"] = content_type
        if sign:
            all_headers.update(self.sign_headers(method, path, data))
        all_headers.update(headers or {})
        conn = (
            http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            if self.tls is None
            else http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=self.tls)
        )
        try:
            conn.request(method, path, body=data, headers=all_headers)
            resp = conn.getresponse()
            return Reply(resp.status, resp.headers, resp.read())
        finally:
            conn.close()

    # conveniences ----------------------------------------------------------
    def create(self, body: Any = None, api_version: str = GA) -> str:
        reply = self.request("POST", "/identities", body, api_version=api_version)
        assert reply.status in (200, 201), reply.body
        data = reply.json()
        return str(data["id"] if api_version == PREVIEW else data["identity"]["id"])

    def issue(self, identity_id: str, scopes: list[str] | None = None, **kw: Any) -> Reply:
        return self.request(
            "POST",
            f"/identities/{enc(identity_id)}/:issueAccessToken",
            {"scopes": scopes or ["chat"], **kw},
        )

    def entra_token(self, **claims: Any) -> str:
        """An Entra token signed by the service's issuer (``POST /emulator/entra/token``).

        ``claims`` replace the minted ones (``None`` removes one); ``tid``, ``oid`` and ``appid``
        name whose token it is when they are GUIDs.
        """

        def guid(name: str, default: str) -> str:
            value = claims.get(name)
            return value if isinstance(value, str) and _GUID.match(value) else default

        body = {
            "tenantId": guid("tid", ENTRA_TENANT),
            "objectId": guid("oid", str(uuid.uuid4())),
            "appId": guid("appid", ENTRA_APP),
            "claims": claims,
        }
        reply = self.request("POST", "/emulator/entra/token", body, api_version=None)
        assert reply.status == 200, reply.body
        return str(reply.json()["token"])

    def introspect(self, token: str) -> dict[str, Any]:
        reply = self.request("POST", "/emulator/introspect", {"token": token}, api_version=None)
        assert reply.status == 200, reply.body
        result: dict[str, Any] = reply.json()
        return result


#: The access key of :func:`serving_in_process` (base64 of ``b"known-answer-key"``).
IN_PROCESS_KEY = "a25vd24tYW5zd2VyLWtleQ=="


@dataclass
class InProcess:
    """A service from ``create_app`` served in this process; :class:`RawClient` takes it."""

    port: int
    emulator: Emulator
    access_key: str = IN_PROCESS_KEY
    certificate: None = None


@contextmanager
def serving_in_process() -> Iterator[InProcess]:
    """The app from ``create_app`` on a free loopback port, on a thread with its own loop.

    For tests that change the service's own objects (its routing table, its interceptor), which a
    service in another process cannot offer.
    """
    loop = asyncio.new_event_loop()
    app = create_app(":memory:", IN_PROCESS_KEY)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield InProcess(port, emulator_of(app))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.run_until_complete(runner.cleanup())
        loop.close()
