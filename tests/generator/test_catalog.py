"""The API version catalog (``generated/_catalog.py``, ``_api_enums.py``) read from swagger/."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from gen_support import GENERATED_DIR, SWAGGER_DIR, load_generator_module

from azure.communication.administration._generated import _catalog

RELEASED = (
    "2020-07-20-preview2",
    "2021-03-07",
    "2022-06-01",
    "2022-10-01",
    "2023-08-01",
    "2023-10-01",
    "2025-06-30",
    "2026-09-23",
)
# The layers as generator/README.md configures them (the driver reads them the same way).
LAYERS = {layer: path.parent.name for layer, path in load_generator_module("driver").layers().items()}


@pytest.fixture(scope="module")
def catalog() -> ModuleType:
    return load_generator_module("catalog")


@pytest.fixture(scope="module")
def driver() -> ModuleType:
    return load_generator_module("driver")


def test_committed_catalog_is_what_the_documents_say(catalog: ModuleType) -> None:
    # generated/ is covered byte for byte by `make check-generated`; this is the fast check.
    rendered = catalog.render(catalog.build(SWAGGER_DIR, LAYERS))
    for name, text in rendered.items():
        assert (GENERATED_DIR / name).read_text(encoding="utf-8") == text, name


def test_released_versions_and_their_facts() -> None:
    # Carried previews (2023-08-30-preview ...) sit between them by date.
    assert tuple(v for v in _catalog.VERSIONS if v in RELEASED) == RELEASED
    assert _catalog.VERSIONS.index("2023-08-01") < _catalog.VERSIONS.index("2023-08-30-preview")
    # a preview lands among them by its date (2025-03-02-preview, 2025-04-01-preview)
    assert [v for v in _catalog.VERSIONS if v in RELEASED] == list(RELEASED)
    assert _catalog.VERSION_LAYER["2025-03-02-preview"] == "preview2025_03_02"
    assert _catalog.VERSION_LAYER["2025-04-01-preview"] == "preview2025_04_01"
    assert _catalog.PREVIEW_VERSIONS[:1] == ("2020-07-20-preview2",)
    assert _catalog.GA_VERSIONS[:7] == RELEASED[1:]
    assert _catalog.LATEST_GA == max(_catalog.GA_VERSIONS) >= "2026-09-23"
    assert _catalog.VERSION_LAYER["2020-07-20-preview2"] == "preview2020"
    assert {_catalog.VERSION_LAYER[v] for v in RELEASED[1:]} == {"ga"}
    assert _catalog.SCOPES["2020-07-20-preview2"] == ("chat", "voip")
    assert _catalog.SCOPES_FROM["2020-07-20-preview2"] == "2021-03-07"
    assert _catalog.SCOPES["2022-10-01"] == ("chat", "voip")
    assert _catalog.SCOPES["2023-10-01"] == ("chat", "voip", "chat.join", "chat.join.limited", "voip.join")
    assert _catalog.SCOPE_SINCE["chat"] == "2020-07-20-preview2"
    assert _catalog.SCOPE_SINCE["voip.join"] == "2023-10-01"
    assert _catalog.EXPIRES_IN_MINUTES["2022-06-01"] is None
    assert _catalog.EXPIRES_IN_MINUTES["2022-10-01"] == (60, 1440, 1440)
    assert _catalog.OPERATION_SINCE["POST /teamsUser/:exchangeAccessToken"] == "2022-06-01"
    # first in 2025-03-02-preview; every version that has it is OPERATION_VERSIONS' to say
    assert _catalog.OPERATION_SINCE["POST /access/teamsExtension/:exchangeAccessToken"] == "2025-03-02-preview"
    assert _catalog.OPERATION_VERSIONS["POST /access/teamsExtension/:exchangeAccessToken"][:2] == (
        "2025-03-02-preview",
        "2025-06-30",
    )
    assert _catalog.PROPERTY_SINCE["CommunicationIdentityAccessTokenRequest.expiresInMinutes"] == "2022-10-01"
    assert ("CommunicationIdentity_Update", "PATCH", "/identities/{id}") in _catalog.OPERATIONS["2020-07-20-preview2"]
    assert _catalog.ENUMS["2025-06-30"]["TeamsExtensionPrincipalType"] == ("resourceAccount", "user")
    # 2023-08-01: the scopes of 2022-10-01, and create takes the two repeatability headers.
    assert _catalog.SCOPES["2023-08-01"] == ("chat", "voip")
    assert _catalog.HEADER_PARAMETERS["2023-08-01"] == {
        "POST /identities": ("Repeatability-Request-ID", "Repeatability-First-Sent")
    }
    assert all(not _catalog.HEADER_PARAMETERS[v] for v in RELEASED if v != "2023-08-01")


def test_the_roles_preview_has_no_identity_operation_and_no_scope() -> None:
    # 2023-08-30-preview: a Roles API only, no `scopes` property anywhere, so no scope values
    # (not the nearest older document's: no token is issued under it), its own layer.
    version = "2023-08-30-preview"
    assert _catalog.PREVIEW_VERSIONS[:2] == ("2020-07-20-preview2", version)
    assert _catalog.VERSION_LAYER[version] == "preview2023_08_30"
    assert _catalog.SCOPES[version] == ()
    assert _catalog.SCOPES_FROM[version] == version
    assert _catalog.EXPIRES_IN_MINUTES[version] is None
    assert [(m, p) for _, m, p in _catalog.OPERATIONS[version]] == [
        ("GET", "/roles"),
        ("POST", "/roles"),
        ("GET", "/roles/{id}"),
        ("DELETE", "/roles/{id}"),
        ("PATCH", "/roles/{id}"),
    ]
    assert _catalog.OPERATION_VERSIONS["PATCH /roles/{id}"] == (version,)
    assert version not in _catalog.OPERATION_VERSIONS["POST /identities"]
    conditional = ("If-Match", "If-None-Match", "If-Unmodified-Since", "If-Modified-Since")
    repeatable = ("Repeatability-Request-ID", "Repeatability-First-Sent")
    assert _catalog.HEADER_PARAMETERS[version] == {
        "GET /roles": ("x-ms-client-request-id",),
        "POST /roles": (*repeatable, *conditional, "x-ms-client-request-id"),
        "GET /roles/{id}": (*conditional, "x-ms-client-request-id"),
        "PATCH /roles/{id}": (*repeatable, *conditional, "x-ms-client-request-id"),
        "DELETE /roles/{id}": (*repeatable, *conditional, "x-ms-client-request-id"),
    }
    # The 2020 preview's free-string scopes still come from the nearest document that enumerates them.
    assert _catalog.SCOPES_FROM["2020-07-20-preview2"] == "2021-03-07"


def test_catalog_module_imports_nothing() -> None:
    source = (GENERATED_DIR / "_catalog.py").read_text(encoding="utf-8")
    assert not [line for line in source.splitlines() if line.startswith(("import ", "from "))]


def _document(root: Path, version: str) -> Path:
    stability = "preview" if "preview" in version else "stable"
    return root / "Identity" / stability / version / "CommunicationIdentity.json"


def _copy_swagger(tmp_path: Path, *versions: str) -> Path:
    """A swagger/ folder with ``versions`` (and every Common document) from ours."""
    out = tmp_path / "swagger"
    shutil.copytree(SWAGGER_DIR / "Common", out / "Common")
    for version in versions:
        _document(out, version).parent.mkdir(parents=True)
        shutil.copy(_document(SWAGGER_DIR, version), _document(out, version))
    return out


def _write(folder: Path, version: str, base: str, mutate=None) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(_document(SWAGGER_DIR, base).read_text(encoding="utf-8"))
    doc["info"]["version"] = version
    if mutate is not None:
        mutate(doc)
    _document(folder, version).parent.mkdir(parents=True, exist_ok=True)
    _document(folder, version).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def test_order_preview_before_ga_of_the_same_date_and_scope_inheritance(catalog: ModuleType, tmp_path: Path) -> None:
    swagger = _copy_swagger(tmp_path, "2020-07-20-preview2", "2021-03-07", "2023-10-01")

    def free_scopes(doc):  # type: ignore[no-untyped-def]
        for definition in doc["definitions"].values():
            for name in ("scopes", "createTokenWithScopes"):
                if name in definition.get("properties", {}):
                    definition["properties"][name]["items"] = {"type": "string"}

    _write(swagger, "2023-10-01-preview1", "2023-10-01", free_scopes)
    built = catalog.build(swagger, {"preview2020": "2020-07-20-preview2", "ga": "2023-10-01"})
    assert built.names == ["2020-07-20-preview2", "2021-03-07", "2023-10-01-preview1", "2023-10-01"]
    assert built.previews == ["2020-07-20-preview2", "2023-10-01-preview1"]
    assert built.latest_ga == "2023-10-01"
    facts = {v.version: v for v in built.versions}
    # Free-string scopes: the nearest older document that enumerates them, else the nearest newer.
    assert (facts["2023-10-01-preview1"].scopes_from, facts["2023-10-01-preview1"].scopes) == (
        "2021-03-07",
        ("chat", "voip"),
    )
    assert facts["2020-07-20-preview2"].scopes_from == "2021-03-07"
    assert built.layer_of("2023-10-01-preview1") == "ga"
    assert facts["2023-10-01-preview1"].document == (
        "swagger/Identity/preview/2023-10-01-preview1/CommunicationIdentity.json"
    )


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("stable/2027-1-1", "'2027-1-1' is not an API version (YYYY-MM-DD or YYYY-MM-DD-previewN)"),
        ("stable/latest", "'latest' is not an API version"),
        ("stable/2027-01-01-preview", "2027-01-01-preview is a preview; move it to preview/"),
        ("preview/2027-01-01", "2027-01-01 is GA; move it to stable/"),
    ],
)
def test_badly_placed_document_is_refused(catalog: ModuleType, tmp_path: Path, folder: str, message: str) -> None:
    swagger = _copy_swagger(tmp_path, "2021-03-07")
    target = swagger / "Identity" / folder / "CommunicationIdentity.json"
    target.parent.mkdir(parents=True)
    shutil.copy(_document(SWAGGER_DIR, "2021-03-07"), target)
    with pytest.raises(catalog.CatalogError, match=re.escape(message)):
        catalog.build(swagger, {})


def test_the_flat_layout_of_old_is_refused_with_where_to_move_it(catalog: ModuleType, tmp_path: Path) -> None:
    swagger = _copy_swagger(tmp_path, "2021-03-07")
    shutil.copy(_document(SWAGGER_DIR, "2021-03-07"), swagger / "2027-01-01.json")
    with pytest.raises(catalog.CatalogError) as info:
        catalog.build(swagger, {})
    assert str(info.value) == (
        "swagger/2027-01-01.json: documents live where upstream keeps them, "
        "swagger/Identity/stable/<version>/CommunicationIdentity.json (previews under preview/); move it there"
    )


def test_a_version_folder_without_its_document_is_refused(catalog: ModuleType, tmp_path: Path) -> None:
    swagger = _copy_swagger(tmp_path, "2021-03-07")
    (swagger / "Identity" / "stable" / "2027-01-01" / "examples").mkdir(parents=True)
    with pytest.raises(catalog.CatalogError, match=re.escape("2027-01-01/ has no CommunicationIdentity.json")):
        catalog.build(swagger, {})


def test_info_version_must_match_the_folder_name(catalog: ModuleType, tmp_path: Path) -> None:
    swagger = _copy_swagger(tmp_path, "2021-03-07")
    _document(swagger, "2027-01-01").parent.mkdir(parents=True)
    shutil.copy(_document(SWAGGER_DIR, "2021-03-07"), _document(swagger, "2027-01-01"))
    with pytest.raises(catalog.CatalogError) as info:
        catalog.build(swagger, {})
    assert str(info.value) == (
        "swagger/Identity/stable/2027-01-01/CommunicationIdentity.json: info.version is '2021-03-07' "
        "but the folder says '2027-01-01'; the folder name is the version"
    )


def test_a_missing_common_document_is_named(catalog: ModuleType, tmp_path: Path) -> None:
    swagger = _copy_swagger(tmp_path, "2021-03-07", "2023-10-01")
    shutil.rmtree(swagger / "Common" / "stable" / "2022-07-13")
    with pytest.raises(catalog.CatalogError) as info:
        catalog.build(swagger, {})
    assert str(info.value) == "swagger/Common/stable/2022-07-13/common.json does not exist"


def test_definitions_taken_from_common_count_as_the_documents_own(catalog: ModuleType) -> None:
    built = catalog.build(SWAGGER_DIR, LAYERS)
    facts = {v.version: v for v in built.versions}
    # 2021-03-07 takes its error types from Common/stable/2021-03-07, 2025-06-30 writes them itself.
    for version in ("2021-03-07", "2023-10-01", "2025-06-30"):
        assert "CommunicationError.code" in facts[version].properties, version
        assert "CommunicationErrorResponse.error" in facts[version].properties, version
    assert built.property_since["CommunicationError.innererror"] == "2021-03-07"
    # ... and only what the document refers to: Common's identifier models are not Identity's.
    assert not [p for p in facts["2023-10-01"].properties if p.startswith("CommunicationIdentifierModel.")]


def test_lifetime_bounds_must_agree_within_a_document(catalog: ModuleType, tmp_path: Path) -> None:
    swagger = tmp_path / "swagger"
    swagger.mkdir()

    def disagree(doc):  # type: ignore[no-untyped-def]
        doc["definitions"]["CommunicationIdentityCreateRequest"]["properties"]["expiresInMinutes"]["maximum"] = 720

    _write(swagger, "2027-01-01", "2026-09-23", disagree)
    with pytest.raises(catalog.CatalogError, match="'expiresInMinutes' properties have different bounds"):
        catalog.build(swagger, {})


def test_lifetime_without_bounds_takes_those_of_the_nearest_document_stating_them(
    catalog: ModuleType, tmp_path: Path
) -> None:
    swagger = _copy_swagger(tmp_path, "2022-06-01", "2022-10-01")

    def unbounded(doc):  # type: ignore[no-untyped-def]
        # As upstream's 2022-09-01 has it: on the issue request only, type and format alone.
        del doc["definitions"]["CommunicationIdentityCreateRequest"]["properties"]["expiresInMinutes"]
        doc["definitions"]["CommunicationIdentityAccessTokenRequest"]["properties"]["expiresInMinutes"] = {
            "format": "int32",
            "type": "integer",
        }

    _write(swagger, "2022-09-01", "2022-10-01", unbounded)
    built = catalog.build(swagger, {})
    lifetimes = {v.version: v.lifetime for v in built.versions}
    assert lifetimes["2022-06-01"] is None
    assert lifetimes["2022-09-01"] == lifetimes["2022-10-01"] == catalog.Lifetime(60, 1440, 1440)
    assert built.property_since["CommunicationIdentityAccessTokenRequest.expiresInMinutes"] == "2022-09-01"
    assert built.property_since["CommunicationIdentityCreateRequest.expiresInMinutes"] == "2022-10-01"

    shutil.rmtree(swagger / "Identity" / "stable" / "2022-10-01")
    with pytest.raises(catalog.CatalogError, match="no document states minimum, maximum and default"):
        catalog.build(swagger, {})


def test_ga_layer_reads_the_newest_ga_document(driver: ModuleType, catalog: ModuleType, tmp_path: Path) -> None:
    assert driver.layers()["ga"] == _document(SWAGGER_DIR, _catalog.LATEST_GA)
    swagger = _copy_swagger(tmp_path, "2020-07-20-preview2", "2026-09-23")
    _write(swagger, "2027-01-01-preview1", "2026-09-23")
    assert catalog.latest_ga(swagger) == "2026-09-23", "a preview never becomes the GA layer"
    _write(swagger, "2027-01-01", "2026-09-23")
    assert catalog.latest_ga(swagger) == "2027-01-01"


def test_without_a_ga_document_generation_says_what_to_add(
    driver: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(driver, "SWAGGER_DIR", _copy_swagger(tmp_path, "2020-07-20-preview2"))
    with pytest.raises(driver.GenerationError) as info:
        driver.layers()
    assert "no GA document in" in str(info.value)
    assert "the ga layer needs one swagger/Identity/stable/YYYY-MM-DD/CommunicationIdentity.json" in str(info.value)
    assert driver.main(["layers"]) == 2


def test_header_parameters_follow_refs_and_path_level_ones(catalog: ModuleType) -> None:
    doc = {
        "parameters": {"Id": {"in": "header", "name": "Repeatability-Request-ID", "type": "string"}},
        "paths": {
            "/things": {
                "parameters": [{"in": "header", "name": "x-ms-client-request-id", "type": "string"}],
                "post": {
                    "parameters": [
                        {"$ref": "#/parameters/Id"},
                        {"in": "header", "name": "Repeatability-First-Sent", "type": "string"},
                        {"in": "query", "name": "api-version", "type": "string"},
                    ]
                },
                "get": {"parameters": [{"in": "query", "name": "api-version", "type": "string"}]},
            },
            "/other": {"delete": {"parameters": [{"in": "path", "name": "id", "type": "string"}]}},
        },
    }
    assert catalog._header_parameters(doc) == {
        "GET /things": ("x-ms-client-request-id",),
        "POST /things": ("x-ms-client-request-id", "Repeatability-Request-ID", "Repeatability-First-Sent"),
    }
