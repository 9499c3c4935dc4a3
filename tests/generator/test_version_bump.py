"""A version bump, done the documented way in a copy of the repository: copy a version folder, run the generator.

``swagger/README.md`` says a bump is: copy upstream's ``<version>/`` folder into the same place
under swagger/ (with the ``Common/`` folder its ``$ref``s point to, if swagger/ lacks it) and
run ``make generate``. This test does exactly that, once for each of upstream's two current
forms, with folders we write ourselves:

- **TypeSpec-emitted** (2025 on): ``Identity/stable/2099-01-01/`` is our 2026-09-23 document
  (``Azure.Core.Foundations.ApiVersionParameter`` at method level, ``format: uri`` endpoint
  without a level, ``x-ms-examples`` whose targets are absent) plus a new scope value and a
  new operation (``GET /identities/{id}/tokens``, one no document has; the 2025 previews' ``GET
  /identities/{id}`` has a handler now). Before ``generator/normalise.py``, this form made
  the generated client's constructor reject the endpoint (issue 17).
- **Hand-written** (2021-2023): ``Identity/stable/2099-02-01/`` is our 2023-10-01 document
  (``#/parameters/ApiVersionParameter``, ``CommunicationIdentity_*`` operationIds, the Teams
  user exchange among them) plus a new scope value and the Teams Phone operations written the
  hand-written way; its error types come by a relative ``$ref`` from a new
  ``Common/stable/2099-01-15/common.json``, and its folder carries an ``examples/`` file.

Each time it checks, in the copy, that

- only ``swagger/`` and ``generated/`` changed (``git status``): no handwritten file;
- the client and the local service speak the new version with its new scope, every operation
  group the handwritten layer calls works end to end (identities, tokens, Teams user exchange,
  Teams Phone assignments and exchange), the new operation is callable with ``send_request``
  and answered 501 by the local service, and the previous version refuses the new scope
  locally (``bump_check.py``);
- ``api-diff`` reviews the bump by default and ends with the checklist.

Runs AutoRest twice per form (about a minute each on a quiet machine), so it is marked slow;
``make test`` still runs it.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gen_support import AUTOREST, GENERATOR_DIR, ROOT, SWAGGER_DIR

from azure.communication.administration._generated import _catalog

pytestmark = pytest.mark.slow

Json = dict[str, Any]
TEAMS_PHONE_PATHS = (
    "/access/teamsExtension/:exchangeAccessToken",
    "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
)
TEAMS_PHONE_DEFINITIONS = (
    "TeamsExtensionAssignmentCreateOrUpdateRequest",
    "TeamsExtensionAssignmentResponse",
    "TeamsExtensionExchangeTokenRequest",
    "TeamsExtensionPrincipalType",
)


@dataclass(frozen=True)
class Bump:
    form: str
    version: str
    scope: str
    new_path: str  # "-" when the folder adds no operation
    files: dict[str, Json]  # swagger/-relative path -> document

    @property
    def folder(self) -> str:
        return f"Identity/stable/{self.version}"


def _ours(relative: str) -> Json:
    return json.loads((SWAGGER_DIR / relative).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _add_scope(doc: Json, scope: str, name: str) -> None:
    schema = doc["definitions"]["CommunicationIdentityTokenScope"]
    schema["enum"].append(scope)
    values = schema["x-ms-enum"].get("values")
    if values is not None:
        values.append({"name": name, "value": scope, "description": "Listen in on calls."})


def _typespec_bump() -> Bump:
    version, scope = "2099-01-01", "voip.listen"
    doc = _ours(f"Identity/stable/{_catalog.LATEST_GA}/CommunicationIdentity.json")
    assert "x-typespec-generated" in doc["info"], "the newest document is in the TypeSpec-emitted form"
    doc["info"]["version"] = version
    _add_scope(doc, scope, "voipListen")
    delete = doc["paths"]["/identities/{id}"]["delete"]
    doc["paths"]["/identities/{id}/tokens"] = {}
    doc["paths"]["/identities/{id}/tokens"]["get"] = {
        "operationId": "IdentityOperations_ListTokens",
        "tags": ["Identity"],
        "summary": "Reads an identity.",
        "parameters": copy.deepcopy(delete["parameters"]),
        "responses": {
            "200": {"description": "The identity.", "schema": {"$ref": "#/definitions/CommunicationIdentity"}},
            "default": copy.deepcopy(delete["responses"]["default"]),
        },
        "x-ms-examples": {"Read a user": {"$ref": "./examples/IdentityOperations_ListTokens.json"}},  # no such file
    }
    return Bump(
        "typespec",
        version,
        scope,
        "/identities/{id}/tokens",
        {f"Identity/stable/{version}/CommunicationIdentity.json": doc},
    )


def _hand_written_bump() -> Bump:
    version, scope, common = "2099-02-01", "chat.listen", "2099-01-15"
    doc = _ours("Identity/stable/2023-10-01/CommunicationIdentity.json")
    error = f"../../../Common/stable/{common}/common.json#/definitions/CommunicationErrorResponse"
    text = json.dumps(doc).replace(
        "../../../Common/stable/2022-07-13/common.json", f"../../../Common/stable/{common}/common.json"
    )
    doc = json.loads(text)
    assert "ApiVersionParameter" in doc["parameters"] and "x-typespec-generated" not in doc["info"]
    doc["info"]["version"] = version
    _add_scope(doc, scope, "chatListen")
    # The Teams Phone operations of the newest document, written the hand-written way.
    newest = _ours(f"Identity/stable/{_catalog.LATEST_GA}/CommunicationIdentity.json")
    for path in TEAMS_PHONE_PATHS:
        item = copy.deepcopy(newest["paths"][path])
        for op in item.values():
            op["parameters"] = [
                {"$ref": "#/parameters/ApiVersionParameter"} if p.get("$ref", "").endswith("ApiVersionParameter") else p
                for p in op["parameters"]
            ]
            op["responses"]["default"]["schema"] = {"$ref": error}
            op.pop("x-ms-examples", None)
            # Media types per operation, as the hand-written documents have them (no global ones).
            if any(p.get("in") == "body" for p in op["parameters"]):
                op["consumes"] = ["application/json"]
            op["produces"] = ["application/json"]
        doc["paths"][path] = item
    for name in TEAMS_PHONE_DEFINITIONS:
        doc["definitions"][name] = copy.deepcopy(newest["definitions"][name])
    common_doc = _ours("Common/stable/2022-07-13/common.json")
    common_doc["info"]["version"] = common
    example = {"parameters": {"api-version": version}, "responses": {"204": {}}}
    return Bump(
        "hand-written",
        version,
        scope,
        "-",
        {
            f"Identity/stable/{version}/CommunicationIdentity.json": doc,
            f"Identity/stable/{version}/examples/DeleteIdentity.json": example,
            f"Common/stable/{common}/common.json": common_doc,
        },
    )


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


@pytest.mark.parametrize("bump", [_typespec_bump(), _hand_written_bump()], ids=lambda b: b.form)
def test_copying_a_version_folder_is_a_whole_version_bump(tmp_path: Path, bump: Bump) -> None:
    assert AUTOREST.exists(), f"{AUTOREST} is missing: run `make test` (it installs the pinned toolchain)"
    old = _catalog.LATEST_GA
    copy_ = _copy_of_the_repository(tmp_path / "repo")
    for relative, doc in bump.files.items():
        target = copy_ / "swagger" / relative
        assert not target.exists(), f"{relative} is new"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    generated = subprocess.run(
        [sys.executable, str(copy_ / "generator" / "driver.py"), "generate"],
        cwd=copy_,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr

    changed = [line[3:] for line in _git(copy_, "status", "--porcelain", "--untracked-files=all").splitlines()]
    assert [name for name in changed if not name.startswith(("swagger/", "generated/"))] == []
    assert {f"swagger/{relative}" for relative in bump.files} <= set(changed)
    assert {"generated/_catalog.py", "generated/_api_enums.py", "generated/ga/_configuration.py"} <= set(changed)
    catalog_text = (copy_ / "generated" / "_catalog.py").read_text(encoding="utf-8")
    assert f'LATEST_GA: str = "{bump.version}"' in catalog_text
    assert f'"{bump.version}": "swagger/{bump.folder}/CommunicationIdentity.json",' in catalog_text
    manifest = json.loads((copy_ / "generated" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert {f"swagger/{relative}" for relative in bump.files} <= set(manifest["inputs"])
    configuration = (copy_ / "generated" / "ga" / "_configuration.py").read_text(encoding="utf-8")
    assert f'api_version: str = kwargs.pop("api_version", "{bump.version}")' in configuration

    checked = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("bump_check.py")),
            str(copy_),
            bump.version,
            old,
            bump.scope,
            bump.new_path,
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
        [sys.executable, str(copy_ / "generator" / "api_diff.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.startswith(f"# API diff: {old} → {bump.version}\n")
    assert f"  - added `{bump.scope}`\n" in diff.stdout
    assert diff.stdout.endswith(f"- [ ] a CHANGELOG line under Unreleased naming `{bump.version}` and what it adds\n")
    if bump.new_path != "-":
        assert (
            "- [ ] `GET /identities/{id}/tokens` `IdentityOperations_ListTokens`: a convenience method" in diff.stdout
        )
