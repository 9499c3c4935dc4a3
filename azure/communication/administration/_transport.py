"""The sync client's default HTTP transport: urllib3 connection pools, settings worked out once.

azure-core's ``RequestsTransport`` spends most of a call's client-side CPU in
``requests.Session`` machinery: merging settings, scanning the environment for
proxies, netrc and CA bundles on every request, preparing the URL, cookies, the
adapter.  A client talks to one endpoint, so all of that has one answer, worked
out once per client, on its first request (so that building a client costs
next to nothing):

* proxies: ``proxies=`` given to the client or the call, else the environment's
  (``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), resolved the way requests
  resolves them (explicit ones win, environment fills in the scheme);
* TLS: ``connection_verify`` (``False``, a file or a folder), else the first of
  ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE`` and ``SSL_CERT_FILE`` that is set
  (:func:`env_ca_bundle`), else certifi's CA bundle as requests uses it,
  and ``connection_cert``.  The ``SSLContext`` (with the CA bundle loaded) is
  built once per process per distinct setting, the first time a connection
  needs it, and shared by every client;
* timeouts: ``connection_timeout`` / ``read_timeout`` (also per call).

Requests are written and responses parsed by urllib3 (and ``http.client`` under
it): kept-alive urllib3 ``HTTPConnection``s per origin when no proxy applies and
the body is in memory (the common case, see ``_OriginPool``), urllib3's pool
managers (a ``ProxyManager`` per proxy) for proxies, per-call TLS settings and
streamed responses.  urllib3's own retries and redirects are off: azure-core's
policies do both.  Errors map onto azure-core's
the way ``RequestsTransport`` maps them, so the retry policy sees the same
thing: ``ServiceRequestError`` when nothing reached the service (safe to retry
any method), ``ServiceResponseError`` when it may have.  One deliberate
difference: a read timeout in the middle of a body is a
``ServiceResponseTimeoutError`` (as with azure-core's aiohttp transport), not
the ``ServiceRequestError`` requests' wrapping yields, so a POST the service
already processed is not sent again.
"""

from __future__ import annotations

import codecs
import http.client
import json
import os
import re
import ssl
import threading
import warnings
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, Optional, Union, cast
from urllib.parse import urlsplit

import urllib3
from azure.core.configuration import ConnectionConfiguration
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    IncompleteReadError,
    ResponseNotReadError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
    StreamClosedError,
    StreamConsumedError,
)
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest, HttpResponse
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    InsecureRequestWarning,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import Retry, create_urllib3_context, make_headers

Verify = Union[bool, str]
Cert = Union[None, str, "tuple[str, str]"]

_DEFAULT_TIMEOUT = 300.0  # azure-core's default for both connect and read
_POOL_SIZE = 10  # requests' default pool size, kept so threads sharing a client behave the same
_DIRECT_OPTIONS = frozenset({"stream", "connection_timeout", "read_timeout"})
_SEND_OPTIONS = frozenset(
    {"stream", "proxies", "connection_timeout", "read_timeout", "connection_verify", "connection_cert"}
)
# urllib3 retries and redirects nothing: azure-core's RetryPolicy and RedirectPolicy do.
_NO_RETRIES = Retry(total=False, redirect=False, raise_on_status=False)
# What http.client refuses in a header (it would split or end the header block); checked only
# after it refused one, to name the header in the error without quoting its value.
_LEGAL_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ILLEGAL_VALUE = re.compile(r"\n(?![ \t])|\r(?![ \t\n])|[\x00]")


# ----- the response -----


class PooledResponse(HttpResponse):
    """An ``azure.core.rest.HttpResponse`` over a urllib3 response.

    Non-streamed responses arrive with their body read and their connection back
    in its pool; streamed ones read from urllib3 on demand.
    """

    def __init__(
        self, request: HttpRequest, internal: urllib3.BaseHTTPResponse, content: Optional[bytes], block_size: int
    ) -> None:
        self._request = request
        self.internal_response = internal
        self._status_code = internal.status
        self._reason = internal.reason or ""
        self._headers: MutableMapping[str, str] = internal.headers
        self._content = content
        self._block_size = block_size
        self._encoding: Optional[str] = None
        self._text: Optional[str] = None
        self._is_closed = self._is_stream_consumed = content is not None

    @property
    def request(self) -> HttpRequest:
        return self._request

    @property
    def status_code(self) -> int:
        return self._status_code

    @property
    def headers(self) -> MutableMapping[str, str]:
        return self._headers

    @property
    def reason(self) -> str:
        return self._reason

    @property
    def content_type(self) -> Optional[str]:
        return self._headers.get("Content-Type")

    @property
    def is_closed(self) -> bool:
        return self._is_closed

    @property
    def is_stream_consumed(self) -> bool:
        return self._is_stream_consumed

    @property
    def encoding(self) -> Optional[str]:
        if self._encoding is None:
            self._encoding = _charset(self.content_type)
        return self._encoding

    @encoding.setter
    def encoding(self, value: Optional[str]) -> None:
        self._encoding, self._text = value, None

    @property
    def url(self) -> str:
        return self._request.url

    @property
    def content(self) -> bytes:
        if self._content is None:
            raise ResponseNotReadError(self)
        return self._content

    def body(self) -> bytes:
        """The body, as azure-core's older response types name it (some policies still call it)."""
        return self.content

    def text(self, encoding: Optional[str] = None) -> str:
        if encoding is not None:
            return _decode(self.content, encoding)
        if self._text is None:
            self._text = _decode(self.content, self.encoding)
        return self._text

    def json(self) -> Any:
        return json.loads(self.text())

    def raise_for_status(self) -> None:
        if self._status_code >= 400:
            raise HttpResponseError(response=self)

    def read(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self.iter_bytes())
        return self._content

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        if self._content is not None:
            for start in range(0, len(self._content), self._block_size):
                yield self._content[start : start + self._block_size]
            return
        yield from self._stream(decode_content=True)

    def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
        yield from self._stream(decode_content=False)

    def _stream(self, decode_content: bool) -> Iterator[bytes]:
        if self._is_stream_consumed:
            raise StreamConsumedError(self)
        if self._is_closed:
            raise StreamClosedError(self)
        self._is_stream_consumed = True
        internal = self.internal_response
        try:
            yield from internal.stream(self._block_size, decode_content=decode_content)
        except (ProtocolError, ReadTimeoutError) as exc:
            raise IncompleteReadError(exc, error=exc) from exc
        except HTTPError as exc:
            raise ServiceResponseError(exc, error=exc) from exc
        finally:
            self.close()

    def close(self) -> None:
        if not self._is_closed:
            self._is_closed = True
            self.internal_response.release_conn()

    def __enter__(self) -> PooledResponse:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


def _charset(content_type: Optional[str]) -> Optional[str]:
    """The ``charset`` parameter of a Content-Type, if it names a codec Python knows."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            value = value.strip().strip("\"'")
            try:
                return codecs.lookup(value).name if value else None
            except LookupError:
                return None
    return None


def _decode(content: bytes, encoding: Optional[str]) -> str:
    """Text as azure-core's responses decode it: UTF-8 (BOM skipped) unless the charset says otherwise."""
    if not content:
        return ""
    if encoding is None or encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        return content.decode("utf-8-sig", errors="replace")
    return content.decode(encoding, errors="replace")


# ----- connections and pools: urllib3's, told apart when reused -----


class _StaleConnection(ConnectionResetError):
    """A kept-alive connection turned out to be closed by the server: nothing came back on it."""


class _Connection(HTTPConnection):
    """urllib3's connection, counting the exchanges it served since it (re)connected.

    A connection the server closed while it sat idle is normally caught by urllib3
    before reuse; when the server closes it just after that check, the request fails
    before any answer, and :class:`PooledTransport` sends it once more.
    """

    served = 0

    def connect(self) -> None:
        self.served = 0
        super().connect()

    def getresponse(self) -> urllib3.HTTPResponse:  # type: ignore[override]  # as urllib3's own
        reused = self.served > 0
        self.served += 1
        try:
            return super().getresponse()
        except ConnectionError as exc:  # reset, aborted or closed without a status line; not a timeout
            if reused:
                raise _StaleConnection("the server had closed this kept-alive connection") from exc
            raise


class _TLSConnection(_Connection, HTTPSConnection):
    """The same, over TLS."""


class _Pool(urllib3.HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


class _OriginPool:
    """Kept-alive urllib3 connections to one origin (no proxy), most recently used first.

    Each exchange is urllib3's: ``HTTPConnection.request`` writes the request,
    ``getresponse`` parses the head, ``HTTPResponse.read`` the body.  What this adds
    is only the bookkeeping ``HTTPConnectionPool.urlopen`` would do on every request
    (its URL re-encoding, retry and timeout objects, header copies were a fifth of a
    call's CPU), for the one case that needs none of it: a body in memory, no
    proxy, no retries.  A connection the server closed while idle is dropped before
    use; one found closed on use is dropped and the request sent again.
    """

    def __init__(self, host: str, port: Optional[int], context: Optional[ssl.SSLContext], verify: bool) -> None:
        self._host, self._port, self._context = host, port, context
        self._cert_reqs = "CERT_REQUIRED" if verify else "CERT_NONE"
        self._idle: list[_Connection] = []

    def _new_connection(self) -> _Connection:
        if self._context is None:
            return _Connection(self._host, self._port)
        return _TLSConnection(self._host, self._port, ssl_context=self._context, cert_reqs=self._cert_reqs)

    def exchange(
        self, request: HttpRequest, target: str, body: Optional[bytes], timeout: urllib3.Timeout
    ) -> tuple[urllib3.BaseHTTPResponse, bytes]:
        """One request and its whole response; the connection goes back to the pool after."""
        while True:
            conn = None
            while self._idle:
                candidate = self._idle.pop()
                if candidate.is_connected:  # the server has not closed it
                    conn = candidate
                    break
                candidate.close()
            if conn is None:
                conn = self._new_connection()
            try:
                internal = _exchange_head(conn, request, target, body, timeout)
            except _StaleConnection:
                conn.close()
                continue  # on the next idle connection, at the latest on a new one
            except BaseException:
                conn.close()
                raise
            break
        try:
            content = _read_body(internal)
        except BaseException:
            conn.close()
            raise
        if conn.is_closed or len(self._idle) >= _POOL_SIZE:  # e.g. Connection: close, or HTTP/1.0
            conn.close()
        else:
            self._idle.append(conn)
        return internal, content

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _exchange_head(
    conn: _Connection, request: HttpRequest, target: str, body: Optional[bytes], timeout: urllib3.Timeout
) -> urllib3.HTTPResponse:
    """Connect if needed, send the request, read the response's head; errors as ``RequestsTransport`` maps them."""
    if conn.is_closed:
        conn.timeout = urllib3.Timeout.resolve_default_timeout(timeout.connect_timeout)
        try:
            conn.connect()
        except HTTPError as exc:  # NewConnectionError, ConnectTimeoutError: nothing was sent
            raise _head_error(exc) from exc
        except (ssl.SSLError, ssl.CertificateError, OSError) as exc:  # the TLS handshake failed
            if isinstance(exc, TimeoutError):
                raise ServiceRequestTimeoutError(exc, error=exc) from exc
            raise ServiceRequestError(SSLError(exc), error=exc) from exc
    try:
        conn.request(request.method, target, body=body, headers=request.headers, preload_content=False)
    except (BrokenPipeError, ConnectionResetError):
        pass  # as urllib3 does: the server may have answered and closed; getresponse tells
    except ValueError as exc:
        # http.client refused a header (a line break would smuggle a second request); nothing was sent
        raise _invalid_header(request.headers, exc) from None
    except OSError as exc:
        raise ServiceResponseError(ProtocolError("Connection aborted.", exc), error=exc) from exc
    conn.timeout = urllib3.Timeout.resolve_default_timeout(timeout.read_timeout)
    try:
        return conn.getresponse()
    except _StaleConnection:
        raise
    except TimeoutError as exc:
        message = f"Read timed out. (read timeout={timeout.read_timeout})"
        raise ServiceResponseTimeoutError(message, error=exc) from exc
    except HTTPError as exc:  # e.g. InvalidHeader: two different Content-Length values
        raise ServiceResponseError(exc, error=exc) from exc
    except (OSError, http.client.HTTPException) as exc:  # closed without an answer, or not HTTP/1.x
        raise ServiceResponseError(ProtocolError("Connection aborted.", exc), error=exc) from exc


# ----- TLS state, shared by every client of the process -----

_TLS_LOCK = threading.Lock()
_EXISTING_PATHS: set[str] = set()  # CA bundle paths seen to exist: checked once, not per client
_TLS_CONTEXTS: dict[tuple[Any, ...], ssl.SSLContext] = {}


def shared_ssl_context(verify: Verify, cert: Cert) -> ssl.SSLContext:
    """The ``SSLContext`` for a TLS setting: made (and the CA bundle read) once per process.

    A bundle path is keyed with its size and modification time, so a replaced file is read again.
    """
    key: tuple[Any, ...] = (verify, cert)
    if isinstance(verify, str):
        try:
            info = os.stat(verify)
            key = (verify, cert, info.st_size, info.st_mtime_ns)
        except OSError:
            pass  # _new_ssl_context reports it
    context = _TLS_CONTEXTS.get(key)
    if context is None:
        with _TLS_LOCK:
            context = _TLS_CONTEXTS.get(key)
            if context is None:
                context = _TLS_CONTEXTS[key] = _new_ssl_context(verify, cert)
    return context


def _new_ssl_context(verify: Verify, cert: Cert) -> ssl.SSLContext:
    if verify is False:
        context = create_urllib3_context(cert_reqs=ssl.CERT_NONE)
    else:
        context = create_urllib3_context()
        bundle = _default_ca_bundle() if verify is True else verify
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


#: The environment variables naming a CA bundle, the first one set wins: requests' own
#: settings (what azure-core's transports read) before OpenSSL's general one, so a bundle
#: given to Python HTTP clients in particular overrides one given to every OpenSSL program.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def env_ca_bundle() -> Optional[str]:
    """The CA bundle the environment names (:data:`CA_BUNDLE_VARIABLES`, in order), or ``None``.

    :raises ValueError: The variable names a path that does not exist (said with the variable's name).
    """
    for name in CA_BUNDLE_VARIABLES:
        value = os.environ.get(name)
        if value:
            if not os.path.exists(value):
                raise ValueError(
                    f"{name} names {value!r}, which does not exist; set it to a CA bundle file or unset it."
                )
            return value
    return None


def _default_ca_bundle() -> str:
    from requests.utils import DEFAULT_CA_BUNDLE_PATH  # certifi's bundle, as requests (and so azure-core) uses it

    return str(DEFAULT_CA_BUNDLE_PATH)


class ProxyResolver:
    """Which proxy a URL goes through, as requests decides it; memoised per origin and explicit setting.

    ``proxies`` given to the call win, then the client's, then the environment's
    (``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``; read once per origin, on first use).
    The answer has a scheme (``http://`` when the setting had none), or is None.
    """

    def __init__(self, proxies: Optional[Mapping[str, str]], use_env: bool) -> None:
        self._proxies = dict(proxies or {})
        self._use_env = use_env
        self._env: dict[str, dict[str, str]] = {}
        self._memo: dict[tuple[str, tuple[tuple[str, str], ...]], Optional[str]] = {}

    def __call__(self, url: str, explicit: Optional[Mapping[str, str]] = None) -> Optional[str]:
        explicit = explicit if explicit is not None else self._proxies
        origin = _origin(url)
        key = (origin, tuple(sorted(explicit.items())) if explicit else ())
        try:
            return self._memo[key]
        except KeyError:
            pass
        from requests.utils import get_environ_proxies, prepend_scheme_if_needed, select_proxy

        merged = dict(explicit)
        if self._use_env:
            env = self._env.get(origin)
            if env is None:
                env = self._env[origin] = get_environ_proxies(url)
            scheme = urlsplit(url).scheme
            env_proxy = env.get(scheme, env.get("all"))
            if env_proxy and "no_proxy" not in explicit:
                merged.setdefault(scheme, env_proxy)
        proxy = select_proxy(url, merged)
        if proxy is not None:
            proxy = prepend_scheme_if_needed(proxy, "http")
        self._memo[key] = proxy
        return proxy


# ----- the transport -----


class PooledTransport(HttpTransport[HttpRequest, PooledResponse]):
    """Sync transport over urllib3 pools, with proxy and TLS settings resolved once; see the module docstring.

    :param endpoint: the service endpoint the client talks to.
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
        self._proxies: Optional[Mapping[str, str]] = kwargs.pop("proxies", None)
        if use_env and "connection_verify" not in kwargs:
            bundle = env_ca_bundle()
            if bundle:
                kwargs["connection_verify"] = bundle
        cert: Any = kwargs.pop("connection_cert", None)
        self.connection_config = ConnectionConfiguration(
            connection_timeout=kwargs.pop("connection_timeout", _DEFAULT_TIMEOUT),
            read_timeout=kwargs.pop("read_timeout", _DEFAULT_TIMEOUT),
            connection_verify=kwargs.pop("connection_verify", True),
            connection_cert=cast(Any, tuple(cert) if isinstance(cert, list) else cert),  # typed str, takes pairs too
            connection_data_block_size=kwargs.pop("connection_data_block_size", 4096),
        )
        if kwargs:
            raise TypeError(f"unexpected transport keyword argument(s): {', '.join(sorted(kwargs))}")
        verify = self.connection_config.verify
        # A cheap check now, so a wrong path fails here; the bundle itself is read on first use.
        if isinstance(verify, str) and verify not in _EXISTING_PATHS:
            if not os.path.exists(verify):
                raise ValueError(f"connection_verify must be True, False or an existing CA bundle path, not {verify!r}")
            _EXISTING_PATHS.add(verify)
        if verify is False and endpoint.lower().startswith("https:"):
            # as urllib3 and requests do, so the usual warning filters apply
            warnings.warn(
                f"connection_verify=False: the certificate of {urlsplit(endpoint).hostname} is not checked",
                InsecureRequestWarning,
                stacklevel=3,
            )
        self._proxy = ProxyResolver(self._proxies, use_env)
        self._managers: dict[tuple[Optional[str], Any, Any], urllib3.PoolManager] = {}
        self._timeouts: dict[tuple[Any, Any], urllib3.Timeout] = {}
        self._direct: dict[str, Optional[_OriginPool]] = {}

    # ----- per request -----

    def send(self, request: HttpRequest, **kwargs: Any) -> PooledResponse:
        unexpected = kwargs.keys() - _SEND_OPTIONS
        if unexpected:
            raise TypeError(f"unexpected keyword argument(s) for the request: {', '.join(sorted(unexpected))}")
        config = self.connection_config
        timeout = self._timeout(
            kwargs.get("connection_timeout", config.timeout), kwargs.get("read_timeout", config.read_timeout)
        )
        stream = bool(kwargs.get("stream"))
        url = request.url
        body = _body(request)
        if not stream and kwargs.keys() <= _DIRECT_OPTIONS and (body is None or isinstance(body, bytes)):
            # The common case: no per-call proxy or TLS setting, nothing streamed. Straight to the origin's pool.
            origin, target = _split_target(url)
            pool = self._direct.get(origin, _UNKNOWN)
            if pool is _UNKNOWN:
                pool = self._direct_pool(url, origin)
            if pool is not None:
                internal, content = pool.exchange(request, target, body, timeout)
                return PooledResponse(request, internal, content, config.data_block_size)
        manager = self._manager(
            self._proxy(url, kwargs.get("proxies")),
            kwargs.get("connection_verify", config.verify),
            kwargs.get("connection_cert", config.cert),
        )
        internal = _open(manager, request, url, body, timeout)
        if stream:
            return PooledResponse(request, internal, None, config.data_block_size)
        return PooledResponse(request, internal, _read_body(internal), config.data_block_size)

    def _direct_pool(self, url: str, origin: str) -> Optional[_OriginPool]:
        """The connections to the URL's origin, or None when a proxy applies; made once per origin."""
        pool: Optional[_OriginPool] = None
        if self._proxy(url, None) is None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"cannot send a request to {url!r}: not an http(s) URL with a host")
            config = self.connection_config
            context = shared_ssl_context(config.verify, config.cert) if parts.scheme == "https" else None
            pool = _OriginPool(parts.hostname, parts.port, context, verify=config.verify is not False)
        kept = self._direct.setdefault(origin, pool)
        if kept is not pool and pool is not None:  # another thread made one first
            pool.close()
        return kept

    def _manager(self, proxy: Optional[str], verify: Verify, cert: Cert) -> urllib3.PoolManager:
        key = (proxy, verify, cert)
        try:
            return self._managers[key]
        except KeyError:
            pass
        from requests.utils import get_auth_from_url

        options: dict[str, Any] = {
            "num_pools": _POOL_SIZE,
            "maxsize": _POOL_SIZE,
            "ssl_context": shared_ssl_context(verify, cert),
        }
        if verify is False:
            options["cert_reqs"] = "CERT_NONE"
        manager: urllib3.PoolManager
        if proxy is None:
            manager = urllib3.PoolManager(**options)
        else:
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
        # Our connection classes, so a stale kept-alive connection is retried here too.
        manager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}
        self._managers[key] = manager
        return manager

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
                pool.close()
        managers, self._managers = self._managers, {}
        for manager in managers.values():
            manager.clear()

    def __enter__(self) -> PooledTransport:
        self.open()
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


_UNKNOWN: Any = object()


def _open(
    opener: urllib3.PoolManager,
    request: HttpRequest,
    target: str,
    body: Any,
    timeout: urllib3.Timeout,
) -> urllib3.BaseHTTPResponse:
    """Send the request and read the response's head; a stale kept-alive connection is replaced.

    Each stale connection is closed and left out, so this ends on a fresh connection at the latest.
    """
    resendable = body is None or isinstance(body, bytes)
    for _ in range(_POOL_SIZE + 1):
        try:
            return opener.urlopen(
                request.method,
                target,
                body=body,
                headers=request.headers,
                retries=_NO_RETRIES,
                redirect=False,
                assert_same_host=False,
                timeout=timeout,
                preload_content=False,
            )
        except ProtocolError as exc:
            if not (resendable and len(exc.args) > 1 and isinstance(exc.args[1], _StaleConnection)):
                raise ServiceResponseError(exc, error=exc) from exc
        except HTTPError as exc:
            raise _head_error(exc) from exc
        except ValueError as exc:
            # http.client refused a header (a line break would smuggle a second request); nothing was sent
            raise _invalid_header(request.headers, exc) from None
    raise ServiceResponseError("the server closed every kept-alive connection without answering")


def _head_error(exc: HTTPError) -> AzureError:
    """azure-core's error for a failure before the response's head arrived, as ``RequestsTransport`` maps it."""
    if isinstance(exc, ReadTimeoutError):
        return ServiceResponseTimeoutError(exc, error=exc)
    if isinstance(exc, NewConnectionError):  # before ConnectTimeoutError, which it subclasses
        return ServiceRequestError(exc, error=exc)
    if isinstance(exc, ConnectTimeoutError):
        return ServiceRequestTimeoutError(exc, error=exc)
    if isinstance(exc, (SSLError, ProxyError)):  # the request never reached the service
        return ServiceRequestError(exc, error=exc)
    return ServiceResponseError(exc, error=exc)  # e.g. a malformed head: the request may have gone out


def _read_body(internal: urllib3.BaseHTTPResponse) -> bytes:
    """The whole (decoded) body; the connection goes back to its pool."""
    try:
        return internal.read()
    except ReadTimeoutError as exc:
        raise ServiceResponseTimeoutError(exc, error=exc) from exc
    except ProtocolError as exc:
        if "IncompleteRead" in str(exc):  # as RequestsTransport: a body shorter than announced
            raise IncompleteReadError(exc, error=exc) from exc
        raise HttpResponseError(exc, error=exc) from exc
    except (DecodeError, HTTPError) as exc:
        raise ServiceResponseError(exc, error=exc) from exc
    finally:
        internal.release_conn()


def _invalid_header(headers: Mapping[str, str], exc: ValueError) -> ValueError:
    """A ValueError naming the refused header, never quoting its value (it may hold a secret)."""
    for name, value in headers.items():
        if not _LEGAL_NAME.fullmatch(name):
            return ValueError(f"invalid HTTP header name {name!r}")
        if _ILLEGAL_VALUE.search(str(value)):
            return ValueError(f"the value of HTTP header {name!r} contains a line break or NUL")
    return ValueError(f"the request was refused before sending: {type(exc).__name__}")


def _split_target(url: str) -> tuple[str, str]:
    """``("http://host:port", "/path?query")`` without parsing the whole URL (this runs on every request)."""
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
