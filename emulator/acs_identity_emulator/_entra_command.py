"""``acs-identity-emulator entra-token``: a signed Entra ID token from a running local service.

The token is minted by the service (``POST /emulator/entra/token``, HMAC-signed with the
connection string's key like every call), so only the process that holds the store opens it.
:func:`request_entra_token` makes that call through this distribution's client (signing, TLS
trust and proxies as for every other call); the command and
``acs_identity_emulator.testing.entra_token`` use it. The token goes to stdout, alone on its
line; every error is one line on stderr that quotes neither the key nor a token.

Imports only the standard library up front, like ``_cli``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

PATH = "/emulator/entra/token"
CONNECTION_STRING_ENV = "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"
EXIT_USAGE = 2
EXIT_FAILED = 1
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def request_entra_token(
    connection_string: str,
    tenant_id: str,
    object_id: str,
    app_id: str,
    *,
    scopes: Sequence[str] | None = None,
    expires_in_minutes: int | None = None,
    claims: dict[str, Any] | None = None,
    connection_verify: str | bool | None = None,
    resource: str | None = None,
) -> tuple[str, str | None]:
    """``(token, expiresOn)`` minted by the local service of ``connection_string``.

    Raises ``ValueError`` for a malformed connection string and azure-core's errors
    (``HttpResponseError``, ``ServiceRequestError``) for the call.
    """
    from azure.core.rest import HttpRequest

    from azure.communication.administration import CommunicationIdentityClient

    body: dict[str, Any] = {"tenantId": tenant_id, "objectId": object_id, "appId": app_id}
    if scopes is not None:
        body["scopes"] = list(scopes)
    if expires_in_minutes is not None:
        body["expiresInMinutes"] = expires_in_minutes
    if claims:
        body["claims"] = claims
    if resource is not None:
        body["resource"] = resource
    options: dict[str, Any] = {} if connection_verify is None else {"connection_verify": connection_verify}
    with CommunicationIdentityClient.from_connection_string(connection_string, **options) as client:
        response = client.send_request(HttpRequest("POST", PATH, json=body))
        response.raise_for_status()
        result = response.json()
    return str(result["token"]), result.get("expiresOn")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _guid(text: str) -> str:
    if not _GUID.match(text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
    return text.strip().lower()


def _minutes(text: str) -> int:
    try:
        minutes = int(text)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 1440:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of minutes from 1 to 1440")
    return minutes


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Print a signed Entra ID access token of a Teams user, minted by a running local service, "
        "which its Teams user and Teams Phone exchanges accept (Azure does not: it is signed by the local "
        "service's own issuer key). Only the token is printed, on stdout.",
    )
    parser.add_argument(
        "--connection-string",
        metavar="CS",
        help=f"the local service's 'endpoint=...;accesskey=...' (default: ${CONNECTION_STRING_ENV}, "
        "which keeps the key out of the process list)",
    )
    parser.add_argument("--tenant", required=True, type=_guid, metavar="GUID", help="the user's tenant id (tid)")
    parser.add_argument("--object", required=True, type=_guid, metavar="GUID", help="the user's object id (oid)")
    parser.add_argument("--app", required=True, type=_guid, metavar="GUID", help="the client application id (appid)")
    parser.add_argument(
        "--scopes",
        metavar="SCOPE",
        nargs="+",
        help="delegated permissions written to scp (default: Teams.ManageCalls Teams.ManageChats "
        "TeamsExtension.ManageCalls, enough for both exchanges)",
    )
    parser.add_argument(
        "--resource",
        choices=("teams", "clients"),
        help="what the token is for: teams (aud https://auth.msft.communication.azure.com: the Teams user and "
        "Teams Phone exchanges; the default) or clients (aud https://communication.azure.com/clients, default "
        "scope VoIP: the Entra ID user exchange of 2025-03-02-preview)",
    )
    parser.add_argument(
        "--expires-in", type=_minutes, metavar="MIN", help="token lifetime in minutes, 1 to 1440 (default 60)"
    )
    parser.add_argument(
        "--ca-file",
        metavar="PEM",
        help="the CA certificate to trust for an https endpoint: the certificate=<path> a --tls service prints",
    )
    return parser


def _secrets(connection_string: str) -> list[str]:
    found = [connection_string.strip()]
    for part in connection_string.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "accesskey" and value.strip():
            found.append(value.strip())
    return [secret for secret in found if len(secret) >= 4]


def _fail(prog: str, message: str, secrets: Sequence[str], status: int) -> int:
    for secret in secrets:
        message = message.replace(secret, "***")
    print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
    return status


def _explain(error: Exception, endpoint: str, source: str) -> str:
    """One sentence for a failed call: what the service said, or why it was not reached."""
    from azure.core.exceptions import HttpResponseError

    if isinstance(error, HttpResponseError):
        detail = error.error
        code = (detail.code if detail is not None else None) or error.reason or "HttpError"
        said = (detail.message if detail is not None else None) or ""
        if error.status_code == 404:
            return (
                f"the service at {endpoint} (from {source}) has no Entra token issuer ({PATH} answered 404): "
                "give the connection string of a running acs-identity-emulator, not of an Azure resource"
            )
        if error.status_code == 401:
            return (
                f"the service at {endpoint} (from {source}) refused the access key of the connection string "
                f"({code}): use the connection string that acs-identity-emulator printed when it started"
            )
        return f"the service at {endpoint} refused the request: {code}: {said} (HTTP {error.status_code})"
    from azure.communication.administration._reach import explain  # this distribution's own

    sentence = explain(endpoint, error)
    if sentence is None:
        sentence = f"Cannot reach {endpoint}: {type(error).__name__}."
    advice = "use the connection string a running acs-identity-emulator printed"
    return f"{sentence} The endpoint came from {source}: {advice}."


def main(argv: Sequence[str], prog: str) -> int:
    """Run ``entra-token``; return the exit status (0, 1 the call failed, 2 usage)."""
    parser = _parser(prog)
    args = parser.parse_args(list(argv))
    connection_string = args.connection_string
    source = "--connection-string"
    if connection_string is None:
        connection_string, source = os.environ.get(CONNECTION_STRING_ENV), f"${CONNECTION_STRING_ENV}"
    if connection_string is None or not connection_string.strip():
        return _fail(
            prog, f"no connection string: pass --connection-string or set {CONNECTION_STRING_ENV}", (), EXIT_USAGE
        )
    secrets = _secrets(connection_string)
    if args.ca_file is not None and not os.path.isfile(args.ca_file):
        return _fail(prog, f"--ca-file: no such file: {args.ca_file}", secrets, EXIT_USAGE)
    try:
        from azure.core.exceptions import AzureError

        from azure.communication.administration import parse_connection_string

        endpoint = parse_connection_string(connection_string).endpoint
    except ValueError as error:
        return _fail(prog, f"{source}: {error}", secrets, EXIT_USAGE)
    try:
        token, _ = request_entra_token(
            connection_string,
            args.tenant,
            args.object,
            args.app,
            scopes=args.scopes,
            expires_in_minutes=args.expires_in,
            connection_verify=args.ca_file,
            resource=args.resource,
        )
    except ValueError as error:
        return _fail(prog, f"{source}: {error}", secrets, EXIT_USAGE)
    except AzureError as error:
        return _fail(prog, _explain(error, endpoint, source), secrets, EXIT_FAILED)
    except KeyError:  # a 2xx answer without a token: not this service
        return _fail(prog, f"the service at {endpoint} did not answer with a token", secrets, EXIT_FAILED)
    print(token, flush=True)
    return 0
