"""Communication identifiers: the kinds of participant an id can name.

``CommunicationUserIdentifier`` (also exported as ``CommunicationUser``, its
2020 name) is what this client creates and takes; the other kinds exist so that
:func:`identifier_from_raw_id` can classify any raw id the service hands out.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Optional

from azure.core import CaseInsensitiveEnumMeta

from ._redact import shown

__all__ = [
    "CommunicationCloudEnvironment",
    "CommunicationIdentifier",
    "CommunicationIdentifierKind",
    "CommunicationUser",
    "CommunicationUserIdentifier",
    "MicrosoftTeamsAppIdentifier",
    "MicrosoftTeamsUserIdentifier",
    "PhoneNumberIdentifier",
    "TeamsExtensionUserIdentifier",
    "UnknownIdentifier",
    "identifier_from_raw_id",
]


class CommunicationIdentifierKind(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The kind of participant a :class:`CommunicationIdentifier` names."""

    COMMUNICATION_USER = "communication_user"
    PHONE_NUMBER = "phone_number"
    MICROSOFT_TEAMS_USER = "microsoft_teams_user"
    MICROSOFT_TEAMS_APP = "microsoft_teams_app"
    TEAMS_EXTENSION_USER = "teams_extension_user"
    UNKNOWN = "unknown"


class CommunicationCloudEnvironment(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The Microsoft cloud a Teams identity lives in."""

    PUBLIC = "PUBLIC"
    DOD = "DOD"
    GCCH = "GCCH"


class CommunicationIdentifier:
    """Base of every identifier: a ``kind``, a ``raw_id`` and a ``properties`` mapping.

    Identifiers are immutable values: two of the same class with the same
    ``raw_id`` are equal and hash alike. Use a subclass, or :func:`identifier_from_raw_id`
    to classify a raw id.

    :param raw_id: The identifier as the service writes it, e.g. ``8:acs:<resource>_<user>``.
    :param properties: The kind's own fields (``id``, ``value``, ``user_id``, ...).
    """

    kind: CommunicationIdentifierKind
    __slots__ = ("_properties", "_raw_id")

    def __init__(self, raw_id: str, properties: dict[str, Any]) -> None:
        self._raw_id = raw_id
        self._properties = properties

    @property
    def raw_id(self) -> str:
        """The identifier as the service writes it (``8:acs:...``, ``4:+1...``, ``8:orgid:...``)."""
        return self._raw_id

    @property
    def properties(self) -> dict[str, Any]:
        """The kind's own fields, as a new ``dict`` (changing it changes nothing)."""
        return dict(self._properties)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CommunicationIdentifier) and type(other) is type(self) and other.raw_id == self._raw_id

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._raw_id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._raw_id!r})"

    def __str__(self) -> str:  # print(user) shows the id, as users write it
        return self._raw_id


def _require_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {shown(value)}.")
    return value


class CommunicationUserIdentifier(CommunicationIdentifier):
    """A Communication Services user, e.g. ``8:acs:<resource>_<user>``.

    Its 2020 name, ``CommunicationUser``, is the same class.

    >>> user = CommunicationUserIdentifier("8:acs:res_user")
    >>> user.identifier == user.raw_id == user.properties["id"] == "8:acs:res_user"
    True

    :param id: The user id the service gave, e.g. ``8:acs:<resource>_<user>``.
    :keyword raw_id: The raw id, when it differs from ``id`` (default: ``id``).
    :raises ValueError: An empty ``id``.
    """

    kind = CommunicationIdentifierKind.COMMUNICATION_USER
    __slots__ = ()

    def __init__(self, id: str, **kwargs: Any) -> None:
        _require_text("id", id)
        super().__init__(kwargs.get("raw_id") or id, {"id": id})

    @property
    def identifier(self) -> str:
        """The user id (the 2020 preview's name for :attr:`~CommunicationIdentifier.raw_id`)."""
        return str(self._properties["id"])

    @property
    def id(self) -> str:
        """The user id, as given to the constructor."""
        return str(self._properties["id"])


#: The 2020 preview name of :class:`CommunicationUserIdentifier`; the same class.
CommunicationUser = CommunicationUserIdentifier


class PhoneNumberIdentifier(CommunicationIdentifier):
    """A phone number in E.164 form; its raw id is ``4:<number>``.

    :param value: The number, e.g. ``+14255550123``.
    :keyword raw_id: The raw id, when it is not ``4:<value>``.
    :raises ValueError: An empty ``value``.
    """

    kind = CommunicationIdentifierKind.PHONE_NUMBER
    __slots__ = ()

    def __init__(self, value: str, **kwargs: Any) -> None:
        _require_text("value", value)
        super().__init__(kwargs.get("raw_id") or f"4:{value}", {"value": value})

    @property
    def value(self) -> str:
        """The phone number, e.g. ``+14255550123``."""
        return str(self._properties["value"])


_TEAMS_USER_PREFIX = {
    CommunicationCloudEnvironment.PUBLIC: "8:orgid:",
    CommunicationCloudEnvironment.DOD: "8:dod:",
    CommunicationCloudEnvironment.GCCH: "8:gcch:",
}
_TEAMS_APP_PREFIX = {
    CommunicationCloudEnvironment.PUBLIC: "28:orgid:",
    CommunicationCloudEnvironment.DOD: "28:dod:",
    CommunicationCloudEnvironment.GCCH: "28:gcch:",
}
_ACS_PREFIX = {
    CommunicationCloudEnvironment.PUBLIC: "8:acs:",
    CommunicationCloudEnvironment.DOD: "8:dod-acs:",
    CommunicationCloudEnvironment.GCCH: "8:gcch-acs:",
}


class MicrosoftTeamsUserIdentifier(CommunicationIdentifier):
    """A Teams user (``8:orgid:<aad id>``), or an anonymous visitor (``8:teamsvisitor:``).

    :param user_id: The user's Entra object id (or the visitor's id).
    :keyword is_anonymous: Whether this is an anonymous Teams meeting visitor.
    :keyword cloud: The Microsoft cloud the user lives in; it picks the raw id's prefix.
    :keyword raw_id: The raw id, when it is not the one these make.
    :raises ValueError: An empty ``user_id`` or an unknown ``cloud``.
    """

    kind = CommunicationIdentifierKind.MICROSOFT_TEAMS_USER
    __slots__ = ()

    def __init__(
        self,
        user_id: str,
        *,
        is_anonymous: bool = False,
        cloud: CommunicationCloudEnvironment = CommunicationCloudEnvironment.PUBLIC,
        raw_id: str = "",
    ) -> None:
        _require_text("user_id", user_id)
        cloud = CommunicationCloudEnvironment(cloud)
        prefix = "8:teamsvisitor:" if is_anonymous else _TEAMS_USER_PREFIX[cloud]
        super().__init__(
            raw_id or prefix + user_id,
            {"user_id": user_id, "is_anonymous": is_anonymous, "cloud": cloud},
        )


class MicrosoftTeamsAppIdentifier(CommunicationIdentifier):
    """A Teams application (bot): ``28:orgid:<app id>``.

    :param app_id: The application's Entra id.
    :keyword cloud: The Microsoft cloud the application lives in; it picks the raw id's prefix.
    :keyword raw_id: The raw id, when it is not the one these make.
    :raises ValueError: An empty ``app_id`` or an unknown ``cloud``.
    """

    kind = CommunicationIdentifierKind.MICROSOFT_TEAMS_APP
    __slots__ = ()

    def __init__(
        self,
        app_id: str,
        *,
        cloud: CommunicationCloudEnvironment = CommunicationCloudEnvironment.PUBLIC,
        raw_id: str = "",
    ) -> None:
        _require_text("app_id", app_id)
        cloud = CommunicationCloudEnvironment(cloud)
        super().__init__(raw_id or _TEAMS_APP_PREFIX[cloud] + app_id, {"app_id": app_id, "cloud": cloud})


class TeamsExtensionUserIdentifier(CommunicationIdentifier):
    """A Teams Phone user seen through Communication Services: ``8:acs:<resource>_<tenant>_<user>``.

    :param user_id: The user's Entra object id.
    :param tenant_id: The user's Entra tenant id.
    :param resource_id: The Communication Services resource id.
    :keyword cloud: The Microsoft cloud; it picks the raw id's prefix.
    :keyword raw_id: The raw id, when it is not the one these make.
    :raises ValueError: An empty id or an unknown ``cloud``.
    """

    kind = CommunicationIdentifierKind.TEAMS_EXTENSION_USER
    __slots__ = ()

    def __init__(
        self,
        user_id: str,
        tenant_id: str,
        resource_id: str,
        *,
        cloud: CommunicationCloudEnvironment = CommunicationCloudEnvironment.PUBLIC,
        raw_id: str = "",
    ) -> None:
        for name, value in (("user_id", user_id), ("tenant_id", tenant_id), ("resource_id", resource_id)):
            _require_text(name, value)
        cloud = CommunicationCloudEnvironment(cloud)
        super().__init__(
            raw_id or f"{_ACS_PREFIX[cloud]}{resource_id}_{tenant_id}_{user_id}",
            {"user_id": user_id, "tenant_id": tenant_id, "resource_id": resource_id, "cloud": cloud},
        )


class UnknownIdentifier(CommunicationIdentifier):
    """A raw id of a kind this library does not know.

    :param identifier: The raw id, kept as it is.
    :raises ValueError: An empty ``identifier``.
    """

    kind = CommunicationIdentifierKind.UNKNOWN
    __slots__ = ()

    def __init__(self, identifier: str) -> None:
        _require_text("identifier", identifier)
        super().__init__(identifier, {})

    @property
    def identifier(self) -> str:
        """The raw id as given (the 2020 preview's name for :attr:`raw_id`)."""
        return self._raw_id


#: The prefixes of Communication Services user ids: public cloud, the older "spool" form,
#: and the DoD and GCC High clouds.
USER_ID_PREFIXES = ("8:acs:", "8:spool:", "8:dod-acs:", "8:gcch-acs:")
#: What follows the prefix: the resource id, "_", the user id (and, for a Teams Phone user,
#: "_" and the object id). Every published form (the service's answers, the official SDKs'
#: tests and recordings, 2020 chat fixtures such as "8:spool:<guid>_9b0110-08007f1041") is
#: GUIDs or hex runs with hyphens; letters, digits and hyphens are allowed in each part.
_USER_ID_BODY = re.compile(r"[0-9A-Za-z-]+(?:_[0-9A-Za-z-]+){1,2}")
_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def user_id_prefix(raw_id: str) -> Optional[str]:
    """The Communication Services user prefix ``raw_id`` starts with (``"8:acs:"``, ...), or ``None``."""
    return next((prefix for prefix in USER_ID_PREFIXES if raw_id.startswith(prefix)), None)


def is_user_id(raw_id: str) -> bool:
    """Whether ``raw_id`` has the shape of a Communication Services user id.

    A prefix, then the resource id, ``_`` and the user id (a Teams Phone user: ``_`` and a third part).

    >>> is_user_id("8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000023-1ab4-2f3c-f40f-343a0d003d60")
    True
    >>> is_user_id("8:acs:foo")
    False
    """
    prefix = user_id_prefix(raw_id)
    return prefix is not None and _USER_ID_BODY.fullmatch(raw_id[len(prefix) :]) is not None


def is_guid(value: str) -> bool:
    """True for the 8-4-4-4-12 hexadecimal form of Entra ids (tenants, objects, applications)."""
    return _GUID.fullmatch(value) is not None


def identifier_from_raw_id(raw_id: str) -> CommunicationIdentifier:
    """Classify a raw id: the identifier of the kind its prefix names.

    :param raw_id: An id as the service writes it (``8:acs:...``, ``4:+1...``, ``8:orgid:...``,
        ``28:orgid:...``, ``8:teamsvisitor:...``).
    :return: A :class:`CommunicationUserIdentifier`, :class:`PhoneNumberIdentifier`,
        :class:`MicrosoftTeamsUserIdentifier`, :class:`MicrosoftTeamsAppIdentifier`,
        :class:`TeamsExtensionUserIdentifier`, or :class:`UnknownIdentifier` for any other prefix.
    :raises ValueError: An empty ``raw_id``.

    >>> identifier_from_raw_id("8:acs:res_user")
    CommunicationUserIdentifier('8:acs:res_user')
    >>> identifier_from_raw_id("4:+14255550123").kind.value
    'phone_number'
    """
    _require_text("raw_id", raw_id)
    if raw_id.startswith("4:"):
        return PhoneNumberIdentifier(raw_id[2:], raw_id=raw_id)
    if raw_id.startswith("8:teamsvisitor:"):
        return MicrosoftTeamsUserIdentifier(raw_id[len("8:teamsvisitor:") :], is_anonymous=True, raw_id=raw_id)
    for cloud, prefix in _TEAMS_USER_PREFIX.items():
        if raw_id.startswith(prefix) and len(raw_id) > len(prefix):
            return MicrosoftTeamsUserIdentifier(raw_id[len(prefix) :], cloud=cloud, raw_id=raw_id)
    for cloud, prefix in _TEAMS_APP_PREFIX.items():
        if raw_id.startswith(prefix) and len(raw_id) > len(prefix):
            return MicrosoftTeamsAppIdentifier(raw_id[len(prefix) :], cloud=cloud, raw_id=raw_id)
    for cloud, prefix in _ACS_PREFIX.items():
        if raw_id.startswith(prefix):
            parts = raw_id[len(prefix) :].split("_")
            if len(parts) == 3 and all(parts):
                resource, tenant, user = parts
                return TeamsExtensionUserIdentifier(user, tenant, resource, cloud=cloud, raw_id=raw_id)
            return CommunicationUserIdentifier(raw_id)
    if raw_id.startswith("8:spool:"):
        return CommunicationUserIdentifier(raw_id)
    return UnknownIdentifier(raw_id)
