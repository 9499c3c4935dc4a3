"""Everything a client needs before its first request: endpoint, credential, policies, transport.

Shared by the sync and the async client; only the bearer policy and the default
transport differ between the two.

The pipeline itself is the generated client's, which is azure-core's usual one:
our policies go in through its hooks (``authentication_policy``,
``logging_policy``, ``http_logging_policy``), never as a whole ``policies=``
list, so every policy azure-core puts in a client (``SensitiveHeaderCleanupPolicy``,
which drops ``Authorization`` on a redirect to another host, and any added later)
stays in place.
"""

from __future__ import annotations

from typing import Any, Union

from azure.core.credentials import AzureKeyCredential

from ._auth import AsyncBearerPolicy, BearerPolicy, HMACCredentialPolicy
from ._logging import RedactingNetworkTraceLoggingPolicy, UntracedHttpLoggingPolicy
from ._redirect import redirect_policy
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
        policy = AsyncBearerPolicy if is_async else BearerPolicy
        return policy(credential, ENTRA_SCOPE)
    raise TypeError(
        "credential must be the access key (str), an AzureKeyCredential or a TokenCredential, "
        f"not {type(credential).__name__}."
    )


def policy_hooks(auth: Any, **kwargs: Any) -> dict[str, Any]:
    """Our policies, keyed by the hook of the generated client (and azure-core) that places each.

    ``authentication_policy`` sits after the redirect and retry policies, so each
    try and each redirected request is signed again over the bytes it sends.
    ``logging_policy`` replaces azure-core's network trace, which would log
    secrets; a caller's own ``logging_policy`` is ignored for the same reason.
    A caller's ``http_logging_policy`` (like every other azure-core policy
    keyword) is kept.
    """
    secrets = getattr(auth, "known_secrets", None) or _no_secrets  # the key, for the logs to scrub
    hooks: dict[str, Any] = {
        "authentication_policy": auth,
        "logging_policy": RedactingNetworkTraceLoggingPolicy(secrets=secrets, **kwargs),
    }
    if kwargs.get("http_logging_policy") is None:
        hooks["http_logging_policy"] = UntracedHttpLoggingPolicy(secrets=secrets, **kwargs)
    return hooks


def _no_secrets() -> tuple[str, ...]:
    return ()


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
    """Everything a client checks at construction: its credential's policy and its transport.

    Run by the constructor, so a bad argument fails there; the rest of the pipeline is
    made by :func:`generated_kwargs` when the client first needs it.
    """
    if "policies" in kwargs:
        raise TypeError(
            "policies= would replace the whole pipeline, the client's authentication included; "
            "add policies with per_call_policies= or per_retry_policies= instead."
        )
    auth = auth_policy(endpoint, credential, is_async=is_async)
    kwargs.setdefault("sdk_moniker", SDK_MONIKER)
    if kwargs.get("redirect_policy") is None:  # a caller's own is kept, like every policy keyword
        kwargs["redirect_policy"] = redirect_policy(is_async=is_async, **kwargs)
    if "transport" not in kwargs:
        kwargs["transport"] = default_async_transport(kwargs) if is_async else default_sync_transport(endpoint, kwargs)
    kwargs["authentication_policy"] = auth
    return kwargs


def generated_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for a generated client: ``kwargs`` of :func:`client_kwargs` and our logging hooks."""
    options = {k: v for k, v in kwargs.items() if k != "authentication_policy"}
    return {**kwargs, **policy_hooks(kwargs["authentication_policy"], **options)}
