"""
FILE: identity_sync.py
DESCRIPTION:
    The modern surface, synchronously: a client built from an endpoint and an
    AzureKeyCredential with a chosen API version, create_user_and_token,
    get_token with a custom lifetime, revoke_tokens and delete_user.

USAGE:
    python identity_sync.py
    Set AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING first
    ("endpoint=https://<resource>.communication.azure.com/;accesskey=<key>").
"""

import os
from datetime import datetime, timedelta, timezone


def expires(epoch_seconds):
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).isoformat(timespec="seconds")


def main():
    from azure.communication.administration import parse_connection_string

    endpoint, key = parse_connection_string(os.environ["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"])

    # [START create_client_with_key_credential]
    from azure.core.credentials import AzureKeyCredential

    from azure.communication.administration import ApiVersion, CommunicationIdentityClient

    client = CommunicationIdentityClient(endpoint, AzureKeyCredential(key), api_version=ApiVersion.V2023_10_01)
    # [END create_client_with_key_credential]

    with client:
        # [START create_user_and_token]
        from azure.communication.administration import CommunicationTokenScope

        user, token = client.create_user_and_token(scopes=[CommunicationTokenScope.CHAT])
        print("Created user", user.raw_id, "with a chat token expiring", expires(token.expires_on))
        # [END create_user_and_token]

        # [START get_token_with_expiry]
        token = client.get_token(
            user,
            scopes=[CommunicationTokenScope.VOIP, "chat"],
            token_expires_in=timedelta(hours=1),
        )
        print("Issued a one-hour chat+voip token expiring", expires(token.expires_on))
        # [END get_token_with_expiry]

        # [START revoke_and_delete]
        client.revoke_tokens(user)
        print("Revoked all tokens of", user.raw_id)
        client.delete_user(user)
        print("Deleted", user.raw_id)
        # [END revoke_and_delete]


if __name__ == "__main__":
    main()
