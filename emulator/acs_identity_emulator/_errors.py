"""The service's error shape and the exact codes/messages the emulator uses.

Every failure leaves the emulator as
``{"error":{"code":...,"message":...[,"target":...]}}`` with
``Content-Type: application/json`` (no charset, as the real service does).
Messages never contain the access key or any signature material.
"""

from __future__ import annotations

import http
import json
import re

from . import _versions

DENIED_MESSAGE = "Denied by the resource provider."
CONTENT_HASH_MESSAGE = "Request 'x-ms-content-sha256' differs from generated content hash."
INVALID_ACCESS_TOKEN_MESSAGE = "Provided access token is not valid."  # noqa: S105 - an error text
SCOPES_REQUIRED_MESSAGE = "Scopes: The Scopes field is required."
EXCHANGE_BODY_MISSING_MESSAGE = "The body is either missing or doesn't contain any token."
MISSING_API_VERSION_MESSAGE = "The api-version query parameter (?api-version=) is required for all requests."
MAX_BODY_BYTES = 64 * 1024


class ServiceError(Exception):
    """An error answer in the service's shape.

    Raised anywhere inside request handling; the dispatcher turns it into the
    JSON error response.  ``headers`` carries extra response headers (for
    example ``Allow`` on a 405).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        target: str | None = None,
        headers: dict[str, str] | None = None,
        close_connection: bool = False,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = headers or {}
        #: Close the connection after the answer: the rest of the request cannot be read usefully.
        self.close_connection = close_connection

    def body(self) -> bytes:
        """The compact JSON error body."""
        error: dict[str, str] = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        return json.dumps({"error": error}, separators=(",", ":")).encode("utf-8")


def denied() -> ServiceError:
    """401 for a missing, malformed or wrong HMAC signature."""
    return ServiceError(401, "Denied", DENIED_MESSAGE)


def content_hash_mismatch() -> ServiceError:
    """401 when ``x-ms-content-sha256`` does not match the body received."""
    return ServiceError(401, "Denied", CONTENT_HASH_MESSAGE)


def invalid_access_token() -> ServiceError:
    """401 for an empty, malformed or expired Entra token."""
    return ServiceError(401, "InvalidAccessToken", INVALID_ACCESS_TOKEN_MESSAGE)


def validation(message: str, target: str | None = None) -> ServiceError:
    """400 ``ValidationError`` with the given message and optional target."""
    return ServiceError(400, "ValidationError", message, target)


def expires_in_minutes_out_of_range(value: int, low: int, high: int) -> ServiceError:
    """400 for ``expiresInMinutes`` outside [low, high] (the document's bounds), worded as the service does."""
    return validation(
        f"ExpiresInMinutes value {value} is invalid. Value must be within the [{low}, {high}] interval.",
        "ExpiresInMinutes",
    )


def not_implemented(operation_ids: str, method: str, path: str, version: str) -> ServiceError:
    """501 for an operation that the swagger document of ``version`` has and this service does not do yet."""
    return ServiceError(
        501,
        "NotImplemented",
        f"The local Identity service does not implement {operation_ids} ({method} {path}) of api-version "
        f"'{version}' yet. It is in {_versions.document(version)}; "
        "give it a handler in acs_identity_emulator/_handlers/.",
    )


def unsupported_api_version(uri: str, version: str) -> ServiceError:
    """400 for an api-version this route does not serve."""
    return ServiceError(
        400,
        "UnsupportedApiVersion",
        f"The HTTP resource that matches the request URI '{uri}' does not support the API version '{version}'.",
    )


def missing_api_version() -> ServiceError:
    """400 when ``?api-version=`` is absent or empty (ARM's wording)."""
    return ServiceError(400, "MissingApiVersionParameter", MISSING_API_VERSION_MESSAGE)


def identity_not_found(identity_id: str) -> ServiceError:
    """404 for an unknown or deleted identity."""
    return ServiceError(404, "IdentityNotFound", f"Identity '{identity_id}' was not found.")


def invalid_identity(identity_id: str) -> ServiceError:
    """400 for an id that is not of the form ``8:acs:<guid>_<guid>``."""
    return ServiceError(
        400,
        "InvalidIdentity",
        f"Identity id '{identity_id}' is not a valid Communication Services identity.",
        "id",
    )


def bad_json() -> ServiceError:
    """400 for a body that is not JSON."""
    return ServiceError(400, "BadRequest", "The request body is not valid JSON.")


def not_json_object() -> ServiceError:
    """400 for JSON that is not an object."""
    return ServiceError(400, "BadRequest", "The request body must be a JSON object.")


def not_found(path: str) -> ServiceError:
    """404 for a route the service does not have."""
    return ServiceError(404, "NotFound", f"The requested resource '{path}' was not found.")


def method_not_allowed(method: str, path: str, allowed: tuple[str, ...]) -> ServiceError:
    """405 for a known route called with the wrong HTTP method."""
    return ServiceError(
        405,
        "MethodNotAllowed",
        f"The HTTP method '{method}' is not supported by the resource '{path}'.",
        headers={"Allow": ", ".join(allowed)},
    )


def body_too_large() -> ServiceError:
    """413 for bodies above :data:`MAX_BODY_BYTES`."""
    return ServiceError(
        413,
        "RequestEntityTooLarge",
        f"The request body exceeds the maximum allowed size of {MAX_BODY_BYTES} bytes.",
    )


def body_timeout(seconds: float) -> ServiceError:
    """408 for a body that does not arrive in time after the request head."""
    return ServiceError(
        408, "RequestTimeout", f"The request body did not arrive within {seconds:g} seconds.", close_connection=True
    )


def body_incomplete() -> ServiceError:
    """400 for a body cut short (the client disconnected or broke its framing)."""
    return ServiceError(400, "BadRequest", "The request body is incomplete.")


def undecodable_body(encoding: str | None) -> ServiceError:
    """400 for a body that is not what its ``Content-Encoding`` (``gzip``, ``deflate``, ...) says.

    The connection is closed after it: the rest of such a body cannot be read, only fail again.
    """
    named = "" if encoding is None else f" '{encoding}'"
    message = f"The request body cannot be decoded as its Content-Encoding{named} says."
    return ServiceError(400, "BadRequest", message, close_connection=True)


def malformed_request(status: int) -> ServiceError:
    """An HTTP request that could not be parsed, without echoing any of its bytes."""
    if status == 413:
        return body_too_large()
    if status == 431:
        return ServiceError(431, "RequestHeaderFieldsTooLarge", "The request headers are too large.")
    if status >= 500:
        return internal_error()
    return ServiceError(status, "BadRequest", "The request is not valid HTTP.")


def internal_error() -> ServiceError:
    """500 for anything unexpected (details go to the log, never to the caller)."""
    return ServiceError(500, "InternalError", "An internal error occurred.")


def no_teams_phone_assignment(tenant_id: str, object_id: str) -> ServiceError:
    """403 for a Teams Phone exchange by a user who has no access assignment."""
    return ServiceError(
        403,
        "Forbidden",
        f"No Teams Phone access assignment exists for object '{object_id}' in tenant '{tenant_id}'.",
    )


def client_not_assigned(client_id: str) -> ServiceError:
    """403 for a Teams Phone exchange by an application the user's assignment does not list."""
    return ServiceError(
        403, "Forbidden", f"Client application '{client_id}' is not allowed by the Teams Phone access assignment."
    )


def assignment_not_found(tenant_id: str, object_id: str) -> ServiceError:
    """404 for a Teams Phone access assignment that does not exist."""
    return ServiceError(
        404, "AssignmentNotFound", f"Assignment for object '{object_id}' in tenant '{tenant_id}' was not found."
    )


def retry_after_value(seconds: float) -> str:
    """A ``Retry-After`` header value: whole seconds as an integer, else up to milliseconds (``0.25``)."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def injected_fault(status: int, rule_id: str, retry_after: float | None) -> ServiceError:
    """The answer of a fault rule's ``status`` (``_faults``): the status's name as the code, and the rule."""
    phrase = http.HTTPStatus(status).phrase
    code = "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", phrase))
    headers = {} if retry_after is None else {"Retry-After": retry_after_value(retry_after)}
    message = f"{phrase}: fault injected by rule '{rule_id}' of the local service."
    return ServiceError(status, code, message, headers=headers)


def fault_rule_not_found(rule_id: str) -> ServiceError:
    """404 for ``/emulator/faults/{id}`` with an id the service has no rule for."""
    return ServiceError(404, "FaultRuleNotFound", f"Fault rule '{rule_id}' was not found.")


def role_not_found(role_id: str) -> ServiceError:
    """404 for a role that does not exist (Roles API, 2023-08-30-preview)."""
    return ServiceError(404, "NotFound", f"Role '{role_id}' was not found.")


def condition_not_met(header: str) -> ServiceError:
    """412 when a conditional header (``If-Match``, ``If-None-Match``, ``If-Unmodified-Since``) does not hold."""
    return ServiceError(412, "ConditionNotMet", f"The condition in {header} does not hold for this resource.", header)


def no_entra_assignment(tenant_id: str, object_id: str) -> ServiceError:
    """403 for an Entra ID user exchange by a user whom no Entra access assignment covers."""
    return ServiceError(
        403,
        "Forbidden",
        f"No Entra access assignment covers object '{object_id}' in tenant '{tenant_id}' "
        "(as a user, through a group or as the whole tenant).",
    )


def client_not_in_entra_assignment(client_id: str) -> ServiceError:
    """403 for an Entra ID user exchange by an application no covering assignment lists."""
    return ServiceError(
        403, "Forbidden", f"Client application '{client_id}' is not allowed by the Entra access assignments."
    )


def entra_assignment_not_found(object_id: str) -> ServiceError:
    """404 for an Entra access assignment that does not exist."""
    return ServiceError(404, "AssignmentNotFound", f"Entra assignment for object '{object_id}' was not found.")
