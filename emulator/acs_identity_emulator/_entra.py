"""Microsoft Entra tokens as the local service reads them: claims checked, signature not.

The service has no access to Entra's keys, so a token is a JWT whose ``exp`` is a finite
number in the future (and no later than ``expiresOn`` can say); anything else is 401
``InvalidAccessToken``. Two operations read one: the Teams user exchange (the token is in its
body) and the Teams Phone exchange (the token is its ``Authorization: Bearer`` credential,
checked by :func:`bearer_caller` as that operation's authentication).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from . import _errors
from ._auth import read_jwt_unverified
from ._formats import is_guid

#: Latest Entra ``exp`` accepted: the last second ``expiresOn`` can express
#: (9999-12-31T23:59:59Z); anything later, or not a finite number, is not a
#: token the service could have been given.
MAX_ENTRA_EXP = 253402300799


def entra_claims(token: str) -> dict[str, Any]:
    """Claims of an unexpired Entra JWT (signature not checked), else 401."""
    read = read_jwt_unverified(token.strip())
    if read is None:
        raise _errors.invalid_access_token()
    claims = read[1]
    exp = claims.get("exp")
    # NaN and Infinity are valid JSON to Python's parser; NaN compares
    # false with everything, so test for the good range, not the bad one.
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        raise _errors.invalid_access_token()
    if not (isinstance(exp, int) or math.isfinite(exp)) or not time.time() < exp <= MAX_ENTRA_EXP:
        raise _errors.invalid_access_token()
    return claims


class EntraCaller(NamedTuple):
    """Who an Entra bearer token speaks for: tenant, user object and client application (GUIDs)."""

    tenant_id: str
    object_id: str
    app_id: str
    exp: float


def bearer_caller(headers: Mapping[str, str]) -> EntraCaller:
    """The caller of ``Authorization: Bearer <Entra JWT>`` with ``tid``, ``oid`` and ``appid``/``azp``, else 401."""
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _errors.invalid_access_token()
    claims = entra_claims(token)
    tid, oid, app = claims.get("tid"), claims.get("oid"), claims.get("appid", claims.get("azp"))
    if not (isinstance(tid, str) and isinstance(oid, str) and isinstance(app, str)):
        raise _errors.invalid_access_token()
    if not (is_guid(tid) and is_guid(oid) and is_guid(app)):
        raise _errors.invalid_access_token()
    return EntraCaller(tid, oid, app, float(claims["exp"]))
