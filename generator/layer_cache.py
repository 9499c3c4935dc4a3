"""Reuse a layer's generated package when nothing that decides its output has changed.

Every AutoRest layer costs several seconds of CPU, and ``make generate`` runs one per
layer; a maintainer iterating on one document (or on the handwritten layer, whose sync
client ``make generate`` also writes) should not wait for the others. A layer's output is
decided by:

- its normalised input document (``generator/normalise.py`` makes it self-contained, so
  the file AutoRest reads is the whole input);
- the literate configuration (``generator/README.md``, all of it: shared blocks and
  directives included);
- the toolchain: ``generator/package-lock.json`` (AutoRest and its extensions, exact
  versions), the generator's own scripts that shape the input or the output, and the
  Python that runs them.

The key is the SHA-256 of all of that plus the layer's name. An entry is a copy of the
formatted package, written to a temporary folder and renamed into place, with a marker
file written last, so an interrupted run leaves nothing that looks complete. Entries
live under ``.cache/generate/`` (git-ignored); one per layer is kept.

``make generate`` uses the cache; ``make check-generated`` never does (it is the
authority on drift, and a fresh clone has no cache anyway); ``--no-cache`` turns it off.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Bump when the cache's layout or what goes into a key changes.
FORMAT = "layer-cache 1"
#: Written last into an entry: an entry without it is ignored (and replaced).
COMPLETE = ".complete"


class LayerCache:
    """Generated packages of earlier runs, keyed by everything that decides them."""

    def __init__(self, folder: Path, documents: Mapping[str, Path], toolchain: Iterable[Path]) -> None:
        """``documents``: layer -> its normalised input; ``toolchain``: files every layer depends on."""
        self.folder = folder
        self._documents = dict(documents)
        shared = hashlib.sha256(FORMAT.encode())
        shared.update(sys.version.encode())
        for path in sorted(toolchain):
            shared.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
        self._shared = shared.hexdigest()

    def key(self, layer: str) -> str:
        """The key of ``layer``'s output for this run's inputs."""
        digest = hashlib.sha256(self._shared.encode())
        digest.update(b"\0" + layer.encode() + b"\0" + self._documents[layer].read_bytes())
        return digest.hexdigest()

    def _entry(self, layer: str) -> Path:
        return self.folder / f"{layer}-{self.key(layer)[:32]}"

    def fetch(self, layer: str, output: Path) -> bool:
        """Copy ``layer``'s cached package to ``output``; False when there is no complete entry."""
        entry = self._entry(layer)
        if not (entry / COMPLETE).is_file():
            return False
        shutil.copytree(entry, output, ignore=shutil.ignore_patterns(COMPLETE))
        return True

    def store(self, layer: str, package: Path) -> None:
        """Keep ``package`` as ``layer``'s entry for this run's inputs; older entries of the layer go."""
        entry = self._entry(layer)
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".{layer}-", dir=self.folder) as tmp:
            staged = Path(tmp) / "entry"
            shutil.copytree(package, staged, ignore=shutil.ignore_patterns("__pycache__"))
            (staged / COMPLETE).write_text("", encoding="utf-8")
            shutil.rmtree(entry, ignore_errors=True)
            staged.rename(entry)
        for old in self.folder.glob(f"{layer}-*"):
            if old != entry and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
