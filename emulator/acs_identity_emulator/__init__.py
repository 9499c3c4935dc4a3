"""A local Azure Communication Services Identity service (an emulator).

Run it with ``python -m acs_identity_emulator --port 0 --db :memory:`` (or the
``acs-identity-emulator`` console script); it prints its connection string
``endpoint=http://127.0.0.1:<port>/;accesskey=<key>`` when ready (``https`` with ``--tls``).

In-process use: :func:`create_app` returns the ``aiohttp.web.Application``.
For tests, :mod:`acs_identity_emulator.testing` starts it as a subprocess.
"""

from __future__ import annotations

from ._app import Emulator, create_app, emulator_of
from ._versions import ALL_VERSIONS

__version__ = "0.1.0"

__all__ = ["ALL_VERSIONS", "Emulator", "__version__", "create_app", "emulator_of"]
