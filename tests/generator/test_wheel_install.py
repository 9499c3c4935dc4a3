"""A real wheel (not the editable install) carries the generated layers and imports from a
clean virtual environment, outside the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from gen_support import ROOT

pytestmark = pytest.mark.slow

GENERATED_IN_WHEEL = "azure/communication/administration/_generated"
IMPORT_CHECK = """\
import json, sysconfig
import azure.communication.administration._generated as root
import azure.communication.administration._generated.ga as ga
import azure.communication.administration._generated.preview2020 as preview2020
print(json.dumps({
    "purelib": sysconfig.get_paths()["purelib"],
    "files": [root.__file__, ga.__file__, preview2020.__file__],
    "clients": [ga.IdentityRestClient.__name__, preview2020.IdentityPreview2020RestClient.__name__],
}))
"""
# Not part of the distribution, and large or machine-specific.
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".demo",
    "*.db*",
)


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy so the build leaves no build/ or *.egg-info in the working tree.
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    dist = work / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)], work)
    (built,) = dist.glob("azure_communication_administration-*.whl")
    return built


def test_wheel_contains_the_generated_layers_manifest_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())

    for name in (
        "MANIFEST.json",
        "py.typed",
        "__init__.py",
        "ga/__init__.py",
        "ga/_client.py",
        "ga/operations/_operations.py",
        "preview2020/__init__.py",
        "preview2020/_client.py",
    ):
        assert f"{GENERATED_IN_WHEEL}/{name}" in names, name
    assert "azure/communication/administration/py.typed" in names
    # `azure` and `azure.communication` are namespace packages shared with azure-core & co.
    assert "azure/__init__.py" not in names
    assert "azure/communication/__init__.py" not in names
    manifest = json.loads(zipfile.ZipFile(wheel).read(f"{GENERATED_IN_WHEEL}/MANIFEST.json"))
    assert manifest == json.loads((ROOT / "generated" / "MANIFEST.json").read_text("utf-8"))


def test_wheel_installs_and_imports_in_a_clean_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    _run([*pip, "--no-deps", str(wheel)], tmp_path)
    _run([*pip, "azure-core", "isodate", "typing-extensions"], tmp_path)

    done = _run([str(python), "-c", IMPORT_CHECK], tmp_path)  # cwd outside the repository

    report = json.loads(done.stdout)
    purelib = Path(report["purelib"]).resolve()
    assert purelib.is_relative_to(venv.resolve())
    for file in map(Path, report["files"]):
        assert file.resolve().is_relative_to(purelib), file
        assert not file.resolve().is_relative_to(ROOT), file
    assert report["clients"] == ["IdentityRestClient", "IdentityPreview2020RestClient"]
