"""Run the client tests against the lowest dependency versions setup.py declares.

``python tools/lowest_deps.py [-- PYTEST ARGS]`` (``make test-lowest``).

Every ``name>=X`` of ``install_requires`` and of the ``aio`` extra becomes a
pip constraint ``name==X`` (read from setup.py, never restated here), so pip
must install exactly those versions or fail. The venv, ``.venvs/lowest``, uses
the lowest declared Python that is installed (the oldest dependencies are the
likeliest to lack wheels for a newer one) and is created on first use, then
reused. The local service the tests start runs in the same environment, so the
``emulator`` extra is installed too, its packages at whatever versions pip picks
under those constraints. After the install the script checks that the
installed versions are the declared minimums, then runs ``tests/client``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

from _venvs import ROOT, VENVS, declared_minimum_python, dev_pins, ensure_venv, find_interpreter, log, setup_keyword

TESTS = ("tests/client",)
EXTRAS = ("aio",)
_LOWER_BOUND = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([^,;\s]+)\s*(;.*)?$")


def lowest_pins() -> dict[str, str]:
    """``{name: "name==X[; marker]"}`` for every runtime requirement with a ``>=`` lower bound."""
    install_requires = setup_keyword("install_requires")
    assert isinstance(install_requires, list)
    requirements = [str(r) for r in install_requires]
    extras = setup_keyword("extras_require")
    assert isinstance(extras, dict)
    for extra in EXTRAS:
        requirements += extras[extra]
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = _LOWER_BOUND.match(requirement)
        if not match:
            raise SystemExit(f"setup.py requirement {requirement!r} has no single '>=' lower bound to test")
        name, version, marker = match.groups()
        pins[name.lower()] = f"{name}=={version}{marker or ''}"
    return pins


def _release(version: str) -> str:
    """``3.9`` and ``3.9.0`` alike (pip's ``==`` pads with zeros too)."""
    return re.sub(r"(\.0)+$", "", version)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args(argv)

    pins = lowest_pins()
    constraints = VENVS / "lowest-constraints.txt"
    VENVS.mkdir(exist_ok=True)
    constraints.write_text("".join(p + "\n" for p in pins.values()))
    log("lowest declared versions: " + ", ".join(pins.values()))

    _, lowest_minor = declared_minimum_python()
    interpreter = find_interpreter(lowest_minor)
    if interpreter is None:
        log(f"Python 3.{lowest_minor} not found; using {sys.executable}")
        interpreter = sys.executable
    python = ensure_venv(
        "lowest",
        interpreter,
        # A test tool the package also declares (requests) comes at its declared minimum, not its dev pin.
        [
            [
                "-c",
                str(constraints),
                "-e",
                ".[aio,emulator]",
                *dev_pins([t for t in ("pytest", "requests") if t not in pins]),
            ]
        ],
        ["setup.py", "pyproject.toml", "requirements-dev.txt"],
    )

    installed = json.loads(
        subprocess.run(
            [str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    versions = {p["name"].lower().replace("_", "-"): p["version"] for p in installed}
    wrong = []
    for name, pin in pins.items():
        wanted = pin.split("==", 1)[1].split(";", 1)[0]
        if _release(versions.get(name.replace("_", "-"), "")) != _release(wanted):
            wrong.append(f"{name}: installed {versions.get(name)}, declared minimum {wanted}")
    if wrong:
        log("not the declared minimums: " + "; ".join(wrong))
        return 1
    log(f"{python.relative_to(ROOT)} -m pytest {' '.join(TESTS)}")
    return subprocess.run([str(python), "-m", "pytest", "-q", *TESTS, *args.pytest_args], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
