"""A local Azure Communication Services Identity service (an emulator).

Run it with ``python -m acs_identity_emulator --port 0 --db :memory:`` (or the
``acs-identity-emulator`` console script); it prints its connection string
``endpoint=http://127.0.0.1:<port>/;accesskey=<key>`` when ready (``https`` with ``--tls``).

In-process use: :func:`create_app` returns the ``aiohttp.web.Application``.
For tests, :mod:`acs_identity_emulator.testing` starts it as a subprocess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._versions import ALL_VERSIONS

if TYPE_CHECKING:
    from ._app import Emulator, create_app, emulator_of

    #: The version of the distribution the service ships in (looked up on first use).
    __version__: str

__all__ = ["ALL_VERSIONS", "Emulator", "__version__", "create_app", "emulator_of"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the service needs the [emulator] extra (aiohttp), and the
    # command line must be able to say so in one line instead of failing on import.
    if name in ("Emulator", "create_app", "emulator_of"):
        from . import _app

        return getattr(_app, name)
    if name == "__version__":
        # One version, the distribution's (setup.py reads it from the client's _version.py).
        from importlib import metadata

        from ._cli import DISTRIBUTION

        try:
            return metadata.version(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            raise AttributeError(f"__version__: the {DISTRIBUTION} distribution is not installed") from None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
