"""Token scopes and token lifetimes: normalisation and validation, done locally."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from enum import Enum
from typing import Optional, Union

from azure.core import CaseInsensitiveEnumMeta

from ._api_versions import JOIN_SCOPES, TOKEN_EXPIRES_IN, ApiVersion, at_least, require
from ._redact import shown

__all__ = ["CommunicationTokenScope"]


class CommunicationTokenScope(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """What an access token lets its holder do.

    Members compare equal to their wire values, and strings are matched
    case-insensitively, so ``"CHAT"``, ``"chat"`` and ``CommunicationTokenScope.CHAT``
    are the same scope.
    """

    CHAT = "chat"
    VOIP = "voip"
    CHAT_JOIN = "chat.join"
    CHAT_JOIN_LIMITED = "chat.join.limited"
    VOIP_JOIN = "voip.join"

    @classmethod
    def _missing_(cls, value: object) -> Optional[CommunicationTokenScope]:
        # CaseInsensitiveEnumMeta folds member *names*; fold the wire values too ("CHAT" -> chat).
        if isinstance(value, str):
            folded = value.strip().lower()
            for member in cls:
                if member.value == folded:
                    return member
        return None


_BASE = (CommunicationTokenScope.CHAT, CommunicationTokenScope.VOIP)
_ALL = tuple(CommunicationTokenScope)
_BY_VALUE = {scope.value: scope for scope in CommunicationTokenScope}

MIN_EXPIRES_IN = timedelta(minutes=60)
MAX_EXPIRES_IN = timedelta(minutes=1440)

ScopesInput = Iterable[Union[str, CommunicationTokenScope]]


def valid_scopes(api_version: ApiVersion) -> tuple[CommunicationTokenScope, ...]:
    """The scopes ``api_version`` accepts (join scopes arrived in 2023-10-01)."""
    return _ALL if at_least(api_version, JOIN_SCOPES) else _BASE


def normalize_scopes(scopes: ScopesInput, api_version: ApiVersion) -> list[str]:
    """Wire values for ``scopes``: validated, case-folded, duplicates dropped in order.

    >>> normalize_scopes(["Chat", "voip", "CHAT"], ApiVersion.V2023_10_01)
    ['chat', 'voip']
    """
    allowed = valid_scopes(api_version)
    listing = ", ".join(s.value for s in allowed)
    if isinstance(scopes, (str, bytes)) or not isinstance(scopes, Iterable):
        raise ValueError(f"scopes must be a list of scopes; valid scopes for {api_version.value}: {listing}.")
    result: list[str] = []
    for raw in scopes:
        scope = _BY_VALUE.get(raw.strip().lower()) if isinstance(raw, str) else None
        if scope is None or scope not in allowed:
            raise ValueError(
                f"Unknown scope {shown(raw)} for api_version {api_version.value}; valid scopes: {listing}."
            )
        if scope.value not in result:
            result.append(scope.value)
    if not result:
        raise ValueError(f"scopes must not be empty; valid scopes for {api_version.value}: {listing}.")
    return result


def expires_in_minutes(token_expires_in: Optional[timedelta], api_version: ApiVersion) -> Optional[int]:
    """Whole minutes for ``expiresInMinutes``, or ``None`` to leave the service default (24 h)."""
    if token_expires_in is None:
        return None
    require(api_version, TOKEN_EXPIRES_IN, "token_expires_in")
    if not isinstance(token_expires_in, timedelta):
        raise ValueError(f"token_expires_in must be a datetime.timedelta, not {type(token_expires_in).__name__}.")
    minutes, remainder = divmod(token_expires_in, timedelta(minutes=1))
    if remainder or not MIN_EXPIRES_IN <= token_expires_in <= MAX_EXPIRES_IN:
        raise ValueError(
            "token_expires_in must be a whole number of minutes between 60 and 1440 "
            f"(1 to 24 hours); got {token_expires_in}."
        )
    return int(minutes)
