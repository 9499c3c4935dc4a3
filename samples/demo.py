"""The main job in one command (``make demo``), with no Azure account.

Starts the local Identity service on a free port with its SQLite store under
``.demo/`` (``$ACS_DEMO_DIR`` to put it elsewhere; a second run reuses it), then
runs the 2020 preview's sample flow through
``CommunicationIdentityClient.from_connection_string``: create_user, issue_token
with ``scopes=["chat"]``, revoke_tokens, delete_user, asking the service whether
the token is active before and after the revocation. Then it stops the service.

With ``AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING`` set, the same flow runs
against that resource instead. A real resource cannot be asked whether a token
is active, so there the "before" check is local (not expired) and the "after"
check is skipped. When that resource cannot be reached or refuses the key, the
demo says which endpoint it used, why it failed and what to do (a connection
string exported for an ``acs-identity serve`` that has since stopped is the usual
case). It prints the API version the flow ran on.

Neither the access key nor the token is ever printed.

USAGE:
    python samples/demo.py
"""

from __future__ import annotations

import os
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from _introspect import introspect
from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError, ServiceRequestError

from azure.communication.administration import CommunicationIdentityClient, CommunicationUser, parse_connection_string

CONNECTION_STRING_ENV = "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"
DEMO_DIR_ENV = "ACS_DEMO_DIR"
REPO = Path(__file__).resolve().parent.parent


def step(name: str, outcome: str) -> None:
    print(f"  {name:<28} {outcome}", flush=True)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@contextmanager
def identity_service() -> Iterator[str]:
    """The connection string of the resource to use: the env var's, or the local service's."""
    configured = os.environ.get(CONNECTION_STRING_ENV, "").strip()
    if configured:
        endpoint = parse_connection_string(configured).endpoint
        print(f"Identity service: {endpoint} (from {CONNECTION_STRING_ENV})")
        yield configured
        return

    from acs_identity_emulator.testing import running_emulator

    store_dir = Path(os.environ.get(DEMO_DIR_ENV) or REPO / ".demo").resolve()
    store_dir.mkdir(parents=True, exist_ok=True)
    store = store_dir / "identity.db"
    reused = "reused" if store.exists() else "new"
    with running_emulator(db=str(store)) as service:
        print(f"Local Identity service: {service.endpoint} (store {_shown(store)}, {reused})")
        yield service.connection_string
    print("Local Identity service stopped.")


def _expiry(expires_on: datetime) -> str:
    hours = (expires_on - datetime.now(timezone.utc)).total_seconds() / 3600
    return f"expires {expires_on:%Y-%m-%d %H:%M:%S} UTC (in {hours:.0f} h)"


def _active(verdict: Optional[dict[str, object]]) -> str:
    if verdict is None:
        return "unknown"
    if verdict.get("active"):
        return "yes"
    return f"no ({verdict.get('reason')})"


def run_flow(conn_str: str) -> int:
    """The 2020 sample flow, step by step; 0 when the service behaved as expected."""
    endpoint, access_key = parse_connection_string(conn_str)
    user: Optional[CommunicationUser] = None
    with CommunicationIdentityClient.from_connection_string(conn_str) as client:
        print(f"API version: {client.api_version.value}")
        try:
            user = client.create_user()
            step("create_user", user.identifier)

            token = client.issue_token(user, scopes=["chat"])
            step('issue_token(scopes=["chat"])', _expiry(token.expires_on))

            before = introspect(endpoint, access_key, token.token)
            if before is None:
                local = "yes" if token.expires_on > datetime.now(timezone.utc) else "no"
                step("check", f"token active before revocation: {local} (local check only: not expired)")
            else:
                step("introspect", f"token active before revocation: {_active(before)}")

            client.revoke_tokens(user)
            step("revoke_tokens", "all tokens of the user revoked")

            after = introspect(endpoint, access_key, token.token) if before is not None else None
            if before is None:
                step("check", "token active after revocation: not checked (local-only; no introspection here)")
            else:
                step("introspect", f"token active after revocation: {_active(after)}")

            client.delete_user(user)
            step("delete_user", f"{user.identifier} deleted")
            user = None
        finally:
            if user is not None:  # the flow failed half-way: do not leave the user behind
                with suppress(AzureError):
                    client.delete_user(user)

    if before is not None and (not before.get("active") or after is None or after.get("active")):
        print(
            "demo failed: the service did not report the token active before and inactive after revocation",
            file=sys.stderr,
        )
        return 1
    return 0


def _configured_endpoint() -> str:
    """The endpoint of the exported connection string, for error messages ("" if none or unreadable)."""
    with suppress(ValueError):
        return parse_connection_string(os.environ.get(CONNECTION_STRING_ENV, "")).endpoint
    return ""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it wraps (azure-core keeps the transport's error as ``inner_exception``)."""
    seen: set[int] = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        inner = getattr(current, "inner_exception", None)
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)


def _untrusted_certificate(error: BaseException) -> bool:
    return any(isinstance(e, ssl.SSLCertVerificationError) for e in _chain(error))


def _unreachable_reason(error: ServiceRequestError) -> str:
    if any(isinstance(e, ConnectionRefusedError) for e in _chain(error)):
        return "connection refused: nothing listens there"
    return str(error.message)


def _advice(endpoint: str) -> str:
    """What to do when the exported connection string's service did not work."""
    return (
        f"demo failed against {endpoint} (from {CONNECTION_STRING_ENV}): {{reason}}. If it was printed by an "
        "'acs-identity serve' that has stopped, start that again and export the line it prints, or "
        f"'unset {CONNECTION_STRING_ENV}' and the demo starts its own local service."
    )


def main() -> int:
    configured = _configured_endpoint()
    try:
        with identity_service() as conn_str:
            status = run_flow(conn_str)
    except ValueError as error:  # a malformed connection string; the message never holds the key
        print(f"demo failed: {error}", file=sys.stderr)
        return 2
    except ServiceRequestError as error:
        if _untrusted_certificate(error):
            # The service is there; only its certificate is not trusted yet (a local service's --tls).
            where = f" against {configured} (from {CONNECTION_STRING_ENV})" if configured else ""
            print(
                f"demo failed{where}: the service was reached, but its TLS certificate is not trusted. If it is an "
                "'acs-identity serve --tls', trust the file it printed after the connection string: "
                "export SSL_CERT_FILE=<the certificate=<path> it printed> and run the demo again.",
                file=sys.stderr,
            )
            return 1
        reason = f"cannot reach the service ({_unreachable_reason(error)})"
        print(_advice(configured).format(reason=reason) if configured else f"demo failed: {reason}", file=sys.stderr)
        return 1
    except HttpResponseError as error:
        detail = error.error
        code = detail.code if detail is not None else error.reason
        message = detail.message if detail is not None else error.message
        if configured and isinstance(error, ClientAuthenticationError):
            reason = f"the service refused the access key ({code}: {message}); the key is not this service's"
            print(_advice(configured).format(reason=reason), file=sys.stderr)
        else:
            print(f"demo failed: {code}: {message}", file=sys.stderr)
        return 1
    except (AzureError, OSError, RuntimeError) as error:
        print(f"demo failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if status == 0:
        print("Done.")
    return status


if __name__ == "__main__":
    sys.exit(main())
