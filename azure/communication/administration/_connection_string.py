"""Connection string parsing. Errors name the faulty part and never contain the key."""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

from ._endpoint import strip_quotes

__all__ = ["ConnectionString", "parse_connection_string"]


class ConnectionString(NamedTuple):
    """A parsed connection string: ``endpoint, access_key = parse_connection_string(conn_str)``."""

    endpoint: str
    access_key: str

    def __repr__(self) -> str:  # the key never reaches a repr, a log or a traceback
        return f"ConnectionString(endpoint={self.endpoint!r}, access_key='***')"


def parse_connection_string(conn_str: str) -> ConnectionString:
    """Split ``endpoint=...;accesskey=...`` (keys case-insensitive, any order).

    Whitespace around parts, a trailing ``;`` and quotes around the whole string or a
    value (as pasted from a shell or a settings file) are tolerated.

    >>> parse_connection_string(" AccessKey=c2VjcmV0 ; endpoint=https://x.communication.azure.com/;").endpoint
    'https://x.communication.azure.com/'

    :param conn_str: The resource's connection string, as the Azure portal shows it.
    :return: The endpoint and the access key, for a client built with any credential type:
        ``CommunicationIdentityClient(parsed.endpoint, AzureKeyCredential(parsed.access_key))``.
    :raises ValueError: Naming the missing or malformed part; the key is never in the message.
    """
    if not isinstance(conn_str, str) or not conn_str.strip():
        raise ValueError(
            "Connection string is empty; expected 'endpoint=https://<resource>.communication.azure.com/;accesskey=<key>'."
        )
    conn_str = strip_quotes(conn_str)
    parts: dict[str, str] = {}
    for index, segment in enumerate(s for s in conn_str.split(";") if s.strip()):
        name, sep, value = segment.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise ValueError(f"Connection string part {index + 1} is not of the form 'name=value'.")
        if name in parts:
            raise ValueError(f"Connection string has '{name}' more than once.")
        parts[name] = strip_quotes(value)
    endpoint = parts.get("endpoint")
    key = parts.get("accesskey")
    missing = [n for n, v in (("endpoint", endpoint), ("accesskey", key)) if not v]
    if missing:
        raise ValueError(f"Connection string is missing {' and '.join(missing)}.")
    unknown = sorted(set(parts) - {"endpoint", "accesskey"})
    if unknown:
        # Fix (tests/client/test_connection_string.py): a name can be key text (e.g. the key
        # pasted twice, "...;accesskey=KEY;KEY"), so only short alphabetic names are echoed.
        shown = [n if n.isalpha() and len(n) <= 24 else "(a part that is not name=value)" for n in unknown]
        raise ValueError(f"Connection string has unknown part(s): {', '.join(shown)}.")
    assert endpoint is not None and key is not None
    decode_access_key(key)
    return ConnectionString(endpoint, key)


def decode_access_key(key: str) -> bytes:
    """The HMAC key bytes of a base64 access key; ``ValueError`` (without the key) if malformed."""
    try:
        decoded = base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("The access key is not valid base64.") from None
    if not decoded:
        raise ValueError("The access key is empty.")
    return decoded
