"""``generator/api_diff.py``: the markdown a reviewer reads beside the code diff of a version bump."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest
from gen_support import GENERATOR_DIR, ROOT, SWAGGER_DIR, load_generator_module

DOCUMENTS = {
    version: path.relative_to(ROOT).as_posix()
    for version, path in load_generator_module("catalog").document_paths(SWAGGER_DIR).items()
}
VERSIONS = list(DOCUMENTS)
TEAMS_PHONE_OPERATIONS = {
    ("POST", "/access/teamsExtension/:exchangeAccessToken", "TeamsExtensionOperations_ExchangeToken"),
    (
        "GET",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "TeamsExtensionOperations_GetAssignment",
    ),
    (
        "PUT",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "TeamsExtensionOperations_UpsertAssignment",
    ),
    (
        "DELETE",
        "/access/teamsExtension/tenants/{tenantId}/assignments/{objectId}",
        "TeamsExtensionOperations_DeleteAssignment",
    ),
}
TEAMS_PHONE_MODELS = {
    "TeamsExtensionAssignmentCreateOrUpdateRequest",
    "TeamsExtensionAssignmentResponse",
    "TeamsExtensionExchangeTokenRequest",
    "TeamsExtensionPrincipalType",
}


@pytest.fixture(scope="module")
def api_diff() -> ModuleType:
    return load_generator_module("api_diff")


def _report(api_diff: ModuleType, old: str, new: str) -> tuple[Any, str]:
    result = api_diff.diff(api_diff.load(old), api_diff.load(new))
    return result, api_diff.render(result, old, new)


def test_all_released_versions_are_there() -> None:
    released = [
        "2020-07-20-preview2",
        "2021-03-07",
        "2022-06-01",
        "2022-10-01",
        "2023-08-01",
        "2023-10-01",
        "2025-03-02-preview",
        "2025-04-01-preview",
        "2025-06-30",
        "2026-09-23",
    ]
    # Versions are added (a preview lands among the GA versions by its date), never dropped or reordered.
    assert [v for v in VERSIONS if v in released] == released


def test_2022_10_01_to_2023_10_01_lists_the_three_new_scopes(api_diff: ModuleType) -> None:
    result, text = _report(api_diff, "2022-10-01", "2023-10-01")

    assert [(e.location, e.enum_name, e.added, e.removed) for e in result.enums_changed] == [
        (
            "CommunicationIdentityTokenScope",
            "CommunicationIdentityTokenScope",
            ["chat.join", "chat.join.limited", "voip.join"],
            [],
        )
    ]
    assert not result.operations_added and not result.operations_removed
    assert not result.operations_changed
    assert not result.models_added and not result.models_removed and not result.models_changed
    assert text.startswith("# API diff: 2022-10-01 → 2023-10-01\n")
    assert "Enum values: 3 added, 0 removed." in text
    assert "- `CommunicationIdentityTokenScope` (x-ms-enum `CommunicationIdentityTokenScope`)" in text
    for scope in ("chat.join", "chat.join.limited", "voip.join"):
        assert f"  - added `{scope}`\n" in text


def test_2023_10_01_to_2026_09_23_lists_the_teams_phone_operations_and_models(
    api_diff: ModuleType,
) -> None:
    result, text = _report(api_diff, "2023-10-01", "2026-09-23")

    added = {(op.method, op.path, op.operation_id) for op in result.operations_added}
    assert added == TEAMS_PHONE_OPERATIONS
    assert {m.name for m in result.models_added} == TEAMS_PHONE_MODELS
    principal = next(m for m in result.models_added if m.name == "TeamsExtensionPrincipalType")
    assert principal.enum == ["resourceAccount", "user"]
    for method, path, operation_id in sorted(TEAMS_PHONE_OPERATIONS):
        assert f"- `{method} {path}` `{operation_id}`\n" in text
    for model in sorted(TEAMS_PHONE_MODELS):
        assert f"- `{model}` (" in text
    assert "  - parameter body (body): TeamsExtensionAssignmentCreateOrUpdateRequest, required" in text
    assert "  - response 201: TeamsExtensionAssignmentResponse" in text
    assert "  - `principalType`: TeamsExtensionPrincipalType, required" in text
    assert "Operations: 4 added, 0 removed, 5 changed." in text


def test_renamed_operation_ids_are_changes_not_add_and_remove(api_diff: ModuleType) -> None:
    result, text = _report(api_diff, "2023-10-01", "2025-06-30")

    assert result.operations_removed == []
    assert all(op.path.startswith("/access/teamsExtension") for op in result.operations_added)
    renamed = {(c.old.operation_id, c.new.operation_id): c.changes for c in result.operations_changed}
    assert set(renamed) == {
        ("CommunicationIdentity_Create", "IdentityOperations_Create"),
        ("CommunicationIdentity_Delete", "IdentityOperations_Delete"),
        ("CommunicationIdentity_IssueAccessToken", "IdentityOperations_IssueAccessToken"),
        ("CommunicationIdentity_RevokeAccessTokens", "IdentityOperations_RevokeAccessTokens"),
        (
            "CommunicationIdentity_ExchangeTeamsUserAccessToken",
            "TeamsUserOperations_ExchangeTeamsUserAccessToken",
        ),
    }
    for (old_id, new_id), changes in renamed.items():
        assert [(c.subject, c.old, c.new) for c in changes] == [("operationId", old_id, new_id)]
    assert (
        "- `POST /identities` `IdentityOperations_Create`\n"
        "  - operationId: `CommunicationIdentity_Create` → `IdentityOperations_Create`\n"
    ) in text


def test_preview_to_first_ga_reports_status_codes_bodies_and_removed_operations(
    api_diff: ModuleType,
) -> None:
    result, text = _report(api_diff, "2020-07-20-preview2", "2021-03-07")

    removed = {(op.method, op.path) for op in result.operations_removed}
    assert removed == {("POST", "/identities/{id}/token"), ("PATCH", "/identities/{id}")}
    create = next(c for c in result.operations_changed if c.new.path == "/identities")
    assert [(c.subject, c.old, c.new) for c in create.changes] == [
        ("parameter body (body)", None, "CommunicationIdentityCreateRequest, optional"),
        ("response 200", "CommunicationIdentity", None),
        ("response 201", None, "CommunicationIdentityAccessTokenResult"),
        ("response default", None, "CommunicationErrorResponse"),
        ("consumes", "none", "application/json"),  # the 2020 create takes no body
    ]
    assert "  - response 200: removed (was `CommunicationIdentity`)\n" in text
    assert {m.name for m in result.models_removed} == {
        "CommunicationIdentityToken",
        "CommunicationIdentityUpdateRequest",
        "CommunicationTokenRequest",
    }


def test_expires_in_minutes_is_reported_with_its_range_and_default(api_diff: ModuleType) -> None:
    result, text = _report(api_diff, "2022-06-01", "2022-10-01")

    assert {m.name for m in result.models_changed} == {
        "CommunicationIdentityAccessTokenRequest",
        "CommunicationIdentityCreateRequest",
    }
    assert (
        "  - property added `expiresInMinutes`: integer (int32), optional, minimum 60, maximum 1440, default 1440\n"
    ) in text


def test_2025_06_30_to_2026_09_23_is_only_the_open_exchange_body(api_diff: ModuleType) -> None:
    result, _ = _report(api_diff, "2025-06-30", "2026-09-23")

    assert [(m.name, [(c.subject, c.old, c.new) for c in m.changes]) for m in result.models_changed] == [
        ("TeamsExtensionExchangeTokenRequest", [("additionalProperties", None, "any")])
    ]
    assert result.counts["operations_changed"] == 0


def test_a_bump_ends_with_what_is_left_by_hand(api_diff: ModuleType) -> None:
    _, text = _report(api_diff, "2023-10-01", "2025-06-30")
    checklist = text.split("## Still to do by hand\n", 1)[1]
    items = [line for line in checklist.splitlines() if line.startswith("- [ ] ")]
    assert items == [
        "- [ ] `DELETE /access/teamsExtension/tenants/{tenantId}/assignments/{objectId}` "
        "`TeamsExtensionOperations_DeleteAssignment`: a convenience method on both clients and a handler in "
        "`emulator/acs_identity_emulator/_handlers/`; until then `send_request` calls it and the "
        "local service answers 501",
        *(item for item in items[1:4]),
        "- [ ] a CHANGELOG line under Unreleased naming `2025-06-30` and what it adds",
    ]
    assert {item.split("`")[1] for item in items[:4]} == {f"{m} {p}" for m, p, _ in TEAMS_PHONE_OPERATIONS}
    assert text.endswith("and what it adds\n")


def test_a_bump_without_api_changes_still_needs_a_changelog_line(api_diff: ModuleType) -> None:
    _, text = _report(api_diff, "2025-06-30", "2026-09-23")
    checklist = text.split("## Still to do by hand\n", 1)[1]
    assert [line for line in checklist.splitlines() if line.startswith("- [ ]")] == [
        "- [ ] a CHANGELOG line under Unreleased naming `2026-09-23` and what it adds"
    ]


def test_removed_operations_are_on_the_checklist(api_diff: ModuleType) -> None:
    _, text = _report(api_diff, "2020-07-20-preview2", "2021-03-07")
    assert (
        "- [ ] `PATCH /identities/{id}` `CommunicationIdentity_Update` is not in 2021-03-07: "
        "check the client method and the handler that use it\n"
    ) in text


def test_versions_default_to_the_newest_and_the_one_before(api_diff: ModuleType) -> None:
    newest = api_diff._ordered_versions()[-1]
    before = api_diff._ordered_versions()[-2]
    assert api_diff.default_versions(None, None) == (before, newest)
    assert api_diff.default_versions(None, "2022-10-01") == ("2022-06-01", "2022-10-01")
    assert api_diff.default_versions("2021-03-07", None) == ("2021-03-07", newest)
    assert api_diff.default_versions(None, "2020-07-20-preview2") == ("2020-07-20-preview2", "2020-07-20-preview2")


@pytest.mark.parametrize("version", VERSIONS)
def test_identical_versions_have_no_changes(api_diff: ModuleType, version: str) -> None:
    result, text = _report(api_diff, version, version)

    assert result.is_empty
    assert text == (
        f"# API diff: {version} → {version}\n\n"
        f"Comparing `{DOCUMENTS[version]}` with `{DOCUMENTS[version]}`.\n\n"
        "**Summary:** No API changes.\n"
    )


def test_output_is_deterministic_whatever_the_key_order(api_diff: ModuleType) -> None:
    old, new = api_diff.load("2021-03-07"), api_diff.load("2026-09-23")

    def reverse(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: reverse(node[k]) for k in reversed(list(node))}
        if isinstance(node, list):
            return [reverse(v) for v in node]
        return node

    first = api_diff.render(api_diff.diff(old, new), "a", "b")
    again = api_diff.render(api_diff.diff(copy.deepcopy(old), copy.deepcopy(new)), "a", "b")
    reordered = api_diff.render(api_diff.diff(reverse(old), reverse(new)), "a", "b")
    assert first == again
    # Key order in the documents changes nothing but the order of the listed parameters of an
    # added operation (kept in document order, as the document lists them).
    assert sorted(first.splitlines()) == sorted(reordered.splitlines())


def _doc(definitions: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"swagger": "2.0", "paths": paths or {}, "definitions": definitions}


def test_property_attribute_changes_and_inline_enums(api_diff: ModuleType) -> None:
    old = _doc(
        {
            "Thing": {
                "type": "object",
                "required": ["size"],
                "properties": {
                    "size": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 10},
                    "kind": {
                        "type": "string",
                        "enum": ["a", "b"],
                        "x-ms-enum": {"name": "ThingKind", "modelAsString": True},
                    },
                    "gone": {"type": "string"},
                },
            }
        }
    )
    new = _doc(
        {
            "Thing": {
                "type": "object",
                "properties": {
                    "size": {
                        "type": "integer",
                        "format": "int64",
                        "minimum": 1,
                        "maximum": 20,
                        "default": 5,
                    },
                    "kind": {
                        "type": "string",
                        "enum": ["a", "c"],
                        "x-ms-enum": {"name": "ThingKind", "modelAsString": True},
                    },
                    "fresh": {"type": "array", "items": {"$ref": "#/definitions/Other"}},
                },
            },
            "Other": {"type": "object"},
        }
    )

    result = api_diff.diff(old, new)

    assert [m.name for m in result.models_added] == ["Other"]
    (thing,) = result.models_changed
    assert [(p.name, p.description) for p in thing.properties_added] == [("fresh", "array<Other>, optional")]
    assert [p.name for p in thing.properties_removed] == ["gone"]
    changed = {p.name: [(c.subject, c.old, c.new) for c in p.changes] for p in thing.properties_changed}
    assert changed == {
        "kind": [("enum", "a, b", "a, c")],
        "size": [
            ("format", "int32", "int64"),
            ("required", "required", "optional"),
            ("maximum", "10", "20"),
            ("default", None, "5"),
        ],
    }
    assert [(e.location, e.enum_name, e.added, e.removed) for e in result.enums_changed] == [
        ("Thing.kind", "ThingKind", ["c"], ["b"])
    ]
    text = api_diff.render(result, "old", "new")
    assert "- `Thing.kind` (x-ms-enum `ThingKind`)\n  - added `c`\n  - removed `b`\n" in text
    assert "    - maximum: `10` → `20`\n" in text
    assert "    - default: added `5`\n" in text


def test_operation_parameter_and_response_changes(api_diff: ModuleType) -> None:
    def op(op_id: str, params: list[Any], responses: dict[str, Any]) -> dict[str, Any]:
        return {"operationId": op_id, "parameters": params, "responses": responses}

    old = _doc(
        {},
        {
            "/things/{id}": {
                "get": op(
                    "Things_Get",
                    [{"name": "id", "in": "path", "required": True, "type": "string"}],
                    {"200": {"description": "", "schema": {"$ref": "#/definitions/A"}}},
                )
            },
            "/old": {"post": op("Things_Move", [], {"204": {"description": ""}})},
        },
    )
    new = _doc(
        {},
        {
            "/things/{id}": {
                "get": op(
                    "Things_Get",
                    [
                        {"name": "id", "in": "path", "required": True, "type": "string"},
                        {"name": "top", "in": "query", "required": False, "type": "integer"},
                    ],
                    {"200": {"description": "", "schema": {"$ref": "#/definitions/B"}}},
                )
            },
            "/new": {"put": op("Things_Move", [], {"204": {"description": ""}})},
        },
    )

    result = api_diff.diff(old, new)

    assert result.operations_added == [] and result.operations_removed == []
    changes = {c.new.operation_id: [(x.subject, x.old, x.new) for x in c.changes] for c in result.operations_changed}
    assert changes == {
        "Things_Get": [
            ("parameter top (query)", None, "integer, optional"),
            ("response 200", "A", "B"),
        ],
        "Things_Move": [("method", "POST", "PUT"), ("path", "/old", "/new")],
    }


def test_unknown_version_exits_2_listing_the_versions(api_diff: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert api_diff.main(["2024-01-01", "2026-09-23"]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert "no swagger document for API version '2024-01-01'" in err
    assert "Available versions: " + ", ".join(VERSIONS) in err


def test_version_arguments_cannot_escape_swagger_dir(api_diff: ModuleType) -> None:
    with pytest.raises(FileNotFoundError, match="Available versions"):
        api_diff.load("../generated/MANIFEST")


def test_cli_as_a_subprocess(tmp_path: Any) -> None:
    script = str(GENERATOR_DIR / "api_diff.py")

    ok = subprocess.run(
        [sys.executable, script, "2022-10-01", "2023-10-01"],
        cwd=tmp_path,  # the script finds swagger/ by itself, from any folder
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr == ""
    assert ok.stdout.startswith("# API diff: 2022-10-01 → 2023-10-01\n")
    for scope in ("chat.join", "chat.join.limited", "voip.join"):
        assert f"added `{scope}`" in ok.stdout

    missing = subprocess.run(
        [sys.executable, script, "2023-10-01", "1999-12-31"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert "error: no swagger document for API version '1999-12-31'" in missing.stderr
    assert "2020-07-20-preview2, 2021-03-07" in missing.stderr


def test_swagger_documents_parse_as_json_objects() -> None:
    documents = sorted(SWAGGER_DIR.rglob("*.json"))
    assert len(documents) >= len(VERSIONS) + 2  # the Identity documents and the Common ones
    for path in documents:
        assert isinstance(json.loads(path.read_text("utf-8")), dict), path
