"""The version orders above every release PyPI already has under this distribution name.

``azure-communication-administration`` was published in 2020 up to 1.0.0b4 (the package this
one follows). A lower or equal version would make ``pip install -U`` replace this package with
the 2020 one, and a resolver that sees both would pick the 2020 one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

from azure.communication.administration import VERSION

ROOT = Path(__file__).resolve().parents[2]
#: The highest version on PyPI for the name, from https://pypi.org/project/azure-communication-administration/#history
#: (the 2020 preview: 1.0.0b1, 1.0.0b2, 1.0.0b3, 1.0.0b4).
HIGHEST_PUBLISHED = Version("1.0.0b4")


def test_version_is_above_the_highest_published_release() -> None:
    assert Version(VERSION) > HIGHEST_PUBLISHED
    # Still a pre-release: pip takes it only when asked (--pre or a pinned version), as with the 2020 betas.
    assert Version(VERSION).is_prerelease


def test_setup_py_builds_the_version_of_the_package() -> None:
    done = subprocess.run(
        [sys.executable, "setup.py", "--version"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == VERSION


def test_changelog_top_release_is_this_version_and_says_how_it_follows_2020() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    top = re.search(r"^## (\S+)", text, re.M)
    assert top is not None and top.group(1) == VERSION
    # Before its first subsection, the release says how it follows the 2020 releases.
    intro = text[top.end() : text.index("\n### ", top.end())]
    assert "1.0.0b4" in intro and "2020" in intro
