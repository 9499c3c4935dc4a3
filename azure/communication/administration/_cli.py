"""Command line: ``acs-identity`` / ``python -m azure.communication.administration``.

Every command prints exactly one JSON object on stdout. Errors are one line on
stderr (``acs-identity: error: ...``): exit status 2 for usage and validation
errors (raised locally, before any request), 1 for service and network errors
(with the service's error code and message). The access key never appears in
any output, and no traceback is printed.

::

    acs-identity [--connection-string CS] [--api-version VERSION] [--ca-file PEM] COMMAND ...

    user create                                          {"user_id"}
    user delete ID                                       {"user_id", "deleted": true}
    user create-with-token --scopes S [--expires-in M]   {"user_id", "token", "expires_on"}
    token issue ID --scopes S [--expires-in M]           {"user_id", "token", "expires_on"}
    token revoke ID [--issued-before ISO8601]            {"user_id", "revoked": true}
    token teams-user --aad-token T --client-id C --user-object-id U
                                                         {"token", "expires_on"}
    token teams-phone --entra-token T                    {"user_id", "token", "expires_on"}
    teams-assignment get --tenant-id T --object-id O     {"tenant_id", "object_id", "principal_type", "client_ids"}
    teams-assignment set --tenant-id T --object-id O --principal-type P --client-ids C[,C...]
                                                         {"tenant_id", "object_id", "principal_type", "client_ids"}
    teams-assignment delete --tenant-id T --object-id O  {"tenant_id", "object_id", "deleted": true}
    serve [emulator options]                             runs the local Identity service
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn, Optional

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError, ServiceRequestError

from ._api_versions import ApiVersion
from ._client import CommunicationIdentityClient
from ._connection_string import parse_connection_string
from ._models import TeamsExtensionAssignment, TeamsExtensionPrincipalType
from ._reach import cause_of, certificate_problem
from ._redact import looks_secret, shown
from ._scopes import MAX_EXPIRES_IN, MIN_EXPIRES_IN, CommunicationTokenScope, expires_in_since, scope_since
from ._version import VERSION

__all__ = ["main"]

PROG = "acs-identity"
CONNECTION_STRING_ENV = "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"
EXIT_SERVICE_ERROR = 1
EXIT_USAGE = 2

_GLOBAL_OPTIONS_WITH_VALUE = ("--connection-string", "--api-version", "--ca-file")

Handler = Callable[[CommunicationIdentityClient, argparse.Namespace], dict[str, Any]]


class _UsageError(Exception):
    """A usage or validation error: exit status 2."""


class _ServiceFailure(Exception):
    """A service or network error, already said in the command line's terms: exit status 1."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors become one line, not usage plus message."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# ----- argument types -----


def _scopes(text: str) -> list[str]:
    """``chat,voip`` -> ``["chat", "voip"]``; the client validates the names."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _expires_in(text: str) -> timedelta:
    low, high = MIN_EXPIRES_IN // timedelta(minutes=1), MAX_EXPIRES_IN // timedelta(minutes=1)
    try:
        minutes = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole minutes, got {shown(text)}") from None
    if not low <= minutes <= high:
        raise argparse.ArgumentTypeError(f"must be between {low} and {high} minutes, got {minutes}")
    return timedelta(minutes=minutes)


def _aware_datetime(text: str) -> datetime:
    value = text.strip()
    if value[-1:] in ("Z", "z"):  # fromisoformat accepts "Z" only from Python 3.11
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {shown(text)}") from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{shown(text)} has no timezone; add one, e.g. 2026-01-31T12:00:00Z or +01:00")
    return parsed


def _ids(text: str) -> list[str]:
    """``a,b`` -> ``["a", "b"]``; the client checks each id."""
    return [part.strip() for part in text.split(",") if part.strip()]


#: The client's words (Python names) -> the command line's, for the client's own messages.
_CLI_TERMS = (
    ("get_token_for_teams_phone_user", "'token teams-phone'"),
    ("get_token_for_teams_user", "'token teams-user'"),
    ("get_teams_extension_assignment", "'teams-assignment get'"),
    ("upsert_teams_extension_assignment", "'teams-assignment set'"),
    ("delete_teams_extension_assignment", "'teams-assignment delete'"),
    # what a version without identity operations (2023-08-30-preview, Roles only) refuses
    ("create_user_and_token", "'user create-with-token'"),
    ("create_user requires", "'user create' requires"),
    ("delete_user requires", "'user delete' requires"),
    ("get_token requires", "'token issue' requires"),
    ("revoke_tokens requires", "'token revoke' requires"),
    ("call revoke_tokens(user) to revoke all", "leave out --issued-before to revoke all"),
    ("as create_user returns it", "as 'user create' prints it"),
    ("token_expires_in", "--expires-in"),
    ("issued_before", "--issued-before"),
    ("api_version", "--api-version"),
    ("user_object_id", "--user-object-id"),
    ("aad_token", "--aad-token"),
    ("entra_token", "--entra-token"),
    ("client_ids item", "--client-ids item"),
    ("client_ids", "--client-ids"),
    ("client_id", "--client-id"),
    ("tenant_id", "--tenant-id"),
    ("object_id", "--object-id"),
    ("principal_type", "--principal-type"),
    ("communication_user must", "ID must"),
    ("user must", "ID must"),
    ("scopes must", "--scopes must"),
)
_CLI_TERMS_RE = re.compile("|".join(rf"(?<![\w-]){re.escape(word)}(?![\w-])" for word, _ in _CLI_TERMS))


def _in_cli_terms(message: str) -> str:
    """A client ``ValueError`` message in the command line's terms (``--api-version``, not ``api_version``).

    >>> _in_cli_terms("token_expires_in requires api_version 2022-10-01 or later")
    '--expires-in requires --api-version 2022-10-01 or later'
    """
    terms = dict(_CLI_TERMS)
    return _CLI_TERMS_RE.sub(lambda match: terms[match.group(0)], message)


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_epoch(seconds: int) -> str:
    return _iso(datetime.fromtimestamp(seconds, timezone.utc))


# ----- commands -----


def _user_create(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    user = client.create_user()
    return {"user_id": user.raw_id}


def _user_delete(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    client.delete_user(args.user_id)
    return {"user_id": args.user_id.strip(), "deleted": True}


def _user_create_with_token(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    user, token = client.create_user_and_token(args.scopes, token_expires_in=args.expires_in)
    return {"user_id": user.raw_id, "token": token.token, "expires_on": _iso_epoch(token.expires_on)}


def _token_issue(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    token = client.get_token(args.user_id, args.scopes, token_expires_in=args.expires_in)
    return {
        "user_id": args.user_id.strip(),
        "token": token.token,
        "expires_on": _iso_epoch(token.expires_on),
    }


def _token_revoke(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    client.revoke_tokens(args.user_id, issued_before=args.issued_before)
    return {"user_id": args.user_id.strip(), "revoked": True}


def _token_teams_user(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    token = client.get_token_for_teams_user(args.aad_token, args.client_id, args.user_object_id)
    return {"token": token.token, "expires_on": _iso_epoch(token.expires_on)}


def _token_teams_phone(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    user, token = client.get_token_for_teams_phone_user(args.entra_token)
    return {"user_id": user.raw_id, "token": token.token, "expires_on": _iso_epoch(token.expires_on)}


def _assignment(assignment: TeamsExtensionAssignment) -> dict[str, Any]:
    kind = assignment.principal_type
    return {
        "tenant_id": assignment.tenant_id,
        "object_id": assignment.object_id,
        "principal_type": kind.value if isinstance(kind, TeamsExtensionPrincipalType) else kind,
        "client_ids": list(assignment.client_ids),
    }


def _assignment_get(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    return _assignment(client.get_teams_extension_assignment(args.tenant_id, args.object_id))


def _assignment_set(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    assignment = client.upsert_teams_extension_assignment(
        args.tenant_id, args.object_id, principal_type=args.principal_type, client_ids=args.client_ids
    )
    return _assignment(assignment)


def _assignment_delete(client: CommunicationIdentityClient, args: argparse.Namespace) -> dict[str, Any]:
    client.delete_teams_extension_assignment(args.tenant_id, args.object_id)
    return {"tenant_id": args.tenant_id.strip(), "object_id": args.object_id.strip(), "deleted": True}


# ----- parser -----


def _add_global_options(parser: argparse.ArgumentParser, *, leaf: bool) -> None:
    # On the leaves the defaults are suppressed, so that an option given before the
    # command is not overwritten; both "acs-identity --api-version V user create" and
    # "acs-identity user create --api-version V" work.
    default = argparse.SUPPRESS if leaf else None
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--connection-string",
        default=default,
        metavar="CS",
        help=f"'endpoint=...;accesskey=...' (default: ${CONNECTION_STRING_ENV}, "
        "which keeps the key out of the process list)",
    )
    group.add_argument(
        "--api-version",
        default=default,
        metavar="VERSION",
        help="one of " + ", ".join(v.value for v in ApiVersion) + " (default: the latest)",
    )
    group.add_argument(
        "--ca-file",
        default=default,
        metavar="PEM",
        help="the CA certificate to trust for an https endpoint, such as the certificate=<path> that "
        "'acs-identity serve --tls' prints (default: $REQUESTS_CA_BUNDLE, then $CURL_CA_BUNDLE, then "
        "$SSL_CERT_FILE, then the certifi bundle)",
    )


def _add_scopes_options(parser: argparse.ArgumentParser) -> None:
    oldest = next(iter(ApiVersion))  # members are oldest first
    scopes = ", ".join(
        s.value if scope_since(s) is oldest else f"{s.value} ({scope_since(s).value}+)" for s in CommunicationTokenScope
    )
    parser.add_argument(
        "--scopes",
        required=True,
        type=_scopes,
        metavar="S[,S...]",
        help=f"comma-separated token scopes: {scopes}",
    )
    parser.add_argument(
        "--expires-in",
        type=_expires_in,
        default=None,
        metavar="MIN",
        help=f"token lifetime in minutes, {MIN_EXPIRES_IN // timedelta(minutes=1)} to "
        f"{MAX_EXPIRES_IN // timedelta(minutes=1)} (default: the service's; {expires_in_since().value}+)",
    )


def _leaf(commands: Any, name: str, handler: Handler, help_text: str, output: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help_text,
        description=f"{help_text[0].upper()}{help_text[1:]}. Prints {output}.",
        allow_abbrev=False,
    )
    parser.set_defaults(handler=handler, help_prog=parser.prog)
    _add_global_options(parser, leaf=True)
    return parser


def _group(groups: Any, name: str, help_text: str) -> Any:
    """A command group (``user``, ``token``, ...): its sub-commands' action."""
    parser: argparse.ArgumentParser = groups.add_parser(
        name, help=help_text, description=f"{help_text[0].upper()}{help_text[1:]}."
    )
    parser.set_defaults(help_prog=parser.prog)
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def _add_assignment_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant-id", required=True, metavar="T", help="the Entra tenant id")
    parser.add_argument(
        "--object-id", required=True, metavar="O", help="the Entra object id of the user or resource account"
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``acs-identity`` argument parser (without ``serve``'s own options)."""
    parser = _Parser(
        prog=PROG,
        description="Create Communication Services users and issue and revoke their tokens. "
        "Each command prints one JSON object; errors go to stderr with exit status 1 "
        "(service) or 2 (usage).",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
    _add_global_options(parser, leaf=False)
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)

    user_commands = _group(groups, "user", "create and delete users")
    _leaf(user_commands, "create", _user_create, "create a user", '{"user_id"}')
    delete = _leaf(
        user_commands,
        "delete",
        _user_delete,
        "delete a user and revoke its tokens",
        '{"user_id", "deleted": true}',
    )
    delete.add_argument("user_id", metavar="ID", help="the user id, 8:acs:...")
    with_token = _leaf(
        user_commands,
        "create-with-token",
        _user_create_with_token,
        "create a user and issue it a token",
        '{"user_id", "token", "expires_on"}',
    )
    _add_scopes_options(with_token)

    token_commands = _group(groups, "token", "issue, exchange and revoke access tokens")
    issue = _leaf(
        token_commands,
        "issue",
        _token_issue,
        "issue a token for a user",
        '{"user_id", "token", "expires_on"} (expires_on: ISO 8601, UTC)',
    )
    issue.add_argument("user_id", metavar="ID", help="the user id, 8:acs:...")
    _add_scopes_options(issue)
    revoke = _leaf(
        token_commands,
        "revoke",
        _token_revoke,
        "revoke a user's tokens",
        '{"user_id", "revoked": true}',
    )
    revoke.add_argument("user_id", metavar="ID", help="the user id, 8:acs:...")
    revoke.add_argument(
        "--issued-before",
        type=_aware_datetime,
        default=None,
        metavar="ISO8601",
        help="revoke only tokens issued before this time (with a timezone; 'Z' accepted). "
        "Only api version 2020-07-20-preview2 has it; later versions revoke all tokens",
    )
    teams = _leaf(
        token_commands,
        "teams-user",
        _token_teams_user,
        "exchange a Teams user's Entra token for a Communication Services token",
        '{"token", "expires_on"}',
    )
    teams.add_argument("--aad-token", required=True, metavar="T", help="the Entra ID token")
    teams.add_argument("--client-id", required=True, metavar="C", help="the Entra app id")
    teams.add_argument("--user-object-id", required=True, metavar="U", help="the Teams user's Entra object id")
    phone = _leaf(
        token_commands,
        "teams-phone",
        _token_teams_phone,
        "exchange a Teams Phone user's Entra token for a Communication Services token (2025-06-30+)",
        '{"user_id", "token", "expires_on"}',
    )
    phone.add_argument(
        "--entra-token",
        required=True,
        metavar="T",
        help="the user's Entra ID token; it authorises the call (see 'teams-assignment set')",
    )

    assignment_commands = _group(
        groups, "teams-assignment", "read and change which Entra apps may exchange Teams Phone tokens (2025-06-30+)"
    )
    assignment_output = '{"tenant_id", "object_id", "principal_type", "client_ids"}'
    get = _leaf(assignment_commands, "get", _assignment_get, "show an assignment", assignment_output)
    _add_assignment_key(get)
    upsert = _leaf(assignment_commands, "set", _assignment_set, "create or replace an assignment", assignment_output)
    _add_assignment_key(upsert)
    upsert.add_argument(
        "--principal-type",
        required=True,
        choices=[kind.value for kind in TeamsExtensionPrincipalType],
        help="what the object id names",
    )
    upsert.add_argument(
        "--client-ids",
        required=True,
        type=_ids,
        metavar="C[,C...]",
        help="comma-separated Entra application (client) ids allowed to exchange tokens",
    )
    remove = _leaf(
        assignment_commands,
        "delete",
        _assignment_delete,
        "remove an assignment",
        '{"tenant_id", "object_id", "deleted": true}',
    )
    _add_assignment_key(remove)

    # Listed for --help only; main() hands "serve" and what follows to the emulator.
    groups.add_parser(
        "serve",
        help="run the local Identity service (see 'acs-identity serve --help')",
        add_help=False,
    )
    return parser


# ----- running -----


def _serve_args(argv: Sequence[str]) -> Optional[list[str]]:
    """What follows ``serve`` when it is the command, else ``None``."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in _GLOBAL_OPTIONS_WITH_VALUE:
            index += 2
        elif arg.startswith(tuple(f"{option}=" for option in _GLOBAL_OPTIONS_WITH_VALUE)):
            index += 1
        else:
            return list(argv[index + 1 :]) if arg == "serve" else None
    return None


def _serve(argv: list[str]) -> int:
    try:  # imported by name: the local service is an optional extra, with its own typing
        emulator_cli = importlib.import_module("acs_identity_emulator._cli")
    except ImportError as error:
        _fail(
            f"'serve' needs the local service's dependencies ({error}); "
            "install them with: pip install 'azure-communication-administration[emulator]'"
        )
        return EXIT_USAGE
    emulator_main: Callable[[list[str], str], int] = emulator_cli.main
    try:  # its --help and usage errors then name "acs-identity serve", not the emulator's script
        return emulator_main(argv, f"{PROG} serve")
    except SystemExit as done:  # its --help and usage errors
        return _exit_status(done)


def _exit_status(done: SystemExit) -> int:
    if done.code is None:
        return 0
    return done.code if isinstance(done.code, int) else EXIT_USAGE


def _secrets(conn_str: str) -> list[str]:
    """The connection string and its key, found leniently (the string may be malformed)."""
    found = [conn_str.strip()]
    for part in conn_str.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "accesskey" and value.strip():
            found.append(value.strip())
    return [secret for secret in found if len(secret) >= 4]


def _one_line(message: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        message = message.replace(secret, "***")
    return " ".join(message.split())


def _fail(message: str, secrets: Sequence[str] = ()) -> None:
    sys.stderr.write(f"{PROG}: error: {_one_line(message, secrets)}\n")
    sys.stderr.flush()


_STOPPED_SERVE = (
    "If it was printed by an 'acs-identity serve' that has stopped, start that again and use the line "
    "it prints (with --port 0 the port changes at each start)"
)


def _unreachable(error: ServiceRequestError, endpoint: str, source: str) -> str:
    """Which endpoint, why it could not be used, and what to do (the words of ``make demo``)."""
    where = f"the service at {endpoint} (from {source})"
    cause = cause_of(error)
    if cause == "certificate":
        return (
            f"{where} was reached, but its TLS certificate is not trusted ({certificate_problem(error)}). "
            "For a local service started with --tls, trust the file it printed after the connection string "
            "(certificate=<path>): pass --ca-file <path>, or export SSL_CERT_FILE=<path>."
        )
    if cause == "refused":
        return (
            f"cannot reach {where}: connection refused, nothing listens there. {_STOPPED_SERVE}; or check the endpoint."
        )
    if cause == "unknown-host":
        return f"cannot reach {where}: its host name does not resolve; check the endpoint in the connection string."
    if cause == "timeout":
        return f"cannot reach {where}: the connection timed out; check the endpoint, and any proxy or firewall."
    return f"cannot reach {where}: {_plain_reason(error.message)}"


#: Internal objects that transports put before their reason ("_Connection(host=..., port=...): ",
#: "<urllib3.connection.HTTPConnection object at 0x...>: "): never shown to a user.
_INTERNAL_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*|\b_?\w*Connection\([^)]*\):?\s*")


def _plain_reason(message: str) -> str:
    """A transport's message without the internal objects it names."""
    return _INTERNAL_REPR.sub("", message).strip() or "the request could not be sent"


def _service_error(error: AzureError, endpoint: str = "", source: str = "") -> str:
    if isinstance(error, HttpResponseError):
        detail = error.error
        code = (detail.code if detail is not None else None) or error.reason or "HttpError"
        message = (detail.message if detail is not None else None) or error.message
        status = f" (HTTP {error.status_code})" if error.status_code else ""
        said = f"{code}: {message}{status}"
        if isinstance(error, ClientAuthenticationError) and code == "Denied" and endpoint:
            said += (
                f". The service at {endpoint} refused the access key of the connection string (from {source}): "
                "the key is not this service's (or this machine's clock is more than 15 minutes off). Use the "
                "resource's own connection string; for a local service, the line its 'acs-identity serve' printed."
            )
        return said
    if isinstance(error, ServiceRequestError):
        if endpoint:
            return _unreachable(error, endpoint, source)
        return f"cannot reach the service: {_plain_reason(error.message)}"
    return f"{type(error).__name__}: {_plain_reason(error.message)}"


def _ca_file(path: Optional[str]) -> dict[str, Any]:
    """``connection_verify=`` for ``--ca-file``, checked before any request."""
    if path is None:
        return {}
    if not os.path.isfile(path):
        raise _UsageError(f"--ca-file: no such file: {shown(path)}")
    return {"connection_verify": path}


def _run(args: argparse.Namespace, secrets: list[str]) -> int:
    conn_str = args.connection_string
    if conn_str is None:
        conn_str = os.environ.get(CONNECTION_STRING_ENV)
    if conn_str is None or not conn_str.strip():
        raise _UsageError(f"no connection string: pass --connection-string or set {CONNECTION_STRING_ENV}")
    secrets.extend(_secrets(conn_str))
    source = "--connection-string" if args.connection_string is not None else f"${CONNECTION_STRING_ENV}"
    handler: Handler = args.handler
    try:
        client = CommunicationIdentityClient.from_connection_string(
            conn_str, api_version=args.api_version, **_ca_file(args.ca_file)
        )
        endpoint = parse_connection_string(conn_str).endpoint
    except ValueError as error:
        raise _UsageError(_in_cli_terms(str(error))) from None
    with client:
        try:
            result = handler(client, args)
        except ValueError as error:  # the client's local checks, before any request
            raise _UsageError(_in_cli_terms(str(error))) from None
        except AzureError as error:
            raise _ServiceFailure(_service_error(error, endpoint, source)) from None
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    """Run one ``acs-identity`` command; return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    serve_args = _serve_args(arguments)
    if serve_args is not None:
        return _serve(serve_args)
    secrets: list[str] = _secrets(os.environ.get(CONNECTION_STRING_ENV) or "")
    # argparse quotes what it could not use (an unknown option, a bad choice); a key pasted
    # into an argument is scrubbed from its messages like the configured one.
    secrets.extend(arg for arg in arguments if looks_secret(arg))
    for index, arg in enumerate(arguments):  # scrub a key given on the command line
        if arg == "--connection-string" and index + 1 < len(arguments):
            secrets.extend(_secrets(arguments[index + 1]))
        elif arg.startswith("--connection-string="):
            secrets.extend(_secrets(arg.partition("=")[2]))
    try:
        parser = build_parser()
        try:
            args, unknown = parser.parse_known_args(arguments)
        except SystemExit as done:  # --help and --version
            return _exit_status(done)
        if unknown:  # point to the help of the command that was given, not the top level's
            prog = getattr(args, "help_prog", PROG)
            raise _UsageError(f"unrecognized arguments: {' '.join(unknown)} (see '{prog} --help')")
        return _run(args, secrets)
    except _UsageError as error:
        _fail(str(error), secrets)
        return EXIT_USAGE
    except _ServiceFailure as error:
        _fail(str(error), secrets)
        return EXIT_SERVICE_ERROR
    except AzureError as error:
        _fail(_service_error(error), secrets)
        return EXIT_SERVICE_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # never a traceback, never the key
        _fail(f"unexpected {type(error).__name__}: {error}", secrets)
        return EXIT_SERVICE_ERROR
