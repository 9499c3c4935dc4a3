"""The local service's error answers: status, code, message and body, literally (make mutate
mutates each number and branch in _errors.py)."""

from __future__ import annotations

import json

import pytest
from acs_identity_emulator import _errors as e


def _shape(error: e.ServiceError) -> tuple[int, str, str, str | None, dict[str, str]]:
    return error.status, error.code, error.message, error.target, error.headers


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (e.denied(), (401, "Denied", "Denied by the resource provider.", None, {})),
        (
            e.content_hash_mismatch(),
            (401, "Denied", "Request 'x-ms-content-sha256' differs from generated content hash.", None, {}),
        ),
        (e.invalid_access_token(), (401, "InvalidAccessToken", "Provided access token is not valid.", None, {})),
        (e.validation("bad", "t"), (400, "ValidationError", "bad", "t", {})),
        (
            e.expires_in_minutes_out_of_range(59, 60, 1440),
            (
                400,
                "ValidationError",
                "ExpiresInMinutes value 59 is invalid. Value must be within the [60, 1440] interval.",
                "ExpiresInMinutes",
                {},
            ),
        ),
        (
            e.unsupported_api_version("/identities", "1999-01-01"),
            (
                400,
                "UnsupportedApiVersion",
                "The HTTP resource that matches the request URI '/identities' does not support the API version "
                "'1999-01-01'.",
                None,
                {},
            ),
        ),
        (
            e.missing_api_version(),
            (
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
                None,
                {},
            ),
        ),
        (e.identity_not_found("8:acs:x"), (404, "IdentityNotFound", "Identity '8:acs:x' was not found.", None, {})),
        (
            e.invalid_identity("x"),
            (400, "InvalidIdentity", "Identity id 'x' is not a valid Communication Services identity.", "id", {}),
        ),
        (e.bad_json(), (400, "BadRequest", "The request body is not valid JSON.", None, {})),
        (e.not_json_object(), (400, "BadRequest", "The request body must be a JSON object.", None, {})),
        (e.not_found("/x"), (404, "NotFound", "The requested resource '/x' was not found.", None, {})),
        (
            e.method_not_allowed("PUT", "/identities", ("GET", "POST")),
            (
                405,
                "MethodNotAllowed",
                "The HTTP method 'PUT' is not supported by the resource '/identities'.",
                None,
                {"Allow": "GET, POST"},
            ),
        ),
        (
            e.body_too_large(),
            (
                413,
                "RequestEntityTooLarge",
                "The request body exceeds the maximum allowed size of 65536 bytes.",
                None,
                {},
            ),
        ),
        (e.body_timeout(2.5), (408, "RequestTimeout", "The request body did not arrive within 2.5 seconds.", None, {})),
        (e.body_timeout(10.0), (408, "RequestTimeout", "The request body did not arrive within 10 seconds.", None, {})),
        (e.body_incomplete(), (400, "BadRequest", "The request body is incomplete.", None, {})),
        (e.internal_error(), (500, "InternalError", "An internal error occurred.", None, {})),
        (
            e.no_teams_phone_assignment("t", "o"),
            (403, "Forbidden", "No Teams Phone access assignment exists for object 'o' in tenant 't'.", None, {}),
        ),
        (
            e.client_not_assigned("c"),
            (403, "Forbidden", "Client application 'c' is not allowed by the Teams Phone access assignment.", None, {}),
        ),
        (
            e.assignment_not_found("t", "o"),
            (404, "AssignmentNotFound", "Assignment for object 'o' in tenant 't' was not found.", None, {}),
        ),
    ],
)
def test_error_answers(error: e.ServiceError, expected: tuple[object, ...]) -> None:
    assert _shape(error) == expected


def test_max_body_bytes() -> None:
    assert e.MAX_BODY_BYTES == 65536


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, (400, "BadRequest", "The request is not valid HTTP.")),
        (414, (414, "BadRequest", "The request is not valid HTTP.")),
        (412, (412, "BadRequest", "The request is not valid HTTP.")),
        (413, (413, "RequestEntityTooLarge", "The request body exceeds the maximum allowed size of 65536 bytes.")),
        (431, (431, "RequestHeaderFieldsTooLarge", "The request headers are too large.")),
        (430, (430, "BadRequest", "The request is not valid HTTP.")),
        (432, (432, "BadRequest", "The request is not valid HTTP.")),
        (499, (499, "BadRequest", "The request is not valid HTTP.")),
        (500, (500, "InternalError", "An internal error occurred.")),
        (501, (500, "InternalError", "An internal error occurred.")),
    ],
)
def test_malformed_requests(status: int, expected: tuple[int, str, str]) -> None:
    error = e.malformed_request(status)
    assert (error.status, error.code, error.message) == expected


def test_body_is_compact_json_with_target_only_when_given() -> None:
    assert e.denied().body() == b'{"error":{"code":"Denied","message":"Denied by the resource provider."}}'
    assert json.loads(e.invalid_identity("x").body()) == {
        "error": {
            "code": "InvalidIdentity",
            "message": "Identity id 'x' is not a valid Communication Services identity.",
            "target": "id",
        }
    }
    assert str(e.denied()) == "401 Denied: Denied by the resource provider."


def test_headers_are_not_shared_between_errors() -> None:
    first, second = e.denied(), e.denied()
    first.headers["X"] = "1"
    assert second.headers == {}


def test_not_implemented_names_the_document() -> None:
    from acs_identity_emulator import _versions

    version = _versions.ALL_VERSIONS[-1]
    error = e.not_implemented("Op_Id", "POST", "/x", version)
    assert (error.status, error.code) == (501, "NotImplemented")
    assert error.message == (
        f"The local Identity service does not implement Op_Id (POST /x) of api-version '{version}' yet. "
        f"It is in {_versions.document(version)}; give it a handler in acs_identity_emulator/_handlers/."
    )
