"""Why a request did not reach the service, said in one sentence a person can act on.

A ``ServiceRequestError`` from the transports names internal objects
(``_Connection(host=..., port=...)``, ``ssl:default``) and leaves out what to do.
The clients replace it with one that names the endpoint, the cause (connection
refused, unknown host, timeout, a certificate that is not trusted) and the fix;
``acs-identity`` and the demo add their own advice on top, keyed by :func:`cause_of`.
"""

from __future__ import annotations

import socket
import ssl
from typing import Literal, Optional
from urllib.parse import urlsplit

__all__ = ["Cause", "cause_of", "certificate_problem", "explain"]

Cause = Literal["certificate", "refused", "unknown-host", "timeout"]


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and everything it wraps (azure-core's ``inner_exception``, ``__cause__``, ``__context__``)."""
    found: list[BaseException] = []
    current: Optional[BaseException] = error
    while current is not None and current not in found and len(found) < 16:
        found.append(current)
        inner = getattr(current, "inner_exception", None)
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)
    return found


def cause_of(error: BaseException) -> Optional[Cause]:
    """What kept a request from the service, when it is one of the causes a person can fix."""
    chain = _chain(error)
    text = " ".join(str(e) for e in chain)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or "CERTIFICATE_VERIFY_FAILED" in text:
        return "certificate"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "unknown-host"
    if any(isinstance(e, TimeoutError) for e in chain):  # socket.timeout is TimeoutError
        return "timeout"
    return None


def certificate_problem(error: BaseException) -> str:
    """OpenSSL's reason for refusing the certificate, after its code (kept: it is what people search for)."""
    for item in _chain(error):
        message = getattr(item, "verify_message", None)  # aiohttp's wrapper is an SSLCertVerificationError without it
        if isinstance(item, ssl.SSLCertVerificationError) and message:
            return f"CERTIFICATE_VERIFY_FAILED: {message}"
    return "CERTIFICATE_VERIFY_FAILED"


def explain(endpoint: str, error: BaseException) -> Optional[str]:
    """The sentence for ``error`` on a request to ``endpoint``, or ``None`` when the cause is another.

    >>> explain("http://127.0.0.1:9", ConnectionRefusedError(111, "Connection refused"))
    'Cannot reach http://127.0.0.1:9: connection refused (nothing listens there; is the service running?).'
    """
    cause = cause_of(error)
    if cause == "certificate":
        return (
            f"{endpoint} was reached, but its TLS certificate is not trusted ({certificate_problem(error)}). "
            "Trust the CA that issued it: pass connection_verify=<CA file>, or set SSL_CERT_FILE (or "
            "REQUESTS_CA_BUNDLE) to that file; the local service started with --tls prints the file after "
            "its connection string, as certificate=<path>."
        )
    if cause == "refused":
        return f"Cannot reach {endpoint}: connection refused (nothing listens there; is the service running?)."
    if cause == "unknown-host":
        host = urlsplit(endpoint).hostname or endpoint
        return f"Cannot reach {endpoint}: the host name {host!r} does not resolve (check the endpoint)."
    if cause == "timeout":
        return f"Cannot reach {endpoint}: the connection timed out (check the endpoint, and any proxy or firewall)."
    return None
