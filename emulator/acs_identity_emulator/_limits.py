"""The local service's limits that the command line names before aiohttp is imported."""

from __future__ import annotations

#: Seconds a connection may take to send a complete request head (after opening, or after the
#: previous response on a kept-alive connection) and a body; see ``--idle-timeout``.
#: Above aiohttp's client keep-alive (15 s), so the service is not the side that closes a
#: pooled connection just as a client reuses it.
DEFAULT_IDLE_TIMEOUT = 30.0
