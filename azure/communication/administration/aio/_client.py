"""The asynchronous ``CommunicationIdentityClient`` (``aio``); mirrors the sync client."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Optional, Union

from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.core.tracing.decorator_async import distributed_trace_async
from typing_extensions import Self

from .._api_versions import ApiVersion
from .._auth import TEAMS_PHONE_TOKEN_OPTION
from .._base import IdentityClientBase, UserInput, access_token, user_id, utc_now
from .._generated.ga.aio import IdentityRestClient
from .._generated.preview2020.aio import IdentityPreview2020RestClient
from .._identifiers import CommunicationIdentifier, CommunicationUserIdentifier
from .._models import CommunicationIdentityToken, TeamsExtensionAssignment, TeamsExtensionPrincipalType
from .._scopes import ScopesInput

__all__ = ["CommunicationIdentityClient"]


class CommunicationIdentityClient(IdentityClientBase):
    """Creates and deletes Communication Services users and issues and revokes their tokens.

    :param endpoint: The resource endpoint, e.g. ``https://<resource>.communication.azure.com``.
        Its scheme is kept (``http://`` stays http, for the local service); no scheme means https.
    :param credential: The resource's base64 access key as a ``str``, an ``AzureKeyCredential``,
        or a ``TokenCredential`` (Entra ID; scope ``https://communication.azure.com//.default``).
    :keyword api_version: One of :class:`ApiVersion`; default: the newest GA version.
        What a version cannot do fails locally, before any request.
    :keyword kwargs: Any azure-core client keyword (``transport``, ``retry_total``,
        ``logging_enable``, ``headers``, ``connection_verify``, ``user_agent``, ...).

    .. code-block:: python

        from azure.communication.administration import CommunicationIdentityClient

        from azure.communication.administration.aio import CommunicationIdentityClient

        async with CommunicationIdentityClient.from_connection_string(conn_str) as client:
            user = await client.create_user()
            token = await client.get_token(user, scopes=["chat"])
            await client.delete_user(user)
    """

    # Fix (tests/client/test_public_surface.py): this assignment used to come before the
    # string above, which then was not the class docstring (__doc__ was None).
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
        layer = IdentityPreview2020RestClient if self._is_preview else IdentityRestClient
        self._rest: Any = layer(self._endpoint, api_version=self._api_version.value, **self._client_kwargs)

    # ----- the 2020 preview surface -----

    @distributed_trace_async
    async def create_user(self, **kwargs: Any) -> CommunicationUserIdentifier:
        """Create a new user; its id is ``.identifier`` (also ``.raw_id``)."""
        if self._is_preview:
            created = await self._rest.communication_identity.create(**kwargs)
            return CommunicationUserIdentifier(created.id)
        user, _ = self._user_and_token(await self._rest.communication_identity.create(**kwargs))
        return user

    @distributed_trace_async
    async def delete_user(self, communication_user: UserInput, **kwargs: Any) -> None:
        """Delete a user and revoke all of its tokens."""
        await self._rest.communication_identity.delete(user_id(communication_user, "communication_user"), **kwargs)

    @distributed_trace_async
    async def issue_token(self, user: UserInput, scopes: ScopesInput, **kwargs: Any) -> CommunicationIdentityToken:
        """Issue a token (the 2020 name and result type; see :meth:`get_token` for ``AccessToken``)."""
        uid = user_id(user)
        if self._is_preview:
            body = self._preview_token_request(scopes)
            return self._identity_token(uid, await self._rest.communication_identity.issue_token(uid, body, **kwargs))
        body = self._ga_token_request(scopes, None)
        return self._identity_token(
            uid, await self._rest.communication_identity.issue_access_token(uid, body, **kwargs)
        )

    @distributed_trace_async
    async def revoke_tokens(self, user: UserInput, issued_before: Optional[datetime] = None, **kwargs: Any) -> None:
        """Revoke a user's tokens.

        On ``2020-07-20-preview2``, tokens issued before ``issued_before`` (default: now).
        On GA versions every token is revoked, and ``issued_before`` must be left out.
        """
        uid = user_id(user)
        body = self._revoke_body(issued_before, utc_now())
        if self._is_preview:
            await self._rest.communication_identity.update(uid, body, **kwargs)
        else:
            await self._rest.communication_identity.revoke_access_tokens(uid, **kwargs)

    # ----- the modern surface -----

    @distributed_trace_async
    async def create_user_and_token(
        self, scopes: ScopesInput, *, token_expires_in: Optional[timedelta] = None, **kwargs: Any
    ) -> tuple[CommunicationUserIdentifier, AccessToken]:
        """Create a user and issue it a token, in one call (two on the 2020 preview)."""
        if self._is_preview:
            body = self._preview_token_request(scopes, token_expires_in)
            user = await self.create_user(**kwargs)
            result = await self._rest.communication_identity.issue_token(user.raw_id, body, **kwargs)
            return user, access_token(result)
        request = self._ga_create_request(scopes, token_expires_in)
        return self._created_with_token(await self._rest.communication_identity.create(request, **kwargs))

    @distributed_trace_async
    async def get_token(
        self,
        user: UserInput,
        scopes: ScopesInput,
        *,
        token_expires_in: Optional[timedelta] = None,
        **kwargs: Any,
    ) -> AccessToken:
        """Issue a token; ``token_expires_in`` is 60 minutes to 24 hours, whole minutes (2022-10-01+)."""
        uid = user_id(user)
        if self._is_preview:
            body = self._preview_token_request(scopes, token_expires_in)
            token = await self._rest.communication_identity.issue_token(uid, body, **kwargs)
            return access_token(token)
        body = self._ga_token_request(scopes, token_expires_in)
        generated = await self._rest.communication_identity.issue_access_token(uid, body, **kwargs)
        return access_token(generated)

    @distributed_trace_async
    async def get_token_for_teams_user(
        self, aad_token: str, client_id: str, user_object_id: str, **kwargs: Any
    ) -> AccessToken:
        """Exchange a Teams user's Entra token for a Communication Services token (2022-06-01+)."""
        body = self._teams_user_request(aad_token, client_id, user_object_id)
        generated = await self._rest.teams_user.exchange_teams_user_access_token(body, **kwargs)
        return access_token(generated)

    @distributed_trace_async
    async def get_token_for_teams_phone_user(
        self, entra_token: str, **kwargs: Any
    ) -> tuple[CommunicationIdentifier, AccessToken]:
        """Exchange a Teams Phone user's Entra token (2025-06-30+).

        The call is authorised by ``entra_token`` itself, not by the client's credential.
        Returns the user's identifier (a ``TeamsExtensionUserIdentifier``) and its token.
        """
        self._require_teams_phone("get_token_for_teams_phone_user")
        kwargs[TEAMS_PHONE_TOKEN_OPTION] = self._teams_phone_token(entra_token)
        result = await self._rest.teams_extension.exchange_token({}, **kwargs)
        return self._teams_phone_result(result)

    @distributed_trace_async
    async def get_teams_extension_assignment(
        self, tenant_id: str, object_id: str, **kwargs: Any
    ) -> TeamsExtensionAssignment:
        """Read which applications may exchange Teams Phone tokens for an object (2025-06-30+)."""
        self._require_teams_phone("get_teams_extension_assignment")
        tenant_id, object_id = self._assignment_key(tenant_id, object_id)
        generated = await self._rest.teams_extension.get_assignment(tenant_id, object_id, **kwargs)
        return self._assignment(generated, tenant_id, object_id)

    @distributed_trace_async
    async def upsert_teams_extension_assignment(
        self,
        tenant_id: str,
        object_id: str,
        *,
        principal_type: Union[str, TeamsExtensionPrincipalType],
        client_ids: list[str],
        **kwargs: Any,
    ) -> TeamsExtensionAssignment:
        """Create or replace a Teams Phone assignment (2025-06-30+)."""
        body = self._assignment_request(principal_type, client_ids)
        tenant_id, object_id = self._assignment_key(tenant_id, object_id)
        generated = await self._rest.teams_extension.upsert_assignment(tenant_id, object_id, body, **kwargs)
        return self._assignment(generated, tenant_id, object_id)

    @distributed_trace_async
    async def delete_teams_extension_assignment(self, tenant_id: str, object_id: str, **kwargs: Any) -> None:
        """Remove a Teams Phone assignment (2025-06-30+)."""
        self._require_teams_phone("delete_teams_extension_assignment")
        tenant_id, object_id = self._assignment_key(tenant_id, object_id)
        await self._rest.teams_extension.delete_assignment(tenant_id, object_id, **kwargs)

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

            request = HttpRequest("POST", "/identities", params={"api-version": "2026-09-23"}, json={})
            response = await client.send_request(request)
            response.raise_for_status()
            print(response.json()["identity"]["id"])

        :param request: The request, e.g. ``HttpRequest("GET", "/identities/...")``.
        :keyword stream: Whether to stream the response body instead of reading it.
        :return: An awaitable of the response, azure-core's ``AsyncHttpResponse``.
        :raises ValueError: When ``request`` is not an ``HttpRequest`` or its URL is on another host.
        """
        return self._rest.send_request(self._own_request(request), stream=stream, **kwargs)  # type: ignore[no-any-return]

    # ----- lifetime -----

    async def close(self) -> None:
        """Close the transport's connections."""
        await self._rest.close()

    async def __aenter__(self) -> Self:
        await self._rest.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self._rest.__aexit__(exc_type, exc, tb)
