"""The API version catalog: every fact about versions that the clients and the local service need.

``generator/driver.py`` calls :func:`build` on ``swagger/*.json`` and renders the result
with ``generator/templates/`` into ``generated/_catalog.py`` (plain literals, no imports,
so the local service can read it cheaply) and ``generated/_api_enums.py`` (the public
``ApiVersion`` and ``CommunicationTokenScope`` enums, with their members written out so
type checkers see them). Nothing here is restated by hand anywhere else.

Rules, all read from the documents:

- A version is the file name ``swagger/<version>.json`` and must equal ``info.version``.
  ``YYYY-MM-DD`` is GA, ``YYYY-MM-DD-preview[N]`` a preview. Versions are ordered by date;
  on the same date a preview comes before the GA version.
- Operations are ``(operationId, METHOD, path)`` as written in each document.
- Token scopes are the ``enum`` of the schema that the ``scopes`` property's items refer
  to. A document whose ``scopes`` are free strings (the 2020 preview) accepts the values of
  the nearest older document that enumerates them, else of the nearest newer one; the
  catalog records which document that was.
- Token lifetimes are the ``minimum``/``maximum``/``default`` of every ``expiresInMinutes``
  property (they must agree within a document); ``None`` where the document has none.
- "Since" tables give, for every operation (``"METHOD path"``), definition property
  (``"Definition.property"``) and scope value, the oldest version that has it.
- The GA layer is generated from the newest GA document: :func:`latest_ga`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import jinja2

GENERATOR_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = GENERATOR_DIR / "templates"
CATALOG_TEMPLATE = "catalog.py.j2"
ENUMS_TEMPLATE = "api_enums.py.j2"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_VERSION_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(-preview\d*)?$")
SCOPES_PROPERTY = "scopes"
LIFETIME_PROPERTY = "expiresInMinutes"


class CatalogError(ValueError):
    """A swagger document breaks a rule the catalog relies on; the message says which and what to do."""


@dataclass(frozen=True)
class Lifetime:
    minimum: int
    maximum: int
    default: int


@dataclass
class VersionFacts:
    version: str
    preview: bool
    operations: list[tuple[str, str, str]]
    properties: list[str]
    scopes: tuple[str, ...]
    scopes_declared: bool
    scopes_from: str = ""
    lifetime: Optional[Lifetime] = None
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Catalog:
    versions: list[VersionFacts]
    layers: dict[str, str]  # layer name -> the version its input document is

    @property
    def names(self) -> list[str]:
        return [v.version for v in self.versions]

    @property
    def ga(self) -> list[str]:
        return [v.version for v in self.versions if not v.preview]

    @property
    def previews(self) -> list[str]:
        return [v.version for v in self.versions if v.preview]

    @property
    def latest_ga(self) -> str:
        return self.ga[-1]

    def layer_of(self, version: str) -> str:
        """The generated layer that speaks ``version``: its own layer if it has one, else ``ga``."""
        for layer, source in self.layers.items():
            if source == version:
                return layer
        return "ga"

    def _since(self, items: Mapping[str, list[str]]) -> dict[str, str]:
        first: dict[str, str] = {}
        for facts in self.versions:
            for item in items[facts.version]:
                first.setdefault(item, facts.version)
        return dict(sorted(first.items()))

    @property
    def operation_since(self) -> dict[str, str]:
        return self._since({v.version: [f"{m} {p}" for _, m, p in v.operations] for v in self.versions})

    @property
    def property_since(self) -> dict[str, str]:
        return self._since({v.version: v.properties for v in self.versions})

    @property
    def scope_since(self) -> dict[str, str]:
        since = self._since({v.version: list(v.scopes) for v in self.versions})
        return dict(sorted(since.items(), key=lambda kv: self.all_scopes.index(kv[0])))

    @property
    def all_scopes(self) -> list[str]:
        """Every scope value of any version, in the order the documents introduce them."""
        seen: list[str] = []
        for facts in self.versions:
            for scope in facts.scopes:
                if scope not in seen:
                    seen.append(scope)
        return seen


def version_key(version: str) -> tuple[str, int, str]:
    match = _VERSION_RE.match(version)
    if match is None:
        raise CatalogError(
            f"swagger/{version}.json: an API version is YYYY-MM-DD or YYYY-MM-DD-previewN; rename the file."
        )
    date, preview = match.group(1), match.group(2)
    return (date, 0 if preview else 1, preview or "")


def member_name(value: str) -> str:
    """``2020-07-20-preview2`` -> ``V2020_07_20_PREVIEW2``; ``chat.join`` -> ``CHAT_JOIN``."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper()
    return f"V{name}" if name[:1].isdigit() else name


def resolve_ref(doc: Mapping[str, Any], node: Any, *, keep_definitions: bool = False) -> Any:
    """Follow local ``$ref`` links (``#/...``) from ``node``; a loop or a dangling link stops there.

    ``keep_definitions`` stops at ``#/definitions/...``, for callers that compare models by name.
    """
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        ref = node["$ref"]
        seen.add(ref)
        if not ref.startswith("#/") or (keep_definitions and ref.startswith("#/definitions/")):
            return node
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        if target is None:
            return node
        node = target
    return node


def _operations(doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            spec = item.get(method)
            if isinstance(spec, Mapping):
                found.append((str(spec.get("operationId", "")), method.upper(), str(path)))
    return sorted(found, key=lambda op: (op[2], HTTP_METHODS.index(op[1].lower())))


def _definitions(doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {name: d for name, d in sorted((doc.get("definitions") or {}).items()) if isinstance(d, Mapping)}


def _enum_of(doc: Mapping[str, Any], schema: Any) -> Optional[tuple[str, ...]]:
    schema = resolve_ref(doc, schema)
    if isinstance(schema, Mapping) and isinstance(schema.get("enum"), list):
        return tuple(str(v) for v in schema["enum"])
    return None


def _scopes(name: str, doc: Mapping[str, Any]) -> Optional[tuple[str, ...]]:
    """The enumerated scope values of a document, or None when its scopes are free strings."""
    found: set[tuple[str, ...]] = set()
    for definition in _definitions(doc).values():
        prop = (definition.get("properties") or {}).get(SCOPES_PROPERTY)
        if isinstance(prop, Mapping):
            values = _enum_of(doc, prop.get("items"))
            if values is not None:
                found.add(values)
    if len(found) > 1:
        raise CatalogError(f"swagger/{name}.json: the '{SCOPES_PROPERTY}' properties enumerate different values")
    return found.pop() if found else None


def _lifetime(name: str, doc: Mapping[str, Any]) -> Optional[Lifetime]:
    found: set[Lifetime] = set()
    for def_name, definition in _definitions(doc).items():
        prop = (definition.get("properties") or {}).get(LIFETIME_PROPERTY)
        if not isinstance(prop, Mapping):
            continue
        try:
            found.add(Lifetime(int(prop["minimum"]), int(prop["maximum"]), int(prop["default"])))
        except (KeyError, TypeError, ValueError):
            raise CatalogError(
                f"swagger/{name}.json: {def_name}.{LIFETIME_PROPERTY} needs integer minimum, maximum and default"
            ) from None
    if len(found) > 1:
        raise CatalogError(f"swagger/{name}.json: the '{LIFETIME_PROPERTY}' properties have different bounds")
    return found.pop() if found else None


def _enums(doc: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {
        name: tuple(str(v) for v in d["enum"])
        for name, d in _definitions(doc).items()
        if isinstance(d.get("enum"), list)
    }


def load_versions(swagger_dir: Path) -> dict[str, dict[str, Any]]:
    """``version -> document`` for every ``swagger/*.json``, oldest first."""
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(swagger_dir.glob("*.json"), key=lambda p: version_key(p.stem)):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise CatalogError(f"swagger/{path.name} is not valid JSON: {exc}") from None
        declared = doc.get("info", {}).get("version") if isinstance(doc, dict) else None
        if declared != path.stem:
            raise CatalogError(
                f"swagger/{path.name}: info.version is {declared!r}; set it to {path.stem!r} "
                "(and the default of ApiVersionParameter too)"
            )
        docs[path.stem] = doc
    if not docs:
        raise CatalogError(f"no swagger/<version>.json documents in {swagger_dir}")
    return docs


def latest_ga(swagger_dir: Path) -> str:
    """The newest GA version in ``swagger_dir``; the GA layer is generated from its document."""
    ga = [v for v in sorted((p.stem for p in swagger_dir.glob("*.json")), key=version_key) if "preview" not in v]
    if not ga:
        raise CatalogError(
            f"no GA document in {swagger_dir}: the ga layer needs one swagger/YYYY-MM-DD.json "
            "(previews are named YYYY-MM-DD-previewN)"
        )
    return ga[-1]


def build(swagger_dir: Path, layers: Mapping[str, str]) -> Catalog:
    """The catalog of every document in ``swagger_dir``; ``layers`` maps layer -> its input version."""
    docs = load_versions(swagger_dir)
    facts: list[VersionFacts] = []
    for name, doc in docs.items():
        properties = [
            f"{def_name}.{prop}"
            for def_name, definition in _definitions(doc).items()
            for prop in sorted(definition.get("properties") or {})
        ]
        scopes = _scopes(name, doc)
        facts.append(
            VersionFacts(
                version=name,
                preview=version_key(name)[1] == 0,
                operations=_operations(doc),
                properties=properties,
                scopes=scopes or (),
                scopes_declared=scopes is not None,
                scopes_from=name if scopes is not None else "",
                lifetime=_lifetime(name, doc),
                enums=_enums(doc),
            )
        )
    for index, item in enumerate(facts):
        if item.scopes_declared:
            continue
        older = [f for f in reversed(facts[:index]) if f.scopes_declared]
        newer = [f for f in facts[index + 1 :] if f.scopes_declared]
        candidates = older or newer
        if not candidates:
            raise CatalogError(
                f"no document enumerates the '{SCOPES_PROPERTY}' values, so no version has a scope list; "
                "give the scope schema an enum in at least one swagger/<version>.json"
            )
        item.scopes, item.scopes_from = candidates[0].scopes, candidates[0].version
    return Catalog(facts, dict(layers))


def template_environment(**filters: Any) -> jinja2.Environment:
    """The generator's jinja2 set-up (also api_diff.py's): text output, so no HTML escaping."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - Python source and Markdown, not HTML
    )
    env.filters.update(filters)
    return env


def _py(value: object) -> str:
    """A Python literal for a JSON-like value: strings in double quotes, tuples for lists."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        items = [_py(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise TypeError(f"no literal for {type(value).__name__}")


def render(catalog: Catalog) -> dict[str, str]:
    """``file name (relative to generated/) -> text`` for the catalog modules."""
    env = template_environment(py=_py, member=member_name)
    out: dict[str, str] = {}
    for name, template in (("_catalog.py", CATALOG_TEMPLATE), ("_api_enums.py", ENUMS_TEMPLATE)):
        text = env.get_template(template).render(catalog=catalog)
        out[name] = text.rstrip("\n") + "\n"
    return out
