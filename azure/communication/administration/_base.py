"""What the sync and async clients share: argument checks and model conversion.

The clients only pick the generated layer for their API version and await or
not; every check and every conversion between generated and public models lives
here, once.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta, timezone
from typing import Any, Optional, Union
from urllib.parse import urlsplit

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from typing_extensions import Self

from ._api_versions import (
    TEAMS_PHONE_ASSIGNMENT,
    TEAMS_PHONE_EXCHANGE,
    TEAMS_USER_EXCHANGE,
    ApiVersion,
    layer_of,
    parse_api_version,
    require_operation,
)
from ._connection_string import parse_connection_string
from ._generated.ga import models as ga_models
from ._generated.preview2020 import models as preview_models
from ._identifiers import CommunicationIdentifier, CommunicationUserIdentifier, identifier_from_raw_id
from ._models import CommunicationIdentityToken, TeamsExtensionAssignment, TeamsExtensionPrincipalType
from ._pipeline import client_kwargs, normalize_endpoint
from ._scopes import ScopesInput, expires_in_minutes, normalize_scopes

UserInput = Union[CommunicationUserIdentifier, str]

#: The operation each Teams Phone method calls ("METHOD path", as in the documents).
_TEAMS_PHONE_OPERATIONS = {
    "get_token_for_teams_phone_user": TEAMS_PHONE_EXCHANGE,
    "get_teams_extension_assignment": f"GET {TEAMS_PHONE_ASSIGNMENT}",
    "upsert_teams_extension_assignment": f"PUT {TEAMS_PHONE_ASSIGNMENT}",
    "delete_teams_extension_assignment": f"DELETE {TEAMS_PHONE_ASSIGNMENT}",
}


def user_id(user: UserInput, name: str = "user") -> str:
    """The raw id of a ``CommunicationUser`` or id string."""
    if isinstance(user, CommunicationUserIdentifier):
        return user.raw_id
    if isinstance(user, str) and user.strip():
        return user.strip()
    raise ValueError(f"{name} must be a CommunicationUser or a non-empty id string, got {user!r}.")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string.")
    return value.strip()


def _epoch(expires_on: datetime) -> int:
    if expires_on.tzinfo is None:  # the serializer gives aware values; be safe anyway
        expires_on = expires_on.replace(tzinfo=timezone.utc)
    return int(expires_on.timestamp())


def access_token(generated: Any) -> AccessToken:
    """azure-core's ``AccessToken``: ``expires_on`` in int epoch seconds, as it documents."""
    return AccessToken(generated.token, _epoch(generated.expires_on))


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


class IdentityClientBase:
    """State and helpers common to the sync and async ``CommunicationIdentityClient``."""

    _is_async = False

    def __init__(
        self,
        endpoint: str,
        credential: Any,
        *,
        api_version: Union[str, ApiVersion, None] = None,
        **kwargs: Any,
    ) -> None:
        self._endpoint = normalize_endpoint(endpoint)
        self._api_version = parse_api_version(api_version)
        self._client_kwargs = client_kwargs(self._endpoint, credential, is_async=self._is_async, **kwargs)

    @classmethod
    def from_connection_string(cls, conn_str: str, **kwargs: Any) -> Self:
        """Create a client from ``endpoint=...;accesskey=...`` (keys case-insensitive, any order).

        :raises ValueError: naming the missing or malformed part; the key is never in the message.
        """
        parsed = parse_connection_string(conn_str)
        return cls(parsed.endpoint, parsed.access_key, **kwargs)

    @property
    def api_version(self) -> ApiVersion:
        """The API version every call of this client speaks."""
        return self._api_version

    @property
    def _is_preview(self) -> bool:
        """Whether this version speaks the 2020 preview protocol (its own generated layer)."""
        return layer_of(self._api_version) == "preview2020"

    @staticmethod
    def _preview_versions() -> str:
        return ", ".join(v.value for v in ApiVersion if layer_of(v) == "preview2020")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self._endpoint!r}, api_version={self._api_version.value!r})"

    # ----- request preparation (raise ValueError before any network call) -----

    def _own_request(self, request: HttpRequest) -> HttpRequest:
        """A copy of ``request`` whose URL is on this client's endpoint (for ``send_request``).

        A relative URL (``/identities?api-version=...``) is resolved against the endpoint; an
        absolute one must be on the endpoint's scheme, host and port, because every request
        carries this client's credential (an HMAC signature or a bearer token).
        """
        if not isinstance(request, HttpRequest):
            raise ValueError(f"request must be an azure.core.rest.HttpRequest, not {type(request).__name__}.")
        own = deepcopy(request)
        url = own.url
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc:
            own.url = f"{self._endpoint}/{url.lstrip('/')}"
            return own
        endpoint = urlsplit(self._endpoint)
        if (parts.scheme.lower(), parts.netloc.lower()) != (endpoint.scheme.lower(), endpoint.netloc.lower()):
            raise ValueError(
                f"send_request sends this client's credential, so the URL must be relative or on "
                f"{endpoint.scheme}://{endpoint.netloc}; got a URL on {parts.scheme}://{parts.netloc}."
            )
        return own

    def _preview_token_request(self, scopes: ScopesInput, token_expires_in: Optional[timedelta] = None) -> Any:
        expires_in_minutes(token_expires_in, self._api_version)  # raises: the preview has no lifetimes
        return preview_models.CommunicationTokenRequest(scopes=normalize_scopes(scopes, self._api_version))

    def _ga_token_request(self, scopes: ScopesInput, token_expires_in: Optional[timedelta]) -> Any:
        return ga_models.CommunicationIdentityAccessTokenRequest(
            scopes=normalize_scopes(scopes, self._api_version),
            expires_in_minutes=expires_in_minutes(token_expires_in, self._api_version),
        )

    def _ga_create_request(self, scopes: ScopesInput, token_expires_in: Optional[timedelta]) -> Any:
        return ga_models.CommunicationIdentityCreateRequest(
            create_token_with_scopes=normalize_scopes(scopes, self._api_version),
            expires_in_minutes=expires_in_minutes(token_expires_in, self._api_version),
        )

    def _revoke_body(self, issued_before: Optional[datetime], now: datetime) -> Any:
        """Preview: ``tokensValidFrom``; GA: nothing (it revokes all), or a clear refusal."""
        if issued_before is not None and not isinstance(issued_before, datetime):
            raise ValueError("issued_before must be a datetime.")
        if issued_before is not None and issued_before.tzinfo is None:
            raise ValueError("issued_before must be timezone-aware (e.g. datetime.now(timezone.utc)).")
        if self._is_preview:
            # None revokes every token issued so far, like the GA call does.
            return preview_models.CommunicationIdentityUpdateRequest(tokens_valid_from=_utc(issued_before or now))
        if issued_before is not None:
            raise ValueError(
                f"api_version {self._api_version.value} revokes all tokens of a user and has no "
                f"'issued_before'; use api_version {self._preview_versions()} to revoke tokens issued before "
                "a given time, or call revoke_tokens(user) to revoke all."
            )
        return None

    def _teams_user_request(self, aad_token: str, client_id: str, user_object_id: str) -> Any:
        require_operation(self._api_version, TEAMS_USER_EXCHANGE, "get_token_for_teams_user")
        return ga_models.TeamsUserExchangeTokenRequest(
            token=_text("aad_token", aad_token),
            app_id=_text("client_id", client_id),
            user_id=_text("user_object_id", user_object_id),
        )

    def _require_teams_phone(self, feature: str) -> None:
        require_operation(self._api_version, _TEAMS_PHONE_OPERATIONS[feature], feature)

    @staticmethod
    def _teams_phone_token(entra_token: str) -> str:
        return _text("entra_token", entra_token)

    @staticmethod
    def _assignment_key(tenant_id: str, object_id: str) -> tuple[str, str]:
        return _text("tenant_id", tenant_id), _text("object_id", object_id)

    def _assignment_request(self, principal_type: Union[str, TeamsExtensionPrincipalType], client_ids: Any) -> Any:
        self._require_teams_phone("upsert_teams_extension_assignment")
        try:
            kind = TeamsExtensionPrincipalType(principal_type)
        except ValueError:
            valid = ", ".join(p.value for p in TeamsExtensionPrincipalType)
            raise ValueError(f"principal_type must be one of {valid}; got {principal_type!r}.") from None
        if isinstance(client_ids, str) or not client_ids:
            raise ValueError("client_ids must be a non-empty list of Entra application (client) ids.")
        return ga_models.TeamsExtensionAssignmentCreateOrUpdateRequest(
            principal_type=kind.value, client_ids=[_text("client_ids item", c) for c in client_ids]
        )

    # ----- conversion from generated models -----

    @staticmethod
    def _user_and_token(result: Any) -> tuple[CommunicationUserIdentifier, Optional[AccessToken]]:
        user = CommunicationUserIdentifier(result.identity.id)
        token = access_token(result.access_token) if result.access_token is not None else None
        return user, token

    @classmethod
    def _created_with_token(cls, result: Any) -> tuple[CommunicationUserIdentifier, AccessToken]:
        user, token = cls._user_and_token(result)
        if token is None:  # not an assert: it must hold under python -O too
            raise HttpResponseError(message="The service created the user but answered without its token.")
        return user, token

    @staticmethod
    def _teams_phone_result(result: Any) -> tuple[CommunicationIdentifier, AccessToken]:
        if result.access_token is None:
            raise HttpResponseError(message="The Teams Phone exchange answered without an access token.")
        return identifier_from_raw_id(result.identity.id), access_token(result.access_token)

    @staticmethod
    def _identity_token(user: str, generated: Any) -> CommunicationIdentityToken:
        return CommunicationIdentityToken(
            id=getattr(generated, "id", None) or user,
            token=generated.token,
            expires_on=_utc(generated.expires_on),
        )

    @staticmethod
    def _assignment(generated: Any, tenant_id: str, object_id: str) -> TeamsExtensionAssignment:
        try:
            kind: Union[TeamsExtensionPrincipalType, str] = TeamsExtensionPrincipalType(generated.principal_type)
        except ValueError:  # a kind newer than this library: keep the service's value
            kind = generated.principal_type
        return TeamsExtensionAssignment(
            object_id=generated.object_id or object_id,
            tenant_id=generated.tenant_id or tenant_id,
            principal_type=kind,
            client_ids=tuple(generated.client_ids or ()),
        )


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
