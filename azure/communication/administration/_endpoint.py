"""What the clients accept as ``endpoint``, and one-line answers to the common slips.

The slips recognised: the connection string passed as the endpoint (use
``from_connection_string``), the access key passed as the endpoint, the URL pasted
with its quotes. No message quotes an access key, whatever argument it arrived in.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit

from ._redact import looks_secret, shown

__all__ = ["implies_https", "normalize_endpoint", "strip_quotes"]

_EXAMPLE = "'https://<resource>.communication.azure.com'"
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"\A{_LABEL}(?:\.{_LABEL})*\.?\Z")


def strip_quotes(text: str) -> str:
    """``text`` without surrounding whitespace and one pair of matching quotes around it.

    >>> strip_quotes(' "endpoint=https://x/;accesskey=a2V5" ')
    'endpoint=https://x/;accesskey=a2V5'
    """
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text


def implies_https(endpoint: str) -> bool:
    """True when ``endpoint`` names no scheme, so https is used."""
    return "://" not in strip_quotes(endpoint)


def _valid_host(host: str) -> bool:
    if _HOSTNAME.match(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def normalize_endpoint(endpoint: str) -> str:
    """Keep the scheme the caller wrote (``http://`` stays http); no scheme means https.

    :raises ValueError: a one-line message; for a connection string or a key passed as the
        endpoint it says what to do instead, and never quotes the key.

    >>> normalize_endpoint("x.communication.azure.com/")
    'https://x.communication.azure.com'
    """
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValueError(f"endpoint must be a non-empty URL such as {_EXAMPLE}, got {shown(endpoint)}.")
    return _normalized(str(endpoint))


# A pure function of the text, and most processes talk to one or two endpoints: clients built
# per request reuse the answer. Only accepted endpoints are kept (a raise is not cached).
@functools.lru_cache(maxsize=64)
def _normalized(endpoint: str) -> str:
    text = strip_quotes(endpoint)
    lowered = text.lower()
    if "accesskey=" in lowered or lowered.startswith("endpoint="):
        raise ValueError(
            "endpoint is a connection string ('endpoint=...;accesskey=...'); pass it to "
            "CommunicationIdentityClient.from_connection_string(conn_str) instead."
        )
    if looks_secret(text):
        raise ValueError(
            f"endpoint looks like an access key, not a URL; pass the resource URL ({_EXAMPLE}) as "
            "endpoint and the key as credential."
        )
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not _valid_host(parts.hostname):
        raise ValueError(f"endpoint {shown(text)} is not an http(s) URL with a host, such as {_EXAMPLE}.")
    if parts.username is not None or parts.query or parts.fragment:
        raise ValueError(
            f"endpoint must be the resource URL alone, such as {_EXAMPLE}, without user, query or fragment."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed or out-of-range port
    except ValueError:
        raise ValueError(f"endpoint {shown(text)} has an invalid port (0 to 65535).") from None
    return text.rstrip("/")
