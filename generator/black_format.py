"""Format a generated layer the way @autorest/python's own black step does, in one process.

``python black_format.py FOLDER...``, run by ``driver.py`` with the Python of
``node_modules/@autorest/python/venv`` (whose black is the extension's pinned one), so the
bytes are exactly those of the extension's step: every ``.py`` file formatted by black with
``fast=True`` and a line length of 120, then, as the extension does, a ``# pylint: disable=``
header naming ``line-too-long``/``useless-suppression`` when a line is still longer than 120
characters and ``too-many-lines`` past 1,000 lines (merged into an existing first-line
``pylint: disable=`` comment).

Why not let AutoRest run that step (``black: true``)? There every file travels through the
JSON-RPC channel between AutoRest and the extension twice, one at a time; that step took a
third to a half of a layer's time, while black itself needs about a second per layer
(``bench/README.md``). ``generator/README.md`` turns the step off (``black: false``).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import black  # the extension's venv has it; this project's does not need to
from black.report import NothingChanged

LINE_LENGTH = 120
MAX_LINES = 1000
_MODE = black.Mode(line_length=LINE_LENGTH)


def formatted(text: str) -> str:
    with contextlib.suppress(NothingChanged):  # black's way of saying "already formatted"
        text = black.format_file_contents(text, fast=True, mode=_MODE)
    lines = text.splitlines()
    if not lines:
        return text
    disables: list[str] = []
    if "line-too-long" not in lines[0] and any(len(line) > LINE_LENGTH for line in lines):
        disables += ["line-too-long", "useless-suppression"]
    if "too-many-lines" not in lines[0] and len(lines) > MAX_LINES:
        disables.append("too-many-lines")
    if not disables:
        return text
    if "pylint: disable=" in lines[0]:
        return "\n".join([lines[0] + "," + ",".join(disables), *lines[1:]])
    return f"# pylint: disable={','.join(disables)}\n" + text


def format_folder(folder: Path) -> int:
    """Format every ``.py`` file under ``folder`` in place; returns how many there were."""
    count = 0
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        new = formatted(text)
        if new != text:
            path.write_text(new, encoding="utf-8", newline="\n")
        count += 1
    return count


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python black_format.py FOLDER...", file=sys.stderr)
        return 2
    for folder in argv:
        format_folder(Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
