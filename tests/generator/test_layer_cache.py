"""``generator/layer_cache.py``: a layer whose inputs are unchanged is not generated again.

AutoRest is stood in for; what is checked is when it runs, what a reused layer contains,
and that an interrupted or stale entry is never taken for a complete one.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from gen_support import load_generator_module


@pytest.fixture(scope="module")
def driver() -> ModuleType:
    return load_generator_module("driver")


@pytest.fixture(scope="module")
def lc() -> ModuleType:
    return load_generator_module("layer_cache")


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    out = {"one": docs / "one.json", "two": docs / "two.json", "config": docs / "README.md"}
    out["one"].write_text('{"info": {"version": "1"}}\n', encoding="utf-8")
    out["two"].write_text('{"info": {"version": "2"}}\n', encoding="utf-8")
    out["config"].write_text("config\n", encoding="utf-8")
    return out


class AutoRest:
    """Stands in for AutoRest: writes a package naming the layer and its input, counts runs."""

    def __init__(self, documents: dict[str, Path]) -> None:
        self.documents = documents
        self.runs: list[str] = []

    def __call__(self, layer: str, output: Path, swagger_folder: Path) -> float:
        self.runs.append(layer)
        output.mkdir(parents=True)
        (output / "__init__.py").write_text(f"# {layer}: {self.documents[layer].read_text()}", encoding="utf-8")
        (output / "aio").mkdir()
        (output / "aio" / "_client.py").write_text("client\n", encoding="utf-8")
        return 2.5


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(
    driver: ModuleType, lc: ModuleType, inputs: dict[str, Path], out: Path, autorest: AutoRest
) -> tuple[dict[str, float | None], dict[str, str]]:
    documents = {"one": inputs["one"], "two": inputs["two"]}
    cache = lc.LayerCache(out.parent / "cache", documents, [inputs["config"]])
    timings = driver.run_layers(["one", "two"], out, out.parent, 0, cache)
    return timings, _tree(out)


def test_unchanged_layers_are_reused_and_a_changed_one_is_generated_again(
    driver: ModuleType,
    lc: ModuleType,
    inputs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    autorest = AutoRest({"one": inputs["one"], "two": inputs["two"]})
    monkeypatch.setattr(driver, "_run_autorest", autorest)

    first, tree = _run(driver, lc, inputs, tmp_path / "a", autorest)
    assert first == {"one": 2.5, "two": 2.5} and sorted(autorest.runs) == ["one", "two"]

    again, reused = _run(driver, lc, inputs, tmp_path / "b", autorest)
    assert again == {"one": None, "two": None} and len(autorest.runs) == 2
    assert reused == tree  # byte for byte, and no marker file in the output

    inputs["two"].write_text('{"info": {"version": "2b"}}\n', encoding="utf-8")
    changed, _ = _run(driver, lc, inputs, tmp_path / "c", autorest)
    assert changed == {"one": None, "two": 2.5} and autorest.runs[2:] == ["two"]
    # One entry per layer is kept: the replaced one is gone.
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "cache").iterdir()) == ["one", "two"]


def test_a_toolchain_change_regenerates_every_layer(
    driver: ModuleType,
    lc: ModuleType,
    inputs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    autorest = AutoRest({"one": inputs["one"], "two": inputs["two"]})
    monkeypatch.setattr(driver, "_run_autorest", autorest)
    _run(driver, lc, inputs, tmp_path / "a", autorest)
    inputs["config"].write_text("config with a new directive\n", encoding="utf-8")
    timings, _ = _run(driver, lc, inputs, tmp_path / "b", autorest)
    assert timings == {"one": 2.5, "two": 2.5} and len(autorest.runs) == 4


def test_an_entry_without_its_marker_is_not_taken(
    driver: ModuleType,
    lc: ModuleType,
    inputs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    autorest = AutoRest({"one": inputs["one"], "two": inputs["two"]})
    monkeypatch.setattr(driver, "_run_autorest", autorest)
    _run(driver, lc, inputs, tmp_path / "a", autorest)
    for entry in (tmp_path / "cache").iterdir():
        (entry / lc.COMPLETE).unlink()  # as if a run had stopped while writing it
        (entry / "__init__.py").write_text("half", encoding="utf-8")
    timings, tree = _run(driver, lc, inputs, tmp_path / "b", autorest)
    assert timings == {"one": 2.5, "two": 2.5}
    assert tree["one/__init__.py"].startswith("# one:")


def test_a_failed_layer_is_not_cached(
    driver: ModuleType,
    lc: ModuleType,
    inputs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(layer: str, output: Path, swagger_folder: Path) -> float:
        raise driver.GenerationError(f"AutoRest failed for layer {layer!r}")

    monkeypatch.setattr(driver, "_run_autorest", fail)
    with pytest.raises(driver.GenerationError):
        _run(driver, lc, inputs, tmp_path / "a", AutoRest({}))
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_check_never_uses_the_cache(driver: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def generate_into(
        out: Path, jobs: int = 0, root: Path = Path(), cache_dir: object = None
    ) -> tuple[dict[str, float], list[object]]:
        seen.append(cache_dir)
        raise driver.GenerationError("stop here")

    monkeypatch.setattr(driver, "generate_into", generate_into)
    assert driver.main(["check", "--generated", str(tmp_path)]) == 2
    assert driver.main(["generate", "--generated", str(tmp_path), "--no-cache"]) == 2
    assert driver.main(["generate", "--generated", str(tmp_path)]) == 2
    assert seen == [None, None, driver.CACHE_DIR]
