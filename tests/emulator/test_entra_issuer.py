"""The local Entra ID token issuer, and the Teams exchanges that accept only its tokens (issue 18, item 8).

``POST /emulator/entra/token`` (HMAC-signed) mints a signed Entra-shaped token; the Teams user
exchange (token in the body) and the Teams Phone exchange (token as the bearer) verify its
signature against the service's own issuer key and its claims; ``alg: none``, unsigned,
foreign-signed and altered tokens are 401 ``InvalidAccessToken``.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from acs_identity_emulator.testing import EmulatorProcess, entra_token, running_emulator
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from emu_helpers import (
    ENTRA_APP,
    ENTRA_TENANT,
    RawClient,
    Reply,
    b64url,
    jwt_parts,
    serving_in_process,
    unsigned_entra_token,
)

TENANT, APP = ENTRA_TENANT, ENTRA_APP
PHONE = "2025-06-30"
GA = "2023-10-01"
INVALID = {"error": {"code": "InvalidAccessToken", "message": "Provided access token is not valid."}}
MINT = "/emulator/entra/token"


def mint(client: RawClient, body: Any, *, sign: bool = True) -> Reply:
    return client.request("POST", MINT, body, api_version=None, sign=sign)


def teams_user(client: RawClient, token: str, user: str, app: str = APP) -> Reply:
    return client.request(
        "POST", "/teamsUser/:exchangeAccessToken", {"token": token, "appId": app, "userId": user}, api_version=GA
    )


def teams_phone(client: RawClient, bearer: str) -> Reply:
    return client.request(
        "POST",
        "/access/teamsExtension/:exchangeAccessToken",
        {},
        api_version=PHONE,
        sign=False,
        headers={"Authorization": f"Bearer {bearer}"},
    )


def assigned(client: RawClient) -> str:
    """A new user object with a Teams Phone assignment allowing APP."""
    obj = str(uuid.uuid4())
    path = f"/access/teamsExtension/tenants/{TENANT}/assignments/{obj}"
    body = {"principalType": "user", "clientIds": [APP]}
    assert client.request("PUT", path, body, api_version=PHONE).status == 201
    return obj


def test_a_minted_token_is_entra_shaped_and_signed_by_a_key_of_its_own(client: RawClient) -> None:
    obj = str(uuid.uuid4())
    before = int(time.time())
    reply = mint(client, {"tenantId": TENANT.upper(), "objectId": obj, "appId": APP})
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    assert list(reply.json()) == ["token", "expiresOn"]
    header, claims = jwt_parts(reply.json()["token"])
    assert list(header) == ["alg", "kid", "x5t", "typ"]
    assert (header["alg"], header["typ"]) == ("RS256", "JWT")
    acs_kid = client.request("GET", "/.well-known/jwks.json", api_version=None, sign=False).json()["keys"][0]["kid"]
    assert header["kid"] != acs_kid  # not the ACS token key: an ACS token is never an Entra token
    assert list(claims) == ["aud", "iss", "iat", "nbf", "exp", "appid", "appidacr", "idtyp", "oid", "scp", "tid", "ver"]
    assert claims["aud"] == "https://auth.msft.communication.azure.com"
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert (claims["tid"], claims["oid"], claims["appid"]) == (TENANT, obj, APP)  # ids lower-cased
    assert claims["scp"] == "Teams.ManageCalls Teams.ManageChats TeamsExtension.ManageCalls"
    assert (claims["idtyp"], claims["ver"], claims["appidacr"]) == ("user", "1.0", "0")
    assert before <= claims["iat"] == claims["nbf"] <= time.time()
    assert claims["exp"] - claims["iat"] == 3600
    assert reply.json()["expiresOn"] == time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(claims["exp"]))
    # The ACS side does not take it for one of its tokens either.
    assert client.introspect(reply.json()["token"])["reason"] == "invalid_signature"


def test_the_default_token_works_for_both_exchanges(client: RawClient) -> None:
    obj = assigned(client)
    token = mint(client, {"tenantId": TENANT, "objectId": obj, "appId": APP}).json()["token"]
    exchanged = teams_user(client, token, obj)
    assert exchanged.status == 200, exchanged.body
    assert jwt_parts(exchanged.json()["token"])[1]["skypeid"] == f"orgid:{obj}"
    phone = teams_phone(client, token)
    assert phone.status == 200, phone.body
    assert phone.json()["identity"]["id"].endswith(f"_{TENANT}_{obj}")


def test_lifetime_and_scopes_are_the_callers_choice(client: RawClient) -> None:
    obj = assigned(client)
    body = {"tenantId": TENANT, "objectId": obj, "appId": APP, "expiresInMinutes": 5, "scopes": ["Teams.ManageChats"]}
    token = mint(client, body).json()["token"]
    claims = jwt_parts(token)[1]
    assert (claims["exp"] - claims["iat"], claims["scp"]) == (300, "Teams.ManageChats")
    assert teams_user(client, token, obj).status == 200
    assert (teams_phone(client, token).status, teams_phone(client, token).json()) == (401, INVALID)
    phone_only = dict(body, scopes=["TeamsExtension.ManageCalls"])
    token = mint(client, phone_only).json()["token"]
    assert teams_phone(client, token).status == 200
    assert (teams_user(client, token, obj).status, teams_user(client, token, obj).json()) == (401, INVALID)


def test_a_v2_shaped_token_is_accepted(client: RawClient) -> None:
    obj = assigned(client)
    claims = {
        "aud": "1fd5118e-2576-4263-8130-9503064c837a",
        "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
        "appid": None,
        "azp": APP,
        "ver": "2.0",
    }
    token = mint(client, {"tenantId": TENANT, "objectId": obj, "appId": APP, "claims": claims}).json()["token"]
    assert "appid" not in jwt_parts(token)[1]
    assert teams_user(client, token, obj).status == 200
    assert teams_phone(client, token).status == 200


def _resign(token: str, header: dict[str, Any] | None = None, claims: dict[str, Any] | None = None) -> str:
    """The token with its header or claims changed, signed by a key that is not the service's."""
    old_header, old_claims = jwt_parts(token)
    head = b64url(json.dumps(header or old_header).encode())
    body = b64url(json.dumps(claims or old_claims).encode())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64url(signature)}"


def _refusals(client: RawClient, token: str, obj: str) -> dict[str, str]:
    now = int(time.time())
    head, body, signature = token.split(".")
    claims = jwt_parts(token)[1]

    def minted(**changes: Any) -> str:
        minted_body = {"tenantId": TENANT, "objectId": obj, "appId": APP, "claims": changes}
        return str(mint(client, minted_body).json()["token"])

    altered_claims = b64url(json.dumps(dict(claims, oid=str(uuid.uuid4()))).encode())
    return {
        "alg none": f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{body}.",
        "alg none, signature kept": f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{body}.{signature}",
        "HS256 with the kid": f"{b64url(json.dumps({'alg': 'HS256', 'kid': 'x'}).encode())}.{body}.{signature}",
        "unsigned": unsigned_entra_token(**claims),
        "foreign-signed, same header": _resign(token),
        "claims altered": f"{head}.{altered_claims}.{signature}",
        "no signature": f"{head}.{body}.",
        "an ACS token of this service": client.issue(client.create()).json()["token"],
        "expired": minted(exp=now - 1),
        "not yet valid": minted(nbf=now + 3600),
        "issued in the future": minted(iat=now + 3600),
        "another audience": minted(aud="https://graph.microsoft.com"),
        "no audience": minted(aud=None),
        "another tenant's issuer": minted(iss=f"https://sts.windows.net/{uuid.uuid4()}/"),
        "no issuer": minted(iss=None),
        "no tenant": minted(tid=None),
        "no scp": minted(scp=None),
        "scp of another resource": minted(scp="User.Read"),
        "exp not a number": minted(exp="tomorrow"),
    }


def test_tokens_the_issuer_did_not_sign_as_they_are_are_refused_by_both_exchanges(client: RawClient) -> None:
    obj = assigned(client)
    token = mint(client, {"tenantId": TENANT, "objectId": obj, "appId": APP}).json()["token"]
    assert teams_user(client, token, obj).status == 200 and teams_phone(client, token).status == 200
    for name, refused in _refusals(client, token, obj).items():
        user = teams_user(client, refused, obj)
        assert (user.status, user.header("Content-Type"), user.json()) == (401, "application/json", INVALID), name
        phone = teams_phone(client, refused)
        assert (phone.status, phone.header("Content-Type"), phone.json()) == (401, "application/json", INVALID), name


def test_the_teams_phone_bearer_needs_guid_ids(client: RawClient) -> None:
    obj = assigned(client)
    for claim in ("oid", "appid"):
        body = {"tenantId": TENANT, "objectId": obj, "appId": APP, "claims": {claim: "someone"}}
        assert (teams_phone(client, mint(client, body).json()["token"]).status, claim) == (401, claim)


def test_only_a_holder_of_the_key_can_mint(client: RawClient) -> None:
    body = {"tenantId": TENANT, "objectId": str(uuid.uuid4()), "appId": APP}
    denied = {"error": {"code": "Denied", "message": "Denied by the resource provider."}}
    assert (mint(client, body, sign=False).status, mint(client, body, sign=False).json()) == (401, denied)
    raw = json.dumps(body).encode()
    headers = client.sign_headers("POST", MINT, raw, key=b"another key")
    wrong = client.request("POST", MINT, api_version=None, raw=raw, sign=False, headers=headers)
    assert (wrong.status, wrong.json()) == (401, denied)


@pytest.mark.parametrize(
    "body,message,target",
    [
        (None, "The request body is required.", None),
        ({"objectId": str(uuid.uuid4()), "appId": APP}, "TenantId: The TenantId field is required.", "TenantId"),
        (
            {"tenantId": "t", "objectId": str(uuid.uuid4()), "appId": APP},
            "Provided TenantId has invalid format.",
            "tenantId",
        ),
        ({"tenantId": TENANT, "appId": APP}, "ObjectId: The ObjectId field is required.", "ObjectId"),
        ({"tenantId": TENANT, "objectId": 7, "appId": APP}, "Provided ObjectId has invalid format.", "objectId"),
        (
            {"tenantId": TENANT, "objectId": str(uuid.uuid4()), "appId": ""},
            "AppId: The AppId field is required.",
            "AppId",
        ),
        (
            {"tenantId": TENANT, "objectId": str(uuid.uuid4()), "appId": APP, "scopes": "Teams.ManageCalls"},
            "Scopes: The Scopes field must be an array of scope names without spaces.",
            "Scopes",
        ),
        (
            {"tenantId": TENANT, "objectId": str(uuid.uuid4()), "appId": APP, "scopes": ["a b"]},
            "Scopes: The Scopes field must be an array of scope names without spaces.",
            "Scopes",
        ),
        (
            {"tenantId": TENANT, "objectId": str(uuid.uuid4()), "appId": APP, "expiresInMinutes": 0},
            "ExpiresInMinutes: The value must be an integer within the [1, 1440] interval.",
            "ExpiresInMinutes",
        ),
        (
            {"tenantId": TENANT, "objectId": str(uuid.uuid4()), "appId": APP, "expiresInMinutes": True},
            "ExpiresInMinutes: The value must be an integer within the [1, 1440] interval.",
            "ExpiresInMinutes",
        ),
        (
            {"tenantId": TENANT, "objectId": str(uuid.uuid4()), "appId": APP, "claims": ["exp"]},
            "Claims: The Claims field must be an object.",
            "Claims",
        ),
    ],
)
def test_mint_request_validation(client: RawClient, body: Any, message: str, target: str | None) -> None:
    reply = mint(client, body)
    error: dict[str, str] = {"code": "ValidationError", "message": message}
    if target is not None:
        error["target"] = target
    assert (reply.status, reply.header("Content-Type"), reply.json()) == (400, "application/json", {"error": error})


def test_the_testing_helper_mints_over_https(tls_service: EmulatorProcess) -> None:
    obj = str(uuid.uuid4())
    token = entra_token(tls_service, TENANT, obj, APP, scopes=["Teams.ManageCalls"], expires_in_minutes=2)
    claims = jwt_parts(token)[1]
    assert (claims["oid"], claims["scp"], claims["exp"] - claims["iat"]) == (obj, "Teams.ManageCalls", 120)
    assert teams_user(RawClient(tls_service), token, obj).status == 200


def _entra_token_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "entra-token", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_the_command_prints_the_token_alone(emulator: EmulatorProcess, client: RawClient) -> None:
    obj = assigned(client)
    ids = ("--tenant", TENANT, "--object", obj, "--app", APP)
    done = _entra_token_command("--connection-string", emulator.connection_string, *ids, "--expires-in", "10")
    assert (done.returncode, done.stderr) == (0, "")
    token = done.stdout.removesuffix("\n")
    assert done.stdout == token + "\n" and "\n" not in token
    assert jwt_parts(token)[1]["exp"] - jwt_parts(token)[1]["iat"] == 600
    assert teams_phone(client, token).status == 200


def test_the_command_over_https_with_the_ca_file(tls_service: EmulatorProcess) -> None:
    assert tls_service.certificate is not None
    ids = ("--tenant", TENANT, "--object", str(uuid.uuid4()), "--app", APP)
    done = _entra_token_command(
        "--connection-string", tls_service.connection_string, *ids, "--ca-file", tls_service.certificate
    )
    assert (done.returncode, done.stderr) == (0, "")
    untrusted = _entra_token_command("--connection-string", tls_service.connection_string, *ids)
    assert untrusted.returncode == 1 and untrusted.stdout == ""
    (line,) = untrusted.stderr.splitlines()
    assert line.startswith(f"acs-identity-emulator entra-token: error: {tls_service.endpoint} was reached, but its TLS")
    assert tls_service.access_key not in untrusted.stderr


def test_command_errors_are_one_line_without_the_key(emulator: EmulatorProcess) -> None:
    prog = "acs-identity-emulator entra-token"
    ids = ("--tenant", TENANT, "--object", str(uuid.uuid4()), "--app", APP)
    wrong_key = base64.b64encode(b"not the service's key").decode()
    wrong = f"endpoint={emulator.endpoint};accesskey={wrong_key}"
    done = _entra_token_command("--connection-string", wrong, *ids)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"{prog}: error: the service at {emulator.endpoint} (from --connection-string) refused the access key of "
        "the connection string (Denied): use the connection string that acs-identity-emulator printed when it "
        "started\n"
    )
    assert wrong_key not in done.stderr

    done = _entra_token_command(
        "--connection-string", emulator.connection_string, "--tenant", "t", "--object", "o", "--app", APP
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"{prog}: error: argument --tenant: 't' is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) "
        f"(see '{prog} --help')\n"
    )

    env = {k: v for k, v in os.environ.items() if k != "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"}
    done = _entra_token_command(*ids, env=env)
    assert (done.returncode, done.stderr) == (
        2,
        f"{prog}: error: no connection string: pass --connection-string or set "
        "AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING\n",
    )
    assert emulator.access_key not in done.stderr


@pytest.mark.slow  # two starts of a service on a file store
def test_tokens_stay_valid_across_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "identity.db")
    obj = str(uuid.uuid4())
    with running_emulator(db) as first:
        token = entra_token(first, TENANT, obj, APP)
        assert teams_user(RawClient(first), token, obj).status == 200
    with running_emulator(db) as second:
        assert teams_user(RawClient(second), token, obj).status == 200  # the issuer key is kept in the store
    with running_emulator(str(tmp_path / "other.db")) as other:
        reply = teams_user(RawClient(other), token, obj)
        assert (reply.status, reply.json()) == (401, INVALID)  # another store: another issuer


def test_why_a_token_was_refused_is_one_info_line_without_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="acs_identity_emulator")
    with serving_in_process() as served:
        client = RawClient(served)
        obj = assigned(client)
        token = mint(client, {"tenantId": TENANT, "objectId": obj, "appId": APP}).json()["token"]
        wrong_audience = client.entra_token(tid=TENANT, oid=obj, appid=APP, aud="https://graph.microsoft.com")
        caplog.clear()
        assert teams_phone(client, unsigned_entra_token(**jwt_parts(token)[1])).status == 401
        assert teams_user(client, wrong_audience, obj).status == 401
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "acs_identity_emulator"]
    assert lines == [
        (
            "INFO",
            "refused an Entra token: not signed by this service's Entra issuer (alg RS256; get one with "
            "acs-identity-emulator entra-token)",
        ),
        ("INFO", "refused an Entra token: aud is not https://auth.msft.communication.azure.com"),
    ]
    assert not any(r.exc_info for r in caplog.records)
