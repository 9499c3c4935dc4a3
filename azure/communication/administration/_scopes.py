"""Token scopes and token lifetimes: normalisation and validation, done locally.

The scope values each API version accepts and the ``expiresInMinutes`` bounds come from the
catalog that ``make generate`` writes from the swagger documents (``_generated/_catalog.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Optional, Protocol, TypeVar, Union

from ._api_versions import DEFAULT_API_VERSION, TOKEN_EXPIRES_IN, ApiVersion, require_property
from ._generated import _catalog
from ._generated._api_enums import CommunicationTokenScope
from ._redact import shown

__all__ = ["CommunicationTokenScope"]

# Rendered into _generated/ from swagger/; its public home is here (see ApiVersion).
CommunicationTokenScope.__module__ = __name__

# The catalog's tables under the names this module uses.
_LIFETIMES: dict[str, Optional[tuple[int, int, int]]] = _catalog.EXPIRES_IN_MINUTES
_SCOPE_SINCE: dict[str, str] = _catalog.SCOPE_SINCE
_PROPERTY_SINCE: dict[str, str] = _catalog.PROPERTY_SINCE
_BY_VALUE = {scope.value: scope for scope in CommunicationTokenScope}
_VALID: dict[str, tuple[CommunicationTokenScope, ...]] = {
    version: tuple(_BY_VALUE[value] for value in values) for version, values in _catalog.SCOPES.items()
}


def _bounds(version: ApiVersion) -> Optional[tuple[int, int, int]]:
    return _LIFETIMES[version.value]


def _default_bounds() -> tuple[int, int, int]:
    """The bounds of the default version (for the CLI, which checks before it has a client)."""
    bounds = _bounds(DEFAULT_API_VERSION)
    if bounds is None:  # not an assert: it must hold under python -O too
        raise RuntimeError(f"{_catalog.DOCUMENTS[DEFAULT_API_VERSION.value]} has no expiresInMinutes bounds")
    return bounds


MIN_EXPIRES_IN = timedelta(minutes=_default_bounds()[0])
MAX_EXPIRES_IN = timedelta(minutes=_default_bounds()[1])

_Scope_co = TypeVar("_Scope_co", covariant=True)


class ScopeCollection(Protocol[_Scope_co]):
    """A collection of scopes that is not a string: a ``list``, ``tuple``, ``set``, dict keys...

    ``Iterable[str]`` would let a bare ``"chat"`` through (a string is an iterable of
    strings), which then fails at run time. A string's ``__contains__`` accepts only a
    string, while every other collection's accepts any object; requiring the latter is how
    a type checker (``mypy --strict``) flags ``get_token(user, "chat")``.
    """

    def __iter__(self) -> Iterator[_Scope_co]: ...

    def __contains__(self, value: object, /) -> bool: ...


#: What the ``scopes`` parameters accept: a collection of scopes (members or strings), or an
#: iterator such as a generator; never a single string (write ``["chat"]``).
ScopesInput = Union[ScopeCollection[Union[str, CommunicationTokenScope]], Iterator[Union[str, CommunicationTokenScope]]]


def valid_scopes(api_version: ApiVersion) -> tuple[CommunicationTokenScope, ...]:
    """The scopes ``api_version`` accepts, as its swagger document enumerates them."""
    return _VALID[api_version.value]


def scope_since(scope: CommunicationTokenScope) -> ApiVersion:
    """The oldest API version that accepts ``scope``."""
    return ApiVersion(_SCOPE_SINCE[scope.value])


def expires_in_since() -> ApiVersion:
    """The oldest API version that takes ``expiresInMinutes`` (``token_expires_in``)."""
    return ApiVersion(_PROPERTY_SINCE[TOKEN_EXPIRES_IN])


def normalize_scopes(scopes: ScopesInput, api_version: ApiVersion) -> list[str]:
    """Wire values for ``scopes``: validated, case-folded, duplicates dropped in order.

    >>> normalize_scopes(["Chat", "voip", "CHAT"], ApiVersion.V2023_10_01)
    ['chat', 'voip']
    """
    allowed = valid_scopes(api_version)
    listing = ", ".join(s.value for s in allowed)
    if isinstance(scopes, (str, bytes)):
        # Not iterated (a string is an iterable of one-letter scopes): the type says so too.
        raise ValueError(
            f"scopes must be a list of scopes such as ['chat'], not a single string; "
            f"valid scopes for {api_version.value}: {listing}."
        )
    if not isinstance(scopes, Iterable):
        raise ValueError(f"scopes must be a list of scopes; valid scopes for {api_version.value}: {listing}.")
    result: list[str] = []
    for raw in scopes:
        scope = _BY_VALUE.get(raw.strip().lower()) if isinstance(raw, str) else None
        if scope is None or scope not in allowed:
            later = "" if scope is None else f" (it needs api_version {scope_since(scope).value} or later)"
            raise ValueError(
                f"Unknown scope {shown(raw)} for api_version {api_version.value}{later}; valid scopes: {listing}."
            )
        if scope.value not in result:
            result.append(scope.value)
    if not result:
        raise ValueError(f"scopes must not be empty; valid scopes for {api_version.value}: {listing}.")
    return result


def _hours(minutes: int) -> str:
    return f"{minutes // 60} hour{'s' if minutes != 60 else ''}" if minutes % 60 == 0 else f"{minutes} minutes"


def expires_in_minutes(token_expires_in: Optional[timedelta], api_version: ApiVersion) -> Optional[int]:
    """Whole minutes for ``expiresInMinutes``, or ``None`` to leave the service default."""
    if token_expires_in is None:
        return None
    require_property(api_version, TOKEN_EXPIRES_IN, "token_expires_in")
    if not isinstance(token_expires_in, timedelta):
        raise ValueError(f"token_expires_in must be a datetime.timedelta, not {type(token_expires_in).__name__}.")
    bounds = _bounds(api_version)
    assert bounds is not None  # require_property: the version has the property, so the catalog has its bounds
    low, high, _ = bounds
    minutes, remainder = divmod(token_expires_in, timedelta(minutes=1))
    if remainder or not timedelta(minutes=low) <= token_expires_in <= timedelta(minutes=high):
        raise ValueError(
            f"token_expires_in must be a whole number of minutes between {low} and {high} "
            f"({_hours(low)} to {_hours(high)}); got {token_expires_in}."
        )
    return int(minutes)
