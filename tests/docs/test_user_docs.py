"""The documents users read are written for users: no authoring notes, no internal renames
listed as breaking changes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _section(text: str, heading: str) -> str:
    """The body of the first ``heading`` (a markdown heading line) up to the next heading of its level."""
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    following = re.search(rf"^{re.escape(level)} |^#{{1,{len(level) - 1}}} ", text[start:], re.M)
    return text[start : start + following.start()] if following else text[start:]


def test_emulator_readme_has_no_authoring_note() -> None:
    text = (ROOT / "emulator" / "README.md").read_text(encoding="utf-8")
    for note in ("written to be folded", "folded into the top-level README", "\n---\n"):
        assert note not in text


def test_first_release_breaking_changes_are_what_users_see() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first_release = re.findall(r"^## (.+)$", text, re.M)[-1]
    release = _section(text, f"## {first_release}")
    breaking = _section("\n" + release, "### Breaking Changes")
    assert breaking.strip()
    for internal in (
        "_generated",
        "generator",
        "Operations",
        "IdentityTokenResult",
        "TeamsExtensionAssignmentResponse",
    ):
        assert internal not in breaking, f"an internal name in the first release's breaking changes: {internal}"
