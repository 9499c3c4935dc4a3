"""Ask the Identity service whether a token is still usable (the local service only).

The local Identity service (``acs_identity_emulator``) answers
``POST /emulator/introspect`` with ``{"active": bool, "reason": ..., "claims": {...}}``.
Like every call, the request is HMAC-signed with the resource's access key. A real
Azure resource has no such endpoint; :func:`introspect` returns ``None`` there.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.utils import formatdate
from typing import Any, Optional
from urllib.parse import urlsplit

from azure.communication.administration._auth import HMACCredentialPolicy

INTROSPECT_PATH = "/emulator/introspect"


def introspect(endpoint: str, access_key: str, token: str, *, timeout: float = 30.0) -> Optional[dict[str, Any]]:
    """The service's verdict on ``token``, or ``None`` if the service cannot introspect."""
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    path = parts.path.rstrip("/") + INTROSPECT_PATH
    body = json.dumps({"token": token}).encode("utf-8")
    headers = HMACCredentialPolicy(endpoint, access_key).sign("POST", path, body, formatdate(usegmt=True))
    request = urllib.request.Request(
        f"{parts.scheme}://{parts.netloc}{path}",
        data=body,
        method="POST",
        headers={**headers, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            verdict: dict[str, Any] = json.loads(response.read())
            return verdict
    except urllib.error.HTTPError as error:
        if error.code in (404, 405):  # not the local service: no introspection there
            return None
        raise
