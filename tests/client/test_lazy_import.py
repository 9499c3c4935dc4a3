"""The package imports its public names on first use (PEP 562).

Importing ``azure.communication.administration`` (or its generated catalog, as the local service
does) costs no azure-core; every name of ``__all__`` is still there, in ``dir()``, for
``import *`` and for type checkers (the mypy user-script test in tests/packaging).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import azure.communication.administration as pkg


def test_importing_the_package_and_its_catalog_imports_no_azure_core() -> None:
    script = (
        "import sys\n"
        "import azure.communication.administration as pkg\n"
        "from azure.communication.administration._generated import _catalog\n"
        "assert 'azure.core' not in sys.modules, 'azure-core was imported'\n"
        "assert set(pkg.__all__) <= set(dir(pkg))\n"
        "pkg.CommunicationIdentityClient\n"
        "assert 'azure.core' in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr


def test_every_public_name_has_one_home_and_resolves() -> None:
    assert sorted(pkg._HOME) == sorted(pkg.__all__)
    for name in pkg.__all__:
        value = getattr(pkg, name)
        assert getattr(value, "__module__", "").startswith("azure.communication.administration.")


def test_import_star_gives_the_public_names() -> None:
    namespace: dict[str, object] = {}
    exec("from azure.communication.administration import *", namespace)
    assert sorted(set(namespace) - {"__builtins__"}) == sorted(pkg.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'CommunicationIdentityClientt'"):
        pkg.CommunicationIdentityClientt  # noqa: B018 - the look-up is the test
    with pytest.raises(ImportError):
        exec("from azure.communication.administration import Nope")
