"""The testing helper's fault rules: signed calls to ``/emulator/faults`` with the standard library.

:meth:`acs_identity_emulator.testing.EmulatorProcess.faults` applies rules for a ``with`` block
through these; the requests are HMAC-signed with the resource's key like every call (the
emulator's own ``_auth`` makes the signature), over HTTPS trusting the service's certificate
when it has one.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.utils import formatdate
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from . import _auth

FAULTS = "/emulator/faults"


class Service(Protocol):
    """What a call needs of a running service (``EmulatorProcess`` has it)."""

    endpoint: str
    access_key: str
    certificate: str | None


def call(service: Service, method: str, path: str, body: Any = None, timeout: float = 30.0) -> tuple[int, Any]:
    """One signed request to the service's own routes: (status, decoded JSON body or ``None``)."""
    parts = urlsplit(service.endpoint)
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=service.certificate)
        connection = http.client.HTTPSConnection(parts.netloc, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
    date = formatdate(time.time(), usegmt=True)
    digest = _auth.content_hash(data)
    signature = _auth.sign(base64.b64decode(service.access_key), f"{method}\n{path}\n{date};{parts.netloc};{digest}")
    headers = {
        "Host": parts.netloc,
        "x-ms-date": date,
        "x-ms-content-sha256": digest,
        "Authorization": f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}",
    }
    if data:
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    return response.status, json.loads(payload) if payload else None


def _failed(what: str, status: int, body: Any) -> Exception:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    message = error.get("message", "no error body")
    if status == 400:
        return ValueError(f"bad fault rule: {message}")
    return RuntimeError(f"{what} failed: {status} {error.get('code', '')}: {message}")


def add(service: Service, rule: Mapping[str, Any]) -> dict[str, Any]:
    """Add one rule; the rule as the service holds it (``id``, ``hits``). ``ValueError`` for a bad rule."""
    status, body = call(service, "POST", FAULTS, dict(rule))
    if status != 201:
        raise _failed("adding a fault rule", status, body)
    result: dict[str, Any] = body
    return result


def listed(service: Service) -> list[dict[str, Any]]:
    """The service's rules, in the order they apply, each with its ``hits``."""
    status, body = call(service, "GET", FAULTS)
    if status != 200:
        raise _failed("listing the fault rules", status, body)
    rules: list[dict[str, Any]] = body["value"]
    return rules


def remove(service: Service, rule_id: str) -> bool:
    """Remove one rule; ``False`` if the service had no rule of that id."""
    status, body = call(service, "DELETE", f"{FAULTS}/{quote(rule_id, safe='')}")
    if status not in (204, 404):
        raise _failed(f"removing fault rule {rule_id!r}", status, body)
    return status == 204


class AppliedFaults:
    """The rules a ``with emu.faults(...)`` block applies: as added (``rules``, ``ids``), and their hits."""

    def __init__(self, service: Service, rules: list[dict[str, Any]]) -> None:
        self._service = service
        #: The rules as the service answered when they were added (``id``, ``hits: 0``).
        self.rules = rules

    @property
    def ids(self) -> list[str]:
        return [rule["id"] for rule in self.rules]

    def hits(self) -> list[int]:
        """How many requests each rule has faulted so far, in the order given (asks the service)."""
        current = {rule["id"]: rule["hits"] for rule in listed(self._service)}
        return [current.get(rule_id, 0) for rule_id in self.ids]


@contextmanager
def applied(service: Service, rules: Sequence[Mapping[str, Any]]) -> Iterator[AppliedFaults]:
    """Add ``rules`` for the block and remove them after (also when the block raises)."""
    added: list[dict[str, Any]] = []

    def remove_added() -> None:
        for rule in added:
            remove(service, rule["id"])

    try:
        for rule in rules:
            added.append(add(service, rule))
        yield AppliedFaults(service, added)
    except BaseException:
        # The block's own error matters more than a service that is gone by now.
        with contextlib.suppress(OSError):
            remove_added()
        raise
    remove_added()
