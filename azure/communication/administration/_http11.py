"""One HTTP/1.1 exchange at a time over a kept-alive connection: the sync transport's direct path.

Why not http.client: half of a call's client-side CPU went into it, mostly
parsing three or four response headers with the e-mail package's parser.  The
Identity service sends small JSON bodies with ``Content-Length`` (or nothing, for
204), so the subset of HTTP/1.1 a client needs here is small and written out
below: status line, 1xx responses skipped, headers (with limits), bodies by
``Content-Length``, ``chunked`` or until the server closes, ``Connection``
semantics for HTTP/1.0 and 1.1, and ``gzip``/``deflate`` content codings.

Anything else (proxies, streamed downloads, request bodies that are streams)
goes through urllib3 in ``_transport``; this module never sees it.
"""

from __future__ import annotations

import re
import socket
import ssl
import zlib
from collections.abc import Mapping
from typing import BinaryIO, Optional

from azure.core.utils import CaseInsensitiveDict
from urllib3.util import wait_for_read

MAX_LINE = 65536  # longest status or header line we read (http.client uses the same bound)
MAX_HEADERS = 100
_NO_BODY_STATUS = frozenset({204, 304})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_ILLEGAL_VALUE = re.compile(r"[\r\n\x00]")  # would split or end the header block: request smuggling
_LEGAL_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token
_ILLEGAL_TARGET = re.compile(r"[\x00-\x20\x7f]")


class ConnectFailed(Exception):
    """Nothing was sent: the TCP connection or the TLS handshake failed (``__cause__`` says how)."""


class ConnectTimedOut(ConnectFailed):
    """Nothing was sent: connecting took longer than the connection timeout."""


class StaleConnection(Exception):
    """A reused connection was already closed by the server; the request was not processed."""


class ResponseTimedOut(Exception):
    """The request went out; the response did not arrive within the read timeout."""


class ResponseFailed(Exception):
    """The request went out; the connection broke or the response was not valid HTTP/1.1."""


class RawResponse:
    """The parts of a response the pipeline reads; ``data`` is the whole decoded body."""

    __slots__ = ("data", "headers", "reason", "status", "version")

    def __init__(self, status: int, reason: str, version: int, headers: CaseInsensitiveDict, data: bytes) -> None:
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers
        self.data = data

    def close(self) -> None:
        """Nothing to release: the body is read and the connection is back in its pool."""

    release_conn = close


class Connection:
    """One TCP (or TLS) connection to an origin, reused for request after request."""

    def __init__(self, host: str, port: int, host_header: str, context: Optional[ssl.SSLContext]) -> None:
        self._address = (host, port)
        self._host_header = host_header
        self._context = context
        self._server_hostname = host
        self._sock: Optional[socket.socket] = None
        self._reader: Optional[BinaryIO] = None
        self.used = False

    # ----- lifetime -----

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def is_usable(self) -> bool:
        """Open, and the server has not closed it (a closed socket reads as ready: EOF)."""
        return self._sock is not None and not wait_for_read(self._sock, timeout=0.0)

    def connect(self, timeout: Optional[float]) -> None:
        try:
            sock = socket.create_connection(self._address, timeout=timeout)
        except TimeoutError as exc:
            raise ConnectTimedOut(f"timed out connecting to {self._address[0]}:{self._address[1]}") from exc
        except OSError as exc:
            raise ConnectFailed(f"could not connect to {self._address[0]}:{self._address[1]}: {exc}") from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._context is not None:
                sock = self._context.wrap_socket(sock, server_hostname=self._server_hostname)
        except TimeoutError as exc:
            sock.close()
            raise ConnectTimedOut(f"timed out in the TLS handshake with {self._address[0]}") from exc
        except (OSError, ssl.CertificateError) as exc:
            sock.close()
            raise ConnectFailed(f"TLS handshake with {self._address[0]} failed: {exc}") from exc
        self._sock = sock
        self._reader = sock.makefile("rb")
        self.used = False

    def close(self) -> None:
        sock, reader, self._sock, self._reader = self._sock, self._reader, None, None
        if reader is not None:
            reader.close()
        if sock is not None:
            sock.close()

    # ----- one exchange -----

    def exchange(self, method: str, head: bytes, body: Optional[bytes], timeout: Optional[float]) -> RawResponse:
        """Send one request (``head`` from :func:`request_head`), read its whole response.

        The connection is closed after if it cannot be reused.
        """
        sock, reader = self._sock, self._reader
        if sock is None or reader is None:
            raise ResponseFailed("internal error: exchange on a closed connection")
        reused, self.used = self.used, True
        try:
            sock.settimeout(timeout)
            sock.sendall(head + body if body else head)
            status_line = reader.readline(MAX_LINE + 1)
            if not status_line:
                raise ConnectionResetError("the server closed the connection without answering")
        except TimeoutError as exc:
            self.close()
            raise ResponseTimedOut(f"no response within {timeout} s") from exc
        except OSError as exc:
            self.close()
            if reused:  # nothing came back on a kept-alive connection: the server had closed it
                raise StaleConnection() from exc
            raise ResponseFailed(f"connection lost: {exc}") from exc
        try:
            response, keep_alive = _read_response(reader, status_line, method)
        except TimeoutError as exc:
            self.close()
            raise ResponseTimedOut(f"the response did not complete within {timeout} s") from exc
        except (OSError, ValueError, zlib.error) as exc:
            self.close()
            raise ResponseFailed(f"invalid or incomplete response: {exc}") from exc
        if not keep_alive:
            self.close()
        return response


def request_head(
    method: str, target: str, host_header: str, headers: Mapping[str, str], body: Optional[bytes]
) -> bytes:
    """Request line and headers, checked: a line break or NUL in a header would smuggle a second request."""
    if not _LEGAL_NAME.fullmatch(method):
        raise ValueError(f"invalid HTTP method {method!r}")
    if _ILLEGAL_TARGET.search(target):
        raise ValueError("the request URL contains spaces or control characters")
    lines = [f"{method} {target} HTTP/1.1"]
    seen = set()
    for name, value in headers.items():
        value = str(value)
        if not _LEGAL_NAME.fullmatch(name):
            raise ValueError(f"invalid HTTP header name {name!r}")
        if _ILLEGAL_VALUE.search(value):
            raise ValueError(f"the value of HTTP header {name!r} contains a line break or NUL")
        seen.add(name.lower())
        lines.append(f"{name}: {value}")
    if "host" not in seen:
        lines.insert(1, f"Host: {host_header}")
    if "accept-encoding" not in seen:
        lines.append("Accept-Encoding: identity")  # small JSON: compression costs more CPU than it saves
    if "content-length" not in seen and "transfer-encoding" not in seen:
        if body:
            lines.append(f"Content-Length: {len(body)}")
        elif method in _BODY_METHODS or body is not None:
            lines.append("Content-Length: 0")
    lines.append("\r\n")
    # Header values are latin-1 on the wire (RFC 9110); anything else raises, as in http.client.
    return "\r\n".join(lines).encode("latin-1")


def _read_response(reader: BinaryIO, status_line: bytes, method: str) -> tuple[RawResponse, bool]:
    version, status, reason = _parse_status(status_line)
    headers = _read_headers(reader)
    while 100 <= status < 200 and status != 101:  # 100 Continue and friends: the real answer follows
        version, status, reason = _parse_status(reader.readline(MAX_LINE + 1))
        headers = _read_headers(reader)
    if status == 101:
        raise ValueError("the server switched protocols (101), which this client never asks for")
    connection = {token.strip().lower() for token in headers.get("connection", "").split(",")}
    keep_alive = "keep-alive" in connection if version == 10 else "close" not in connection
    if method == "HEAD" or status in _NO_BODY_STATUS:
        data = b""
    elif headers.get("transfer-encoding", "").lower().rsplit(",", 1)[-1].strip() == "chunked":
        data = _read_chunked(reader)
    elif "content-length" in headers:
        data = _read_exactly(reader, _content_length(headers["content-length"]))
    else:
        data = reader.read()  # the body ends when the server closes
        keep_alive = False
    coding = headers.get("content-encoding", "").strip().lower()
    if coding in ("gzip", "x-gzip", "deflate"):
        data = _decompress(data, coding)
    return RawResponse(status, reason, version, headers, data), keep_alive


def _parse_status(line: bytes) -> tuple[int, int, str]:
    if not line:
        raise ConnectionResetError("the server closed the connection before answering")
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise ValueError("the response status line is too long or incomplete")
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    if len(parts) < 2 or parts[0] not in ("HTTP/1.1", "HTTP/1.0") or not (len(parts[1]) == 3 and parts[1].isdigit()):
        raise ValueError(f"not an HTTP/1.x status line: {line[:80]!r}")
    return (11 if parts[0] == "HTTP/1.1" else 10), int(parts[1]), parts[2] if len(parts) == 3 else ""


def _read_headers(reader: BinaryIO) -> CaseInsensitiveDict:
    headers: CaseInsensitiveDict = CaseInsensitiveDict()
    last = None
    for _ in range(MAX_HEADERS + 1):
        line = reader.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ValueError("a response header line is longer than 64 KiB")
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise ConnectionResetError("the connection closed in the middle of the response headers")
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and last is not None:  # obsolete line folding: part of the previous value
            headers[last] = f"{headers[last]} {text.strip()}"
            continue
        name, sep, value = text.partition(":")
        if not sep or not _LEGAL_NAME.fullmatch(name):
            raise ValueError(f"malformed response header line {line[:80]!r}")
        value = value.strip()
        previous = headers.get(name)
        headers[name] = value if previous is None else f"{previous}, {value}"
        last = name
    raise ValueError(f"more than {MAX_HEADERS} response headers")


def _content_length(value: str) -> int:
    lengths = {v.strip() for v in value.split(",")}  # repeated identical values are allowed (RFC 9110 8.6)
    if len(lengths) != 1 or not next(iter(lengths)).isdigit():
        raise ValueError(f"invalid Content-Length {value!r}")
    return int(lengths.pop())


def _read_exactly(reader: BinaryIO, length: int) -> bytes:
    data = reader.read(length) if length else b""
    if len(data) != length:
        raise ConnectionResetError(f"the response body ended after {len(data)} of {length} bytes")
    return data


def _read_chunked(reader: BinaryIO) -> bytes:
    chunks: list[bytes] = []
    while True:
        line = reader.readline(MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise ConnectionResetError("the chunked response body ended early")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ValueError(f"invalid chunk size {size_text[:20]!r}") from None
        if size == 0:
            _read_headers(reader)  # trailers, ignored
            return b"".join(chunks)
        chunks.append(_read_exactly(reader, size))
        if reader.readline(3) not in (b"\r\n", b"\n"):
            raise ValueError("a chunk of the response body does not end with CRLF")


def _decompress(data: bytes, coding: str) -> bytes:
    if coding == "deflate":
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompress(data, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    return zlib.decompress(data, 16 + zlib.MAX_WBITS)


def host_header(host: str, port: int, default_port: int) -> str:
    """``Host`` as http.client writes it: IPv6 in brackets, the port only when not the default."""
    name = f"[{host}]" if ":" in host else host
    return name if port == default_port else f"{name}:{port}"
