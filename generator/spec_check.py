"""Compare swagger/ with upstream's documents, wire-level: ``make spec-check UPSTREAM=<folder>``.

Usage::

    python generator/spec_check.py UPSTREAM [--swagger swagger/]

``UPSTREAM`` is a folder laid out like ``specification/communication/data-plane/`` of
``Azure/azure-rest-api-specs`` (``Identity/stable/<version>/CommunicationIdentity.json``,
``Identity/preview/...``, ``Common/...``), as swagger/ is. For every version swagger/ carries,
the check prints each wire-level difference between our document and upstream's at the same
place, then a summary; it exits 1 if there is any difference, 0 if there is none, 2 if the
folders cannot be read.

What counts, and what does not:

- Compared: every path, operation, parameter (where it sits, its ``$ref`` name and every
  keyword), schema, ``$ref``, status code, header, media type, security requirement and
  ``x-ms-*`` extension, and ``info.version``. ``$ref``s are compared as written *and* through
  what they point at in other files (``../../../Common/stable/2022-07-13/common.json#/...``):
  every definition a document takes from ``Common/`` is compared with upstream's.
- Ignored: prose (``description``, ``summary``, ``title``, the texts of OAuth2 scopes),
  examples (``x-ms-examples``, ``example``), tags, the rest of ``info`` (contact, emitter),
  and the order of keys and of list items.
- Not a difference, but said: a version upstream has and swagger/ does not carry, and a file
  that a document refers to which the upstream folder lacks (its content is then not checked).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))  # generator/ is a folder of scripts
import catalog

ROOT = Path(__file__).resolve().parent.parent
SWAGGER_DIR = ROOT / "swagger"

#: Keywords that carry prose, documentation or tooling metadata, never wire facts.
IGNORED_KEYS = frozenset(
    {"description", "summary", "title", "x-ms-examples", "example", "examples", "tags", "externalDocs"}
)
#: Objects whose keys are names (of properties, definitions, status codes...), not keywords.
NAME_MAPS = frozenset(
    {"properties", "definitions", "parameters", "responses", "headers", "paths", "securityDefinitions"}
)


def wire_view(node: Any, *, names: bool = False, parent: str = "") -> Any:
    """``node`` without what is not wire-level (see the module docstring); lists stay lists."""
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not names and key in IGNORED_KEYS:
                continue
            if not names and key == "info" and parent == "" and isinstance(value, Mapping):
                out[key] = {"version": value.get("version")}
            elif not names and key == "scopes" and parent == "securityDefinition" and isinstance(value, Mapping):
                out[key] = sorted(value)  # the scope names; their texts are prose
            elif names:
                child_parent = "securityDefinition" if parent == "securityDefinitions" else ""
                out[key] = wire_view(value, parent=child_parent)
            else:
                is_names = key in NAME_MAPS and isinstance(value, Mapping)
                out[key] = wire_view(value, names=is_names, parent=key if is_names else "")
        return out
    if isinstance(node, list):
        return [wire_view(item) for item in node]
    return node


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _item_key(item: Any) -> str:
    """How list items are matched: parameters by ``$ref`` or ``in``+``name``, enum values by value."""
    if isinstance(item, Mapping):
        if isinstance(item.get("$ref"), str) and len(item) == 1:
            return f"$ref {item['$ref']}"
        if "name" in item and "in" in item:
            return f"{item['name']} ({item['in']})"
        if "value" in item and set(item) <= {"value", "name", "description"}:
            return f"value {_canonical(item['value'])}"
    return _canonical(item)


def _show(value: Any) -> str:
    text = _canonical(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _join(where: str, key: str) -> str:
    """``paths["/identities"].post.responses.201``: dotted, names with odd characters quoted."""
    if re.fullmatch(r"[A-Za-z0-9_$-]+", key):
        return f"{where}.{key}" if where else key
    return f"{where}[{json.dumps(key)}]"


def diff(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Every difference between two wire views, one line each, in a stable order."""
    if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
        lines: list[str] = []
        for key in sorted(set(ours) | set(theirs)):
            here = _join(where, key)
            if key not in theirs:
                lines.append(f"{here}: only in swagger/: {_show(ours[key])}")
            elif key not in ours:
                lines.append(f"{here}: only upstream: {_show(theirs[key])}")
            else:
                lines.extend(diff(ours[key], theirs[key], here))
        return lines
    if isinstance(ours, list) and isinstance(theirs, list):
        mine: dict[str, list[Any]] = {}
        for item in ours:
            mine.setdefault(_item_key(item), []).append(item)
        other: dict[str, list[Any]] = {}
        for item in theirs:
            other.setdefault(_item_key(item), []).append(item)
        lines = []
        for key in sorted(set(mine) | set(other)):
            a, b = mine.get(key, []), other.get(key, [])
            for extra in a[len(b) :]:
                lines.append(f"{where}[{key}]: only in swagger/: {_show(extra)}")
            for extra in b[len(a) :]:
                lines.append(f"{where}[{key}]: only upstream: {_show(extra)}")
            for x, y in zip(a, b, strict=False):  # the extras are reported above
                lines.extend(diff(x, y, f"{where}[{key}]"))
        return lines
    if _canonical(ours) != _canonical(theirs):
        return [f"{where}: swagger/ has {_show(ours)}, upstream has {_show(theirs)}"]
    return []


@dataclass
class VersionReport:
    version: str
    document: str  # relative to the swagger folder's layout: Identity/<stability>/<version>/...
    differences: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


def _imported(raw: Mapping[str, Any], bundled: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`catalog.load_document` brought in from other files: ``"#/section/name" -> node``."""
    out: dict[str, Any] = {}
    for section, entries in bundled.items():
        if section in ("definitions", "parameters", "responses") and isinstance(entries, Mapping):
            own = raw.get(section)
            own = own if isinstance(own, Mapping) else {}
            for name, node in entries.items():
                if name not in own:
                    out[f"#/{section}/{name}"] = node
    return out


def check_version(version: str, ours_path: Path, theirs_path: Path, swagger_dir: Path, upstream: Path) -> VersionReport:
    relative = ours_path.relative_to(swagger_dir).as_posix()
    report = VersionReport(version, relative)
    if not theirs_path.is_file():
        report.differences.append(f"upstream has no {relative}")
        return report
    mine, theirs = catalog.Documents(swagger_dir), catalog.Documents(upstream)
    raw_ours, raw_theirs = mine.load(ours_path), theirs.load(theirs_path)
    report.differences.extend(diff(wire_view(raw_ours), wire_view(raw_theirs)))
    bundled_ours = catalog.load_document(ours_path, mine)
    try:
        bundled_theirs = catalog.load_document(theirs_path, theirs)
    except catalog.CatalogError as exc:
        # Most often a Common document the upstream folder lacks: its content cannot be checked.
        report.unchecked.append(str(exc).replace(str(upstream), "UPSTREAM"))
        return report
    a, b = _imported(raw_ours, bundled_ours), _imported(raw_theirs, bundled_theirs)
    for ref in sorted(set(a) | set(b)):
        label = f"(from another file) {ref}"
        if ref not in b:
            report.differences.append(f"{label}: only in swagger/")
        elif ref not in a:
            report.differences.append(f"{label}: only upstream")
        else:
            report.differences.extend(diff(wire_view(a[ref]), wire_view(b[ref]), label))
    return report


@dataclass
class Report:
    versions: list[VersionReport]
    not_carried: list[str]

    @property
    def differences(self) -> int:
        return sum(len(v.differences) for v in self.versions)


def check(swagger_dir: Path, upstream: Path) -> Report:
    ours = catalog.document_paths(swagger_dir)
    try:
        theirs = catalog.document_paths(upstream)
    except catalog.CatalogError:
        theirs = {}
    reports = [
        check_version(version, path, upstream / path.relative_to(swagger_dir), swagger_dir, upstream)
        for version, path in ours.items()
    ]
    return Report(reports, [v for v in theirs if v not in ours])


def render(report: Report) -> str:
    lines: list[str] = []
    for v in report.versions:
        count = len(v.differences)
        lines.append(f"{v.version} ({v.document}): {count} difference{'' if count == 1 else 's'}")
        lines.extend(f"  - {line}" for line in v.differences)
        lines.extend(f"  ! not checked: {line}" for line in v.unchecked)
    if report.not_carried:
        lines.append(f"upstream versions swagger/ does not carry (not compared): {', '.join(report.not_carried)}")
    total = report.differences
    lines.append(
        f"{total} wire-level difference{'' if total == 1 else 's'} in {len(report.versions)} versions"
        + ("" if total else ": swagger/ matches upstream")
    )
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "upstream", type=Path, help="a folder laid out like upstream's specification/communication/data-plane/"
    )
    parser.add_argument("--swagger", type=Path, default=SWAGGER_DIR, help="our documents (default: swagger/)")
    args = parser.parse_args(argv)
    upstream: Path = args.upstream
    if not (upstream / catalog.IDENTITY_FOLDER).is_dir():
        print(
            f"error: {upstream} has no {catalog.IDENTITY_FOLDER}/ folder; give the folder that holds "
            f"{catalog.IDENTITY_FOLDER}/ and Common/ (upstream's specification/communication/data-plane/)",
            file=sys.stderr,
        )
        return 2
    try:
        report = check(args.swagger, upstream)
    except catalog.CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(report))
    return 1 if report.differences else 0


if __name__ == "__main__":
    sys.exit(main())
