"""What the sync and async clients share: argument checks and model conversion.

The clients only pick the generated layer for their API version and await or
not; every check and every conversion between generated and public models lives
here, once.  The generated layers (each with its own serializer) are imported
when a client first needs one, not with the package: the 2020 layer only by a
client that speaks ``2020-07-20-preview2``.  Their types are imported for the type
checker alone, so every call into them and every model read back is checked.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Awaitable, Callable
from copy import deepcopy
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union, cast
from urllib.parse import urlsplit

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ServiceRequestError
from azure.core.rest import HttpRequest
from typing_extensions import Self

from ._api_versions import (
    IDENTITY_CREATE,
    IDENTITY_GET,
    TEAMS_PHONE_ASSIGNMENT,
    TEAMS_PHONE_EXCHANGE,
    TEAMS_USER_EXCHANGE,
    ApiVersion,
    custom_id_property,
    layer_of,
    parse_api_version,
    require_custom_id,
    require_operation,
)
from ._connection_string import parse_connection_string
from ._endpoint import implies_https, normalize_endpoint
from ._identifiers import (
    CommunicationIdentifier,
    CommunicationUserIdentifier,
    identifier_from_raw_id,
    is_guid,
    is_user_id,
    user_id_prefix,
)
from ._models import (
    CommunicationIdentityToken,
    CommunicationUserDetail,
    TeamsExtensionAssignment,
    TeamsExtensionPrincipalType,
)
from ._pipeline import client_kwargs, generated_kwargs
from ._reach import explain
from ._redact import looks_secret, shown
from ._scopes import ScopesInput, expires_in_minutes, normalize_scopes

if TYPE_CHECKING:
    from ._generated.ga import models as ga_models
    from ._generated.preview2020 import models as preview_models

    #: A token as either generated layer returns it.
    GeneratedToken = Union[ga_models.CommunicationIdentityAccessToken, preview_models.IdentityTokenResult]

UserInput = Union[CommunicationUserIdentifier, str]
_Layer = TypeVar("_Layer")
_Method = TypeVar("_Method", bound=Callable[..., Any])
_AsyncMethod = TypeVar("_AsyncMethod", bound=Callable[..., Awaitable[Any]])

#: Held while a client builds its generated layer, so that two threads making a shared
#: client's first calls together build one pipeline, not two (one then never closed).
_BUILD_LOCK = threading.Lock()


_USER_ID_FORM = "'8:acs:<resource id>_<user id>' (as create_user returns it; also 8:spool:, 8:dod-acs:, 8:gcch-acs:)"

#: The operation each Teams Phone method calls ("METHOD path", as in the documents).
_TEAMS_PHONE_OPERATIONS = {
    "get_token_for_teams_phone_user": TEAMS_PHONE_EXCHANGE,
    "get_teams_extension_assignment": f"GET {TEAMS_PHONE_ASSIGNMENT}",
    "upsert_teams_extension_assignment": f"PUT {TEAMS_PHONE_ASSIGNMENT}",
    "delete_teams_extension_assignment": f"DELETE {TEAMS_PHONE_ASSIGNMENT}",
}


#: The operations each identity method sends ("METHOD path", as in the documents): on the 2020
#: preview's protocol, and on every other version. A version whose document lacks one (the Roles
#: preview, 2023-08-30-preview, has no identity operation) refuses the call before any request.
_IDENTITY_OPERATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "create_user": ((IDENTITY_CREATE,), (IDENTITY_CREATE,)),
    "delete_user": (("DELETE /identities/{id}",), ("DELETE /identities/{id}",)),
    "issue_token": (("POST /identities/{id}/token",), ("POST /identities/{id}/:issueAccessToken",)),
    "get_token": (("POST /identities/{id}/token",), ("POST /identities/{id}/:issueAccessToken",)),
    "revoke_tokens": (("PATCH /identities/{id}",), ("POST /identities/{id}/:revokeAccessTokens",)),
    "create_user_and_token": ((IDENTITY_CREATE, "POST /identities/{id}/token"), (IDENTITY_CREATE,)),
}


def user_id(user: UserInput, name: str = "user") -> str:
    """The raw id of a ``CommunicationUser`` or id string, checked for the shape of a user id.

    Checked locally, like every other argument: an id that cannot be a Communication
    Services user (``"abc"``, a phone number, a Teams id) never reaches the network.
    """
    if isinstance(user, CommunicationUserIdentifier):
        raw = user.raw_id.strip()
    elif isinstance(user, str):
        raw = user.strip()
    else:
        raise ValueError(f"{name} must be a CommunicationUser or a user id such as {_USER_ID_FORM}, got {shown(user)}.")
    if not is_user_id(raw):
        prefix = user_id_prefix(raw)
        why = f" (after {prefix!r} come the resource id, '_' and the user id)" if prefix else ""
        raise ValueError(
            f"{name} must be a Communication Services user id such as {_USER_ID_FORM}, got {shown(raw)}{why}."
        )
    return raw


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string.")
    return value.strip()


def _id_text(name: str, value: Any) -> str:
    """An Entra id (tenant, object, application): a GUID, as Entra writes every one of them.

    Such ids go into the URL or the body; anything else (a key pasted here by mistake
    included) is refused before it travels there, and never quoted if it looks secret.
    """
    text = _text(name, value)
    if looks_secret(text):
        raise ValueError(f"{name} looks like an access key or a token; expected an Entra id (a GUID).")
    if not is_guid(text):
        raise ValueError(
            f"{name} must be an Entra id, a GUID such as 00000000-0000-0000-0000-000000000000; got {shown(text)}."
        )
    return text


_Enum = TypeVar("_Enum", bound=Enum)


def enum_member(enum: type[_Enum], value: Any, name: str) -> _Enum:
    """The member of ``enum`` that ``value`` names, else a ``ValueError`` listing the valid values."""
    member: Optional[_Enum]
    try:
        member = enum(value)
    except ValueError:
        member = None
    if member is None:  # raised outside the except block: the enum's message quotes the value as is
        valid = ", ".join(str(m.value) for m in enum)
        raise ValueError(f"{name} must be one of {valid}; got {shown(value)}.")
    return member


#: The longest caller-chosen id the documents allow.
CUSTOM_ID_MAX_LENGTH = 256


def _custom_id(value: Any) -> str:
    """A caller-chosen id as given (not stripped: it is the caller's key), 1 to 256 characters."""
    if not isinstance(value, str):
        raise TypeError(f"custom_id must be a str, not {type(value).__name__}.")
    if not 1 <= len(value) <= CUSTOM_ID_MAX_LENGTH or not value.strip():
        raise ValueError(f"custom_id must be 1 to {CUSTOM_ID_MAX_LENGTH} characters, not blank; got {shown(value)}.")
    return value


def _attribute(model: Any, wire_name: str) -> str:
    """The Python attribute of a generated model's property ``wire_name`` (its ``_attribute_map`` key)."""
    for attribute, spec in model._attribute_map.items():
        if spec["key"] == wire_name:
            return str(attribute)
    raise AttributeError(f"{model.__name__} has no property {wire_name!r}")  # a generation bug, never the caller's


def _epoch(expires_on: datetime) -> int:
    if expires_on.tzinfo is None:  # the serializer gives aware values; be safe anyway
        expires_on = expires_on.replace(tzinfo=timezone.utc)
    return int(expires_on.timestamp())


def access_token(generated: GeneratedToken) -> AccessToken:
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
        self._https_implied = implies_https(endpoint)
        self._api_version = parse_api_version(api_version)
        self._client_kwargs = client_kwargs(self._endpoint, credential, is_async=self._is_async, **kwargs)
        #: The generated clients built so far, by class: the version's own layer and, for a
        #: preview that also speaks through ``ga``, that one too (they share the transport).
        self._built: dict[type, object] = {}
        self._closed = False

    def _generated_client(self, layer: type[_Layer]) -> _Layer:
        """The generated client (``layer``, this client's) and its azure-core pipeline, built on first use.

        A client that is built and closed without a call (one per request in a web
        app, say) pays for the argument checks and nothing else: every check runs in
        the constructor, so a bad argument still fails there.
        """
        built = self._built.get(layer)
        if built is None:
            with _BUILD_LOCK:
                built = self._built.get(layer)
                if built is None:
                    kwargs = generated_kwargs(self._client_kwargs)
                    make: Callable[..., _Layer] = layer  # each takes (endpoint, *, api_version, **options)
                    built = self._built[layer] = make(self._endpoint, api_version=self._api_version.value, **kwargs)
        return cast(_Layer, built)

    def _own_layer_class(self) -> type[Any]:
        """The generated client class of this version's own layer (``VERSION_LAYER`` in the catalog).

        For what only that layer's document has (reading an identity, a caller-chosen id on
        create); imported on first use, whichever layer it is.
        """
        package = f"{__package__}._generated.{layer_of(self._api_version)}" + (".aio" if self._is_async else "")
        module = importlib.import_module(package)
        found: type[Any] = getattr(module, module.__all__[0])
        return found

    @property
    def _built_clients(self) -> list[Any]:
        """Every generated client built so far, the first first (they share one transport)."""
        return list(self._built.values())

    @property
    def _unbuilt_transport(self) -> Any:
        """The transport, when no pipeline owns it yet (closing the client then closes it directly)."""
        return self._client_kwargs["transport"] if not self._built else None

    @classmethod
    def from_connection_string(cls, conn_str: str, **kwargs: Any) -> Self:
        """Create a client from a connection string, as the Azure portal shows it.

        :param conn_str: ``endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>``
            (names case-insensitive, in any order).
        :keyword kwargs: The constructor's keywords (``api_version``, azure-core options).
        :return: A client authenticated with the connection string's access key.
        :raises ValueError: Naming the missing or malformed part; the key is never in the message.
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

    @property
    def _is_roles(self) -> bool:
        """Whether this version is the Roles preview's (its own generated layer, no identity operation)."""
        return layer_of(self._api_version) == "preview2023_08_30"

    def _require_roles(self, feature: str) -> None:
        from ._roles import ROLE_OPERATIONS

        require_operation(self._api_version, ROLE_OPERATIONS[feature], feature)

    @staticmethod
    def _preview_versions() -> str:
        return ", ".join(v.value for v in ApiVersion if layer_of(v) == "preview2020")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self._endpoint!r}, api_version={self._api_version.value!r})"

    # ----- lifetime and transport errors, the same for sync and async -----

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(
                f"This {type(self).__name__} is closed (by close() or the end of its 'with' block); "
                "create a new client to make more calls."
            )

    def _plain_http_hint(self, error: ServiceRequestError) -> Optional[ServiceRequestError]:
        """A clearer error when an https endpoint turns out to be a plain-http service.

        Speaking TLS to a plain-HTTP server fails with OpenSSL's "wrong version number";
        the usual cause is the local service's endpoint written without ``http://``. Other
        causes a person can fix (refused, unknown host, untrusted certificate) are said plainly.
        """
        if not self._endpoint.startswith("https://") or "wrong version number" not in str(error).lower():
            said = explain(self._endpoint, error)
            return None if said is None else type(error)(said, error=error)  # the same class: a timeout stays one
        http = "http://" + self._endpoint[len("https://") :]
        implied = " (an endpoint without a scheme means https)" if self._https_implied else ""
        return ServiceRequestError(
            f"{self._endpoint} answers in plain HTTP, not HTTPS{implied}: the endpoint is http, "
            f"write it as {http} (TLS handshake: wrong version number).",
            error=error,
        )

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

    def _preview_token_request(
        self, scopes: ScopesInput, token_expires_in: Optional[timedelta] = None
    ) -> preview_models.CommunicationTokenRequest:
        expires_in_minutes(token_expires_in, self._api_version)  # raises: the preview has no lifetimes
        from ._generated.preview2020 import models as preview_models

        return preview_models.CommunicationTokenRequest(scopes=normalize_scopes(scopes, self._api_version))

    # The document's ``default: 1440`` makes ``expires_in_minutes`` an ``int`` defaulting to 1440
    # in the generated models, which would then always send it; None (no lifetime asked for)
    # leaves it out, for the service to apply its default and for versions that lack the
    # property (tests/generator/test_generated_requests.py shows both), hence the ignores.

    def _ga_token_request(
        self, scopes: ScopesInput, token_expires_in: Optional[timedelta]
    ) -> ga_models.CommunicationIdentityAccessTokenRequest:
        from ._generated.ga import models as ga_models

        return ga_models.CommunicationIdentityAccessTokenRequest(
            scopes=normalize_scopes(scopes, self._api_version),
            expires_in_minutes=expires_in_minutes(token_expires_in, self._api_version),  # type: ignore[arg-type]
        )

    def _ga_create_request(
        self, scopes: ScopesInput, token_expires_in: Optional[timedelta]
    ) -> ga_models.CommunicationIdentityCreateRequest:
        from ._generated.ga import models as ga_models

        return ga_models.CommunicationIdentityCreateRequest(
            create_token_with_scopes=normalize_scopes(scopes, self._api_version),
            expires_in_minutes=expires_in_minutes(token_expires_in, self._api_version),  # type: ignore[arg-type]
        )

    def _custom_id_create_request(
        self, custom_id: Any, scopes: Optional[ScopesInput], token_expires_in: Optional[timedelta]
    ) -> Any:
        """The create body of this version's own layer, with ``custom_id`` under its document's name."""
        name = require_custom_id(self._api_version, "custom_id")
        value = _custom_id(custom_id)
        models = importlib.import_module(f"{__package__}._generated.{layer_of(self._api_version)}.models")
        model = models.CommunicationIdentityCreateRequest
        fields: dict[str, Any] = {
            _attribute(model, name): value,
            "expires_in_minutes": expires_in_minutes(token_expires_in, self._api_version),
        }
        if scopes is not None:
            fields["create_token_with_scopes"] = normalize_scopes(scopes, self._api_version)
        return model(**fields)

    def _require_get_user(self, user: UserInput) -> str:
        uid = user_id(user)
        require_operation(self._api_version, IDENTITY_GET, "get_user")
        return uid

    def _revoke_body(
        self, issued_before: Optional[datetime], now: datetime
    ) -> Optional[preview_models.CommunicationIdentityUpdateRequest]:
        """Preview: ``tokensValidFrom``; GA: nothing (it revokes all), or a clear refusal."""
        if issued_before is not None and not isinstance(issued_before, datetime):
            raise ValueError("issued_before must be a datetime.")
        if issued_before is not None and issued_before.tzinfo is None:
            raise ValueError("issued_before must be timezone-aware (e.g. datetime.now(timezone.utc)).")
        if self._is_preview:
            from ._generated.preview2020 import models as preview_models

            # None revokes every token issued so far, like the GA call does.
            return preview_models.CommunicationIdentityUpdateRequest(tokens_valid_from=_utc(issued_before or now))
        if issued_before is not None:
            raise ValueError(
                f"api_version {self._api_version.value} revokes all tokens of a user and has no "
                f"'issued_before'; use api_version {self._preview_versions()} to revoke tokens issued before "
                "a given time, or call revoke_tokens(user) to revoke all."
            )
        return None

    def _teams_user_request(
        self, aad_token: str, client_id: str, user_object_id: str
    ) -> ga_models.TeamsUserExchangeTokenRequest:
        require_operation(self._api_version, TEAMS_USER_EXCHANGE, "get_token_for_teams_user")
        from ._generated.ga import models as ga_models

        return ga_models.TeamsUserExchangeTokenRequest(
            token=_text("aad_token", aad_token),
            app_id=_id_text("client_id", client_id),
            user_id=_id_text("user_object_id", user_object_id),
        )

    def _require_identity(self, feature: str) -> None:
        """Refuse ``feature`` (an identity method) where this version's document lacks what it sends."""
        preview, other = _IDENTITY_OPERATIONS[feature]
        for operation in preview if self._is_preview else other:
            require_operation(self._api_version, operation, feature)

    def _require_teams_phone(self, feature: str) -> None:
        require_operation(self._api_version, _TEAMS_PHONE_OPERATIONS[feature], feature)

    @staticmethod
    def _teams_phone_token(entra_token: str) -> str:
        return _text("entra_token", entra_token)

    @staticmethod
    def _assignment_key(tenant_id: str, object_id: str) -> tuple[str, str]:
        return _id_text("tenant_id", tenant_id), _id_text("object_id", object_id)

    def _assignment_request(
        self, principal_type: Union[str, TeamsExtensionPrincipalType], client_ids: Any
    ) -> ga_models.TeamsExtensionAssignmentCreateOrUpdateRequest:
        self._require_teams_phone("upsert_teams_extension_assignment")
        kind = enum_member(TeamsExtensionPrincipalType, principal_type, "principal_type")
        if isinstance(client_ids, str) or not client_ids:
            raise ValueError("client_ids must be a non-empty list of Entra application (client) ids.")
        from ._generated.ga import models as ga_models

        return ga_models.TeamsExtensionAssignmentCreateOrUpdateRequest(
            principal_type=kind.value, client_ids=[_id_text("client_ids item", c) for c in client_ids]
        )

    # ----- conversion from generated models -----

    @staticmethod
    def _user_and_token(
        result: ga_models.CommunicationIdentityAccessTokenResult,
    ) -> tuple[CommunicationUserIdentifier, Optional[AccessToken]]:
        user = CommunicationUserIdentifier(result.identity.id)
        token = access_token(result.access_token) if result.access_token is not None else None
        return user, token

    @classmethod
    def _created_with_token(
        cls, result: ga_models.CommunicationIdentityAccessTokenResult
    ) -> tuple[CommunicationUserIdentifier, AccessToken]:
        user, token = cls._user_and_token(result)
        if token is None:  # not an assert: it must hold under python -O too
            raise HttpResponseError(message="The service created the user but answered without its token.")
        return user, token

    @staticmethod
    def _teams_phone_result(
        result: ga_models.CommunicationIdentityAccessTokenResult,
    ) -> tuple[CommunicationIdentifier, AccessToken]:
        if result.access_token is None:
            raise HttpResponseError(message="The Teams Phone exchange answered without an access token.")
        return identifier_from_raw_id(result.identity.id), access_token(result.access_token)

    def _user_detail(self, generated: Any, uid: str) -> CommunicationUserDetail:
        name = custom_id_property(self._api_version)
        custom = getattr(generated, _attribute(type(generated), name), None) if name else None
        last = getattr(generated, "last_token_issued_at", None)
        return CommunicationUserDetail(
            user=CommunicationUserIdentifier(generated.id or uid),
            custom_id=custom,
            last_token_issued_at=None if last is None else _utc(last),
        )

    @staticmethod
    def _identity_token(user: str, generated: GeneratedToken) -> CommunicationIdentityToken:
        return CommunicationIdentityToken(
            id=getattr(generated, "id", None) or user,
            token=generated.token,
            expires_on=_utc(generated.expires_on),
        )

    @staticmethod
    def _assignment(
        generated: ga_models.TeamsExtensionAssignment, tenant_id: str, object_id: str
    ) -> TeamsExtensionAssignment:
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


def guarded(method: _Method) -> _Method:
    """A sync client method: refused once the client is closed; a plain-http endpoint explained."""

    @functools.wraps(method)
    def wrapper(self: IdentityClientBase, *args: Any, **kwargs: Any) -> Any:
        self._check_open()
        try:
            return method(self, *args, **kwargs)
        except ServiceRequestError as error:
            better = self._plain_http_hint(error)
            if better is None:
                raise
            raise better from None

    return cast(_Method, wrapper)


def guarded_async(method: _AsyncMethod) -> _AsyncMethod:
    """The async twin of :func:`guarded`."""

    @functools.wraps(method)
    async def wrapper(self: IdentityClientBase, *args: Any, **kwargs: Any) -> Any:
        self._check_open()
        try:
            return await method(self, *args, **kwargs)
        except ServiceRequestError as error:
            better = self._plain_http_hint(error)
            if better is None:
                raise
            raise better from None

    return cast(_AsyncMethod, wrapper)
