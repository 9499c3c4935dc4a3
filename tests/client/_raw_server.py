"""A raw HTTP/1.1 server for transport tests: records the exact bytes it receives, answers from a script.

Each request is answered by the next action of the script (or ``default``):

* ``bytes``: sent as the whole response; the connection stays open;
* ``CloseAfter(bytes)``: sent, then the connection is closed without ``Connection: close``;
* ``DROP``: the connection is closed without an answer;
* ``HANG``: no answer until the server stops (for read timeouts).

It listens on a free loopback port; with ``tls`` (an ``ssl.SSLContext``) it speaks HTTPS.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Optional, Union


@dataclass
class CloseAfter:
    response: bytes


DROP = "drop"
HANG = "hang"
Action = Union[bytes, CloseAfter, str]


@dataclass
class Received:
    connection: int  # 1 for the first connection accepted, 2 for the next, ...
    head: bytes  # request line and headers, up to and including the blank line
    body: bytes

    @property
    def request_line(self) -> str:
        return self.head.split(b"\r\n", 1)[0].decode("latin-1")

    @property
    def header_lines(self) -> list[str]:
        return self.head.decode("latin-1").split("\r\n")[1:-2]

    def header(self, name: str) -> Optional[str]:
        for line in self.header_lines:
            key, _, value = line.partition(":")
            if key.lower() == name.lower():
                return value.strip()
        return None


def response(
    status: int = 200, body: Any = None, *, reason: str = "OK", headers: Optional[dict[str, str]] = None
) -> bytes:
    """A well-formed HTTP/1.1 response with ``Content-Length``; a dict body is sent as JSON."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else (body or b"")
    lines = [f"HTTP/1.1 {status} {reason}"]
    all_headers = {"Content-Length": str(len(data))}
    if isinstance(body, (dict, list)):
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    lines += [f"{k}: {v}" for k, v in all_headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data


class RawServer:
    def __init__(self, *script: Action, default: Action = b"", tls: Optional[ssl.SSLContext] = None) -> None:
        self.script: deque[Action] = deque(script)
        self.default = default or response(200, {})
        self.received: list[Received] = []
        self.connections = 0
        self.closed = 0  # connections this server has closed
        self._closing = threading.Condition()
        self._tls = tls
        self._stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        for sock in list(self._open):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(5)

    def wait_closed(self, count: int, timeout: float = 5.0) -> None:
        """Wait until this server has closed ``count`` connections (synchronisation, not a sleep)."""
        with self._closing:
            if not self._closing.wait_for(lambda: self.closed >= count, timeout):
                raise TimeoutError(f"the server closed {self.closed} connection(s), not {count}")

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(sock, self.connections), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket, number: int) -> None:
        if self._tls is not None:
            try:
                sock = self._tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                sock.close()
                return
        self._open.append(sock)
        reader = sock.makefile("rb")
        try:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = reader.read(length) if length else b""
                self.received.append(Received(number, head, body))
                action = self.script.popleft() if self.script else self.default
                if action == DROP:
                    return
                if action == HANG:
                    self._stopped.wait()
                    return
                if isinstance(action, CloseAfter):
                    sock.sendall(action.response)
                    return
                assert isinstance(action, bytes)
                sock.sendall(action)
        except OSError:
            return
        finally:
            reader.close()
            sock.close()
            with self._closing:
                self.closed += 1
                self._closing.notify_all()


def self_signed(tmp_dir: Any) -> tuple[ssl.SSLContext, str]:
    """A server TLS context for 127.0.0.1/localhost and the path of its CA file (what clients trust).

    Made the way the local service's ``--tls`` makes its own: a CA and a server certificate it issued.
    """
    import datetime

    from acs_identity_emulator import _tls

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, ca_cert = _tls.new_ca(now)
    key, cert = _tls.new_server_certificate(ca_key, ca_cert, _tls.LOCAL_NAMES, now)
    ca_path = str(tmp_dir / "ca.pem")
    _tls.write_ca_file(ca_path, ca_cert)
    return _tls.context_from_material(_tls.TlsMaterial(ca_cert, cert + ca_cert, key)), ca_path
