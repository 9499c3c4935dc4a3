"""The asynchronous client (needs the ``aio`` extra: aiohttp)."""

from ._client import CommunicationIdentityClient

__all__ = ["CommunicationIdentityClient"]
