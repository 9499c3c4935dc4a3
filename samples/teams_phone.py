"""
FILE: teams_phone.py
DESCRIPTION:
    Teams Phone (API version 2025-06-30 or later): allow an Entra application to
    exchange Teams Phone tokens for a user (a Teams extension assignment), read the
    assignment back, exchange the user's Entra token for a Communication Services
    token, and remove the assignment again.

    The tenant, the user's object id and the application id are read from the Entra
    token's own claims (tid, oid, appid), so the token is the only input besides the
    connection string.

USAGE:
    python teams_phone.py
    Set AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING
    ("endpoint=https://<resource>.communication.azure.com/;accesskey=<key>") and
    TEAMS_PHONE_ENTRA_TOKEN (an Entra ID access token of the Teams Phone user, issued
    to your application) first.
"""

import base64
import json
import os
import sys
from datetime import datetime, timezone


def claims_of(jwt):
    """The claims of a JWT, read without checking its signature (the service checks it)."""
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def expires(epoch_seconds):
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).isoformat(timespec="seconds")


def main():
    connection_string = os.environ["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"]
    entra_token = os.environ.get("TEAMS_PHONE_ENTRA_TOKEN")
    if not entra_token:
        print("Set TEAMS_PHONE_ENTRA_TOKEN to a Teams Phone user's Entra ID access token.", file=sys.stderr)
        return 2
    claims = claims_of(entra_token)
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


if __name__ == "__main__":
    sys.exit(main())
