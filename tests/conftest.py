"""Fixtures shared by every test folder: the session's local Identity services.

``identity_service`` is the local Identity service (``emulator/``) on a free port with an
in-memory store, started once per session on first use and shared by every folder (the
emulator tests know it as ``emulator``); ``tls_service`` is the same over HTTPS (``--tls``),
also started once, on first use. Tests that need a store or options of their own start one with
``acs_identity_emulator.testing.running_emulator``.

Tests marked ``slow`` (more than about a second: processes of their own, venvs, wheels, the
docs build) are left out by ``pytest -m "not slow"``, the quick loop; ``make test`` runs all.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from acs_identity_emulator.testing import EmulatorProcess, running_emulator


@pytest.fixture(scope="session")
def identity_service() -> Iterator[EmulatorProcess]:
    with running_emulator() as service:
        yield service


@pytest.fixture(scope="session")
def tls_service() -> Iterator[EmulatorProcess]:
    """The local service over HTTPS; ``tls_service.certificate`` is the CA file to trust."""
    with running_emulator(tls=True) as service:
        yield service


@pytest.fixture(scope="session")
def connection_string(identity_service: EmulatorProcess) -> str:
    return identity_service.connection_string
