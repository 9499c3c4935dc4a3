"""Azure Communication Services Identity: users, access tokens and revocation.

The 2020 preview surface (``create_user``, ``delete_user``, ``issue_token``,
``revoke_tokens``) and the modern one (``create_user_and_token``, ``get_token``,
Teams exchanges), over every API version there is a swagger document for (:class:`ApiVersion`,
``2020-07-20-preview2`` on). The async client is :mod:`azure.communication.administration.aio`.
"""

from __future__ import annotations

import importlib
from os import path as _path
from typing import TYPE_CHECKING, Any

# In a checkout first on sys.path (``python -m pytest`` at the top of the repository) this folder
# lacks ``_generated``, which the editable install (``make venv``) links in beside a copy of it: the
# package then spans both, as pkgutil-style packages do. An install has it here (one stat, no more).
if not _path.isdir(_path.join(__path__[0], "_generated")):
    __path__ = __import__("pkgutil").extend_path(__path__, __name__)

from ._version import VERSION

if TYPE_CHECKING:
    from ._api_versions import ApiVersion
    from ._client import CommunicationIdentityClient
    from ._connection_string import ConnectionString, parse_connection_string
    from ._identifiers import (
        CommunicationCloudEnvironment,
        CommunicationIdentifier,
        CommunicationIdentifierKind,
        CommunicationUser,
        CommunicationUserIdentifier,
        MicrosoftTeamsAppIdentifier,
        MicrosoftTeamsUserIdentifier,
        PhoneNumberIdentifier,
        TeamsExtensionUserIdentifier,
        UnknownIdentifier,
        identifier_from_raw_id,
    )
    from ._models import (
        CommunicationIdentityToken,
        CommunicationRole,
        CommunicationUserDetail,
        EntraAssignment,
        EntraPrincipalType,
        TeamsExtensionAssignment,
        TeamsExtensionPrincipalType,
    )
    from ._scopes import CommunicationTokenScope

__version__ = VERSION

__all__ = [
    "ApiVersion",
    "CommunicationCloudEnvironment",
    "CommunicationIdentifier",
    "CommunicationIdentifierKind",
    "CommunicationIdentityClient",
    "CommunicationIdentityToken",
    "CommunicationRole",
    "CommunicationTokenScope",
    "CommunicationUser",
    "CommunicationUserDetail",
    "CommunicationUserIdentifier",
    "ConnectionString",
    "EntraAssignment",
    "EntraPrincipalType",
    "MicrosoftTeamsAppIdentifier",
    "MicrosoftTeamsUserIdentifier",
    "PhoneNumberIdentifier",
    "TeamsExtensionAssignment",
    "TeamsExtensionPrincipalType",
    "TeamsExtensionUserIdentifier",
    "UnknownIdentifier",
    "identifier_from_raw_id",
    "parse_connection_string",
]

# Each public name is imported from its module on first use (PEP 562), not here: the local
# service imports ``_generated._catalog`` (plain literals) from this package, and importing
# the package must not cost it azure-core. The names above are what type checkers see.
_HOME = {
    "ApiVersion": "._api_versions",
    "CommunicationIdentityClient": "._client",
    "ConnectionString": "._connection_string",
    "parse_connection_string": "._connection_string",
    "CommunicationIdentityToken": "._models",
    "CommunicationUserDetail": "._models",
    "EntraAssignment": "._models",
    "EntraPrincipalType": "._models",
    "TeamsExtensionAssignment": "._models",
    "TeamsExtensionPrincipalType": "._models",
    "CommunicationRole": "._models",
    "CommunicationTokenScope": "._scopes",
    **dict.fromkeys(
        (
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
        ),
        "._identifiers",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # later look-ups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
