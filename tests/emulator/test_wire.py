"""Wire-level behaviour of the emulator: statuses, headers, bodies, errors."""

from __future__ import annotations

import base64
import re
import time
from email.utils import formatdate

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from emu_helpers import GA, PREVIEW, RawClient, enc, jwt_parts

from azure.communication.administration._generated import _catalog

# Every version there is a swagger document for: a new one is served (and tested) on the day it is added.
GA_VERSIONS = list(_catalog.GA_VERSIONS)
ALL = ", ".join(_catalog.VERSIONS)
# A deliberate pin of released history: versions are added (a preview lands among the GA
# versions by its date), never taken away or reordered.
RELEASED = [
    "2020-07-20-preview2",
    "2021-03-07",
    "2022-06-01",
    "2022-10-01",
    "2023-08-01",
    "2023-10-01",
    "2025-03-02-preview",
    "2025-04-01-preview",
    "2025-06-30",
    "2026-09-23",
]


def versions_with(path: str) -> str:
    """The api-supported-versions header of ``path``: every version whose document has it."""
    return ", ".join(v for v in _catalog.VERSIONS if any(p == path for _, _, p in _catalog.OPERATIONS[v]))


def test_served_versions_keep_the_released_ones_in_order() -> None:
    served = list(_catalog.VERSIONS)
    assert set(RELEASED) <= set(served)
    assert [v for v in served if v in RELEASED] == RELEASED


ID_RE = re.compile(
    r"^8:acs:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
EXPIRES_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?\+00:00$")
JSON_UTF8 = "application/json; charset=utf-8"
EMPTY_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def error(reply_json: dict[str, object]) -> dict[str, object]:
    return reply_json["error"]  # type: ignore[return-value]


# -- create -------------------------------------------------------------------
@pytest.mark.parametrize("version", GA_VERSIONS)
@pytest.mark.parametrize("body", [None, {}, {"createTokenWithScopes": None, "expiresInMinutes": None}])
def test_create_identity_only(client: RawClient, version: str, body: object) -> None:
    reply = client.request("POST", "/identities", body, api_version=version)
    assert reply.status == 201
    assert reply.header("Content-Type") == JSON_UTF8
    assert reply.header("api-supported-versions") == ALL
    data = reply.json()
    assert list(data) == ["identity"]
    assert ID_RE.match(data["identity"]["id"])
    assert len(data["identity"]["id"]) == 79
    assert reply.body == f'{{"identity":{{"id":"{data["identity"]["id"]}"}}}}'.encode()


def test_common_headers(client: RawClient) -> None:
    reply = client.request("POST", "/identities", None, headers={"x-ms-client-request-id": "abc-123"})
    assert reply.status == 201
    assert reply.header("x-ms-client-request-id") == "abc-123"
    assert reply.header("Strict-Transport-Security") == "max-age=2592000"
    assert re.fullmatch(r"[A-Za-z0-9+/]{22}\.0", reply.header("MS-CV") or "")
    assert re.fullmatch(r"\d+ms", reply.header("X-Processing-Time") or "")
    assert reply.header("Date")


def test_resource_guid_fixed_per_store(client: RawClient) -> None:
    first, second = client.create(), client.create()
    assert first.split("_")[0] == second.split("_")[0]
    assert first != second


def test_create_with_token_every_scope(client: RawClient) -> None:
    scopes = ["chat", "voip", "chat.join", "chat.join.limited", "voip.join"]
    before = int(time.time())
    reply = client.request("POST", "/identities", {"createTokenWithScopes": scopes})
    assert reply.status == 201
    data = reply.json()
    assert list(data) == ["identity", "accessToken"]
    assert list(data["accessToken"]) == ["token", "expiresOn"]
    header, claims = jwt_parts(data["accessToken"]["token"])
    assert list(header) == ["alg", "kid", "x5t", "typ"]
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    assert list(claims) == [
        "skypeid",
        "scp",
        "csi",
        "exp",
        "rgn",
        "acsScope",
        "resourceId",
        "resourceLocation",
        "iat",
    ]
    assert claims["skypeid"] == data["identity"]["id"][2:]
    assert claims["scp"] == 1792
    assert claims["csi"] == str(claims["iat"])
    assert claims["acsScope"] == "chat,voip,chat.join,chat.join.limited,voip.join"
    assert claims["resourceId"] == data["identity"]["id"][6:42]
    assert claims["rgn"] == "amer" and claims["resourceLocation"] == "unitedstates"
    assert claims["exp"] - claims["iat"] == 86400
    assert before <= claims["iat"] <= time.time()
    assert EXPIRES_RE.match(data["accessToken"]["expiresOn"])


def test_create_preview(client: RawClient) -> None:
    reply = client.request("POST", "/identities", None, api_version=PREVIEW)
    assert reply.status == 200
    assert reply.header("Content-Type") == JSON_UTF8
    data = reply.json()
    assert list(data) == ["id"] and ID_RE.match(data["id"])


def test_create_empty_scope_list_is_identity_only(client: RawClient) -> None:
    reply = client.request("POST", "/identities", {"createTokenWithScopes": []})
    assert reply.status == 201
    assert list(reply.json()) == ["identity"]


# -- issue ---------------------------------------------------------------------
def test_issue_token_and_verify_with_jwks(client: RawClient) -> None:
    identity = client.create()
    reply = client.issue(identity, ["voip"])
    assert reply.status == 200
    assert reply.header("Content-Type") == JSON_UTF8
    assert reply.header("api-supported-versions") == versions_with("/identities/{id}/:issueAccessToken")
    data = reply.json()
    assert list(data) == ["token", "expiresOn"]
    jwks = client.request("GET", "/.well-known/jwks.json", api_version=None, sign=False)
    assert jwks.status == 200
    key = jwks.json()["keys"][0]
    header, claims = jwt_parts(data["token"])
    assert key["kid"] == header["kid"] and key["x5t"] == header["x5t"]
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    n = int.from_bytes(base64.urlsafe_b64decode(pad(key["n"])), "big")
    e = int.from_bytes(base64.urlsafe_b64decode(pad(key["e"])), "big")
    public = rsa.RSAPublicNumbers(e, n).public_key()
    head, payload, sig = data["token"].split(".")
    public.verify(
        base64.urlsafe_b64decode(pad(sig)),
        f"{head}.{payload}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert claims["acsScope"] == "voip"


def test_expires_on_matches_exp(client: RawClient) -> None:
    identity = client.create()
    data = client.issue(identity, ["chat"], expiresInMinutes=60).json()
    _, claims = jwt_parts(data["token"])
    assert claims["exp"] - claims["iat"] == 3600
    from acs_identity_emulator._formats import parse_date_time  # fromisoformat on 3.10 takes 3 or 6 digits only

    assert int(parse_date_time(data["expiresOn"])) == claims["exp"]
    assert data["expiresOn"].endswith("+00:00") and "Z" not in data["expiresOn"]


@pytest.mark.parametrize("minutes", [59, 1441])
@pytest.mark.parametrize("op", ["create", "issue"])
def test_expires_in_minutes_out_of_range(client: RawClient, minutes: int, op: str) -> None:
    if op == "create":
        reply = client.request("POST", "/identities", {"createTokenWithScopes": ["chat"], "expiresInMinutes": minutes})
    else:
        reply = client.issue(client.create(), ["chat"], expiresInMinutes=minutes)
    assert reply.status == 400
    assert reply.header("Content-Type") == "application/json"
    assert reply.json() == {
        "error": {
            "code": "ValidationError",
            "message": f"ExpiresInMinutes value {minutes} is invalid. Value must be within the [60, 1440] interval.",
            "target": "ExpiresInMinutes",
        }
    }


@pytest.mark.parametrize("minutes", [60, 1440])
def test_expires_in_minutes_bounds(client: RawClient, minutes: int) -> None:
    reply = client.issue(client.create(), ["chat"], expiresInMinutes=minutes)
    assert reply.status == 200
    _, claims = jwt_parts(reply.json()["token"])
    assert claims["exp"] - claims["iat"] == minutes * 60


@pytest.mark.parametrize("version", [v for v in GA_VERSIONS if _catalog.EXPIRES_IN_MINUTES[v] is None])
def test_expires_in_minutes_ignored_before_2022_10_01(client: RawClient, version: str) -> None:
    identity = client.create()
    reply = client.request(
        "POST",
        f"/identities/{enc(identity)}/:issueAccessToken",
        {"scopes": ["chat"], "expiresInMinutes": 59},
        api_version=version,
    )
    assert reply.status == 200
    _, claims = jwt_parts(reply.json()["token"])
    assert claims["exp"] - claims["iat"] == 86400


def test_expires_in_minutes_wrong_type(client: RawClient) -> None:
    reply = client.issue(client.create(), ["chat"], expiresInMinutes="sixty")
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "ValidationError",
            "message": "ExpiresInMinutes: The value must be an integer.",
            "target": "ExpiresInMinutes",
        }
    }


@pytest.mark.parametrize("body", [{}, {"scopes": None}])
def test_issue_scopes_required(client: RawClient, body: dict[str, object]) -> None:
    identity = client.create()
    reply = client.request("POST", f"/identities/{enc(identity)}/:issueAccessToken", body)
    assert reply.status == 400
    assert reply.json() == {
        "error": {"code": "ValidationError", "message": "Scopes: The Scopes field is required.", "target": "Scopes"}
    }


def test_issue_scopes_empty(client: RawClient) -> None:
    identity = client.create()
    reply = client.request("POST", f"/identities/{enc(identity)}/:issueAccessToken", {"scopes": []})
    assert reply.status == 400
    assert reply.json() == {
        "error": {"code": "ValidationError", "message": "Scopes: At least one scope is required.", "target": "Scopes"}
    }


def test_issue_unknown_scope(client: RawClient) -> None:
    reply = client.issue(client.create(), ["chat", "admin"])
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "ValidationError",
            "message": "Scope 'admin' is not supported by api-version '2023-10-01'.",
            "target": "Scopes",
        }
    }


@pytest.mark.parametrize("version", [v for v in GA_VERSIONS if "chat.join" not in _catalog.SCOPES[v]])
def test_join_scopes_only_from_2023_10_01(client: RawClient, version: str) -> None:
    identity = client.create()
    reply = client.request(
        "POST",
        f"/identities/{enc(identity)}/:issueAccessToken",
        {"scopes": ["chat.join"]},
        api_version=version,
    )
    assert reply.status == 400
    assert error(reply.json())["message"] == (f"Scope 'chat.join' is not supported by api-version '{version}'.")


def test_scopes_wrong_type(client: RawClient) -> None:
    identity = client.create()
    reply = client.request("POST", f"/identities/{enc(identity)}/:issueAccessToken", {"scopes": "chat"})
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "ValidationError",
            "message": "Scopes: The Scopes field must be an array of strings.",
            "target": "Scopes",
        }
    }


def test_unknown_and_malformed_identity(client: RawClient) -> None:
    unknown = "8:acs:" + "0" * 8 + "-0000-0000-0000-" + "0" * 12 + "_" + "1" * 8 + "-1111-1111-1111-" + "1" * 12
    reply = client.issue(unknown)
    assert reply.status == 404
    assert reply.json() == {"error": {"code": "IdentityNotFound", "message": f"Identity '{unknown}' was not found."}}
    reply = client.issue("not-an-id")
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "InvalidIdentity",
            "message": "Identity id 'not-an-id' is not a valid Communication Services identity.",
            "target": "id",
        }
    }


def test_unescaped_colons_in_path_work(client: RawClient) -> None:
    identity = client.create()
    reply = client.request("POST", f"/identities/{identity}/:issueAccessToken", {"scopes": ["chat"]})
    assert reply.status == 200


# -- revoke / delete / introspect ---------------------------------------------
def test_revoke_and_introspect(client: RawClient) -> None:
    identity = client.create()
    token = client.issue(identity).json()["token"]
    result = client.introspect(token)
    assert result["active"] is True and result["reason"] is None
    assert result["claims"]["skypeid"] == identity[2:]
    reply = client.request("POST", f"/identities/{enc(identity)}/:revokeAccessTokens")
    assert reply.status == 204
    assert reply.body == b""
    assert reply.header("Content-Type") is None
    assert reply.header("api-supported-versions") == versions_with("/identities/{id}/:revokeAccessTokens")
    assert client.introspect(token) == {**result, "active": False, "reason": "revoked"}
    # a token issued after the revocation (even within the same second) is active
    fresh = client.issue(identity).json()["token"]
    assert client.introspect(fresh)["active"] is True


def test_delete(client: RawClient) -> None:
    identity = client.create()
    token = client.issue(identity).json()["token"]
    reply = client.request("DELETE", f"/identities/{enc(identity)}")
    assert reply.status == 204 and reply.body == b""
    assert reply.header("Content-Type") is None
    assert client.introspect(token)["reason"] == "identity_deleted"
    for again in (
        client.request("DELETE", f"/identities/{enc(identity)}"),
        client.issue(identity),
        client.request("POST", f"/identities/{enc(identity)}/:revokeAccessTokens"),
    ):
        assert again.status == 404
        assert error(again.json())["code"] == "IdentityNotFound"


def test_introspect_foreign_and_garbage_tokens(client: RawClient) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    identity = client.create()
    good = client.issue(identity).json()["token"]
    head, payload, _ = good.split(".")
    forged_sig = key.sign(f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    forged = f"{head}.{payload}.{base64.urlsafe_b64encode(forged_sig).rstrip(b'=').decode()}"
    assert client.introspect(forged) == {"active": False, "reason": "invalid_signature", "claims": {}}
    assert client.introspect("garbage")["reason"] == "invalid_signature"
    reply = client.request("POST", "/emulator/introspect", {}, api_version=None)
    assert reply.status == 400
    assert reply.json() == {
        "error": {"code": "ValidationError", "message": "Token: The Token field is required.", "target": "Token"}
    }
    unsigned = client.request("POST", "/emulator/introspect", {"token": good}, api_version=None, sign=False)
    assert unsigned.status == 401


# -- preview protocol -----------------------------------------------------------
def test_preview_token_and_patch(client: RawClient) -> None:
    identity = client.create(api_version=PREVIEW)
    reply = client.request(
        "POST",
        f"/identities/{enc(identity)}/token",
        {"scopes": ["chat", "voip"]},
        api_version=PREVIEW,
    )
    assert reply.status == 200
    assert reply.header("api-supported-versions") == "2020-07-20-preview2"
    data = reply.json()
    assert list(data) == ["id", "token", "expiresOn"] and data["id"] == identity
    assert jwt_parts(data["token"])[1]["acsScope"] == "chat,voip"
    # tokensValidFrom in the past leaves the token alive
    past = "2020-01-01T00:00:00.0000000+00:00"
    reply = client.request(
        "PATCH",
        f"/identities/{enc(identity)}",
        {"tokensValidFrom": past},
        api_version=PREVIEW,
        content_type="application/merge-patch+json",
    )
    assert reply.status == 204 and reply.header("Content-Type") is None
    assert client.introspect(data["token"])["active"] is True
    # {} means "now": the token is revoked
    reply = client.request(
        "PATCH",
        f"/identities/{enc(identity)}",
        {},
        api_version=PREVIEW,
        content_type="application/merge-patch+json",
    )
    assert reply.status == 204
    assert client.introspect(data["token"])["reason"] == "revoked"
    reply = client.request(
        "PATCH",
        f"/identities/{enc(identity)}",
        {"tokensValidFrom": "yesterday"},
        api_version=PREVIEW,
    )
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "ValidationError",
            "message": "TokensValidFrom: The value is not a valid date-time.",
            "target": "TokensValidFrom",
        }
    }
    reply = client.request("DELETE", f"/identities/{enc(identity)}", api_version=PREVIEW)
    assert reply.status == 204


def test_preview_future_tokens_valid_from(client: RawClient) -> None:
    identity = client.create(api_version=PREVIEW)
    client.request(
        "PATCH",
        f"/identities/{enc(identity)}",
        {"tokensValidFrom": "2999-01-01T00:00:00Z"},
        api_version=PREVIEW,
    )
    reply = client.request("POST", f"/identities/{enc(identity)}/token", {"scopes": ["chat"]}, api_version=PREVIEW)
    assert client.introspect(reply.json()["token"])["reason"] == "revoked"


# -- versions -----------------------------------------------------------------
def test_unsupported_api_version(client: RawClient) -> None:
    reply = client.request("POST", "/identities", None, api_version="2099-01-01")
    assert reply.status == 400
    assert reply.header("Content-Type") == "application/json"
    assert reply.json() == {
        "error": {
            "code": "UnsupportedApiVersion",
            "message": f"The HTTP resource that matches the request URI "
            f"'http://127.0.0.1:{client.port}/identities?api-version=2099-01-01' "
            f"does not support the API version '2099-01-01'.",
        }
    }


def test_route_specific_versions(client: RawClient) -> None:
    identity = client.create()
    ga_on_preview_route = client.request(
        "POST", f"/identities/{enc(identity)}/token", {"scopes": ["chat"]}, api_version=GA
    )
    assert ga_on_preview_route.status == 400
    assert error(ga_on_preview_route.json())["code"] == "UnsupportedApiVersion"
    reply = client.request(
        "POST",
        f"/identities/{enc(identity)}/:issueAccessToken",
        {"scopes": ["chat"]},
        api_version=PREVIEW,
    )
    assert reply.status == 400 and error(reply.json())["code"] == "UnsupportedApiVersion"
    patch = client.request("PATCH", f"/identities/{enc(identity)}", {}, api_version=GA)
    assert patch.status == 400 and error(patch.json())["code"] == "UnsupportedApiVersion"
    teams = client.request("POST", "/teamsUser/:exchangeAccessToken", {}, api_version="2021-03-07")
    assert teams.status == 400
    assert teams.header("api-supported-versions") == versions_with("/teamsUser/:exchangeAccessToken")
    assert not teams.header("api-supported-versions").startswith("2021-03-07")


def test_missing_api_version(client: RawClient) -> None:
    reply = client.request("POST", "/identities", None, api_version=None)
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "MissingApiVersionParameter",
            "message": "The api-version query parameter (?api-version=) is required for all requests.",
        }
    }


# -- HMAC ----------------------------------------------------------------------
DENIED = {"error": {"code": "Denied", "message": "Denied by the resource provider."}}


def test_no_authorization(client: RawClient) -> None:
    reply = client.request("POST", "/identities", None, sign=False)
    assert reply.status == 401
    assert reply.header("Content-Type") == "application/json"
    assert reply.json() == DENIED


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "HMAC-SHA256 garbage",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host&Signature=AAAA",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=!!!",
    ],
)
def test_malformed_authorization(client: RawClient, authorization: str) -> None:
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"")
    headers["Authorization"] = authorization
    reply = client.request("POST", path, None, api_version=None, sign=False, headers=headers)
    assert reply.status == 401 and reply.json() == DENIED


def test_wrong_key(client: RawClient) -> None:
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"", key=b"wrong key")
    reply = client.request("POST", path, None, api_version=None, sign=False, headers=headers)
    assert reply.status == 401 and reply.json() == DENIED


def test_host_without_port_accepted(client: RawClient) -> None:
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"", host="127.0.0.1")
    reply = client.request("POST", path, None, api_version=None, sign=False, headers=headers)
    assert reply.status == 201


def test_signature_covers_encoded_path(client: RawClient) -> None:
    identity = client.create()
    sent = f"/identities/{enc(identity)}/:issueAccessToken?api-version={GA}"
    signed_for = f"/identities/{identity}/:issueAccessToken?api-version={GA}"
    body = b'{"scopes":["chat"]}'
    headers = client.sign_headers("POST", signed_for, body)
    reply = client.request("POST", sent, raw=body, api_version=None, sign=False, headers=headers)
    assert reply.status == 401 and reply.json() == DENIED


def test_content_hash_mismatch(client: RawClient) -> None:
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"")
    assert headers["x-ms-content-sha256"] == EMPTY_HASH
    reply = client.request("POST", path, raw=b"{}", api_version=None, sign=False, headers=headers)
    assert reply.status == 401
    assert reply.json() == {
        "error": {"code": "Denied", "message": "Request 'x-ms-content-sha256' differs from generated content hash."}
    }


@pytest.mark.parametrize("skew", [-16 * 60, 16 * 60])
def test_stale_or_future_date(client: RawClient, skew: int) -> None:
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"", date=formatdate(time.time() + skew, usegmt=True))
    reply = client.request("POST", path, None, api_version=None, sign=False, headers=headers)
    assert reply.status == 401 and reply.json() == DENIED


def test_date_within_skew(client: RawClient) -> None:
    path = f"/identities?api-version={GA}"
    headers = client.sign_headers("POST", path, b"", date=formatdate(time.time() - 14 * 60, usegmt=True))
    reply = client.request("POST", path, None, api_version=None, sign=False, headers=headers)
    assert reply.status == 201


def test_access_key_never_in_error_bodies(client: RawClient, emulator: object) -> None:
    reply = client.request("POST", "/identities", None, sign=False)
    assert emulator.access_key.encode() not in reply.body  # type: ignore[attr-defined]


# -- bad input ------------------------------------------------------------------
def test_unknown_route(client: RawClient) -> None:
    reply = client.request("GET", "/nope", api_version=None)
    assert reply.status == 404
    assert reply.header("Content-Type") == "application/json"
    assert reply.json() == {"error": {"code": "NotFound", "message": "The requested resource '/nope' was not found."}}


def test_wrong_method(client: RawClient) -> None:
    reply = client.request("GET", "/identities")
    assert reply.status == 405
    assert reply.header("Allow") == "POST"
    assert reply.json() == {
        "error": {
            "code": "MethodNotAllowed",
            "message": "The HTTP method 'GET' is not supported by the resource '/identities'.",
        }
    }


def test_body_too_large(client: RawClient) -> None:
    identity = client.create()
    body = b'{"scopes":["chat"],"pad":"' + b"x" * 70000 + b'"}'
    reply = client.request("POST", f"/identities/{enc(identity)}/:issueAccessToken", raw=body)
    assert reply.status == 413
    assert reply.json() == {
        "error": {
            "code": "RequestEntityTooLarge",
            "message": "The request body exceeds the maximum allowed size of 65536 bytes.",
        }
    }


@pytest.mark.parametrize(
    "raw,code,message",
    [
        (b"{not json", "BadRequest", "The request body is not valid JSON."),
        (b"\xff\xfe", "BadRequest", "The request body is not valid JSON."),
        (b"[1,2]", "BadRequest", "The request body must be a JSON object."),
        (b'"chat"', "BadRequest", "The request body must be a JSON object."),
    ],
)
def test_bad_json(client: RawClient, raw: bytes, code: str, message: str) -> None:
    identity = client.create()
    reply = client.request("POST", f"/identities/{enc(identity)}/:issueAccessToken", raw=raw)
    assert reply.status == 400
    assert reply.json() == {"error": {"code": code, "message": message}}
    # and the service is still fine
    assert client.issue(identity).status == 200


def test_jwks_shape(client: RawClient) -> None:
    reply = client.request("GET", "/.well-known/jwks.json", api_version=None, sign=False)
    assert reply.header("Content-Type") == JSON_UTF8
    (key,) = reply.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["e"] == "AQAB" and len(key["x5c"]) == 1
