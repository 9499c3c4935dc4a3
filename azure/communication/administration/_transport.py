"""The sync client's default HTTP transport: kept-alive connections, settings fixed at construction.

azure-core's ``RequestsTransport`` spends most of a call's client-side CPU in
``requests.Session`` machinery: merging settings, scanning the environment for
proxies, netrc and CA bundles on every request, preparing the URL, cookies, the
adapter.  A client talks to one endpoint, so all of that has one answer, worked
out here once:

* proxies: ``proxies=`` given to the client or the call, else the environment's
  (``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), resolved the way requests
  resolves them (explicit ones win, environment fills in the scheme);
* TLS: certifi's CA bundle as requests uses it, or ``REQUESTS_CA_BUNDLE`` /
  ``CURL_CA_BUNDLE``, or ``connection_verify`` (``False``, a file or a folder),
  and ``connection_cert``; one ``SSLContext`` for every connection;
* timeouts: ``connection_timeout`` / ``read_timeout`` (also per call).

Two paths per request.  Direct (no proxy, no per-call TLS setting, not
streamed, body in memory): a pooled ``_http11`` connection to the origin, the
body read in one go.  Everything else: urllib3's pool managers (a
``ProxyManager`` per proxy).  Errors map onto azure-core's the way
``RequestsTransport`` maps them, so the retry policy sees the same thing:
``ServiceRequestError`` when nothing reached the service (safe to retry any
method), ``ServiceResponseError`` when it may have.
"""

from __future__ import annotations

import os
import ssl
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, Optional, Union
from urllib.parse import urlsplit

import urllib3
from azure.core.configuration import ConnectionConfiguration
from azure.core.exceptions import (
    IncompleteReadError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl import HttpResponseImpl
from requests.utils import (
    DEFAULT_CA_BUNDLE_PATH,
    get_auth_from_url,
    get_environ_proxies,
    prepend_scheme_if_needed,
    select_proxy,
)
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    InsecureRequestWarning,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import make_headers
from urllib3.util.ssl_ import create_urllib3_context

from . import _http11

Verify = Union[bool, str]
Cert = Union[None, str, "tuple[str, str]"]

_DEFAULT_TIMEOUT = 300.0  # azure-core's default for both connect and read
_POOL_SIZE = 10  # requests' default pool size, kept so threads sharing a client behave the same
_DIRECT_OPTIONS = frozenset({"stream", "connection_timeout", "read_timeout"})
_SEND_OPTIONS = frozenset(
    {"stream", "proxies", "connection_timeout", "read_timeout", "connection_verify", "connection_cert"}
)


class PooledResponse(HttpResponseImpl):
    """An ``azure.core.rest.HttpResponse`` over an ``_http11`` or a urllib3 response.

    Non-streamed responses arrive with their body already read and the
    connection back in its pool; streamed ones read from urllib3 on demand.
    """

    def __init__(
        self,
        request: HttpRequest,
        internal: Union[_http11.RawResponse, urllib3.BaseHTTPResponse],
        block_size: int,
        read: bool,
    ) -> None:
        headers = internal.headers
        super().__init__(
            request=request,
            internal_response=internal,
            block_size=block_size,
            status_code=internal.status,
            reason=internal.reason or "",
            content_type=headers.get("Content-Type"),
            headers=headers,
            stream_download_generator=_stream_download,
        )
        if read:
            self._content = internal.data
            self._is_stream_consumed = True
            self._is_closed = True


def _stream_download(
    pipeline: Any = None, response: Optional[PooledResponse] = None, *, decompress: bool = True, **_: Any
) -> Iterator[bytes]:
    """The ``stream_download_generator`` azure-core's response objects expect."""
    if response is None:
        raise ValueError("stream download needs the response")
    internal = response.internal_response
    try:
        yield from internal.stream(response._block_size, decode_content=decompress)
    except (ProtocolError, ReadTimeoutError) as exc:
        raise IncompleteReadError(exc, error=exc) from exc
    finally:
        internal.release_conn()


class PooledTransport(HttpTransport[HttpRequest, PooledResponse]):
    """Sync transport with proxy and TLS settings fixed at construction; see the module docstring.

    :param endpoint: the service endpoint the client talks to; proxy settings are resolved for it.
    :keyword float connection_timeout: seconds to connect (default 300).
    :keyword float read_timeout: seconds between bytes of the response (default 300).
    :keyword connection_verify: ``True`` (default), ``False``, or a CA bundle file or folder.
    :keyword connection_cert: client certificate file, or ``(cert_file, key_file)``.
    :keyword int connection_data_block_size: chunk size when a response is streamed.
    :keyword bool use_env_settings: read proxies and CA bundle from the environment (default ``True``).
    :keyword dict proxies: proxies for every request, as requests spells them (``{"https": url}``).
    """

    def __init__(self, endpoint: str, **kwargs: Any) -> None:
        use_env = kwargs.pop("use_env_settings", True)
        self._proxies: dict[str, str] = dict(kwargs.pop("proxies", None) or {})
        if use_env:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if bundle and "connection_verify" not in kwargs:
                kwargs["connection_verify"] = bundle
        self.connection_config = ConnectionConfiguration(
            connection_timeout=kwargs.pop("connection_timeout", _DEFAULT_TIMEOUT),
            read_timeout=kwargs.pop("read_timeout", _DEFAULT_TIMEOUT),
            connection_verify=kwargs.pop("connection_verify", True),
            connection_cert=kwargs.pop("connection_cert", None),
            connection_data_block_size=kwargs.pop("connection_data_block_size", 4096),
        )
        if kwargs:
            raise TypeError(f"unexpected transport keyword argument(s): {', '.join(sorted(kwargs))}")
        self._use_env = use_env
        self._endpoint_origin = _origin(endpoint)
        self._env_proxies = get_environ_proxies(endpoint) if use_env else {}
        self._proxy_for: dict[tuple[str, tuple[tuple[str, str], ...]], Optional[str]] = {}
        self._managers: dict[tuple[Optional[str], Any, Any], urllib3.PoolManager] = {}
        self._timeouts: dict[tuple[Any, Any], urllib3.Timeout] = {}
        self._ssl_contexts: dict[tuple[Any, Any], ssl.SSLContext] = {}
        self._direct: dict[str, Optional[_ConnectionPool]] = {}
        # Worked out now, so a bad proxy or TLS setting fails at construction, not on the first call.
        pool = self._direct[_split_target(endpoint)[0]] = self._direct_pool(endpoint)
        if pool is None:
            self._manager(self._proxy(endpoint, None), self.connection_config.verify, self.connection_config.cert)

    # ----- per request -----

    def send(self, request: HttpRequest, **kwargs: Any) -> PooledResponse:
        unexpected = kwargs.keys() - _SEND_OPTIONS
        if unexpected:
            raise TypeError(f"unexpected keyword argument(s) for the request: {', '.join(sorted(unexpected))}")
        config = self.connection_config
        timeout = self._timeout(
            kwargs.get("connection_timeout", config.timeout), kwargs.get("read_timeout", config.read_timeout)
        )
        url = request.url
        if not kwargs.keys() - _DIRECT_OPTIONS and not kwargs.get("stream"):
            # The common case: no per-call proxy, TLS or streaming setting. Straight to a pooled connection.
            origin, target = _split_target(url)
            pool = self._direct.get(origin, _UNKNOWN)
            if pool is _UNKNOWN:
                pool = self._direct[origin] = self._direct_pool(url)
            body = _body(request)
            if pool is not None and (body is None or isinstance(body, bytes)):
                internal = pool.send(request.method, target, body, request.headers, timeout)
                return PooledResponse(request, internal, config.data_block_size, read=True)
        return self._send_via_manager(request, timeout, **kwargs)

    def _direct_pool(self, url: str) -> Optional[_ConnectionPool]:
        """A connection pool for the URL's origin, or None when it goes through a proxy."""
        if self._proxy(url, None) is not None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"cannot send a request to {url!r}: not an http(s) URL with a host")
        config = self.connection_config
        context = None
        if parts.scheme == "https":
            context = self._ssl_context(config.verify, config.cert)
            if config.verify is False:  # as urllib3 and requests do, so the usual warning filters apply
                warnings.warn(
                    f"connection_verify=False: the certificate of {parts.hostname} is not checked",
                    InsecureRequestWarning,
                    stacklevel=2,
                )
        return _ConnectionPool(parts.scheme, parts.hostname, parts.port, context)

    def _send_via_manager(self, request: HttpRequest, timeout: urllib3.Timeout, **kwargs: Any) -> PooledResponse:
        """Proxies, per-call TLS settings and streamed responses: urllib3's pool managers."""
        config = self.connection_config
        stream = bool(kwargs.get("stream"))
        url = request.url
        manager = self._manager(
            self._proxy(url, kwargs.get("proxies")),
            kwargs.get("connection_verify", config.verify),
            kwargs.get("connection_cert", config.cert),
        )
        try:
            internal = manager.urlopen(
                request.method,
                url,
                body=_body(request),
                headers=request.headers,
                redirect=False,
                retries=False,
                preload_content=not stream,
                timeout=timeout,
            )
        except ReadTimeoutError as exc:
            raise ServiceResponseTimeoutError(exc, error=exc) from exc
        except NewConnectionError as exc:  # before ConnectTimeoutError, which it subclasses
            raise ServiceRequestError(exc, error=exc) from exc
        except ConnectTimeoutError as exc:
            raise ServiceRequestTimeoutError(exc, error=exc) from exc
        except (SSLError, ProxyError) as exc:  # the request never reached the service
            raise ServiceRequestError(exc, error=exc) from exc
        except HTTPError as exc:  # e.g. ProtocolError: the connection broke after the request may have gone out
            raise ServiceResponseError(exc, error=exc) from exc
        return PooledResponse(request, internal, config.data_block_size, read=not stream)

    def _proxy(self, url: str, explicit: Optional[Mapping[str, str]]) -> Optional[str]:
        """The proxy URL for this request, or None; memoised per origin and explicit setting."""
        explicit = explicit if explicit is not None else self._proxies
        origin = _origin(url)
        key = (origin, tuple(sorted(explicit.items())) if explicit else ())
        try:
            return self._proxy_for[key]
        except KeyError:
            pass
        merged = dict(explicit)
        if self._use_env:
            env = self._env_proxies if origin == self._endpoint_origin else get_environ_proxies(url)
            scheme = urlsplit(url).scheme
            env_proxy = env.get(scheme, env.get("all"))
            if env_proxy and "no_proxy" not in explicit:
                merged.setdefault(scheme, env_proxy)
        proxy = select_proxy(url, merged)
        self._proxy_for[key] = proxy
        return proxy

    def _manager(self, proxy: Optional[str], verify: Verify, cert: Cert) -> urllib3.PoolManager:
        key = (proxy, verify, cert)
        try:
            return self._managers[key]
        except KeyError:
            pass
        options: dict[str, Any] = {
            "num_pools": _POOL_SIZE,
            "maxsize": _POOL_SIZE,
            "ssl_context": self._ssl_context(verify, cert),
        }
        if verify is False:
            options["cert_reqs"] = "CERT_NONE"
        manager: urllib3.PoolManager
        if proxy is None:
            manager = urllib3.PoolManager(**options)
        else:
            proxy = prepend_scheme_if_needed(proxy, "http")
            username, password = get_auth_from_url(proxy)
            if proxy.lower().startswith("socks"):
                try:
                    from urllib3.contrib.socks import SOCKSProxyManager
                except ImportError:
                    raise ServiceRequestError(
                        "a SOCKS proxy is configured; install PySocks (pip install 'urllib3[socks]') to use it"
                    ) from None
                manager = SOCKSProxyManager(proxy, username=username or None, password=password or None, **options)
            else:
                headers = make_headers(proxy_basic_auth=f"{username}:{password}") if username else None
                manager = urllib3.ProxyManager(proxy, proxy_headers=headers, **options)
        self._managers[key] = manager
        return manager

    def _ssl_context(self, verify: Verify, cert: Cert) -> ssl.SSLContext:
        key = (verify, cert)
        context = self._ssl_contexts.get(key)
        if context is None:
            context = self._ssl_contexts[key] = _new_ssl_context(verify, cert)
        return context

    def _timeout(self, connect: Any, read: Any) -> urllib3.Timeout:
        key = (connect, read)
        timeout = self._timeouts.get(key)
        if timeout is None:
            if isinstance(connect, tuple):  # requests' (connect, read) form, still accepted
                connect, read = connect
            timeout = self._timeouts[key] = urllib3.Timeout(connect=connect, read=read)
        return timeout

    # ----- lifetime -----

    def open(self) -> None:
        """Nothing to open: pools are made on demand, also after ``close()`` (as azure-core's transports do)."""

    def close(self) -> None:
        pools, self._direct = self._direct, {}
        for pool in pools.values():
            if pool is not None:
                pool.clear()
        managers, self._managers = self._managers, {}
        for manager in managers.values():
            manager.clear()

    def __enter__(self) -> PooledTransport:
        self.open()
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


_UNKNOWN: Any = object()


class _ConnectionPool:
    """Kept-alive connections to one origin, most recently used first; no proxy.

    Connections come from ``_http11``; a connection the server closed while it
    sat idle is dropped before use, and one found closed on use is replaced and
    the request sent once more (nothing was processed on it).
    """

    def __init__(self, scheme: str, host: str, port: Optional[int], context: Optional[ssl.SSLContext]) -> None:
        default_port = 443 if scheme == "https" else 80
        self._host, self._port = host, port or default_port
        self._host_header = _http11.host_header(host, self._port, default_port)
        self._context = context
        self._idle: list[_http11.Connection] = []

    def send(
        self, method: str, target: str, body: Optional[bytes], headers: Mapping[str, str], timeout: urllib3.Timeout
    ) -> _http11.RawResponse:
        """One request and its whole response; the connection goes back to the pool after."""
        head = _http11.request_head(method, target, self._host_header, headers, body)  # checked before connecting
        conn = None
        while self._idle:
            candidate = self._idle.pop()
            if candidate.is_usable():
                conn = candidate
                break
            candidate.close()
        read_timeout = urllib3.Timeout.resolve_default_timeout(timeout.read_timeout)
        for _ in range(2):
            if conn is None:
                conn = self._connect(urllib3.Timeout.resolve_default_timeout(timeout.connect_timeout))
            try:
                response = conn.exchange(method, head, body, read_timeout)
            except _http11.StaleConnection:
                conn = None  # once more, on a new connection
                continue
            except _http11.ResponseTimedOut as exc:
                raise ServiceResponseTimeoutError(str(exc), error=exc) from exc
            except _http11.ResponseFailed as exc:
                raise ServiceResponseError(str(exc), error=exc) from exc
            if conn.is_open and len(self._idle) < _POOL_SIZE:
                self._idle.append(conn)
            else:
                conn.close()
            return response
        raise ServiceResponseError("the server closed two connections in a row without answering")

    def _connect(self, timeout: Optional[float]) -> _http11.Connection:
        conn = _http11.Connection(self._host, self._port, self._host_header, self._context)
        try:
            conn.connect(timeout)
        except _http11.ConnectTimedOut as exc:
            raise ServiceRequestTimeoutError(str(exc), error=exc) from exc
        except _http11.ConnectFailed as exc:
            raise ServiceRequestError(str(exc), error=exc) from exc
        return conn

    def clear(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _split_target(url: str) -> tuple[str, str]:
    """``("http://host:port", "/path?query")`` without parsing the whole URL."""
    start = url.find("//") + 2
    end = len(url)
    for mark in "/?#":
        found = url.find(mark, start)
        if 0 <= found < end:
            end = found
    target = url[end:].partition("#")[0]
    if not target.startswith("/"):
        target = "/" + target
    return url[:end], target


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _body(request: HttpRequest) -> Any:
    """The request body as urllib3 takes it: bytes for text (UTF-8, as signed), streams as they are."""
    content = request.content
    if isinstance(content, str):
        return content.encode("utf-8")
    return content


def _new_ssl_context(verify: Verify, cert: Cert) -> ssl.SSLContext:
    """One TLS context per setting: CA bundle loaded once, not per connection."""
    context = create_urllib3_context()
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        bundle = DEFAULT_CA_BUNDLE_PATH if verify is True else verify
        if not isinstance(bundle, str) or not os.path.exists(bundle):
            raise ValueError(f"connection_verify must be True, False or an existing CA bundle path, not {verify!r}")
        if os.path.isdir(bundle):
            context.load_verify_locations(capath=bundle)
        else:
            context.load_verify_locations(cafile=bundle)
    if cert:
        cert_file, key_file = (cert, None) if isinstance(cert, str) else cert
        context.load_cert_chain(cert_file, key_file)
    return context
