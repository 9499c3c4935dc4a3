"""A version bump, done the documented way in a copy of the repository: add one document, run the generator.

Copies the tracked files to a temporary folder (``generator/node_modules`` is a symlink to this
checkout's, so no ``npm ci``), adds ``swagger/2099-01-01.json`` (the newest GA document plus one
scope value and one operation), runs ``generator/driver.py generate`` there, and checks that

- only ``swagger/`` and ``generated/`` changed (``git status``): no handwritten file;
- the client and the local service of the copy speak the new version with its new scope, the new
  operation is callable with ``send_request`` and answered 501 by the local service, and the
  previous version refuses the new scope locally (``bump_check.py``);
- ``api-diff`` reviews the bump by default and ends with the checklist.

Runs AutoRest twice (about a minute), so it is marked slow; ``make test`` still runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gen_support import AUTOREST, GENERATOR_DIR, ROOT

from azure.communication.administration._generated import _catalog

pytestmark = pytest.mark.slow

NEW = "2099-01-01"
SCOPE = "voip.listen"
NEW_OPERATION = ("get", "/identities/{id}", "IdentityOperations_Get")


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def _copy_of_the_repository(dest: Path) -> Path:
    for name in _git(ROOT, "ls-files", "-z").split("\0"):
        if name and (ROOT / name).is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    (dest / "generator" / "node_modules").symlink_to(GENERATOR_DIR / "node_modules", target_is_directory=True)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "-c", "user.name=bump", "-c", "user.email=bump@example.invalid", "commit", "-qm", "copy")
    return dest


def _new_document(old: dict) -> dict:  # type: ignore[type-arg]
    doc = json.loads(json.dumps(old))
    doc["info"]["version"] = NEW
    doc["parameters"]["ApiVersionParameter"]["default"] = NEW
    scope = doc["definitions"]["CommunicationIdentityTokenScope"]
    scope["enum"].append(SCOPE)
    scope["x-ms-enum"]["values"].append({"name": "voipListen", "value": SCOPE, "description": "Listen to calls."})
    method, path, operation_id = NEW_OPERATION
    delete = doc["paths"][path]["delete"]
    doc["paths"][path][method] = {
        "summary": "Reads an identity.",
        "operationId": operation_id,
        "parameters": delete["parameters"],
        "responses": {
            "200": {"description": "The identity.", "schema": {"$ref": "#/definitions/CommunicationIdentity"}},
            "default": delete["responses"]["default"],
        },
    }
    return doc


def test_adding_one_document_is_a_whole_version_bump(tmp_path: Path) -> None:
    assert AUTOREST.exists(), f"{AUTOREST} is missing: run `make test` (it installs the pinned toolchain)"
    old = _catalog.LATEST_GA
    copy = _copy_of_the_repository(tmp_path / "repo")
    source = json.loads((copy / "swagger" / f"{old}.json").read_text(encoding="utf-8"))
    (copy / "swagger" / f"{NEW}.json").write_text(json.dumps(_new_document(source), indent=2) + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    generated = subprocess.run(
        [sys.executable, str(copy / "generator" / "driver.py"), "generate"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr

    changed = [line[3:] for line in _git(copy, "status", "--porcelain", "--untracked-files=all").splitlines()]
    assert changed, "the generator changed nothing"
    assert [name for name in changed if not name.startswith(("swagger/", "generated/"))] == []
    assert f"swagger/{NEW}.json" in changed
    assert {"generated/_catalog.py", "generated/_api_enums.py", "generated/ga/_configuration.py"} <= set(changed)
    assert f'LATEST_GA: str = "{NEW}"' in (copy / "generated" / "_catalog.py").read_text(encoding="utf-8")

    checked = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("bump_check.py")),
            str(copy),
            NEW,
            old,
            SCOPE,
            "/identities/{id}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )
    assert checked.returncode == 0 and checked.stdout.strip().endswith("bump ok"), checked.stdout + checked.stderr

    diff = subprocess.run(
        [sys.executable, str(copy / "generator" / "api_diff.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.startswith(f"# API diff: {old} → {NEW}\n")
    assert f"  - added `{SCOPE}`\n" in diff.stdout
    assert diff.stdout.endswith(f"- [ ] a CHANGELOG line under Unreleased naming `{NEW}` and what it adds\n")
    assert "- [ ] `GET /identities/{id}` `IdentityOperations_Get`: a convenience method" in diff.stdout
