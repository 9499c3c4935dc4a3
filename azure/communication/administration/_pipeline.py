"""Everything a client needs before its first request: endpoint, credential, policies, transport.

Shared by the sync and the async client; only the bearer policy and the default
transport differ between the two.
"""

from __future__ import annotations

from typing import Any, Union

from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline.policies import (
    AsyncBearerTokenCredentialPolicy,
    AsyncRedirectPolicy,
    AsyncRetryPolicy,
    BearerTokenCredentialPolicy,
    ContentDecodePolicy,
    CustomHookPolicy,
    DistributedTracingPolicy,
    HeadersPolicy,
    HttpLoggingPolicy,
    ProxyPolicy,
    RedirectPolicy,
    RequestIdPolicy,
    RetryPolicy,
    UserAgentPolicy,
)

from ._auth import HMACCredentialPolicy, TeamsPhoneTokenPolicy
from ._logging import RedactingNetworkTraceLoggingPolicy
from ._version import VERSION

ENTRA_SCOPE = "https://communication.azure.com//.default"  # the double slash is real
SDK_MONIKER = f"communication-administration/{VERSION}"


def _is_token_credential(credential: Any) -> bool:
    return hasattr(credential, "get_token") or hasattr(credential, "get_token_info")


def auth_policy(endpoint: str, credential: Any, *, is_async: bool) -> Any:
    """HMAC for a key (``str`` or ``AzureKeyCredential``), bearer for a ``TokenCredential``."""
    if isinstance(credential, (str, AzureKeyCredential)):
        return HMACCredentialPolicy(endpoint, credential, for_async=is_async)
    if _is_token_credential(credential):
        policy = AsyncBearerTokenCredentialPolicy if is_async else BearerTokenCredentialPolicy
        return policy(credential, ENTRA_SCOPE)
    raise TypeError(
        "credential must be the access key (str), an AzureKeyCredential or a TokenCredential, "
        f"not {type(credential).__name__}."
    )


def build_policies(auth: Any, *, is_async: bool, **kwargs: Any) -> list[Any]:
    """The pipeline, in azure-core's usual order; auth runs per retry so each try is re-signed."""
    kwargs.setdefault("sdk_moniker", SDK_MONIKER)
    return [
        RequestIdPolicy(**kwargs),
        kwargs.get("headers_policy") or HeadersPolicy(**kwargs),
        kwargs.get("user_agent_policy") or UserAgentPolicy(**kwargs),
        kwargs.get("proxy_policy") or ProxyPolicy(**kwargs),
        ContentDecodePolicy(**kwargs),
        kwargs.get("redirect_policy") or (AsyncRedirectPolicy if is_async else RedirectPolicy)(**kwargs),
        kwargs.get("retry_policy") or (AsyncRetryPolicy if is_async else RetryPolicy)(**kwargs),
        auth,
        TeamsPhoneTokenPolicy(),
        CustomHookPolicy(**kwargs),
        RedactingNetworkTraceLoggingPolicy(**kwargs),
        DistributedTracingPolicy(**kwargs),
        kwargs.get("http_logging_policy") or HttpLoggingPolicy(**kwargs),
    ]


_TRANSPORT_KEYS = (
    "connection_timeout",
    "read_timeout",
    "connection_verify",
    "connection_cert",
    "connection_data_block_size",
    "use_env_settings",
)


def default_sync_transport(endpoint: str, kwargs: dict[str, Any]) -> Any:
    """Our urllib3 transport; a caller's own ``requests`` ``session`` keeps azure-core's transport."""
    options = {k: kwargs[k] for k in _TRANSPORT_KEYS if k in kwargs}
    if "session" in kwargs:
        from azure.core.pipeline.transport import RequestsTransport  # imports requests: only when asked for

        return RequestsTransport(session=kwargs["session"], **options)
    from ._transport import PooledTransport  # urllib3: loaded with the first client, not at import

    # Client-wide proxies go to the transport, which resolves them once; per-call ``proxies=`` still work.
    return PooledTransport(endpoint, proxies=kwargs.pop("proxies", None), **options)


def default_async_transport(kwargs: dict[str, Any]) -> Any:
    """azure-core's aiohttp transport with the environment read once per client; a caller's ``session`` keeps theirs."""
    if "session" in kwargs:
        from azure.core.pipeline.transport import AioHttpTransport

        return AioHttpTransport(**kwargs)
    from .aio._transport import EnvOnceAioHttpTransport  # aiohttp: loaded with the first async client

    options = {k: kwargs[k] for k in (*_TRANSPORT_KEYS, "loop") if k in kwargs}
    return EnvOnceAioHttpTransport(proxies=kwargs.pop("proxies", None), **options)


def client_kwargs(
    endpoint: str, credential: Union[str, AzureKeyCredential, Any], *, is_async: bool, **kwargs: Any
) -> dict[str, Any]:
    """Keyword arguments for a generated client: our policies and our transport."""
    auth = auth_policy(endpoint, credential, is_async=is_async)
    if "transport" not in kwargs:
        kwargs["transport"] = default_async_transport(kwargs) if is_async else default_sync_transport(endpoint, kwargs)
    kwargs["policies"] = build_policies(auth, is_async=is_async, **kwargs)
    return kwargs
