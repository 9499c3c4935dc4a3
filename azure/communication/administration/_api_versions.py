"""API versions the client speaks, and what each one can do.

The checks here run before any request, so a call that the chosen version
cannot serve fails locally with a message naming the version that can.
"""

from __future__ import annotations

from enum import Enum
from typing import Union

from azure.core import CaseInsensitiveEnumMeta

from ._redact import shown

__all__ = ["ApiVersion"]


class ApiVersion(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Identity API versions, oldest first.

    ``V2020_07_20_PREVIEW2`` is the 2020 preview protocol (``/identities/{id}/token``,
    revocation by ``tokensValidFrom``); every later member is a GA version.

    >>> ApiVersion("2023-10-01") is ApiVersion.V2023_10_01
    True
    """

    V2020_07_20_PREVIEW2 = "2020-07-20-preview2"
    V2021_03_07 = "2021-03-07"
    V2022_06_01 = "2022-06-01"
    V2022_10_01 = "2022-10-01"
    V2023_10_01 = "2023-10-01"
    V2025_06_30 = "2025-06-30"
    V2026_09_23 = "2026-09-23"


DEFAULT_API_VERSION = ApiVersion.V2026_09_23
PREVIEW_2020 = ApiVersion.V2020_07_20_PREVIEW2
_ORDER = list(ApiVersion)

# First version offering each feature.
TOKEN_EXPIRES_IN = ApiVersion.V2022_10_01
JOIN_SCOPES = ApiVersion.V2023_10_01
TEAMS_USER_EXCHANGE = ApiVersion.V2022_06_01
TEAMS_PHONE = ApiVersion.V2025_06_30


def parse_api_version(value: Union[str, ApiVersion, None]) -> ApiVersion:
    """Return the member for ``value``; ``None`` means the latest stable version."""
    if value is None:
        return DEFAULT_API_VERSION
    if isinstance(value, str):
        try:
            return ApiVersion(value.strip())
        except ValueError:
            pass
    supported = ", ".join(v.value for v in ApiVersion)
    raise ValueError(f"Unsupported api_version {shown(value)}; supported versions: {supported}.")


def at_least(version: ApiVersion, minimum: ApiVersion) -> bool:
    return _ORDER.index(version) >= _ORDER.index(minimum)


def require(version: ApiVersion, minimum: ApiVersion, feature: str) -> None:
    """Raise ``ValueError`` when ``feature`` needs a newer version than ``version``."""
    if not at_least(version, minimum):
        raise ValueError(f"{feature} requires api_version {minimum.value} or later; this client uses {version.value}.")
