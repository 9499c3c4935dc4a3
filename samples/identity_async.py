"""
FILE: identity_async.py
DESCRIPTION:
    The asynchronous client (``azure.communication.administration.aio``, needs
    aiohttp: ``pip install 'azure-communication-administration[aio]'``) used as an
    async context manager: create_user_and_token, get_token, revoke_tokens,
    delete_user.

USAGE:
    python identity_async.py
    Set AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING first.
"""

import asyncio


async def main():
    # [START async_client]
    import os
    from datetime import datetime, timedelta, timezone

    from azure.communication.administration import CommunicationTokenScope
    from azure.communication.administration.aio import CommunicationIdentityClient

    connection_string = os.environ["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"]
    async with CommunicationIdentityClient.from_connection_string(connection_string) as client:
        user, token = await client.create_user_and_token(scopes=[CommunicationTokenScope.CHAT])
        expires_on = datetime.fromtimestamp(token.expires_on, timezone.utc)  # AccessToken: epoch seconds
        print("Created user", user.raw_id, "with a chat token expiring", expires_on.isoformat(timespec="seconds"))

        token = await client.get_token(user, scopes=["voip"], token_expires_in=timedelta(minutes=90))
        expires_on = datetime.fromtimestamp(token.expires_on, timezone.utc)
        print("Issued a 90-minute voip token expiring", expires_on.isoformat(timespec="seconds"))

        await client.revoke_tokens(user)
        print("Revoked all tokens of", user.raw_id)
        await client.delete_user(user)
        print("Deleted", user.raw_id)
    # [END async_client]


if __name__ == "__main__":
    asyncio.run(main())
