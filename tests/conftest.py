"""Fixtures shared by every test folder.

``identity_service`` is the local Identity service (``emulator/``) on a free
port with an in-memory store, started once per session; tests that need a
store of their own start one with ``acs_identity_emulator.testing.running_emulator``.
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
def connection_string(identity_service: EmulatorProcess) -> str:
    return identity_service.connection_string
