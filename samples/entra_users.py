"""
FILE: entra_users.py
DESCRIPTION:
    Entra ID users (API version 2025-03-02-preview): assign a user of an Entra tenant to an
    application (an Entra assignment), list the assignments, exchange the user's Entra token
    for a Communication Services identity and token, and remove the assignment in a bulk update.

    The tenant, the user's object id and the application id are read from the Entra token's own
    claims (tid, oid, appid or azp), as teams_phone.py does.

USAGE:
    python entra_users.py
    Set AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING
    ("endpoint=https://<resource>.communication.azure.com/;accesskey=<key>") and
    ENTRA_USER_TOKEN (an Entra ID access token of the user, issued to your application for
    https://communication.azure.com/clients/VoIP) first.

    Against the local service (acs-identity-emulator), which accepts only Entra tokens it signed
    itself, get one from it (the ids are any GUIDs you choose):

        export ENTRA_USER_TOKEN="$(acs-identity-emulator entra-token --resource clients \
            --tenant <tenant GUID> --object <user GUID> --app <application GUID>)"
"""

import os
import sys

from teams_phone import claims_of, expires  # the same reading of a token's claims

ENTRA_TOKEN_ENV = "ENTRA_USER_TOKEN"


def main():
    connection_string = os.environ["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"]
    entra_token = os.environ.get(ENTRA_TOKEN_ENV)
    if not entra_token:
        print("Set ENTRA_USER_TOKEN to an Entra ID user's access token.", file=sys.stderr)
        return 2
    try:
        claims = claims_of(entra_token)
    except ValueError as error:
        print(f"{ENTRA_TOKEN_ENV} is not an Entra ID access token: {error}.", file=sys.stderr)
        return 2
    tenant_id, object_id, app_id = claims["tid"], claims["oid"], claims["appid"]

    # [START create_client_for_entra_users]
    from azure.communication.administration import ApiVersion, CommunicationIdentityClient

    client = CommunicationIdentityClient.from_connection_string(
        connection_string, api_version=ApiVersion.V2025_03_02_PREVIEW
    )
    # [END create_client_for_entra_users]

    with client:
        # [START upsert_entra_assignment]
        assignment = client.upsert_entra_assignment(
            object_id, tenant_id=tenant_id, principal_type="user", client_ids=[app_id]
        )
        print("Assigned", assignment.object_id, "in tenant", assignment.tenant_id, "to", list(assignment.client_ids))
        # [END upsert_entra_assignment]

        # [START list_entra_assignments]
        listed = [a.object_id for a in client.list_entra_assignments()]
        print("The user's assignment is listed:", object_id in listed)
        # [END list_entra_assignments]

        # [START get_token_for_entra_user]
        user, token = client.get_token_for_entra_user(entra_token)
        print("Entra user", user.raw_id, "has a token expiring", expires(token.expires_on))
        # [END get_token_for_entra_user]

        # [START update_entra_assignments]
        client.update_entra_assignments(remove=[object_id])
        print("Removed the assignment of", object_id)
        # [END update_entra_assignments]
    return 0


def run():
    """main(), with what can go wrong said in one line instead of a traceback."""
    from azure.core.exceptions import AzureError, HttpResponseError

    try:
        return main()
    except ValueError as error:  # the client's checks of the token's claims, before any request
        print(f"entra_users.py: {error}", file=sys.stderr)
        return 2
    except HttpResponseError as error:
        detail = error.error
        code = detail.code if detail is not None else error.reason
        message = detail.message if detail is not None else error.message
        print(
            f"entra_users.py: the service refused the call: {code}: {message} (HTTP {error.status_code})",
            file=sys.stderr,
        )
        return 1
    except AzureError as error:
        print(f"entra_users.py: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
