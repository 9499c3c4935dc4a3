"""API versions the emulator speaks, and which routes exist in which version.

The real service answers every request on a matched route with an
``api-supported-versions`` header listing the versions of *that route*
(comma + space separated).  The lists below are the versions this emulator
implements; previews between the GA versions are deliberately not served
(see WIRE.md: "need no support").
"""

from __future__ import annotations

PREVIEW_2020 = "2020-07-20-preview2"
V2021_03_07 = "2021-03-07"
V2022_06_01 = "2022-06-01"
V2022_10_01 = "2022-10-01"
V2023_10_01 = "2023-10-01"
V2025_06_30 = "2025-06-30"
V2026_09_23 = "2026-09-23"

#: The GA line, oldest first.
GA_VERSIONS: tuple[str, ...] = (
    V2021_03_07,
    V2022_06_01,
    V2022_10_01,
    V2023_10_01,
    V2025_06_30,
    V2026_09_23,
)

#: Every version the emulator serves, oldest first.
ALL_VERSIONS: tuple[str, ...] = (PREVIEW_2020, *GA_VERSIONS)

#: Versions of ``/teamsUser/:exchangeAccessToken`` (never a 2020 version).
TEAMS_USER_VERSIONS: tuple[str, ...] = GA_VERSIONS[GA_VERSIONS.index(V2022_06_01) :]

#: Versions of the Teams Phone ``/access/teamsExtension/...`` routes.
TEAMS_EXTENSION_VERSIONS: tuple[str, ...] = GA_VERSIONS[GA_VERSIONS.index(V2025_06_30) :]

#: Versions accepting ``expiresInMinutes`` (older versions ignore the property
#: like any other unknown property, which is what a service built on an older
#: schema does).
EXPIRES_IN_MINUTES_VERSIONS: frozenset[str] = frozenset(GA_VERSIONS[GA_VERSIONS.index(V2022_10_01) :])

BASE_SCOPES: frozenset[str] = frozenset({"chat", "voip"})
JOIN_SCOPES: frozenset[str] = frozenset({"chat.join", "chat.join.limited", "voip.join"})
_JOIN_SCOPE_VERSIONS: frozenset[str] = frozenset(GA_VERSIONS[GA_VERSIONS.index(V2023_10_01) :])


def allowed_scopes(api_version: str) -> frozenset[str]:
    """Return the token scopes accepted under ``api_version``.

    The 2020 preview had free-string scopes; the emulator accepts the full
    known set there (``chat``, ``voip`` and the three ``*.join`` scopes) so a
    typo is still reported rather than minted into a token.
    """
    if api_version == PREVIEW_2020 or api_version in _JOIN_SCOPE_VERSIONS:
        return BASE_SCOPES | JOIN_SCOPES
    return BASE_SCOPES


def header_value(versions: tuple[str, ...]) -> str:
    """Format a version list the way the service does: comma + space."""
    return ", ".join(versions)
