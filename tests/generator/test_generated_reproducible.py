"""``generated/`` is exactly what the pinned toolchain writes, and drift is caught with a diff.

Runs AutoRest (about 25 s per generation), so it is marked slow. It is never skipped: a
missing toolchain fails the test (``make test`` installs it with ``npm ci``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from gen_support import AUTOREST, GENERATED_DIR, GENERATOR_DIR, ROOT, load_generator_module, tree_files

pytestmark = pytest.mark.slow

EDITED_FILE = "ga/operations/_operations.py"
EDITED_LINE = "# a hand edit that `make check-generated` must catch"


@pytest.fixture(scope="module")
def driver() -> ModuleType:
    assert AUTOREST.exists(), (
        f"{AUTOREST} is missing: run `make test` (or `npm ci` in generator/) to install the "
        "pinned AutoRest toolchain; this proof is not skipped"
    )
    return load_generator_module("driver")


@pytest.fixture(scope="module")
def fresh_generation(driver: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One full generation per test session, into an empty temporary folder."""
    out = tmp_path_factory.mktemp("regenerated") / "generated"
    out.mkdir()
    driver.generate_into(out)
    yield out


def test_regeneration_is_byte_for_byte_identical(driver: ModuleType, fresh_generation: Path) -> None:
    fresh, committed = tree_files(fresh_generation), tree_files(GENERATED_DIR)

    drift = "".join(driver.diff_trees(fresh_generation, GENERATED_DIR))
    assert sorted(fresh) == sorted(committed), drift
    different = [name for name in fresh if fresh[name] != committed[name]]
    assert different == [], drift or f"bytes differ (line endings?) in {different}"
    assert "MANIFEST.json" in fresh
    assert fresh["MANIFEST.json"] == committed["MANIFEST.json"]


def test_check_fails_with_a_diff_after_a_hand_edit(tmp_path: Path) -> None:
    copy = tmp_path / "generated"
    shutil.copytree(GENERATED_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / EDITED_FILE).open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(EDITED_LINE + "\n")

    done = subprocess.run(  # the same command `make check-generated` runs
        [sys.executable, str(GENERATOR_DIR / "driver.py"), "check", "--generated", str(copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert f"--- committed/{EDITED_FILE}\n" in out
    assert f"+++ regenerated/{EDITED_FILE}\n" in out
    # Regenerating would drop the edited line: it shows as removed in the unified diff.
    assert f"\n-{EDITED_LINE}\n" in out
    assert "@@ " in out
    # Nothing but the edited file differs (MANIFEST.json still matches the regenerated tree).
    assert out.count("--- committed/") == 1, out
    assert "differs from what `make generate` writes" in done.stderr
