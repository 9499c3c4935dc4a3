"""The asynchronous ``CommunicationIdentityClient``.

The one client source: ``make generate`` writes the synchronous client, ``../_client.py``,
from this file (``generator/sync_client.py``), so a change here is a change to both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from azure.core import MatchConditions
from azure.core.async_paging import AsyncItemPaged
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.core.tracing.decorator import distributed_trace
from azure.core.tracing.decorator_async import distributed_trace_async
from typing_extensions import Self

from .. import _entra_users as entra
from .._api_versions import IDENTITY_CREATE, ApiVersion
from .._auth import TEAMS_PHONE_TOKEN_OPTION
from .._base import IdentityClientBase, UserInput, access_token, guarded, guarded_async, user_id, utc_now
from .._identifiers import CommunicationIdentifier, CommunicationUserIdentifier
from .._models import (
    CommunicationIdentityToken,
    CommunicationRole,
    CommunicationUserDetail,
    EntraAssignment,
    EntraPrincipalType,
    TeamsExtensionAssignment,
    TeamsExtensionPrincipalType,
)
from .._repeatable import repeatable_call
from .._roles import (
    ROLE_OPERATIONS,
    RoleWithHeaders,
    create_request,
    id_from_location,
    page_of_roles,
    public_role,
    update_request,
    with_headers,
)
from .._roles import role_id as role_id_checked
from .._scopes import ScopesInput

if TYPE_CHECKING:
    from .._generated.ga.aio import IdentityRestClient
    from .._generated.preview2020.aio import IdentityPreview2020RestClient
    from .._generated.preview2023_08_30.aio import IdentityRolesPreviewRestClient

__all__ = ["CommunicationIdentityClient"]


class CommunicationIdentityClient(IdentityClientBase):
    """Creates and deletes Communication Services users and issues and revokes their tokens.

    :param endpoint: The resource endpoint, e.g. ``https://<resource>.communication.azure.com``.
        Its scheme is kept (``http://`` stays http, for the local service); no scheme means https.
    :param credential: The resource's base64 access key as a ``str``, an ``AzureKeyCredential``
        (rotate the key with its ``update()``), or an ``AsyncTokenCredential`` (Entra ID; scope
        ``https://communication.azure.com//.default``).
    :keyword api_version: An :class:`~azure.communication.administration.ApiVersion` member or its
        string; default: the newest GA version. What a version cannot do fails locally,
        before any request.
    :keyword kwargs: Any azure-core client keyword (``transport``, ``retry_total``,
        ``logging_enable``, ``headers``, ``connection_verify``, ``user_agent``, ...).
    :raises ValueError: An endpoint that is not an http(s) URL, or an unsupported ``api_version``.
    :raises TypeError: A credential of none of those kinds.

    .. code-block:: python

        from azure.communication.administration.aio import CommunicationIdentityClient

        async with CommunicationIdentityClient.from_connection_string(conn_str) as client:
            user = await client.create_user()
            token = await client.get_token(user, scopes=["chat"])
            await client.delete_user(user)
    """

    # The base class picks the transport and the credential policy by it.
    _is_async = True

    def __init__(
        self,
        endpoint: str,
        credential: Union[str, AzureKeyCredential, AsyncTokenCredential],
        *,
        api_version: Union[str, ApiVersion, None] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(endpoint, credential, api_version=api_version, **kwargs)

    # The generated layers are loaded on first use: a GA client never imports the 2020 layer.

    @property
    def _ga(self) -> IdentityRestClient:
        """The generated client of the GA versions."""
        from .._generated.ga.aio import IdentityRestClient

        return self._generated_client(IdentityRestClient)

    @property
    def _preview(self) -> IdentityPreview2020RestClient:
        """The generated client of ``2020-07-20-preview2``."""
        from .._generated.preview2020.aio import IdentityPreview2020RestClient

        return self._generated_client(IdentityPreview2020RestClient)

    @property
    def _roles(self) -> IdentityRolesPreviewRestClient:
        """The generated client of ``2023-08-30-preview``, the Roles API."""
        from .._generated.preview2023_08_30.aio import IdentityRolesPreviewRestClient

        return self._generated_client(IdentityRolesPreviewRestClient)

    @property
    def _own(self) -> Any:
        """The generated client of this version's own layer, for what only its document has."""
        return self._generated_client(self._own_layer_class())

    @property
    def _rest(self) -> Union[IdentityRestClient, IdentityPreview2020RestClient, IdentityRolesPreviewRestClient]:
        """The generated client of this client's API version."""
        if self._is_roles:
            return self._roles
        return self._preview if self._is_preview else self._ga

    # ----- the 2020 preview surface -----

    @distributed_trace_async
    @guarded_async
    async def create_user(self, *, custom_id: Optional[str] = None, **kwargs: Any) -> CommunicationUserIdentifier:
        """Create a new Communication Services user.

        Where the API version makes create repeatable (its document declares
        ``Repeatability-Request-ID``), the request carries a fresh id and its first-sent time, and
        a try whose answer was lost (a dropped connection) is sent again with the same two
        headers: the service creates one user and answers the repeat with it.

        :keyword custom_id: An id of your own for the user, 1 to 256 characters (API versions whose
            document has it: 2025-03-02-preview sends it as ``customId``, 2025-04-01-preview as
            ``externalId``). Creating again with an id that a user already has returns that user.
        :return: The new user (or the one that has ``custom_id``); its id is ``raw_id``
            (``identifier`` in the 2020 preview's words).
        :raises ValueError: ``custom_id`` empty, longer than 256 characters, or not supported by the
            client's API version; nothing is sent.
        :raises TypeError: ``custom_id`` is not a ``str``.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401).
        """
        self._require_identity("create_user")
        if custom_id is not None:
            request = self._custom_id_create_request(custom_id, None, None)
            kwargs = repeatable_call(self._api_version, IDENTITY_CREATE, kwargs)
            user, _ = self._user_and_token(await self._own.communication_identity.create(request, **kwargs))
            return user
        if self._is_preview:
            created = await self._preview.communication_identity.create(**kwargs)
            return CommunicationUserIdentifier(created.id)
        kwargs = repeatable_call(self._api_version, IDENTITY_CREATE, kwargs)
        user, _ = self._user_and_token(await self._ga.communication_identity.create(**kwargs))
        return user

    @distributed_trace_async
    @guarded_async
    async def get_user(self, user: UserInput, **kwargs: Any) -> CommunicationUserDetail:
        """Read what the service knows about a user (API versions whose document has it).

        :param user: The user, or its id string.
        :return: The user, the ``custom_id`` it was created with (or ``None``), and when its last
            token was issued (``None`` when the service does not say).
        :raises ValueError: A bad ``user``, or an API version without this operation (the message
            names those that have it); nothing is sent.
        :raises ~azure.core.exceptions.ResourceNotFoundError: No such user (never created, or deleted).
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        uid = self._require_get_user(user)
        return self._user_detail(await self._own.communication_identity.get(uid, **kwargs), uid)

    @distributed_trace_async
    @guarded_async
    async def delete_user(self, communication_user: UserInput, **kwargs: Any) -> None:
        """Delete a user and revoke all of its tokens.

        :param communication_user: The user to delete, or its id string.
        :raises ValueError: ``communication_user`` is neither a user nor a non-empty id string.
        :raises ~azure.core.exceptions.ResourceNotFoundError: No such user (never created, or
            already deleted).
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        uid = user_id(communication_user, "communication_user")
        self._require_identity("delete_user")
        identity = self._preview if self._is_preview else self._ga
        await identity.communication_identity.delete(uid, **kwargs)

    @distributed_trace_async
    @guarded_async
    async def issue_token(self, user: UserInput, scopes: ScopesInput, **kwargs: Any) -> CommunicationIdentityToken:
        """Issue an access token for a user: the 2020 preview's name and result type.

        :meth:`get_token` replaced it in the official ``azure-communication-identity`` client; it
        returns azure-core's :class:`~azure.core.credentials.AccessToken` instead, and can set the
        token's lifetime. ``issue_token`` is kept, unchanged, for code written against the 2020 preview.

        :param user: The user, or its id string.
        :param scopes: What the token allows: :class:`~azure.communication.administration.CommunicationTokenScope`
            members or their values (case-insensitive), at least one; duplicates are dropped.
        :return: The token, the user's id, and ``expires_on`` as an aware UTC ``datetime``.
        :raises ValueError: An empty or unknown scope for the client's API version, or a bad ``user``;
            nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        uid = user_id(user)
        self._require_identity("issue_token")
        if self._is_preview:
            request = self._preview_token_request(scopes)
            issued = await self._preview.communication_identity.issue_token(uid, request, **kwargs)
            return self._identity_token(uid, issued)
        body = self._ga_token_request(scopes, None)
        return self._identity_token(uid, await self._ga.communication_identity.issue_access_token(uid, body, **kwargs))

    @distributed_trace_async
    @guarded_async
    async def revoke_tokens(self, user: UserInput, issued_before: Optional[datetime] = None, **kwargs: Any) -> None:
        """Revoke a user's access tokens.

        :param user: The user, or its id string.
        :param issued_before: Only on ``2020-07-20-preview2``: revoke the tokens issued before this
            timezone-aware time (default: now, so every token issued so far). GA versions revoke every
            token of the user and take no ``issued_before``.
        :raises ValueError: ``issued_before`` given on a GA version, or naive; or a bad ``user``.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        uid = user_id(user)
        self._require_identity("revoke_tokens")
        body = self._revoke_body(issued_before, utc_now())
        if body is not None:  # the 2020 preview: tokens issued before a time
            await self._preview.communication_identity.update(uid, body, **kwargs)
        else:
            await self._ga.communication_identity.revoke_access_tokens(uid, **kwargs)

    # ----- the modern surface -----

    @distributed_trace_async
    @guarded_async
    async def create_user_and_token(
        self,
        scopes: ScopesInput,
        *,
        token_expires_in: Optional[timedelta] = None,
        custom_id: Optional[str] = None,
        **kwargs: Any,
    ) -> tuple[CommunicationUserIdentifier, AccessToken]:
        """Create a user and issue it an access token, in one request (two on the 2020 preview).

        Repeatable where the API version makes create repeatable, as :meth:`create_user` is.

        :param scopes: What the token allows: :class:`~azure.communication.administration.CommunicationTokenScope`
            members or their values (case-insensitive), at least one; duplicates are dropped.
        :keyword token_expires_in: The token's lifetime, 60 minutes to 24 hours in whole minutes
            (API version 2022-10-01 or later); default: the service's, 24 hours.
        :keyword custom_id: An id of your own for the user, as in :meth:`create_user`; when a user
            already has it, that user is returned, with a new token.
        :return: The new user and its token (``expires_on`` in epoch seconds).
        :raises ValueError: An empty or unknown scope, a lifetime out of range, or a ``custom_id`` or
            lifetime not supported by the client's API version; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        self._require_identity("create_user_and_token")
        if custom_id is not None:
            own = self._custom_id_create_request(custom_id, scopes, token_expires_in)
            kwargs = repeatable_call(self._api_version, IDENTITY_CREATE, kwargs)
            return self._created_with_token(await self._own.communication_identity.create(own, **kwargs))
        if self._is_preview:
            body = self._preview_token_request(scopes, token_expires_in)
            user = await self.create_user(**kwargs)
            result = await self._preview.communication_identity.issue_token(user.raw_id, body, **kwargs)
            return user, access_token(result)
        request = self._ga_create_request(scopes, token_expires_in)
        kwargs = repeatable_call(self._api_version, IDENTITY_CREATE, kwargs)
        return self._created_with_token(await self._ga.communication_identity.create(request, **kwargs))

    @distributed_trace_async
    @guarded_async
    async def get_token(
        self,
        user: UserInput,
        scopes: ScopesInput,
        *,
        token_expires_in: Optional[timedelta] = None,
        **kwargs: Any,
    ) -> AccessToken:
        """Issue an access token for a user.

        :param user: The user, or its id string.
        :param scopes: What the token allows: :class:`~azure.communication.administration.CommunicationTokenScope`
            members or their values (case-insensitive), at least one; duplicates are dropped.
        :keyword token_expires_in: The token's lifetime, 60 minutes to 24 hours in whole minutes
            (API version 2022-10-01 or later); default: the service's, 24 hours.
        :return: The token; ``expires_on`` is in epoch seconds, as azure-core documents.
        :raises ValueError: An empty or unknown scope, or a lifetime out of range or not supported by
            the client's API version; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        uid = user_id(user)
        self._require_identity("get_token")
        if self._is_preview:
            request = self._preview_token_request(scopes, token_expires_in)
            token = await self._preview.communication_identity.issue_token(uid, request, **kwargs)
            return access_token(token)
        body = self._ga_token_request(scopes, token_expires_in)
        generated = await self._ga.communication_identity.issue_access_token(uid, body, **kwargs)
        return access_token(generated)

    @distributed_trace_async
    @guarded_async
    async def get_token_for_teams_user(
        self, aad_token: str, client_id: str, user_object_id: str, **kwargs: Any
    ) -> AccessToken:
        """Exchange a Teams user's Entra ID token for a Communication Services token (2022-06-01+).

        :param aad_token: The Teams user's Entra ID access token.
        :param client_id: The Entra application (client) id the token was issued to; it must match
            the token's ``appid`` claim.
        :param user_object_id: The Teams user's Entra object id; it must match the token's ``oid``
            claim.
        :return: The Communication Services token, expiring with the Entra token.
        :raises ValueError: An empty argument, or an API version older than 2022-06-01; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        body = self._teams_user_request(aad_token, client_id, user_object_id)
        generated = await self._ga.teams_user.exchange_teams_user_access_token(body, **kwargs)
        return access_token(generated)

    @distributed_trace_async
    @guarded_async
    async def get_token_for_teams_phone_user(
        self, entra_token: str, **kwargs: Any
    ) -> tuple[CommunicationIdentifier, AccessToken]:
        """Exchange a Teams Phone user's Entra ID token (2025-06-30+).

        The call is authorised by ``entra_token`` itself (a bearer token), not by the client's credential.

        :param entra_token: The Teams Phone user's Entra ID access token.
        :return: The user's identifier (a
            :class:`~azure.communication.administration.TeamsExtensionUserIdentifier`) and its token.
        :raises ValueError: An empty token, or an API version older than 2025-06-30; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        self._require_teams_phone("get_token_for_teams_phone_user")
        kwargs[TEAMS_PHONE_TOKEN_OPTION] = self._teams_phone_token(entra_token)
        result = await self._ga.teams_extension.exchange_token({}, **kwargs)
        return self._teams_phone_result(result)

    @distributed_trace_async
    @guarded_async
    async def get_teams_extension_assignment(
        self, tenant_id: str, object_id: str, **kwargs: Any
    ) -> TeamsExtensionAssignment:
        """Read which Entra applications may exchange Teams Phone tokens for an object (2025-06-30+).

        :param tenant_id: The Entra tenant id.
        :param object_id: The Entra object id of the user or resource account.
        :return: The assignment.
        :raises ValueError: An empty id, or an API version older than 2025-06-30; nothing is sent.
        :raises ~azure.core.exceptions.ResourceNotFoundError: No assignment for this object.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        self._require_teams_phone("get_teams_extension_assignment")
        tenant_id, object_id = self._assignment_key(tenant_id, object_id)
        generated = await self._ga.teams_extension.get_assignment(tenant_id, object_id, **kwargs)
        return self._assignment(generated, tenant_id, object_id)

    @distributed_trace_async
    @guarded_async
    async def upsert_teams_extension_assignment(
        self,
        tenant_id: str,
        object_id: str,
        *,
        principal_type: Union[str, TeamsExtensionPrincipalType],
        client_ids: list[str],
        **kwargs: Any,
    ) -> TeamsExtensionAssignment:
        """Create or replace a Teams Phone assignment (2025-06-30+).

        :param tenant_id: The Entra tenant id.
        :param object_id: The Entra object id of the user or resource account.
        :keyword principal_type: What ``object_id`` is: ``user`` or ``resourceAccount``.
        :keyword client_ids: The Entra application (client) ids allowed to exchange tokens for it;
            at least one.
        :return: The assignment as the service stored it.
        :raises ValueError: An unknown ``principal_type``, an empty ``client_ids`` or id, or an API
            version older than 2025-06-30; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        body = self._assignment_request(principal_type, client_ids)
        tenant_id, object_id = self._assignment_key(tenant_id, object_id)
        generated = await self._ga.teams_extension.upsert_assignment(tenant_id, object_id, body, **kwargs)
        return self._assignment(generated, tenant_id, object_id)

    @distributed_trace_async
    @guarded_async
    async def delete_teams_extension_assignment(self, tenant_id: str, object_id: str, **kwargs: Any) -> None:
        """Remove a Teams Phone assignment (2025-06-30+).

        :param tenant_id: The Entra tenant id.
        :param object_id: The Entra object id of the user or resource account.
        :raises ValueError: An empty id, or an API version older than 2025-06-30; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        self._require_teams_phone("delete_teams_extension_assignment")
        tenant_id, object_id = self._assignment_key(tenant_id, object_id)
        await self._ga.teams_extension.delete_assignment(tenant_id, object_id, **kwargs)

    # ----- roles (2023-08-30-preview) -----

    @distributed_trace
    @guarded
    def list_roles(self, **kwargs: Any) -> AsyncItemPaged[CommunicationRole]:
        """List the resource's roles (API version 2023-08-30-preview).

        The service answers a page at a time; the iterator follows each page's ``nextLink``
        (``.by_page()`` gives the pages). Nothing is sent until it is iterated.

        .. code-block:: python

            async for role in client.list_roles():
                print(role.id, role.name)

        :return: An iterator of :class:`~azure.communication.administration.CommunicationRole`
            (``etag`` is ``None`` in a listing).
        :raises ValueError: An API version without the Roles API; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused a page's request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401).
        """
        self._require_roles("list_roles")
        return self._roles.roles.list_roles(cls=page_of_roles, **kwargs)  # type: ignore[return-value]

    @distributed_trace_async
    @guarded_async
    async def create_role(
        self,
        name: str,
        *,
        chat_permissions: Optional[Mapping[str, bool]] = None,
        calling_permissions: Optional[Mapping[str, bool]] = None,
        is_enabled: bool = True,
        **kwargs: Any,
    ) -> str:
        """Create a role; the service chooses its id (API version 2023-08-30-preview).

        The request is repeatable: it carries ``Repeatability-Request-ID`` and
        ``Repeatability-First-Sent``, and a try whose answer was lost is sent again with the same
        two, so the service creates one role.

        :param name: The role's display name.
        :keyword chat_permissions: Permission name (``send_message`` or the wire's ``sendMessage``)
            -> allowed; a permission not given is ``False``.
        :keyword calling_permissions: The same, for calls.
        :keyword is_enabled: Whether the role may be given to anyone new; default ``True``.
        :return: The new role's id (read it with :meth:`get_role`).
        :raises ValueError: An empty name, an unknown permission, or an API version without the
            Roles API; nothing is sent.
        :raises TypeError: A permission value that is not ``True``/``False``, or permissions that
            are not a mapping.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why.
        """
        self._require_roles("create_role")
        body = create_request(name, is_enabled, chat_permissions, calling_permissions)
        kwargs = repeatable_call(self._api_version, ROLE_OPERATIONS["create_role"], kwargs)
        create: Any = self._roles.roles.create_role  # answers (None, headers) through cls=with_headers
        _, headers = await create(body, cls=with_headers, **kwargs)
        return id_from_location(headers.get("Location"))

    @distributed_trace_async
    @guarded_async
    async def get_role(
        self,
        role_id: str,
        *,
        etag: Optional[str] = None,
        match_condition: Optional[MatchConditions] = None,
        **kwargs: Any,
    ) -> CommunicationRole:
        """Read a role (API version 2023-08-30-preview).

        :param role_id: The role's id.
        :keyword etag: A role's ``etag``, for ``match_condition``.
        :keyword match_condition: azure-core's :class:`~azure.core.MatchConditions`:
            ``IfModified`` reads only if the role changed since ``etag``
            (else ``ResourceNotModifiedError``).
        :return: The role, with its ``etag``.
        :raises ValueError: An empty ``role_id``, or an API version without the Roles API; nothing is sent.
        :raises ~azure.core.exceptions.ResourceNotFoundError: No such role.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why.
        """
        self._require_roles("get_role")
        rid = role_id_checked(role_id)
        role, headers = cast(
            RoleWithHeaders,
            await self._roles.roles.get_role(
                rid, etag=etag, match_condition=match_condition, cls=with_headers, **kwargs
            ),
        )
        return public_role(role, headers.get("ETag"))

    @distributed_trace_async
    @guarded_async
    async def update_role(
        self,
        role_id: str,
        *,
        name: Optional[str] = None,
        is_enabled: Optional[bool] = None,
        chat_permissions: Optional[Mapping[str, bool]] = None,
        calling_permissions: Optional[Mapping[str, bool]] = None,
        etag: Optional[str] = None,
        match_condition: Optional[MatchConditions] = None,
        **kwargs: Any,
    ) -> CommunicationRole:
        """Change a role, or create it under this id (API version 2023-08-30-preview).

        A JSON merge patch: only what is given changes (one permission among the others
        included). Where there is no role with this id, one is created (``name`` is then
        required; permissions not given are ``False``). ``match_condition=MatchConditions.IfPresent``
        changes an existing role only; ``IfNotModified`` with ``etag`` only if nobody changed it
        since (else ``ResourceModifiedError``). Repeatable, as :meth:`create_role` is.

        :param role_id: The role's id.
        :keyword name: A new display name.
        :keyword is_enabled: Whether the role may be given to anyone new.
        :keyword chat_permissions: Permission name -> allowed, for those that change.
        :keyword calling_permissions: The same, for calls.
        :keyword etag: A role's ``etag``, for ``match_condition``.
        :keyword match_condition: azure-core's :class:`~azure.core.MatchConditions`.
        :return: The role as the service stored it, with its new ``etag``.
        :raises ValueError: Nothing to change, an empty ``role_id`` or name, an unknown permission,
            or an API version without the Roles API; nothing is sent.
        :raises TypeError: A value that is not ``True``/``False`` where one is expected.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why.
        """
        self._require_roles("update_role")
        rid = role_id_checked(role_id)
        body = update_request(name, is_enabled, chat_permissions, calling_permissions)
        kwargs = repeatable_call(self._api_version, ROLE_OPERATIONS["update_role"], kwargs)
        role, headers = cast(
            RoleWithHeaders,
            await self._roles.roles.create_or_update_role(
                rid, body, etag=etag, match_condition=match_condition, cls=with_headers, **kwargs
            ),
        )
        return public_role(role, headers.get("ETag"))

    @distributed_trace_async
    @guarded_async
    async def delete_role(
        self,
        role_id: str,
        *,
        etag: Optional[str] = None,
        match_condition: Optional[MatchConditions] = None,
        **kwargs: Any,
    ) -> None:
        """Delete a role (API version 2023-08-30-preview). Repeatable, as :meth:`create_role` is.

        :param role_id: The role's id.
        :keyword etag: A role's ``etag``, for ``match_condition``.
        :keyword match_condition: azure-core's :class:`~azure.core.MatchConditions`:
            ``IfNotModified`` deletes only if nobody changed the role since ``etag``.
        :raises ValueError: An empty ``role_id``, or an API version without the Roles API; nothing is sent.
        :raises ~azure.core.exceptions.ResourceNotFoundError: No such role.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why.
        """
        self._require_roles("delete_role")
        rid = role_id_checked(role_id)
        kwargs = repeatable_call(self._api_version, ROLE_OPERATIONS["delete_role"], kwargs)
        await self._roles.roles.delete_role(rid, etag=etag, match_condition=match_condition, **kwargs)

    # ----- Entra ID users (2025-03-02-preview) -----

    @distributed_trace_async
    @guarded_async
    async def get_token_for_entra_user(
        self, entra_token: str, **kwargs: Any
    ) -> tuple[CommunicationIdentifier, AccessToken]:
        """Exchange an Entra ID user's token for a Communication Services token (2025-03-02-preview).

        The call is authorised by ``entra_token`` itself (a bearer token for the "Azure
        Communication Services Clients" resource, e.g. scope
        ``https://communication.azure.com/clients/VoIP``), not by the client's credential. The
        service answers only when an Entra assignment covers the user (see
        :meth:`upsert_entra_assignment`) and lists the application the token was issued to.

        :param entra_token: The user's Entra ID access token.
        :return: The user's Communication Services identifier (its raw id has the form
            ``8:acs:<resource>_<tenant>_<object>``) and its token, expiring with the Entra token.
        :raises ValueError: An empty token, or an API version other than 2025-03-02-preview; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        entra.require(self._api_version, "get_token_for_entra_user")
        kwargs[TEAMS_PHONE_TOKEN_OPTION] = self._teams_phone_token(entra_token)
        result = await self._own.entra_id_token.exchange({}, **kwargs)
        return entra.exchange_result(result)

    @distributed_trace_async
    @guarded_async
    async def list_entra_assignments(self, **kwargs: Any) -> list[EntraAssignment]:
        """Every Entra assignment of the resource (2025-03-02-preview).

        :return: The assignments, as the service lists them.
        :raises ValueError: An API version other than 2025-03-02-preview; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        entra.require(self._api_version, "list_entra_assignments")
        listed = await self._own.entra_id_assignments.list(**kwargs)
        return [entra.assignment(item) for item in listed.value]

    @distributed_trace_async
    @guarded_async
    async def get_entra_assignment(self, object_id: str, **kwargs: Any) -> EntraAssignment:
        """Read the Entra assignment of a user, group or tenant (2025-03-02-preview).

        :param object_id: The Entra object id of the user or group, or the tenant id.
        :return: The assignment.
        :raises ValueError: An id that is not a GUID, or an API version other than 2025-03-02-preview;
            nothing is sent.
        :raises ~azure.core.exceptions.ResourceNotFoundError: No assignment for this object.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        entra.require(self._api_version, "get_entra_assignment")
        generated = await self._own.entra_id_assignment.get(entra.object_id(object_id), **kwargs)
        return entra.assignment(generated)

    @distributed_trace_async
    @guarded_async
    async def upsert_entra_assignment(
        self,
        object_id: str,
        *,
        tenant_id: str,
        principal_type: Union[str, EntraPrincipalType],
        client_ids: list[str],
        **kwargs: Any,
    ) -> EntraAssignment:
        """Create or replace the Entra assignment of a user, group or tenant (2025-03-02-preview).

        :param object_id: The Entra object id of the user or group; for ``tenant``, the tenant id.
        :keyword tenant_id: The Entra tenant id of the principal.
        :keyword principal_type: What ``object_id`` is: ``user``, ``group`` (its members) or
            ``tenant`` (everyone in it).
        :keyword client_ids: The Entra application (client) ids allowed to exchange the tokens of the
            principal's users; at least one.
        :return: The assignment as the service stored it.
        :raises ValueError: An id that is not a GUID, an unknown ``principal_type``, an empty
            ``client_ids``, a ``tenant`` assignment whose ``object_id`` is not its ``tenant_id``, or an
            API version other than 2025-03-02-preview; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        entra.require(self._api_version, "upsert_entra_assignment")
        oid = entra.object_id(object_id)
        body = entra.assignment_request(oid, tenant_id, principal_type, client_ids)
        generated = await self._own.entra_id_assignment.upsert(oid, body, **kwargs)
        return entra.assignment(generated)

    @distributed_trace_async
    @guarded_async
    async def update_entra_assignments(
        self,
        *,
        assignments: Iterable[EntraAssignment] = (),
        remove: Iterable[str] = (),
        **kwargs: Any,
    ) -> list[EntraAssignment]:
        """Create, replace and remove several Entra assignments in one request (2025-03-02-preview).

        .. code-block:: python

            from azure.communication.administration import EntraAssignment

            await client.update_entra_assignments(
                assignments=[EntraAssignment(object_id, tenant_id, "user", (client_id,))],
                remove=[old_object_id],
            )

        :keyword assignments: The assignments to create or replace.
        :keyword remove: The object ids whose assignments to remove.
        :return: The assignments the service reports for the update (none when it answers 204).
        :raises ValueError: An object id given twice, or any item's fields as
            :meth:`upsert_entra_assignment` checks them, or an API version other than
            2025-03-02-preview; nothing is sent.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        entra.require(self._api_version, "update_entra_assignments")
        body = entra.bulk_request(assignments, remove)
        updated = await self._own.entra_id_assignments.update(body, **kwargs)
        return [] if updated is None else [entra.assignment(item) for item in updated.value]

    @distributed_trace_async
    @guarded_async
    async def delete_entra_assignment(self, object_id: str, **kwargs: Any) -> None:
        """Remove the Entra assignment of a user, group or tenant (2025-03-02-preview).

        :param object_id: The Entra object id of the user or group, or the tenant id.
        :raises ValueError: An id that is not a GUID, or an API version other than 2025-03-02-preview;
            nothing is sent.
        :raises ~azure.core.exceptions.ResourceNotFoundError: No assignment for this object.
        :raises ~azure.core.exceptions.HttpResponseError: The service refused the request; its
            ``.error.code`` and ``.error.message`` say why (``ClientAuthenticationError`` for 401,
            ``ResourceNotFoundError`` for 404, both subclasses).
        """
        entra.require(self._api_version, "delete_entra_assignment")
        await self._own.entra_id_assignment.delete(entra.object_id(object_id), **kwargs)

    # ----- any operation -----

    def send_request(
        self, request: HttpRequest, *, stream: bool = False, **kwargs: Any
    ) -> Awaitable[AsyncHttpResponse]:
        """Send ``request`` through this client's pipeline, signed like every other call.

        For an operation that has no method here yet (one that a new API version adds).
        A relative URL is resolved against the endpoint; an absolute one must be on the
        endpoint. The ``api-version`` query parameter is not added: put it in the request
        (``params={"api-version": client.api_version.value}``). The response is returned
        whatever its status; call ``response.raise_for_status()`` to raise on errors. As in
        azure-core, the result is awaited (or used as ``async with`` when streaming).

        .. code-block:: python

            from azure.core.rest import HttpRequest

            request = HttpRequest("POST", "/identities", params={"api-version": client.api_version.value}, json={})
            response = await client.send_request(request)
            response.raise_for_status()
            print(response.json()["identity"]["id"])

        :param request: The request, e.g. ``HttpRequest("GET", "/identities/...")``.
        :keyword stream: Whether to stream the response body instead of reading it.
        :return: An awaitable of the response, azure-core's ``AsyncHttpResponse``.
        :raises ValueError: When ``request`` is not an ``HttpRequest`` or its URL is on another host.
        :raises RuntimeError: When the client is closed.
        """
        self._check_open()
        return self._rest.send_request(self._own_request(request), stream=stream, **kwargs)

    # ----- lifetime -----

    async def close(self) -> None:
        """Close the transport's connections; later calls raise ``RuntimeError``.

        The client is also an async context manager (``async with``), which closes it on exit.
        """
        self._closed = True
        transport = self._unbuilt_transport
        if transport is None:  # the generated clients share the transport: closing one closes it
            await self._built_clients[0].close()
        else:  # never used: nothing to build, only the transport to close, as the pipeline would
            await transport.close()

    async def __aenter__(self) -> Self:
        self._check_open()
        await self._rest.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self._closed = True
        transport = self._unbuilt_transport
        if transport is None:
            await self._built_clients[0].__aexit__(exc_type, exc, tb)
        else:
            await transport.__aexit__(exc_type, exc, tb)
