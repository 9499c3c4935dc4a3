"""Fixtures for the emulator tests: the session's local service and a signing HTTP client.

``emulator`` is the session-wide ``identity_service`` of ``tests/conftest.py`` (one local
service for every folder), under the name these tests have always used. Helpers live in
``emu_helpers.py`` next to this file; this directory is put on ``sys.path`` so the test
modules can import it under any pytest import mode.
"""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from acs_identity_emulator.testing import EmulatorProcess
from emu_helpers import RawClient


@pytest.fixture(scope="session")
def emulator(identity_service: EmulatorProcess) -> EmulatorProcess:
    """The session's local service (in-memory store), shared with every other test folder."""
    return identity_service


@pytest.fixture(scope="session")
def client(emulator: EmulatorProcess) -> RawClient:
    return RawClient(emulator)
