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


def main():
    # [START create_client_with_key_credential]
    import os

    from azure.core.credentials import AzureKeyCredential

    from azure.communication.administration import ApiVersion, CommunicationIdentityClient, parse_connection_string

    # The endpoint and the access key, from the connection string the Azure portal shows
    endpoint, key = parse_connection_string(os.environ["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"])
    client = CommunicationIdentityClient(endpoint, AzureKeyCredential(key), api_version=ApiVersion.V2023_10_01)
    # [END create_client_with_key_credential]

    with client:
        # [START create_user_and_token]
        from datetime import datetime, timedelta, timezone

        from azure.communication.administration import CommunicationTokenScope

        user, token = client.create_user_and_token(scopes=[CommunicationTokenScope.CHAT])
        expires_on = datetime.fromtimestamp(token.expires_on, timezone.utc)  # AccessToken: epoch seconds
        print("Created user", user.raw_id, "with a chat token expiring", expires_on.isoformat(timespec="seconds"))
        # [END create_user_and_token]

        # [START get_token_with_expiry]
        token = client.get_token(
            user,
            scopes=[CommunicationTokenScope.VOIP, "chat"],
            token_expires_in=timedelta(hours=1),
        )
        expires_on = datetime.fromtimestamp(token.expires_on, timezone.utc)
        print("Issued a one-hour chat+voip token expiring", expires_on.isoformat(timespec="seconds"))
        # [END get_token_with_expiry]

        # [START revoke_and_delete]
        client.revoke_tokens(user)
        print("Revoked all tokens of", user.raw_id)
        client.delete_user(user)
        print("Deleted", user.raw_id)
        # [END revoke_and_delete]


if __name__ == "__main__":
    main()
