"""
FILE: identity_2020_preview.py
DESCRIPTION:
    The 2020 preview's identity sample, on its 2020 surface: create a user, delete a
    user, issue a token with the "chat" scope, and revoke a user's tokens, with a
    client authenticated by a connection string. Each snippet reads the connection
    string itself, so it runs as the reference documentation shows it.

USAGE:
    python identity_2020_preview.py
    Set AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING first (for the local service:
    the line that `acs-identity serve --port 0` prints).
"""


class CommunicationIdentityClientSamples:
    def issue_token(self):
        # [START issue_token]
        import os

        from azure.communication.administration import CommunicationIdentityClient

        connection_string = os.getenv("AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING")
        identity_client = CommunicationIdentityClient.from_connection_string(connection_string)
        user = identity_client.create_user()
        tokenresponse = identity_client.issue_token(user, scopes=["chat"])
        print(tokenresponse)
        # [END issue_token]

    def revoke_tokens(self):
        # [START revoke_tokens]
        import os

        from azure.communication.administration import CommunicationIdentityClient

        connection_string = os.getenv("AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING")
        identity_client = CommunicationIdentityClient.from_connection_string(connection_string)
        user = identity_client.create_user()
        tokenresponse = identity_client.issue_token(user, scopes=["chat"])
        identity_client.revoke_tokens(user)
        print(tokenresponse)
        # [END revoke_tokens]

    def create_user(self):
        # [START create_user]
        import os

        from azure.communication.administration import CommunicationIdentityClient

        connection_string = os.getenv("AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING")
        identity_client = CommunicationIdentityClient.from_connection_string(connection_string)
        user = identity_client.create_user()
        print(user.identifier)
        # [END create_user]

    def delete_user(self):
        # [START delete_user]
        import os

        from azure.communication.administration import CommunicationIdentityClient

        connection_string = os.getenv("AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING")
        identity_client = CommunicationIdentityClient.from_connection_string(connection_string)
        user = identity_client.create_user()
        identity_client.delete_user(user)
        # [END delete_user]


if __name__ == "__main__":
    sample = CommunicationIdentityClientSamples()
    sample.create_user()
    sample.delete_user()
    sample.issue_token()
    sample.revoke_tokens()
