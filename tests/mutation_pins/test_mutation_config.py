"""`make mutate`'s configuration stays true to the tree: every mapped module and test file exists,
and every equivalent-mutant line names a mapped module, a source line that is still there and a
reason (a renamed module or an edited line would otherwise drop out of the run unnoticed)."""

from __future__ import annotations

import glob
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tools" / "mutation"


def _modules() -> dict[str, dict[str, object]]:
    return tomllib.loads((CONFIG / "modules.toml").read_text(encoding="utf-8"))["module"]


def test_every_module_and_its_tests_exist() -> None:
    modules = _modules()
    assert len(modules) >= 10
    for name, spec in modules.items():
        assert (ROOT / str(spec["path"])).is_file(), name
        patterns = spec["tests"]
        assert isinstance(patterns, list)
        for pattern in patterns:
            hits = glob.glob(str(pattern), root_dir=ROOT)
            assert hits, f"{name}: {pattern} matches no file"


def test_equivalent_mutants_are_well_formed_and_current() -> None:
    modules = _modules()
    entries = [
        line
        for line in (CONFIG / "equivalent.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert entries
    for line in entries:
        name, operator, code, nth, reason = (part.strip() for part in line.split(" :: "))
        assert name in modules, line
        assert operator.startswith(("core/", "acs/")), line
        assert int(nth) >= 0 and reason, line
        source = (ROOT / str(modules[name]["path"])).read_text(encoding="utf-8").splitlines()
        assert code in (s.strip() for s in source), f"{name}: the line of {line!r} is gone"
