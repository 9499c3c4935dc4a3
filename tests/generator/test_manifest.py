"""``generated/MANIFEST.json`` describes exactly what is committed and what produced it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from gen_support import GENERATED_DIR, GENERATOR_DIR, ROOT, SWAGGER_DIR, tree_files

from azure.communication.administration._generated import _catalog

PINNED_TOOLS = {"autorest": "3.8.0", "@autorest/core": "3.10.9", "@autorest/python": "6.50.3"}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = json.loads((GENERATED_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_files_lists_exactly_the_generated_files_with_their_sha256(
    manifest: dict[str, Any],
) -> None:
    on_disk = {name: _sha256(data) for name, data in tree_files(GENERATED_DIR).items() if name != "MANIFEST.json"}
    assert manifest["files"] == on_disk
    assert list(manifest["files"]) == sorted(manifest["files"]), "files are listed in order"
    assert {"__init__.py", "py.typed", "ga/__init__.py", "preview2020/__init__.py"} <= set(on_disk)


def test_inputs_has_every_swagger_document_with_its_sha256(manifest: dict[str, Any]) -> None:
    specs = sorted(SWAGGER_DIR.rglob("*.json"), key=lambda p: p.relative_to(SWAGGER_DIR).parts)
    assert len(specs) >= len(_catalog.VERSIONS) + 2 >= 9  # Identity and Common documents
    assert manifest["inputs"] == {spec.relative_to(ROOT).as_posix(): _sha256(spec.read_bytes()) for spec in specs}
    assert set(_catalog.DOCUMENTS.values()) <= set(manifest["inputs"])
    assert "swagger/Common/stable/2022-07-13/common.json" in manifest["inputs"]


def test_tools_are_the_pinned_versions(manifest: dict[str, Any]) -> None:
    tools = manifest["tools"]
    assert {name: tools.get(name) for name in PINNED_TOOLS} == PINNED_TOOLS
    # ... and they are what package.json / package-lock.json pin for `npm ci`.
    package = json.loads((GENERATOR_DIR / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((GENERATOR_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in tools.items():
        assert package["dependencies"][name] == version, name
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name


def test_layers_point_at_existing_inputs(manifest: dict[str, Any]) -> None:
    assert manifest["layers"] == {
        "preview2020": {
            "input": "swagger/Identity/preview/2020-07-20-preview2/CommunicationIdentity.json",
            "package": "preview2020",
        },
        "ga": {"input": f"swagger/Identity/stable/{_catalog.LATEST_GA}/CommunicationIdentity.json", "package": "ga"},
        "preview2023_08_30": {
            "input": "swagger/Identity/preview/2023-08-30-preview/CommunicationIdentity.json",
            "package": "preview2023_08_30",
        },
        "preview2025_03_02": {
            "input": "swagger/Identity/preview/2025-03-02-preview/CommunicationIdentity.json",
            "package": "preview2025_03_02",
        },
        "preview2025_04_01": {
            "input": "swagger/Identity/preview/2025-04-01-preview/CommunicationIdentity.json",
            "package": "preview2025_04_01",
        },
    }
    for layer in manifest["layers"].values():
        assert layer["input"] in manifest["inputs"]
