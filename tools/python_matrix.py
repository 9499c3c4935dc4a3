"""Run the client and local-service tests on every declared Python minor version that is installed here.

``python tools/python_matrix.py [--skip 3.11] [-- PYTEST ARGS]`` (``make test-pythons``).

The versions are those ``python_requires`` in setup.py admits (``>=3.10``: 3.10
and every later 3.N found); each is looked up under pyenv and on PATH, and an
absent one is skipped with a message. Each present one gets its own
``.venvs/py3.N`` (created on first use, then reused) with the package
(editable, ``[aio,emulator]``) and the test tools pinned in
requirements-dev.txt, and runs ``tests/client`` and ``tests/emulator``; the
official client's interop tests run there too. The generator's tests (Node)
and the docs/CLI/sample tests stay with ``make test`` on the project's own
interpreter. Every version runs even if one fails; the exit status is 1 if any did.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _venvs import ROOT, TEST_TOOLS, declared_minimum_python, dev_pins, ensure_venv, find_interpreter, log

TESTS = ("tests/client", "tests/emulator")
#: Look this far past the lowest declared minor version for installed interpreters.
NEWEST_MINOR = 20


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", action="append", default=[], metavar="3.N", help="a version not to run")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args(argv)

    major, lowest = declared_minimum_python()
    results: list[tuple[str, str]] = []
    for minor in range(lowest, NEWEST_MINOR + 1):
        version = f"{major}.{minor}"
        interpreter = find_interpreter(minor)
        if interpreter is None:
            if minor <= 13:  # released long enough that its absence is worth saying
                log(f"Python {version}: no interpreter found under pyenv or on PATH; skipped")
                results.append((version, "skipped (absent)"))
            continue
        if version in args.skip:
            log(f"Python {version}: skipped (--skip)")
            results.append((version, "skipped (--skip)"))
            continue
        started = time.monotonic()
        try:
            python = ensure_venv(
                f"py{version}",
                interpreter,
                [["-e", ".[aio,emulator]", *dev_pins(TEST_TOOLS)]],
                ["setup.py", "pyproject.toml", "requirements-dev.txt"],
            )
        except subprocess.CalledProcessError as error:
            log(f"Python {version}: setting up its virtual environment failed ({error})")
            results.append((version, "FAILED (set-up)"))
            continue
        log(f"Python {version}: {python.relative_to(ROOT)} -m pytest {' '.join(TESTS)}")
        status = subprocess.run([str(python), "-m", "pytest", "-q", *TESTS, *args.pytest_args], cwd=ROOT).returncode
        seconds = time.monotonic() - started
        results.append((version, f"{'passed' if status == 0 else 'FAILED'} in {seconds:.0f} s"))

    log("summary: " + "; ".join(f"Python {v}: {r}" for v, r in results))
    if not any(r.startswith(("passed", "FAILED")) for _, r in results):
        log("no declared Python version was found")
        return 1
    return 1 if any("FAILED" in r for _, r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
