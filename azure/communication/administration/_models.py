"""Public result types. Generated models are converted into these at the boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Optional, TypeVar

from azure.core import CaseInsensitiveEnumMeta

from ._identifiers import CommunicationUserIdentifier

__all__ = [
    "CommunicationIdentityToken",
    "CommunicationRole",
    "CommunicationUserDetail",
    "EntraAssignment",
    "EntraPrincipalType",
    "TeamsExtensionAssignment",
    "TeamsExtensionPrincipalType",
]


@dataclass(frozen=True)
class CommunicationIdentityToken:
    """An access token, as the 2020 preview's ``issue_token`` returned it.

    Kept for code written against the 2020 preview. Azure-core's
    :class:`~azure.core.credentials.AccessToken`, which
    :meth:`CommunicationIdentityClient.get_token` returns, replaced it: a named tuple
    ``(token, expires_on)`` with ``expires_on`` in epoch seconds. Its ``repr`` leaves the token out.

    :ivar id: The id of the user the token was issued for.
    :ivar token: The token itself (a JWT); keep it secret.
    :ivar expires_on: When the token expires, a timezone-aware UTC ``datetime``.
    """

    id: str
    token: str = field(repr=False)
    expires_on: datetime


_Member = TypeVar("_Member", bound=Enum)


def _member_like(cls: type[_Member], value: object) -> Optional[_Member]:
    """The member of ``cls`` whose value is ``value`` but for case and surrounding spaces."""
    if isinstance(value, str):
        for member in cls:
            if str(member.value).lower() == value.strip().lower():
                return member
    return None


class TeamsExtensionPrincipalType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """What kind of Entra principal a Teams Phone assignment is for."""

    USER = "user"
    RESOURCE_ACCOUNT = "resourceAccount"

    @classmethod
    def _missing_(cls, value: object) -> Optional[TeamsExtensionPrincipalType]:
        return _member_like(cls, value)


@dataclass(frozen=True)
class TeamsExtensionAssignment:
    """Which Entra applications may exchange Teams Phone tokens for an object (2025-06-30+).

    :ivar object_id: Entra object id of the user or resource account.
    :ivar tenant_id: Entra tenant id, when the service reports it.
    :ivar principal_type: ``user`` or ``resourceAccount``.
    :ivar client_ids: Entra application (client) ids allowed to exchange tokens.
    """

    object_id: str
    tenant_id: str | None
    principal_type: TeamsExtensionPrincipalType | str
    client_ids: tuple[str, ...]


class EntraPrincipalType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """What an Entra access assignment is for: one user, a group's members, or a whole tenant."""

    USER = "user"
    GROUP = "group"
    TENANT = "tenant"

    @classmethod
    def _missing_(cls, value: object) -> Optional[EntraPrincipalType]:
        return _member_like(cls, value)


@dataclass(frozen=True)
class EntraAssignment:
    """Which Entra applications may exchange the Entra tokens of a principal (2025-03-02-preview).

    Give it to :meth:`CommunicationIdentityClient.update_entra_assignments` to set several at once;
    the client's ``get``/``list``/``upsert`` methods return it.

    :ivar object_id: Entra object id of the user or group; for ``tenant``, the tenant id.
    :ivar tenant_id: Entra tenant id of the principal.
    :ivar principal_type: ``user``, ``group`` or ``tenant`` (an
        :class:`EntraPrincipalType`, or the service's string for a kind newer than this library).
    :ivar client_ids: Entra application (client) ids allowed to exchange the principal's tokens.
    """

    object_id: str
    tenant_id: str
    principal_type: EntraPrincipalType | str
    client_ids: tuple[str, ...]


@dataclass(frozen=True)
class CommunicationRole:
    """A role: a named set of chat and calling permissions (API version 2023-08-30-preview).

    Permissions map a permission's name (Python style: ``send_message``, ``add_pstn_participants``,
    read from the API version's document) to whether the role allows it.

    :ivar id: The role's id (the service's, or the one given to ``update_role``).
    :ivar name: Its display name.
    :ivar is_enabled: ``False`` stops the role being given to anyone new; those who have it keep it.
    :ivar chat_permissions: What a holder may do in chat threads.
    :ivar calling_permissions: What a holder may do in calls.
    :ivar created_at: When the role was created (timezone-aware), as the service says.
    :ivar updated_at: When it last changed (timezone-aware), as the service says.
    :ivar etag: The version tag of this state, for ``etag=`` with ``match_condition=`` on a later
        call; ``None`` in a listing (the service tags single reads and writes).
    """

    id: str
    name: str
    is_enabled: bool
    chat_permissions: Mapping[str, bool]
    calling_permissions: Mapping[str, bool]
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    etag: Optional[str] = None


@dataclass(frozen=True)
class CommunicationUserDetail:
    """What the service tells about a user (:meth:`CommunicationIdentityClient.get_user`).

    :ivar user: The user.
    :ivar custom_id: The id of your own given when the user was created (``custom_id``), or ``None``.
    :ivar last_token_issued_at: When a token was last issued for the user, a timezone-aware UTC
        ``datetime``; ``None`` when the service does not say (no token yet).
    """

    user: CommunicationUserIdentifier
    custom_id: Optional[str] = None
    last_token_issued_at: Optional[datetime] = None
