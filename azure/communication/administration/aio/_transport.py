"""The async client's default transport: azure-core's aiohttp transport, environment read once per client.

With ``trust_env=True`` (azure-core's default) aiohttp looks in the environment on
every request, each time in a worker thread: once for a proxy (``HTTP(S)_PROXY``,
``NO_PROXY``), once for ``~/.netrc`` credentials.  Those two thread hand-offs were
the biggest part of the async client's CPU per call.  Here the session is opened
with ``trust_env=False`` and the proxy is resolved once per origin, the way the sync
transport resolves it (``proxies=`` first, then the environment), and handed to
aiohttp with each request.  ``.netrc`` is not consulted (the sync transport never
did: a service request always carries its own ``Authorization``).

A CA bundle path or client certificate (``connection_verify`` / ``connection_cert``, or the
environment's ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, ``SSL_CERT_FILE``) becomes one shared
``SSLContext`` on the session's connector, instead of azure-core building a new context (and reading the bundle)
per request.  Requests are still written and responses read by aiohttp.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Optional

import aiohttp
from azure.core.pipeline.transport import AioHttpTransport
from azure.core.rest import AsyncHttpResponse, HttpRequest

from .._transport import ProxyResolver, env_ca_bundle, shared_ssl_context


class EnvOnceAioHttpTransport(AioHttpTransport):  # type: ignore[misc]  # azure-core exports it lazily, untyped
    """``AioHttpTransport`` with proxy and TLS settings resolved once; see the module docstring.

    :keyword bool use_env_settings: read proxies and the CA bundle from the environment (default ``True``).
    :keyword dict proxies: proxies for every request, as requests spells them (``{"https": url}``).
    :keyword connection_verify: ``True`` (default), ``False``, or a CA bundle file or folder.
    :keyword connection_cert: client certificate file, or ``(cert_file, key_file)``.

    Other keywords are ``AioHttpTransport``'s.
    """

    def __init__(self, **kwargs: Any) -> None:
        use_env = kwargs.get("use_env_settings", True)
        self._proxy = ProxyResolver(kwargs.pop("proxies", None), use_env)
        verify = kwargs.pop("connection_verify", None)
        if verify is None and use_env:
            verify = env_ca_bundle()  # REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE: the first set
        cert = kwargs.pop("connection_cert", None)
        self._tls: Optional[tuple[Any, Any]] = None
        if isinstance(verify, str) or cert:
            # Ours, on the connector; azure-core sees verify=True and leaves it alone.
            self._tls = (True if verify is None else verify, tuple(cert) if isinstance(cert, list) else cert)
        elif verify is False:
            kwargs["connection_verify"] = False
        super().__init__(**kwargs)
        self._opened = False

    async def open(self) -> None:
        if self.session is None and not self._opened:  # type: ignore[has-type]
            connector = None
            if self._tls is not None:
                connector = aiohttp.TCPConnector(ssl=shared_ssl_context(*self._tls))
            self.session = aiohttp.ClientSession(
                trust_env=False, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False, connector=connector
            )
        self._opened = True
        await super().open()

    async def send(
        self,
        request: HttpRequest,
        *,
        stream: bool = False,
        proxies: Optional[MutableMapping[str, str]] = None,
        **config: Any,
    ) -> AsyncHttpResponse:
        if "proxy" not in config:
            proxy = self._proxy(request.url, proxies)
            if proxy is not None:
                config["proxy"] = proxy  # aiohttp takes the credentials from the URL (Proxy-Authorization)
        response: AsyncHttpResponse = await super().send(request, stream=stream, **config)
        return response
