"""`make mutate`: mutation testing of the security- and wire-critical modules (cosmic-ray).

Each module in ``modules.toml`` is mutated one small change at a time (an operator flipped, a
number moved, a ``raise`` or a bare call deleted, a membership test inverted: cosmic-ray's core
operators that suit this code, plus ``operators.py``), and for each mutant the module's own tests
(the mapping in ``modules.toml``) run; a mutant is *caught* when they fail. Mutants judged to
change nothing observable are listed in ``equivalent.txt`` with a one-line reason each, so a
report shows only what is new.

The work happens in a scratch copy of the checkout (``.mutation/tree``: the files git knows of,
plus the package laid out as installed), on ``PYTHONPATH`` ahead of the editable install, so the
checkout itself is never mutated and can be worked on meanwhile. Results: one cosmic-ray session
per module (``.mutation/<name>.sqlite``), the survivors with their diffs
(``.mutation/<name>.survivors.txt``) and the table (``.mutation/summary.md``, also printed).

    python tools/mutation/run.py [--test-python PY] [NAME ...]    # default: every module

Runs with the tool's own environment (``.venvs/mutate``, made by ``make mutate``); the tests run
with the development environment's interpreter (``--test-python``, default ``.venv/bin/python``).
"""

from __future__ import annotations

import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import cosmic_ray.commands
import cosmic_ray.plugins
import tomllib
from cosmic_ray.mutating import mutate_and_test
from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

sys.path.insert(0, str(Path(__file__).resolve().parent))
from operators import OPERATORS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WORK = ROOT / ".mutation"  # --work changes it (two runs at once need two)
TREE = WORK / "tree"

# cosmic-ray's core operators that make mutants a real bug could look like. Left out: the
# cross-replacements of arithmetic and bitwise operators (``+`` to ``<<``, ``**``...: type errors
# caught at once, or nonsense), comparisons swapped for unrelated ones (``==`` to ``<``), and
# the variable replacer/inserter (random names): together they would triple a run's length and
# add no kind of bug the kept ones miss.
_CORE_KEPT = {
    *(
        f"ReplaceComparisonOperator_{a}_{b}"
        for a, b in [
            ("Eq", "NotEq"),
            ("NotEq", "Eq"),
            ("Is", "IsNot"),
            ("IsNot", "Is"),
            ("Lt", "LtE"),
            ("Lt", "GtE"),
            ("LtE", "Lt"),
            ("LtE", "Gt"),
            ("Gt", "GtE"),
            ("Gt", "LtE"),
            ("GtE", "Gt"),
            ("GtE", "Lt"),
        ]
    ),
    *(
        f"ReplaceBinaryOperator_{a}_{b}"
        for a, b in [
            ("Add", "Sub"),
            ("Sub", "Add"),
            ("Mul", "Div"),
            ("Div", "Mul"),
            ("FloorDiv", "Mul"),
            ("Mod", "FloorDiv"),
            ("BitOr", "BitAnd"),
            ("BitAnd", "BitOr"),
        ]
    ),
    "ReplaceUnaryOperator_USub_UAdd",
    "ReplaceUnaryOperator_Delete_Not",
    "AddNot",
    "ReplaceTrueWithFalse",
    "ReplaceFalseWithTrue",
    "ReplaceAndWithOr",
    "ReplaceOrWithAnd",
    "ReplaceBreakWithContinue",
    "ReplaceContinueWithBreak",
    "ExceptionReplacer",
    "NumberReplacer",
    "ZeroIterationForLoop",
    "RemoveDecorator",
}


def _install_operators() -> None:
    core = cosmic_ray.plugins.OPERATOR_PROVIDERS["core"]
    missing = _CORE_KEPT - set(core)
    if missing:
        raise SystemExit(f"cosmic-ray lacks operators {sorted(missing)}: is requirements.txt's pin installed?")
    cosmic_ray.plugins.OPERATOR_PROVIDERS.clear()
    cosmic_ray.plugins.OPERATOR_PROVIDERS["core"] = {name: core[name] for name in sorted(_CORE_KEPT)}
    cosmic_ray.plugins.OPERATOR_PROVIDERS["acs"] = dict(OPERATORS)


def _make_tree(base: str | None) -> None:
    """The checkout's files (tracked and new, not ignored), or those of commit ``base``, and the
    package's installed layout."""
    if TREE.exists():
        shutil.rmtree(TREE)
    if base:
        TREE.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", base], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(TREE)], input=archive, check=True)
        shutil.copytree(TREE / "generated", TREE / "azure/communication/administration/_generated")
        return
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = TREE / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    shutil.copytree(TREE / "generated", TREE / "azure/communication/administration/_generated")


def _equivalents() -> dict[tuple[str, str, str, int], str]:
    found: dict[tuple[str, str, str, int], str] = {}
    for number, line in enumerate((HERE / "equivalent.txt").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" :: ")]
        if len(parts) != 5 or not parts[4]:
            raise SystemExit(f"equivalent.txt:{number}: want 'name :: operator :: code line :: nth :: reason'")
        found[(parts[0], parts[1], parts[2], int(parts[3]))] = parts[4]
    return found


def _line(source_lines: list[str], start: tuple[int, int]) -> str:
    return source_lines[start[0] - 1].strip()


def run_module(name: str, spec: dict[str, Any], test_python: str, equivalent: dict[Any, str]) -> dict[str, Any]:
    module = spec["path"]
    # In the mapping's order (the quick, pointed tests first: with -x a caught mutant stops early).
    tests = list(dict.fromkeys(hit for pattern in spec["tests"] for hit in sorted(glob.glob(pattern, root_dir=TREE))))
    if not tests:
        raise SystemExit(f"{name}: no test file matches {spec['tests']}")
    marker = ["-m", spec["marker"]] if spec.get("marker") else []
    deselect = [f"--deselect={test}" for test in spec.get("deselect", [])]
    command = shlex.join(
        [test_python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *marker, *deselect, *tests]
    )
    started = time.monotonic()
    baseline = subprocess.run(shlex.split(command), cwd=TREE, capture_output=True, text=True)
    base_seconds = time.monotonic() - started
    if baseline.returncode != 0:
        raise SystemExit(f"{name}: the tests fail before any mutation:\n{baseline.stdout[-3000:]}")
    timeout = spec.get("timeout", max(20.0, base_seconds * 4))
    session = WORK / f"{name}.sqlite"
    session.unlink(missing_ok=True)
    with use_db(str(session)) as db:
        cosmic_ray.commands.init([Path(module)], db, {})
        items = list(db.pending_work_items)
        print(
            f"== {name}: {module}, {len(items)} mutants, tests {' '.join(tests)} (baseline {base_seconds:.1f}s)",
            flush=True,
        )
        for n, item in enumerate(items, 1):
            result = mutate_and_test(item.mutations, command, timeout)
            db.set_result(item.job_id, result)
            if result.test_outcome == TestOutcome.SURVIVED:
                mutation = item.mutations[0]
                print(
                    f"  [{n}/{len(items)}] survived: {mutation.operator_name} line {mutation.start_pos[0]}", flush=True
                )
        seconds = time.monotonic() - started
        (WORK / f"{name}.seconds").write_text(f"{seconds:.1f}\n")
        return _tally(name, module, db, equivalent, seconds)


def _tally(name: str, module: str, db: WorkDB, equivalent: dict[Any, str], seconds: float) -> dict[str, Any]:
    source_lines = (TREE / module).read_text().splitlines()
    seen: Counter[tuple[str, str, str]] = Counter()
    counts = Counter[str]()
    survivors: list[str] = []
    for item, result in sorted(db.completed_work_items, key=lambda pair: pair[0].mutations[0].start_pos):
        mutation = item.mutations[0]
        code = _line(source_lines, mutation.start_pos)
        base = (name, mutation.operator_name, code)
        key = (*base, seen[base])
        seen[base] += 1
        counts["mutants"] += 1
        if result.worker_outcome == WorkerOutcome.NO_TEST:
            counts["no mutation"] += 1
            counts["mutants"] -= 1
        elif key in equivalent:
            counts["equivalent"] += 1
        elif result.test_outcome == TestOutcome.SURVIVED:
            counts["survived"] += 1
            survivors.append(
                f"{name} :: {mutation.operator_name} :: {code} :: {key[3]} :: <reason, if equivalent>\n{result.diff}\n"
            )
        else:
            counts["caught"] += 1
    (WORK / f"{name}.survivors.txt").write_text("\n".join(survivors))
    judged = counts["mutants"] - counts["equivalent"]
    score = 100.0 * counts["caught"] / judged if judged else 100.0
    return {"name": name, "module": module, **counts, "score": score, "seconds": seconds}


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| module | mutants | caught | survived | equivalent | score | time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['mutants']} | {r.get('caught', 0)} | {r.get('survived', 0)} | "
            f"{r.get('equivalent', 0)} | {r['score']:.1f}% | {r['seconds'] / 60:.1f} min |"
        )
    return "\n".join(lines)


def main() -> int:
    global WORK, TREE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="modules.toml names (default: all)")
    parser.add_argument("--test-python", default=str(ROOT / ".venv/bin/python"))
    parser.add_argument("--work", type=Path, default=WORK, help="where the copy, sessions and reports go")
    parser.add_argument(
        "--base",
        metavar="COMMIT",
        help="mutate that commit's code with its tests (e.g. main: the score before a change)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="no run: the table of the sessions in --work, with equivalent.txt as it is now",
    )
    args = parser.parse_args()
    WORK, TREE = args.work.resolve(), args.work.resolve() / "tree"
    modules = tomllib.loads((HERE / "modules.toml").read_text())["module"]
    unknown = set(args.names) - set(modules)
    if unknown:
        parser.error(f"unknown module name(s) {sorted(unknown)}; modules.toml has {sorted(modules)}")
    _install_operators()
    if args.report:
        rows = []
        for name in args.names or list(modules):
            session = WORK / f"{name}.sqlite"
            if session.exists():
                seconds = float((WORK / f"{name}.seconds").read_text()) if (WORK / f"{name}.seconds").exists() else 0.0
                with use_db(str(session), WorkDB.Mode.open) as db:
                    rows.append(_tally(name, modules[name]["path"], db, _equivalents(), seconds))
        print(_table(rows))
        return 0
    WORK.mkdir(exist_ok=True)
    _make_tree(args.base)
    # The copy's package first on the path, ahead of the editable install of the checkout.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(TREE), str(TREE / "emulator")])
    os.chdir(TREE)
    equivalent = _equivalents()
    rows = []
    started = time.monotonic()
    for name in args.names or list(modules):
        rows.append(run_module(name, modules[name], args.test_python, equivalent))
    table = _table(rows)
    total = f"total {(time.monotonic() - started) / 60:.1f} min, load {os.getloadavg()[0]:.2f}"
    (WORK / "summary.md").write_text(f"{table}\n\n{total}\n")
    print(f"\n{table}\n\n{total}\nsurvivors (with diffs): .mutation/<name>.survivors.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
