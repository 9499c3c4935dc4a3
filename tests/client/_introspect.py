"""Ask the emulator whether a token is active (``POST /emulator/introspect``), HMAC-signed."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import requests

from azure.communication.administration._auth import HMACCredentialPolicy


def introspect(endpoint: str, access_key: str, token: str) -> dict[str, Any]:
    from email.utils import formatdate

    url = endpoint.rstrip("/") + "/emulator/introspect"
    body = json.dumps({"token": token}).encode()
    policy = HMACCredentialPolicy(endpoint, access_key)
    headers = policy.sign("POST", urlsplit(url).path, body, formatdate(usegmt=True))
    headers["Content-Type"] = "application/json"
    response = requests.post(url, data=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()
