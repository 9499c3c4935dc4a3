"""The examples the reference shows run as a reader pastes them: each page's snippets, in page order.

Each page includes snippets of ``samples/*.py`` (``literalinclude`` between ``[START x]`` and
``[END x]``). A reader copies them out of the page, not out of the sample, so a snippet that
leans on the sample around it (``self.connection_string``, a helper the page does not show) is a
``NameError`` on their side. Here the snippets of each page are put together in the page's
order, exactly as the page shows them (same markers, same dedent), and run with nothing but
the connection string set, against the local service. Top-level ``await`` is allowed, as in
``python -m asyncio``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from acs_identity_emulator.testing import EmulatorProcess
from docs_helpers import DOCS, ROOT

_DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)\.\. literalinclude:: /\.\./(?P<path>samples/\S+)\n(?P<options>(?:(?P=indent)[ \t]+:.*\n)*)",
    re.M,
)
_OPTION = re.compile(r":([\w-]+):[ \t]*(.*)")
#: What ``python -m asyncio`` does with what is typed into it: top-level ``await`` allowed.
RUNNER = """\
import ast, asyncio, sys
code = compile(sys.stdin.read(), "<pasted from the docs page>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
result = eval(code, {"__name__": "__main__"})
if asyncio.iscoroutine(result):
    asyncio.run(result)
"""


def _snippet(path: str, options: dict[str, str]) -> str:
    """The lines Sphinx's literalinclude shows for these options (start-after, end-before, dedent)."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if options["start-after"] in line) + 1
    end = next(i for i, line in enumerate(lines) if i >= start and options["end-before"] in line)
    dedent = int(options.get("dedent", "0"))
    return "".join(line[dedent:] if line.strip() else "\n" for line in lines[start:end])


def _page_snippets(page: Path) -> list[str]:
    found = []
    for match in _DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
        options = dict(_OPTION.match(line.strip()).groups() for line in match["options"].splitlines())  # type: ignore[union-attr]
        found.append(_snippet(match["path"], options))
    return found


PAGES = sorted(p for p in DOCS.rglob("*.rst") if "_build" not in p.parts and _page_snippets(p))


def test_the_pages_with_examples_are_found() -> None:
    names = {p.name for p in PAGES}
    assert "coming-from-2020.rst" in names
    assert "azure.communication.administration.CommunicationIdentityClient.rst" in names
    assert "azure.communication.administration.aio.CommunicationIdentityClient.rst" in names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_a_pages_examples_run_as_pasted(page: Path, identity_service: EmulatorProcess) -> None:
    code = "\n".join(_page_snippets(page))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_COMMUNICATION_")}
    env["AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING"] = identity_service.connection_string
    done = subprocess.run(
        [sys.executable, "-c", RUNNER], input=code, env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{page.name}: its examples, pasted in order, fail:\n{code}\n{done.stderr}"
    assert identity_service.access_key not in done.stdout + done.stderr
