"""Fixtures for the emulator tests: a running emulator and a signing HTTP client.

The emulator runs as a subprocess on a free port (``--port 0``).  Helpers
live in ``emu_helpers.py`` next to this file; this directory is put on
``sys.path`` so the test modules can import it under any pytest import mode.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from acs_identity_emulator.testing import EmulatorProcess, running_emulator
from emu_helpers import RawClient


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorProcess]:
    """One emulator (in-memory store) shared by the wire tests."""
    with running_emulator() as emu:
        yield emu


@pytest.fixture(scope="session")
def client(emulator: EmulatorProcess) -> RawClient:
    return RawClient(emulator)
