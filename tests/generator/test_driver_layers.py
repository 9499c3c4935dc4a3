"""``generator/driver.py``: how the layers are found and run (no AutoRest: its runs are stood in for)."""

from __future__ import annotations

import threading
from pathlib import Path
from types import ModuleType

import pytest
from gen_support import SWAGGER_DIR, load_generator_module

from azure.communication.administration._generated import _catalog


@pytest.fixture(scope="module")
def driver() -> ModuleType:
    return load_generator_module("driver")


def test_layers_read_their_documents_from_swagger(driver: ModuleType) -> None:
    assert driver.layers() == {
        "preview2020": SWAGGER_DIR / "Identity" / "preview" / "2020-07-20-preview2" / "CommunicationIdentity.json",
        "ga": SWAGGER_DIR / "Identity" / "stable" / _catalog.LATEST_GA / "CommunicationIdentity.json",
        "preview2023_08_30": SWAGGER_DIR / "Identity" / "preview" / "2023-08-30-preview" / "CommunicationIdentity.json",
        "preview2025_03_02": SWAGGER_DIR / "Identity" / "preview" / "2025-03-02-preview" / "CommunicationIdentity.json",
        "preview2025_04_01": SWAGGER_DIR / "Identity" / "preview" / "2025-04-01-preview" / "CommunicationIdentity.json",
    }


def test_a_layer_reading_outside_swagger_is_refused(
    driver: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "README.md"
    config.write_text("```yaml $(tag) == 'odd'\ninput-file: ../elsewhere/doc.json\n```\n", encoding="utf-8")
    monkeypatch.setattr(driver, "CONFIG", config)
    with pytest.raises(driver.GenerationError, match="which is not a document in"):
        driver.layers()


class StandIn:
    """Stands in for one AutoRest run; records how many ran at once."""

    def __init__(self, barrier: threading.Barrier | None = None) -> None:
        self.barrier = barrier
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def __call__(self, layer: str, output: Path, swagger_folder: Path) -> float:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            if self.barrier is not None:
                self.barrier.wait()  # only passes when every layer runs at the same time
            return 1.5
        finally:
            with self.lock:
                self.running -= 1


def test_layers_run_side_by_side_by_default(
    driver: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = StandIn(threading.Barrier(2, timeout=30))
    monkeypatch.setattr(driver, "_run_autorest", stand_in)
    assert driver.run_layers(["preview2020", "ga"], tmp_path, tmp_path) == {"preview2020": 1.5, "ga": 1.5}
    assert stand_in.most == 2


def test_jobs_1_runs_them_one_after_another(
    driver: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = StandIn()
    monkeypatch.setattr(driver, "_run_autorest", stand_in)
    assert driver.run_layers(["preview2020", "ga"], tmp_path, tmp_path, jobs=1) == {"preview2020": 1.5, "ga": 1.5}
    assert stand_in.most == 1


def test_every_failing_layer_is_reported(driver: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    started: list[str] = []

    def fail(layer: str, output: Path, swagger_folder: Path) -> float:
        with lock:
            started.append(layer)
        raise driver.GenerationError(f"AutoRest failed for layer {layer!r}")

    monkeypatch.setattr(driver, "_run_autorest", fail)
    with pytest.raises(driver.GenerationError) as info:
        driver.run_layers(["preview2020", "ga"], tmp_path, tmp_path)
    assert sorted(started) == ["ga", "preview2020"]
    assert "layer 'preview2020'" in str(info.value) and "layer 'ga'" in str(info.value)


def test_autorest_environment(driver: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    monkeypatch.delenv("AUTOREST_PYTHON_EXE", raising=False)
    env = driver._autorest_env()
    assert "PYTHONUNBUFFERED" not in env  # it corrupts AutoRest's JSON-RPC channel
    assert env["YARN_IGNORE_ENGINES"] == "true"
    assert env["AUTOREST_PYTHON_EXE"] == driver.sys.executable
    monkeypatch.setenv("AUTOREST_PYTHON_EXE", "/opt/python3")
    assert driver._autorest_env()["AUTOREST_PYTHON_EXE"] == "/opt/python3", "a choice of the user's is kept"
