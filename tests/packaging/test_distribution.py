"""What PyPI users get: the built sdist and wheel pass ``twine check``, carry the licence, the
typing markers and the metadata Azure SDK packages have; the wheel without the ``[emulator]``
extra says so in one line; a user's script type-checks through the project's editable install and
through the wheel."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

# Not part of the distribution, and large or machine-specific.
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
    ".mypy_cache", ".ruff_cache", ".demo", "*.db*",
)  # fmt: skip
EXTRA_LINE = (
    "the local service needs the [emulator] extra (No module named 'aiohttp'); "
    "install it with: pip install 'azure-communication-administration[emulator]'"
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(command: list[str], cwd: Path, *, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=cwd, env=_env(), capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=600
    )
    if ok:
        assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built from a copy (so no build output lands in the checkout)."""
    work = tmp_path_factory.mktemp("dist")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    _run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(work / "dist"), str(source)], work)
    return work / "dist"


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("azure_communication_administration-*.whl")
    return wheel


def _metadata(dist: Path) -> email.message.Message:
    wheel = zipfile.ZipFile(_wheel(dist))
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return email.parser.Parser().parsestr(wheel.read(name).decode())


def test_twine_check_passes_on_the_sdist_and_the_wheel(dist: Path) -> None:
    built = sorted(str(p) for p in dist.iterdir())
    assert len(built) == 2, built
    done = _run([sys.executable, "-m", "twine", "check", "--strict", *built], dist)
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_license_file_is_in_the_repository_the_sdist_and_the_wheel(dist: Path) -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    wheel_names = zipfile.ZipFile(_wheel(dist)).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in wheel_names)
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        assert any(member.name.endswith("/LICENSE") for member in archive.getmembers())


def test_both_packages_are_typed(dist: Path) -> None:
    assert (ROOT / "emulator/acs_identity_emulator/py.typed").is_file()
    names = set(zipfile.ZipFile(_wheel(dist)).namelist())
    assert "acs_identity_emulator/py.typed" in names
    assert "azure/communication/administration/py.typed" in names


def test_metadata_as_azure_sdk_packages_have_it(dist: Path) -> None:
    meta = _metadata(dist)
    classifiers = meta.get_all("Classifier") or []
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Development Status :: 4 - Beta" in classifiers
    assert any(c.startswith("Operating System :: ") for c in classifiers)
    assert "Typing :: Typed" in classifiers
    assert meta["Author"]
    assert meta["License"] == "MIT" or meta["License-Expression"] == "MIT"
    urls = meta.get_all("Project-URL") or []
    assert any(url.startswith("Documentation, https://") for url in urls), urls
    assert meta["Requires-Python"] == ">=3.10"
    assert "dev" not in (meta.get_all("Provides-Extra") or [])
    requires = meta.get_all("Requires-Dist") or []
    assert not [r for r in requires if "==" in r.split(";")[0]], requires  # runtime extras take ranges


def test_the_wheel_without_the_emulator_extra_says_which_extra(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    _run([*pip, "--no-deps", str(_wheel(dist))], tmp_path)
    _run([*pip, "azure-core", "isodate", "typing-extensions"], tmp_path)
    assert _run([str(python), "-c", "import aiohttp"], tmp_path, ok=False).returncode == 1

    for command, prog in (
        ([str(bin_dir / "acs-identity-emulator"), "--port", "0"], "acs-identity-emulator"),
        ([str(python), "-m", "acs_identity_emulator", "--port", "0"], "acs-identity-emulator"),
        ([str(bin_dir / "acs-identity"), "serve", "--port", "0"], "acs-identity serve"),
    ):
        done = _run(command, tmp_path, ok=False)
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        assert done.stderr.splitlines() == [f"{prog}: {EXTRA_LINE}"], done.stderr
    # --help needs nothing but the standard library
    assert _run([str(bin_dir / "acs-identity-emulator"), "--help"], tmp_path).stdout.startswith("usage: ")
    # the client itself works without the extras
    _run([str(python), "-c", "from azure.communication.administration import CommunicationIdentityClient"], tmp_path)


USER_SCRIPT = (
    "from azure.communication.administration import CommunicationIdentityClient\n"
    "from acs_identity_emulator.testing import running_emulator\n"
    'client = CommunicationIdentityClient.from_connection_string("endpoint=https://x/;accesskey=a2V5")\n'
    # ApiVersion lives in the generated layer (_generated/_api_enums.py): an error here means
    # the type checker read it, where an unseen module would have made it Any and passed.
    "version: int = client.api_version\n"
)


def _mypy_user_script(tmp_path: Path, python: Path) -> str:
    """mypy --strict's report on USER_SCRIPT, written outside the repository, against ``python``'s packages."""
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull]
    return _run([*mypy, "--python-executable", str(python), script.name], tmp_path, ok=False).stdout


def _assert_sees_the_types(report: str) -> None:
    assert "missing library stubs or py.typed marker" not in report, report
    expected = 'Incompatible types in assignment (expression has type "ApiVersion", variable has type "int")'
    assert expected in report, report
    assert report.strip().endswith("Found 1 error in 1 file (checked 1 source file)"), report


def test_mypy_sees_the_types_of_a_user_script_through_the_editable_install(tmp_path: Path) -> None:
    """The project's .venv is an editable install (`make venv`); type checkers must see through it."""
    # ... by the install alone: no link to generated/ in the checkout, no .pth file of our own
    assert not (ROOT / "azure/communication/administration/_generated").exists()
    (pth,) = [p for p in Path(sysconfig.get_paths()["purelib"]).glob("*.pth") if "communication_admin" in p.name]
    assert pth.name.startswith("__editable__.azure_communication_administration-")
    (line,) = pth.read_text(encoding="utf-8").splitlines()  # setuptools' strict mode: one folder, no import hook
    assert (Path(line) / "azure/communication/administration/_generated/py.typed").is_file()
    _assert_sees_the_types(_mypy_user_script(tmp_path, Path(sys.executable)))


@pytest.fixture(scope="module")
def wheel_python(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a fresh virtual environment with the wheel and its dependencies."""
    work = tmp_path_factory.mktemp("wheel-venv")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    _run([*pip, "--no-deps", str(_wheel(dist))], work)
    _run([*pip, "azure-core", "isodate", "typing-extensions", "aiohttp"], work)
    return python


def test_mypy_sees_the_types_of_a_user_script_through_the_wheel(wheel_python: Path, tmp_path: Path) -> None:
    _assert_sees_the_types(_mypy_user_script(tmp_path, wheel_python))


def test_the_installed_package_is_one_folder(wheel_python: Path, tmp_path: Path) -> None:
    # __init__ spans folders only where _generated is missing (a checkout first on sys.path).
    script = "import sys, azure.communication.administration as a; print(len(a.__path__), 'pkgutil' in sys.modules)"
    assert _run([str(wheel_python), "-c", script], tmp_path).stdout == "1 False\n"


def test_the_tls_ca_file_of_the_default_store_is_ignored_by_git() -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "identity.db-ca.pem", "identity.db"], cwd=ROOT, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert done.stdout.split() == ["identity.db-ca.pem", "identity.db"]
