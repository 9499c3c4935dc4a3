"""Fixtures for the tests with the published 2020 package (see ``helpers2020.py``)."""

from __future__ import annotations

import os
import sys

import pytest

# RawClient (signed raw requests, /emulator/introspect) lives with the emulator tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))

from helpers2020 import Runner2020, ensure_venv_2020


@pytest.fixture(scope="session")
def run_2020() -> Runner2020:
    return Runner2020(ensure_venv_2020())


# tls_service (tests/conftest.py): the 2020 ``from_connection_string`` always speaks https.
