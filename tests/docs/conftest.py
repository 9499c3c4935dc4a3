"""The API reference, built once per test session (see docs_helpers.build_docs); the build
time is printed in the terminal summary."""

from __future__ import annotations

import pytest
from docs_helpers import DocsBuild, build_docs

_BUILD_TIMES: list[float] = []


@pytest.fixture(scope="session")
def docs_build(tmp_path_factory: pytest.TempPathFactory) -> DocsBuild:
    build = build_docs(tmp_path_factory.mktemp("docs") / "html")
    _BUILD_TIMES.append(build.seconds)
    return build


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for seconds in _BUILD_TIMES:
        terminalreporter.write_line(f"docs: sphinx-build of the API reference took {seconds:.1f} s")
