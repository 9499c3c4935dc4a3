"""
FILE: teams_phone.py
DESCRIPTION:
    Teams Phone (API version 2025-06-30 or later): allow an Entra application to
    exchange Teams Phone tokens for a user (a Teams extension assignment), read the
    assignment back, exchange the user's Entra token for a Communication Services
    token, and remove the assignment again.

    The tenant, the user's object id and the application id are read from the Entra
    token's own claims (tid, oid, appid or azp), so the token is the only input besides
    the connection string.

USAGE:
    python teams_phone.py
    Set AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING
    ("endpoint=https://<resource>.communication.azure.com/;accesskey=<key>") and
    TEAMS_PHONE_ENTRA_TOKEN (an Entra ID access token of the Teams Phone user, issued
    to your application with the TeamsExtension.ManageCalls permission) first.

    Against the local service (acs-identity-emulator), which accepts only Entra tokens
    it signed itself, get one from it (the ids are any GUIDs you choose):

        export TEAMS_PHONE_ENTRA_TOKEN="$(acs-identity-emulator entra-token \
            --tenant <tenant GUID> --object <user GUID> --app <application GUID>)"
"""

import base64
import json
import os
import sys
from datetime import datetime, timezone

ENTRA_TOKEN_ENV = "TEAMS_PHONE_ENTRA_TOKEN"


def claims_of(jwt):
    """The claims of a JWT, read without checking its signature (the service checks it).

    Raises ValueError, saying what is wrong (never quoting the token), for anything else.
    """
    parts = jwt.strip().split(".")
    if len(parts) != 3:
        raise ValueError(f"it has {len(parts)} dot-separated part(s), a JWT has 3 (header.payload.signature)")
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:  # binascii.Error and json.JSONDecodeError are ValueErrors
        raise ValueError("its payload (the second part) is not base64url-encoded JSON") from None
    if not isinstance(claims, dict):
        raise ValueError("its payload is not a JSON object of claims")
    if "appid" not in claims and "azp" in claims:  # v2 tokens name the application azp
        claims["appid"] = claims["azp"]
    missing = [name for name in ("tid", "oid", "appid") if not isinstance(claims.get(name), str) or not claims[name]]
    if missing:
        raise ValueError(f"it has no {', '.join(missing)} claim (tenant, user object and application ids)")
    return claims


def expires(epoch_seconds):
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).isoformat(timespec="seconds")


def main():
    connection_string = os.environ["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"]
    entra_token = os.environ.get(ENTRA_TOKEN_ENV)
    if not entra_token:
        print("Set TEAMS_PHONE_ENTRA_TOKEN to a Teams Phone user's Entra ID access token.", file=sys.stderr)
        return 2
    try:
        claims = claims_of(entra_token)
    except ValueError as error:
        print(f"{ENTRA_TOKEN_ENV} is not an Entra ID access token: {error}.", file=sys.stderr)
        return 2
    tenant_id, object_id, app_id = claims["tid"], claims["oid"], claims["appid"]

    # [START create_client_for_teams_phone]
    from azure.communication.administration import ApiVersion, CommunicationIdentityClient

    client = CommunicationIdentityClient.from_connection_string(connection_string, api_version=ApiVersion.V2025_06_30)
    # [END create_client_for_teams_phone]

    with client:
        # [START upsert_teams_extension_assignment]
        assignment = client.upsert_teams_extension_assignment(
            tenant_id, object_id, principal_type="user", client_ids=[app_id]
        )
        print("Assigned", assignment.object_id, "in tenant", assignment.tenant_id, "to", list(assignment.client_ids))
        # [END upsert_teams_extension_assignment]

        # [START get_teams_extension_assignment]
        assignment = client.get_teams_extension_assignment(tenant_id, object_id)
        print("Assignment:", assignment.principal_type.value, "may be exchanged by", list(assignment.client_ids))
        # [END get_teams_extension_assignment]

        # [START get_token_for_teams_phone_user]
        user, token = client.get_token_for_teams_phone_user(entra_token)
        print("Teams Phone user", user.raw_id, "has a token expiring", expires(token.expires_on))
        # [END get_token_for_teams_phone_user]

        # [START delete_teams_extension_assignment]
        client.delete_teams_extension_assignment(tenant_id, object_id)
        print("Removed the assignment of", object_id)
        # [END delete_teams_extension_assignment]
    return 0


def run():
    """main(), with what can go wrong said in one line instead of a traceback."""
    from azure.core.exceptions import AzureError, HttpResponseError

    try:
        return main()
    except ValueError as error:  # the client's checks of the token's claims, before any request
        print(f"teams_phone.py: {error}", file=sys.stderr)
        return 2
    except HttpResponseError as error:
        detail = error.error
        code = detail.code if detail is not None else error.reason
        message = detail.message if detail is not None else error.message
        print(
            f"teams_phone.py: the service refused the call: {code}: {message} (HTTP {error.status_code})",
            file=sys.stderr,
        )
        return 1
    except AzureError as error:
        print(f"teams_phone.py: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
