"""Redirects never downgrade to plain HTTP.

azure-core's redirect policy follows a 307/308 wherever it points, and the authentication
policy runs after it, so a redirect from ``https://`` to ``http://`` (on the same host, where
``SensitiveHeaderCleanupPolicy`` keeps the credential) would send a freshly signed request in
plaintext. azure-core refuses that for bearer tokens (its bearer policy raises on any
non-https URL); these policies refuse it for every credential, through the redirect policy's
own hook, before anything is sent to the downgraded URL. A relative location, or one on
https, is followed as before; an http endpoint (the local service) redirects as it likes.
"""

from __future__ import annotations

from typing import Any, Literal, Union
from urllib.parse import urlsplit

from azure.core.exceptions import HttpResponseError
from azure.core.pipeline import PipelineResponse
from azure.core.pipeline.policies import AsyncRedirectPolicy, RedirectPolicy

__all__ = ["AsyncNoDowngradeRedirectPolicy", "NoDowngradeRedirectPolicy", "redirect_policy"]


def _refuse_downgrade(response: PipelineResponse[Any, Any], location: Union[str, Literal[False], None]) -> None:
    if not location:
        return
    origin = response.http_request.url
    target = urlsplit(location)
    if urlsplit(origin).scheme.lower() == "https" and target.scheme.lower() == "http":
        shown = f"http://{target.netloc}{target.path}"  # not the query: it is the service's to say
        raise HttpResponseError(
            message=(
                f"The service redirected an https request to {shown} (plain HTTP); the redirect is refused, "
                "since the request would carry the client's credential and body unencrypted. "
                "Use the service's https URL, or fix the redirect on the server."
            ),
            response=response.http_response,
        )


class NoDowngradeRedirectPolicy(RedirectPolicy):  # type: ignore[type-arg]
    """azure-core's ``RedirectPolicy``, refusing an https -> http redirect with ``HttpResponseError``."""

    def get_redirect_location(self, response: PipelineResponse[Any, Any]) -> Union[str, Literal[False], None]:
        location: Union[str, Literal[False], None] = super().get_redirect_location(response)
        _refuse_downgrade(response, location)
        return location


class AsyncNoDowngradeRedirectPolicy(AsyncRedirectPolicy):  # type: ignore[type-arg]
    """azure-core's ``AsyncRedirectPolicy``, refusing an https -> http redirect with ``HttpResponseError``."""

    def get_redirect_location(self, response: PipelineResponse[Any, Any]) -> Union[str, Literal[False], None]:
        location: Union[str, Literal[False], None] = super().get_redirect_location(response)
        _refuse_downgrade(response, location)
        return location


def redirect_policy(*, is_async: bool, **kwargs: Any) -> Any:
    """The redirect policy for the generated client's ``redirect_policy`` hook."""
    return AsyncNoDowngradeRedirectPolicy(**kwargs) if is_async else NoDowngradeRedirectPolicy(**kwargs)
