"""How argument values appear in error messages: as written, unless they could be a secret.

A caller's slip can put the access key (or a whole connection string, or a token)
in any argument. Messages quote what the caller passed, because that is what helps,
except text that looks like a secret: that is described, never shown.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["looks_secret", "shown"]

#: Standard base64 runs as long as the shortest access key worth the name (24 bytes).
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}")
#: A JSON Web Token: base64url header starting '{"', a dot, more.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_SHOWN_MAX = 100


def looks_secret(text: str) -> bool:
    """True for a connection string, a base64 key, or a token (anywhere in ``text``).

    >>> looks_secret("8:acs:0d9c2f1e-0000-4000-8000-000000000001_00000000-0000-4000-8000-000000000002")
    False
    >>> looks_secret("endpoint=https://x/;accesskey=abc")
    True
    """
    if "accesskey" in text.lower() or _JWT.search(text):
        return True
    for run in _BASE64_RUN.findall(text):
        # Padding re-made from the bare run: Python 3.10 refuses a run that already ends in "=".
        core = run.rstrip("=")
        try:
            base64.b64decode(core + "=" * (-len(core) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        return True
    return False


def shown(value: object) -> str:
    """``value`` as an error message quotes it: ``repr`` for harmless text, else a description.

    >>> shown("abc")
    "'abc'"
    >>> shown("c2VjcmV0IGtleSB0aGF0IG11c3Qgbm90IGxlYWsgYXQgYWxs")
    'a 48-character string (not shown: it looks like an access key or a token)'
    """
    if isinstance(value, str):
        if looks_secret(value):
            return f"a {len(value)}-character string (not shown: it looks like an access key or a token)"
        if len(value) > _SHOWN_MAX:
            return repr(value[:_SHOWN_MAX]) + f"... ({len(value)} characters)"
        return repr(value)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return f"a {type(value).__name__}"
