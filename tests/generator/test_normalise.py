"""``generator/normalise.py`` and ``catalog.load_document``: upstream's three forms become one generator input.

The documents in swagger/ are in upstream's forms (the 2020 preview, the hand-written 2021-2023
form with Common ``$ref``s, the TypeSpec-emitted 2025+ form); the small documents below are
ours, written in the same forms to pin one rule each. No AutoRest here: the bump test
(``test_version_bump.py``) generates from both current forms end to end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from gen_support import GENERATOR_DIR, SWAGGER_DIR, load_generator_module

catalog = load_generator_module("catalog")
DOCUMENTS = catalog.document_paths(SWAGGER_DIR)
API_VERSION_REF = {"$ref": "#/parameters/ApiVersionParameter"}


@pytest.fixture(scope="module")
def normalise() -> ModuleType:
    return load_generator_module("normalise")


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method} {path}": op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in catalog.HTTP_METHODS
    }


def _is_api_version(doc: dict[str, Any], entry: Any) -> bool:
    resolved = catalog.resolve_ref(doc, entry)
    return resolved.get("in") == "query" and resolved.get("name") == "api-version"


# ----------------------------------------------------------------- our documents, every form


@pytest.mark.parametrize("version", list(DOCUMENTS))
def test_every_document_gets_one_client_level_api_version_defaulting_to_its_version(
    normalise: ModuleType, version: str
) -> None:
    source = catalog.load_document(DOCUMENTS[version])
    out = normalise.normalise(source, version)

    api_versions = {key: p for key, p in out["parameters"].items() if _is_api_version(out, p)}
    assert list(api_versions) == ["ApiVersionParameter"]
    parameter = api_versions["ApiVersionParameter"]
    assert parameter["default"] == version
    assert parameter["x-ms-parameter-location"] == "client"
    assert parameter["required"] is True and parameter["type"] == "string"
    for name, op in _operations(out).items():
        original = _operations(source)[name]["parameters"]
        # Same place in the list, now the one shared reference; every other parameter untouched.
        assert [API_VERSION_REF if _is_api_version(source, p) else p for p in original] == op["parameters"], name
        assert op["parameters"].count(API_VERSION_REF) == 1, name


@pytest.mark.parametrize("version", list(DOCUMENTS))
def test_every_document_gets_a_client_level_endpoint_and_loses_only_what_the_rules_say(
    normalise: ModuleType, version: str
) -> None:
    source = catalog.load_document(DOCUMENTS[version])
    out = normalise.normalise(source, version)

    host = out["x-ms-parameterized-host"]
    assert [p["x-ms-parameter-location"] for p in host["parameters"]] == ["client"]
    # A document without a parameterized host (2023-08-30-preview) gets the TypeSpec form's.
    assert host["hostTemplate"] == source.get("x-ms-parameterized-host", {}).get("hostTemplate", "{endpoint}")
    assert "x-ms-examples" not in json.dumps(out)
    assert all(ref.startswith("#/") for ref in _refs(out)), "self-contained"
    # Paths, methods, operationIds, responses and definitions reach AutoRest as written.
    assert {k: (op["operationId"], op["responses"]) for k, op in _operations(out).items()} == {
        k: (op["operationId"], op["responses"]) for k, op in _operations(source).items()
    }
    assert out["definitions"] == source["definitions"]
    assert {k: v for k, v in out.items() if k not in ("paths", "parameters", "x-ms-parameterized-host")} == {
        k: v for k, v in source.items() if k not in ("paths", "parameters", "x-ms-parameterized-host")
    }


def test_the_three_forms_really_are_in_swagger() -> None:
    def api_version_refs(version: str) -> set[str]:
        doc = json.loads(DOCUMENTS[version].read_text(encoding="utf-8"))
        return {
            p.get("$ref", "inline")
            for op in _operations(doc).values()
            for p in op["parameters"]
            if p.get("$ref", "").endswith("ApiVersionParameter") or p.get("name") == "api-version"
        }

    assert api_version_refs("2020-07-20-preview2") == {"inline"}
    assert api_version_refs("2023-10-01") == {"#/parameters/ApiVersionParameter"}
    assert api_version_refs("2026-09-23") == {"#/parameters/Azure.Core.Foundations.ApiVersionParameter"}
    hand_written = DOCUMENTS["2023-10-01"].read_text(encoding="utf-8")
    assert "../../../Common/stable/2022-07-13/common.json#/definitions/CommunicationErrorResponse" in hand_written


# ----------------------------------------------------------------- rules, on small documents of ours


def _write(folder: Path, relative: str, doc: dict[str, Any]) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _typespec_like(version: str, api_version: dict[str, Any] | None = None) -> dict[str, Any]:
    """A TypeSpec-emitted-looking document: method-level Azure.Core api-version, uri endpoint without a level."""
    api = api_version or {"$ref": "#/parameters/Azure.Core.Foundations.ApiVersionParameter"}
    return {
        "swagger": "2.0",
        "info": {"title": "T", "version": version, "x-typespec-generated": [{"emitter": "x"}]},
        "x-ms-parameterized-host": {
            "hostTemplate": "{endpoint}",
            "useSchemePrefix": False,
            "parameters": [
                {
                    "name": "endpoint",
                    "in": "path",
                    "required": True,
                    "type": "string",
                    "format": "uri",
                    "x-ms-skip-url-encoding": True,
                }
            ],
        },
        "produces": ["application/json"],
        "consumes": ["application/json"],
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "Things_Get",
                    "parameters": [api, {"name": "id", "in": "path", "required": True, "type": "string"}],
                    "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Thing"}}},
                    "x-ms-examples": {"one": {"$ref": "./examples/missing.json"}},
                }
            }
        },
        "definitions": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}}}},
        "parameters": {
            "Azure.Core.Foundations.ApiVersionParameter": {
                "name": "api-version",
                "in": "query",
                "required": True,
                "type": "string",
                "minLength": 1,
                "x-ms-parameter-location": "method",
                "x-ms-client-name": "apiVersion",
            }
        },
    }


def test_azure_core_api_version_becomes_the_client_parameter_and_leaves(normalise: ModuleType) -> None:
    out = normalise.normalise(_typespec_like("2099-01-01"), "2099-01-01")
    assert out["parameters"] == {
        "ApiVersionParameter": {
            "name": "api-version",
            "in": "query",
            "required": True,
            "type": "string",
            "minLength": 1,
            "x-ms-parameter-location": "client",
            "x-ms-client-name": "apiVersion",
            "default": "2099-01-01",
        }
    }
    assert out["paths"]["/things/{id}"]["get"]["parameters"][0] == API_VERSION_REF
    assert out["x-ms-parameterized-host"]["parameters"][0]["x-ms-parameter-location"] == "client"
    assert out["x-ms-parameterized-host"]["parameters"][0]["format"] == "uri", "untouched otherwise"
    assert "x-ms-examples" not in out["paths"]["/things/{id}"]["get"]


def test_a_document_without_a_parameterized_host_gets_a_client_level_endpoint(normalise: ModuleType) -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "2030-01-01-preview"},
        "paths": {"/roles": {"get": {"operationId": "Roles_List", "responses": {"200": {"description": "ok"}}}}},
    }
    out = normalise.normalise(doc, "2030-01-01-preview")

    assert out["x-ms-parameterized-host"] == {
        "hostTemplate": "{endpoint}",
        "useSchemePrefix": False,
        "parameters": [
            {
                "name": "endpoint",
                "in": "path",
                "description": normalise.DEFAULT_ENDPOINT["description"],
                "required": True,
                "type": "string",
                "format": "uri",
                "x-ms-skip-url-encoding": True,
                "x-ms-parameter-location": "client",
            }
        ],
    }
    assert "x-ms-parameterized-host" not in doc, "the input is not changed"
    # A second document gets its own copy, not one shared (and so mutable) dict.
    again = normalise.normalise(doc, "2030-01-01-preview")
    assert again["x-ms-parameterized-host"]["parameters"][0] is not out["x-ms-parameterized-host"]["parameters"][0]


def test_inline_api_version_in_each_operation_becomes_the_client_parameter(normalise: ModuleType) -> None:
    inline = {
        "name": "api-version",
        "in": "query",
        "required": True,
        "type": "string",
        "x-ms-client-name": "apiVersion",
    }
    doc = _typespec_like("2099-01-01-preview", api_version=inline)
    doc["parameters"] = {}
    out = normalise.normalise(doc, "2099-01-01-preview")
    assert out["parameters"]["ApiVersionParameter"] == {
        **inline,
        "default": "2099-01-01-preview",
        "x-ms-parameter-location": "client",
    }
    assert out["paths"]["/things/{id}"]["get"]["parameters"] == [
        API_VERSION_REF,
        {"name": "id", "in": "path", "required": True, "type": "string"},
    ]


def test_a_document_without_api_version_gets_none(normalise: ModuleType) -> None:
    doc = _typespec_like("2099-01-01")
    doc["paths"]["/things/{id}"]["get"]["parameters"].pop(0)
    out = normalise.normalise(doc, "2099-01-01")
    assert out["parameters"] == {}


def test_a_foreign_parameter_named_like_ours_is_refused(normalise: ModuleType) -> None:
    doc = _typespec_like("2099-01-01")
    doc["parameters"]["ApiVersionParameter"] = {"name": "x", "in": "header", "type": "string"}
    with pytest.raises(normalise.NormaliseError, match="is not the api-version query parameter"):
        normalise.normalise(doc, "2099-01-01")


def test_normalise_does_not_change_its_input(normalise: ModuleType) -> None:
    doc = _typespec_like("2099-01-01")
    before = json.dumps(doc, sort_keys=True)
    normalise.normalise(doc, "2099-01-01")
    assert json.dumps(doc, sort_keys=True) == before


# ----------------------------------------------------------------- $refs into other files


def _common(definitions: dict[str, Any]) -> dict[str, Any]:
    return {"swagger": "2.0", "info": {"title": "C", "version": "2099-01-01"}, "paths": {}, "definitions": definitions}


ERROR = {"type": "object", "properties": {"code": {"type": "string"}, "inner": {"$ref": "#/definitions/Inner"}}}
INNER = {"type": "object", "properties": {"detail": {"type": "string"}}}


def _hand_written(tmp_path: Path, common_ref: str = "../../../Common/stable/2099-01-01/common.json") -> Path:
    _write(tmp_path, "Common/stable/2099-01-01/common.json", _common({"Error": ERROR, "Inner": INNER}))
    doc = _typespec_like("2099-02-01", api_version={"$ref": "#/parameters/ApiVersionParameter"})
    doc["parameters"] = {
        "ApiVersionParameter": {"name": "api-version", "in": "query", "required": True, "type": "string"}
    }
    doc["paths"]["/things/{id}"]["get"]["responses"]["default"] = {
        "description": "",
        "schema": {"$ref": f"{common_ref}#/definitions/Error"},
    }
    return _write(tmp_path, "Identity/stable/2099-02-01/CommunicationIdentity.json", doc)


def test_refs_into_common_are_made_local_with_what_they_refer_to(tmp_path: Path) -> None:
    doc = catalog.load_document(_hand_written(tmp_path))
    assert doc["paths"]["/things/{id}"]["get"]["responses"]["default"]["schema"] == {"$ref": "#/definitions/Error"}
    assert doc["definitions"]["Error"] == {
        "type": "object",
        "properties": {"code": {"type": "string"}, "inner": {"$ref": "#/definitions/Inner"}},
    }
    assert doc["definitions"]["Inner"] == INNER
    assert doc["definitions"]["Thing"]["properties"] == {"id": {"type": "string"}}
    # x-ms-examples are neither followed nor rewritten (their target does not exist here).
    assert doc["paths"]["/things/{id}"]["get"]["x-ms-examples"] == {"one": {"$ref": "./examples/missing.json"}}


def test_resolve_ref_follows_links_into_other_files(tmp_path: Path) -> None:
    path = _hand_written(tmp_path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    schema = raw["paths"]["/things/{id}"]["get"]["responses"]["default"]["schema"]
    error = catalog.resolve_ref(raw, schema, base=path)
    assert error == ERROR
    # A local link met inside the other file resolves in that file.
    node, doc, where = catalog.locate_ref(raw, schema, base=path)
    assert catalog.resolve_ref(doc, node["properties"]["inner"], base=where) == INNER
    assert catalog.resolve_ref(raw, schema, base=path, keep_definitions=True) == schema
    with pytest.raises(catalog.CatalogError, match="points into another file"):
        catalog.resolve_ref(raw, schema)  # without the document's own path


def test_a_name_clash_with_the_documents_own_definition_is_refused(tmp_path: Path) -> None:
    path = _hand_written(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["definitions"]["Inner"] = {"type": "string"}
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(catalog.CatalogError, match="#/definitions/Inner is both its own and"):
        catalog.load_document(path)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("../../../Common/stable/2099-12-31/common.json", "Common/stable/2099-12-31/common.json does not exist"),
        ("../../../Common/stable/2099-01-01/common.json#/definitions/Nope", "has no #/definitions/Nope"),
    ],
)
def test_a_dangling_ref_into_another_file_says_which(tmp_path: Path, ref: str, message: str) -> None:
    path = _hand_written(tmp_path, common_ref=ref.split("#")[0])
    if "#" in ref:
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["paths"]["/things/{id}"]["get"]["responses"]["default"]["schema"]["$ref"] = ref
        path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(catalog.CatalogError, match=message):
        catalog.load_document(path)


def test_write_inputs_lays_the_normalised_documents_out_like_swagger(normalise: ModuleType, tmp_path: Path) -> None:
    source = _hand_written(tmp_path / "swagger")
    written = normalise.write_inputs({"ga": source}, tmp_path / "swagger", tmp_path / "staging")
    assert written == {"ga": tmp_path / "staging" / "Identity" / "stable" / "2099-02-01" / "CommunicationIdentity.json"}
    out = json.loads(written["ga"].read_text(encoding="utf-8"))
    assert out["parameters"]["ApiVersionParameter"]["default"] == "2099-02-01"
    assert "Error" in out["definitions"] and "Inner" in out["definitions"]
    assert not (tmp_path / "staging" / "Common").exists(), "self-contained: Common is not needed"


def test_command_line_prints_what_autorest_gets() -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATOR_DIR / "normalise.py"), str(DOCUMENTS["2026-09-23"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["parameters"]["ApiVersionParameter"]["default"] == "2026-09-23"
    bad = subprocess.run(
        [sys.executable, str(GENERATOR_DIR / "normalise.py"), "no/such/2027-01-01/CommunicationIdentity.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "does not exist" in bad.stderr
