"""``make spec-check UPSTREAM=...`` (``generator/spec_check.py``): swagger/ against upstream, wire-level.

The "upstream" folders here are ours: copies of swagger/ (which has upstream's layout and
structure) changed in one way per test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from gen_support import GENERATOR_DIR, ROOT, SWAGGER_DIR, load_generator_module

from azure.communication.administration._generated._catalog import VERSIONS

SCRIPT = GENERATOR_DIR / "spec_check.py"
TYPESPEC = "Identity/stable/2026-09-23/CommunicationIdentity.json"
HAND_WRITTEN = "Identity/stable/2023-10-01/CommunicationIdentity.json"
PREVIEW_2020 = "Identity/preview/2020-07-20-preview2/CommunicationIdentity.json"
COMMON = "Common/stable/2022-07-13/common.json"


@pytest.fixture(scope="module")
def spec_check() -> ModuleType:
    return load_generator_module("spec_check")


def _upstream(tmp_path: Path, change: Callable[[Path], None] | None = None) -> Path:
    folder = tmp_path / "data-plane"
    shutil.copytree(SWAGGER_DIR, folder, ignore=shutil.ignore_patterns("*.md"))
    if change is not None:
        change(folder)
    return folder


def _edit(folder: Path, relative: str, mutate: Callable[[dict[str, Any]], None]) -> None:
    path = folder / relative
    doc = json.loads(path.read_text(encoding="utf-8"))
    mutate(doc)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def _run(spec_check: ModuleType, upstream: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = spec_check.main([str(upstream)])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def test_swagger_against_itself_has_no_difference(
    spec_check: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(spec_check, _upstream(tmp_path), capsys)
    assert code == 0
    assert "2026-09-23 (Identity/stable/2026-09-23/CommunicationIdentity.json): 0 differences\n" in out
    assert out.endswith(f"0 wire-level differences in {len(VERSIONS)} versions: swagger/ matches upstream\n")


def test_prose_examples_tags_and_order_are_not_differences(
    spec_check: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def reword(doc: dict[str, Any]) -> None:
        doc["info"]["description"] = "Other words."
        doc["info"]["title"] = "Another title"
        doc["info"]["x-typespec-generated"] = [{"emitter": "something else"}]
        doc["tags"] = [{"name": "Elsewhere"}]
        create = doc["paths"]["/identities"]["post"]
        create["summary"] = create["description"] = "Makes one."
        create["tags"] = ["Elsewhere"]
        create["x-ms-examples"] = {"A title of theirs": {"$ref": "./examples/Other.json"}}
        create["parameters"].reverse()
        create["responses"] = dict(reversed(list(create["responses"].items())))
        scope = doc["definitions"]["CommunicationIdentityTokenScope"]
        scope["enum"].reverse()
        scope["x-ms-enum"]["values"][0]["description"] = "Reworded."
        doc["definitions"]["CommunicationIdentity"]["properties"]["id"]["description"] = "Reworded."
        doc["definitions"]["CommunicationIdentity"]["example"] = {"id": "x"}

    def reword_common(doc: dict[str, Any]) -> None:
        doc["definitions"]["CommunicationError"]["properties"]["code"]["description"] = "Reworded."
        doc["securityDefinitions"]["azure_auth"]["scopes"]["user_impersonation"] = "reworded"

    def change(folder: Path) -> None:
        _edit(folder, TYPESPEC, reword)
        _edit(folder, COMMON, reword_common)

    code, out = _run(spec_check, _upstream(tmp_path, change), capsys)
    assert (code, out.splitlines()[-1]) == (
        0,
        f"0 wire-level differences in {len(VERSIONS)} versions: swagger/ matches upstream",
    )


def test_wire_level_differences_are_each_reported(
    spec_check: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def typespec(doc: dict[str, Any]) -> None:
        api = doc["parameters"]["Azure.Core.Foundations.ApiVersionParameter"]
        api["default"] = "2026-09-23"  # what our documents of old added
        del doc["x-ms-parameterized-host"]["parameters"][0]["format"]
        doc["paths"]["/identities/{id}"]["delete"]["responses"]["200"] = {"description": "x"}
        doc["definitions"]["CommunicationIdentityTokenScope"]["enum"].append("voip.listen")

    def hand_written(doc: dict[str, Any]) -> None:
        schema = doc["paths"]["/identities"]["post"]["responses"]["default"]["schema"]
        schema["$ref"] = "#/definitions/CommunicationErrorResponse"

    def common(doc: dict[str, Any]) -> None:
        doc["definitions"]["CommunicationError"]["required"] = ["code"]

    def change(folder: Path) -> None:
        _edit(folder, TYPESPEC, typespec)
        _edit(folder, HAND_WRITTEN, hand_written)
        _edit(folder, COMMON, common)

    code, out = _run(spec_check, _upstream(tmp_path, change), capsys)
    assert code == 1
    assert (
        "2026-09-23 (Identity/stable/2026-09-23/CommunicationIdentity.json): 4 differences\n"
        '  - definitions.CommunicationIdentityTokenScope.enum["voip.listen"]: only upstream: "voip.listen"\n'
        '  - parameters["Azure.Core.Foundations.ApiVersionParameter"].default: only upstream: "2026-09-23"\n'
        '  - paths["/identities/{id}"].delete.responses.200: only upstream: {}\n'
        '  - x-ms-parameterized-host.parameters[endpoint (path)].format: only in swagger/: "uri"\n'
    ) in out
    # 2023-10-01 refers to Common by a relative $ref: a local one upstream is a difference, and so
    # is the changed Common definition that 2022-10-01, 2023-08-01, 2023-10-01 and
    # 2025-04-01-preview take from there.
    assert (
        "2023-10-01 (Identity/stable/2023-10-01/CommunicationIdentity.json): 2 differences\n"
        '  - paths["/identities"].post.responses.default.schema.$ref: swagger/ has '
        '"../../../Common/stable/2022-07-13/common.json#/definitions/CommunicationErrorResponse", '
        'upstream has "#/definitions/CommunicationErrorResponse"\n'
        '  - (from another file) #/definitions/CommunicationError.required["message"]: only in swagger/: "message"\n'
    ) in out
    assert "2022-10-01 (Identity/stable/2022-10-01/CommunicationIdentity.json): 1 difference\n" in out
    assert "2023-08-01 (Identity/stable/2023-08-01/CommunicationIdentity.json): 1 difference\n" in out
    assert "2025-04-01-preview (Identity/preview/2025-04-01-preview/CommunicationIdentity.json): 1 difference\n" in out
    assert out.endswith(f"\n9 wire-level differences in {len(VERSIONS)} versions\n")


def test_a_missing_common_document_upstream_is_said_not_counted(
    spec_check: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(spec_check, _upstream(tmp_path, lambda f: shutil.rmtree(f / "Common/stable/2021-03-07")), capsys)
    assert code == 0
    assert (
        "2021-03-07 (Identity/stable/2021-03-07/CommunicationIdentity.json): 0 differences\n"
        "  ! not checked: data-plane/Common/stable/2021-03-07/common.json does not exist\n"
    ) in out


def test_versions_on_one_side_only(spec_check: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(folder: Path) -> None:
        shutil.rmtree(folder / "Identity/preview/2020-07-20-preview2")
        extra = folder / "Identity/preview/2099-01-01-preview/CommunicationIdentity.json"
        extra.parent.mkdir(parents=True)
        shutil.copy(folder / TYPESPEC, extra)

    code, out = _run(spec_check, _upstream(tmp_path, change), capsys)
    assert code == 1
    assert (
        "2020-07-20-preview2 (Identity/preview/2020-07-20-preview2/CommunicationIdentity.json): 1 difference\n"
        f"  - upstream has no {PREVIEW_2020}\n"
    ) in out
    assert "upstream versions swagger/ does not carry (not compared): 2099-01-01-preview\n" in out


def test_wire_view_keeps_properties_named_like_ignored_keywords(spec_check: ModuleType) -> None:
    schema = {
        "description": "prose",
        "properties": {"description": {"type": "string", "description": "prose"}, "tags": {"type": "array"}},
    }
    assert spec_check.wire_view(schema) == {
        "properties": {"description": {"type": "string"}, "tags": {"type": "array"}}
    }


def test_command_line_and_make_target(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), str(_upstream(tmp_path))], capture_output=True, text=True, check=False
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    not_upstream = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "nowhere")], capture_output=True, text=True, check=False
    )
    assert not_upstream.returncode == 2
    assert "has no Identity/ folder" in not_upstream.stderr
    usage = subprocess.run(["make", "-s", "spec-check"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert usage.returncode == 2
    assert "usage: make spec-check UPSTREAM=<folder" in usage.stderr
