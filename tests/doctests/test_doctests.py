"""The examples in the docstrings run, as written, in `make test`.

Every module of the client package (the generated layer aside: AutoRest writes its docstrings)
and of the local service is imported and searched for examples (``>>>``); each module that has
some is one test, run with :mod:`doctest` as a reader would run them. An example that needs a
service or a network is written to be self-contained instead (or marked ``# doctest: +SKIP``
with the reason beside it).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

_PACKAGES = ("azure.communication.administration", "acs_identity_emulator")
_SKIPPED = ("._generated",)


def _modules() -> list[str]:
    names = []
    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=package_name + "."):
            if not any(part in info.name for part in _SKIPPED) and not info.name.endswith("__main__"):
                names.append(info.name)
    return sorted(names)


def _examples(module: ModuleType) -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module) if test.examples]


_WITH_EXAMPLES = [name for name in _modules() if _examples(importlib.import_module(name))]


def test_the_modules_with_examples_are_found() -> None:
    # A search that found nothing would make every test below vanish, not fail.
    assert {
        "azure.communication.administration._connection_string",
        "azure.communication.administration._endpoint",
        "azure.communication.administration._redact",
        "azure.communication.administration._scopes",
    } <= set(_WITH_EXAMPLES)


@pytest.mark.parametrize("name", _WITH_EXAMPLES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in _examples(module):
        runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    assert results.attempted > 0
    assert results.failed == 0, "".join(report)
