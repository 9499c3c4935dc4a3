"""The API version catalog: every fact about versions that the clients and the local service need.

``generator/driver.py`` calls :func:`build` on ``swagger/`` and renders the result with
``generator/templates/`` into ``generated/_catalog.py`` (plain literals, no imports, so the
local service can read it cheaply) and ``generated/_api_enums.py`` (the public ``ApiVersion``
and ``CommunicationTokenScope`` enums, with their members written out so type checkers see
them). Nothing here is restated by hand anywhere else.

swagger/ is laid out as upstream's ``specification/communication/data-plane/`` folder of
``Azure/azure-rest-api-specs``: ``Identity/stable/<version>/CommunicationIdentity.json`` (GA),
``Identity/preview/<version>/CommunicationIdentity.json`` (previews) and the ``Common/``
documents their ``$ref``s point into (``../../../Common/stable/2022-07-13/common.json#/...``).
All three of upstream's forms are read: the 2020 preview (api-version written in each
operation, no Common), the hand-written form (2021-2023: ``#/parameters/ApiVersionParameter``,
error types in Common) and the TypeSpec-emitted form (2025 on:
``Azure.Core.Foundations.ApiVersionParameter``, everything in one document).

Rules, all read from the documents:

- A version is the name of its folder and must equal ``info.version``. ``YYYY-MM-DD`` is GA
  and lives under ``Identity/stable/``; ``YYYY-MM-DD-preview[N]`` is a preview and lives under
  ``Identity/preview/``. Versions are ordered by date; on the same date a preview comes before
  the GA version.
- A document is read with its external ``$ref``s resolved (:func:`load_document`): the
  definitions it takes from ``Common/`` count as its own, exactly as a client generated from
  it sees them. A ``$ref`` whose file or target is missing stops the build and says which.
- Operations are ``(operationId, METHOD, path)`` as written in each document.
- Header parameters are, per operation (``"METHOD path"``), the names of the ``in: header``
  parameters it declares (path-level ones included, ``$ref``s followed), in document order:
  what a version asks a client to send beyond the body (2023-08-01's
  ``Repeatability-Request-ID`` and ``Repeatability-First-Sent`` on create).
- Token scopes are the ``enum`` of the schema that the ``scopes`` property's items refer
  to. A document whose ``scopes`` are free strings (the 2020 preview) accepts the values of
  the nearest older document that enumerates them, else of the nearest newer one; the
  catalog records which document that was. A document with no ``scopes`` property at all
  (2023-08-30-preview, which issues no tokens) has no scope values.
- Token lifetimes are the ``minimum``/``maximum``/``default`` of every ``expiresInMinutes``
  property (they must agree within a document); ``None`` where the document has none. A
  document that has the property without bounds (upstream's 2022-09-01) takes those of the
  nearest older document that states them, else of the nearest newer one.
- "Since" tables give, for every operation (``"METHOD path"``), definition property
  (``"Definition.property"``) and scope value, the oldest version that has it.
- The GA layer is generated from the newest GA document: :func:`latest_ga`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
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

#: Where upstream (and so swagger/) keeps the documents: ``<IDENTITY>/<stable|preview>/<version>/<DOCUMENT>``.
IDENTITY_FOLDER = "Identity"
STABLE_FOLDER = "stable"
PREVIEW_FOLDER = "preview"
DOCUMENT_NAME = "CommunicationIdentity.json"
#: ``$ref``s under these keys point at documentation (upstream's ``./examples/*.json``), never followed.
_DOCUMENTATION_KEYS = frozenset({"x-ms-examples"})


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
    document: str = ""  # its path, relative to the folder that holds swagger/ ("swagger/Identity/...")
    lifetime: Optional[Lifetime] = None
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: ``"METHOD path"`` -> its header parameters' names (only operations that have any).
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)


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

    def _versions_having(self, items: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
        having: dict[str, list[str]] = {}
        for facts in self.versions:
            for item in items[facts.version]:
                having.setdefault(item, []).append(facts.version)
        return {item: tuple(versions) for item, versions in sorted(having.items())}

    @property
    def operation_versions(self) -> dict[str, tuple[str, ...]]:
        """``"METHOD path"`` -> every version that has it (a preview may have what later GAs lack)."""
        return self._versions_having({v.version: [f"{m} {p}" for _, m, p in v.operations] for v in self.versions})

    @property
    def property_versions(self) -> dict[str, tuple[str, ...]]:
        """``"Definition.property"`` -> every version whose document has it."""
        return self._versions_having({v.version: v.properties for v in self.versions})

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
            f"{version!r} is not an API version (YYYY-MM-DD or YYYY-MM-DD-previewN); "
            f"a document lives in swagger/{IDENTITY_FOLDER}/<stable|preview>/<version>/{DOCUMENT_NAME}"
        )
    date, preview = match.group(1), match.group(2)
    return (date, 0 if preview else 1, preview or "")


def is_preview(version: str) -> bool:
    return version_key(version)[1] == 0


def member_name(value: str) -> str:
    """``2020-07-20-preview2`` -> ``V2020_07_20_PREVIEW2``; ``chat.join`` -> ``CHAT_JOIN``."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper()
    return f"V{name}" if name[:1].isdigit() else name


def _shown(path: Path, swagger_dir: Path) -> str:
    """``path`` as messages show it: relative to the folder holding swagger/ when it is inside."""
    try:
        return path.resolve().relative_to(swagger_dir.resolve().parent).as_posix()
    except ValueError:
        return str(path)


def document_paths(swagger_dir: Path) -> dict[str, Path]:
    """``version -> its document`` for every version folder in ``swagger_dir``, oldest first.

    Only the folder names are read (no document is parsed), so this is cheap. A JSON file
    straight under ``swagger_dir`` (the flat layout of old), a version folder in the wrong
    stability folder or without its document stops here with what to do.
    """
    found: dict[str, Path] = {}
    for stray in sorted(swagger_dir.glob("*.json")):
        raise CatalogError(
            f"{_shown(stray, swagger_dir)}: documents live where upstream keeps them, "
            f"swagger/{IDENTITY_FOLDER}/{STABLE_FOLDER}/<version>/{DOCUMENT_NAME} "
            f"(previews under {PREVIEW_FOLDER}/); move it there"
        )
    for stability in (STABLE_FOLDER, PREVIEW_FOLDER):
        for folder in sorted((swagger_dir / IDENTITY_FOLDER / stability).glob("*/")):
            if not folder.is_dir():
                continue
            version = folder.name
            where = _shown(folder, swagger_dir)
            try:
                preview = is_preview(version)
            except CatalogError as exc:
                raise CatalogError(f"{where}: {exc}") from None
            if preview != (stability == PREVIEW_FOLDER):
                right = PREVIEW_FOLDER if preview else STABLE_FOLDER
                raise CatalogError(f"{where}: {version} is {'a preview' if preview else 'GA'}; move it to {right}/")
            document = folder / DOCUMENT_NAME
            if not document.is_file():
                raise CatalogError(f"{where}/ has no {DOCUMENT_NAME}; copy upstream's whole <version>/ folder")
            found[version] = document
    return dict(sorted(found.items(), key=lambda item: version_key(item[0])))


def version_of(document: Path) -> str:
    """The API version a document is for: the name of its folder."""
    return document.parent.name


class Documents:
    """Parsed JSON documents by absolute path, each read once; ``$ref``s between them are followed here."""

    def __init__(self, swagger_dir: Optional[Path] = None) -> None:
        self._swagger_dir = swagger_dir
        self._parsed: dict[Path, Any] = {}

    def shown(self, path: Path) -> str:
        return _shown(path, self._swagger_dir) if self._swagger_dir is not None else str(path)

    def load(self, path: Path) -> Any:
        path = path.resolve()
        if path not in self._parsed:
            try:
                self._parsed[path] = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise CatalogError(f"{self.shown(path)} does not exist") from None
            except ValueError as exc:
                raise CatalogError(f"{self.shown(path)} is not valid JSON: {exc}") from None
        return self._parsed[path]


def _split_ref(ref: str, base: Optional[Path]) -> tuple[Optional[Path], str]:
    """``"../x.json#/definitions/A"`` -> (the file, relative to ``base``'s folder; ``/definitions/A``)."""
    file, _, pointer = ref.partition("#")
    if not file:
        return None, pointer
    if base is None:
        raise CatalogError(f"$ref {ref!r} points into another file, and this document's own path is not known")
    return (base.parent / file).resolve(), pointer


def _pointer(doc: Any, pointer: str) -> Any:
    """The node at a JSON pointer (``/definitions/A``), or None."""
    target = doc
    for part in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        target = target.get(part) if isinstance(target, Mapping) else None
    return target


def resolve_ref(
    doc: Mapping[str, Any],
    node: Any,
    *,
    keep_definitions: bool = False,
    base: Optional[Path] = None,
    documents: Optional[Documents] = None,
) -> Any:
    """Follow ``$ref`` links from ``node``; a loop or a dangling local link stops there.

    Local links (``#/...``) resolve in ``doc``. With ``base`` (the path of ``doc``), links into
    other files (``../../../Common/stable/2022-07-13/common.json#/definitions/X``) are followed
    too, read through ``documents``, and links met inside such a file resolve in that file; a
    missing file or target is an error there. ``keep_definitions`` stops at a link to
    ``#/definitions/...`` (in any file), for callers that compare models by name.
    """
    return locate_ref(doc, node, keep_definitions=keep_definitions, base=base, documents=documents)[0]


def locate_ref(
    doc: Mapping[str, Any],
    node: Any,
    *,
    keep_definitions: bool = False,
    base: Optional[Path] = None,
    documents: Optional[Documents] = None,
) -> tuple[Any, Mapping[str, Any], Optional[Path]]:
    """:func:`resolve_ref`, also returning the document (and its path) the result sits in."""
    documents = documents if documents is not None else Documents()
    seen: set[tuple[Optional[Path], str]] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        file, pointer = _split_ref(ref, base)
        key = (file or base, pointer)
        if key in seen:
            return node, doc, base
        seen.add(key)
        if keep_definitions and pointer.startswith("/definitions/"):
            return node, doc, base
        if file is None:
            target = _pointer(doc, pointer)
            if target is None:
                return node, doc, base
        else:
            other = documents.load(file)
            target = _pointer(other, pointer)
            if target is None:
                raise CatalogError(
                    f"$ref {ref!r} in {documents.shown(base or file)}: {documents.shown(file)} has no #{pointer}"
                )
            doc, base = other, file
        node = target
    return node, doc, base


def load_document(path: Path, documents: Optional[Documents] = None) -> dict[str, Any]:
    """The document at ``path`` with every ``$ref`` into another file made local.

    What such a link points at (``Common/.../common.json#/definitions/CommunicationErrorResponse``)
    is copied into the same section of this document under the same name, together with what
    it refers to in its own file, and the link becomes ``#/definitions/CommunicationErrorResponse``.
    A name that this document already uses for something else is an error (the two would be
    confused). ``x-ms-examples`` are documentation and are not followed: their targets
    (upstream's ``./examples/*.json``) may or may not be present.
    """
    documents = documents if documents is not None else Documents()
    path = path.resolve()
    root = documents.load(path)
    if not isinstance(root, Mapping):
        raise CatalogError(f"{documents.shown(path)} is not a JSON object")
    bundled: dict[str, Any] = json.loads(json.dumps(root))
    imported: dict[tuple[str, str], tuple[Path, str]] = {}

    def localise(node: Any, base: Path) -> None:
        if isinstance(node, list):
            for item in node:
                localise(item, base)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            file, pointer = _split_ref(ref, base)
            target_file = file or base
            if target_file != path:
                parts = pointer.strip("/").split("/")
                if len(parts) != 2:
                    raise CatalogError(
                        f"$ref {ref!r} in {documents.shown(base)}: "
                        "only #/<section>/<name> can be taken from another file"
                    )
                section, name = parts
                node["$ref"] = f"#/{section}/{name}"
                origin = (target_file, pointer)
                if imported.get((section, name), origin) != origin or (
                    (section, name) not in imported and name in (root.get(section) or {})
                ):
                    raise CatalogError(
                        f"{documents.shown(path)}: #/{section}/{name} is both its own and "
                        f"{documents.shown(target_file)}'s; rename one of them"
                    )
                if (section, name) not in imported:
                    imported[(section, name)] = origin
                    target = _pointer(documents.load(target_file), pointer)
                    if target is None:
                        raise CatalogError(
                            f"$ref {ref!r} in {documents.shown(base)}: {documents.shown(target_file)} has no #{pointer}"
                        )
                    copied = json.loads(json.dumps(target))
                    bundled.setdefault(section, {})[name] = copied
                    localise(copied, target_file)
            elif file is not None:
                node["$ref"] = f"#{pointer}"
        for key, value in list(node.items()):
            if key not in _DOCUMENTATION_KEYS:
                localise(value, base)

    localise(bundled, path)
    return bundled


def path_operations(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation of ``doc``: ``(METHOD, path, spec)``, the spec's ``parameters`` with the
    path-level ones first (as OpenAPI 2 applies them)."""
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        shared = item.get("parameters") or []
        for method in HTTP_METHODS:
            spec = item.get(method)
            if isinstance(spec, Mapping):
                merged = dict(spec)
                merged["parameters"] = [*shared, *(spec.get("parameters") or [])]
                yield method.upper(), str(path), merged


def _operations(doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    found = [(str(spec.get("operationId", "")), method, path) for method, path, spec in path_operations(doc)]
    return sorted(found, key=lambda op: (op[2], HTTP_METHODS.index(op[1].lower())))


def _header_parameters(doc: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """``"METHOD path"`` -> the names of its ``in: header`` parameters (path-level ones first)."""
    found: dict[str, tuple[str, ...]] = {}
    for method, path, spec in path_operations(doc):
        names: list[str] = []
        for parameter in spec["parameters"]:
            parameter = resolve_ref(doc, parameter)
            if isinstance(parameter, Mapping) and parameter.get("in") == "header":
                name = str(parameter.get("name", ""))
                if name and name not in names:
                    names.append(name)
        if names:
            found[f"{method} {path}"] = tuple(names)
    return dict(sorted(found.items()))


def _definitions(doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {name: d for name, d in sorted((doc.get("definitions") or {}).items()) if isinstance(d, Mapping)}


def _enum_of(doc: Mapping[str, Any], schema: Any) -> Optional[tuple[str, ...]]:
    schema = resolve_ref(doc, schema)
    if isinstance(schema, Mapping) and isinstance(schema.get("enum"), list):
        return tuple(str(v) for v in schema["enum"])
    return None


def _scopes(name: str, doc: Mapping[str, Any]) -> Optional[tuple[str, ...]]:
    """The enumerated scope values of a document, ``()`` when it has no ``scopes`` property, or None
    when its scopes are free strings."""
    found: set[tuple[str, ...]] = set()
    declared = False
    for definition in _definitions(doc).values():
        prop = (definition.get("properties") or {}).get(SCOPES_PROPERTY)
        if isinstance(prop, Mapping):
            declared = True
            values = _enum_of(doc, prop.get("items"))
            if values is not None:
                found.add(values)
    if len(found) > 1:
        raise CatalogError(f"the {name} document: the '{SCOPES_PROPERTY}' properties enumerate different values")
    if not declared:
        return ()  # no token is issued under this version (2023-08-30-preview): no scope at all
    return found.pop() if found else None


def _lifetime(name: str, doc: Mapping[str, Any]) -> tuple[bool, Optional[Lifetime]]:
    """(whether the document has ``expiresInMinutes``, the bounds it states for it, if any)."""
    found: set[Lifetime] = set()
    declared = False
    for def_name, definition in _definitions(doc).items():
        prop = (definition.get("properties") or {}).get(LIFETIME_PROPERTY)
        if not isinstance(prop, Mapping):
            continue
        declared = True
        if all(key not in prop for key in ("minimum", "maximum", "default")):
            continue  # stated without bounds (upstream's 2022-09-01): see build()
        bounds = [prop.get(key) for key in ("minimum", "maximum", "default")]
        integers = [b for b in bounds if isinstance(b, int) and not isinstance(b, bool)]
        if len(integers) != 3:
            raise CatalogError(
                f"the {name} document: {def_name}.{LIFETIME_PROPERTY} needs integer minimum, maximum and default"
            )
        found.add(Lifetime(*integers))
    if len(found) > 1:
        raise CatalogError(f"the {name} document: the '{LIFETIME_PROPERTY}' properties have different bounds")
    return declared, (found.pop() if found else None)


def _enums(doc: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {
        name: tuple(str(v) for v in d["enum"])
        for name, d in _definitions(doc).items()
        if isinstance(d.get("enum"), list)
    }


def load_versions(swagger_dir: Path) -> dict[str, dict[str, Any]]:
    """``version -> document`` (external ``$ref``s made local) for every version in ``swagger_dir``, oldest first."""
    documents = Documents(swagger_dir)
    docs: dict[str, dict[str, Any]] = {}
    for version, path in document_paths(swagger_dir).items():
        doc = load_document(path, documents)
        declared = doc.get("info", {}).get("version") if isinstance(doc.get("info"), Mapping) else None
        if declared != version:
            raise CatalogError(
                f"{documents.shown(path)}: info.version is {declared!r} but the folder says {version!r}; "
                "the folder name is the version"
            )
        docs[version] = doc
    if not docs:
        raise CatalogError(
            f"no documents in {swagger_dir}: each version is "
            f"swagger/{IDENTITY_FOLDER}/<stable|preview>/<version>/{DOCUMENT_NAME}"
        )
    return docs


def latest_ga(swagger_dir: Path) -> str:
    """The newest GA version in ``swagger_dir``; the GA layer is generated from its document."""
    ga = [v for v in document_paths(swagger_dir) if not is_preview(v)]
    if not ga:
        raise CatalogError(
            f"no GA document in {swagger_dir}: the ga layer needs one "
            f"swagger/{IDENTITY_FOLDER}/{STABLE_FOLDER}/YYYY-MM-DD/{DOCUMENT_NAME} "
            f"(previews live under {PREVIEW_FOLDER}/, named YYYY-MM-DD-previewN)"
        )
    return ga[-1]


def build(swagger_dir: Path, layers: Mapping[str, str]) -> Catalog:
    """The catalog of every document in ``swagger_dir``; ``layers`` maps layer -> its input version."""
    docs = load_versions(swagger_dir)
    paths = document_paths(swagger_dir)
    lifetimes = {name: _lifetime(name, doc) for name, doc in docs.items()}
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
                preview=is_preview(name),
                operations=_operations(doc),
                properties=properties,
                scopes=scopes or (),
                scopes_declared=scopes is not None,
                scopes_from=name if scopes is not None else "",
                document=_shown(paths[name], swagger_dir),
                lifetime=lifetimes[name][1],
                enums=_enums(doc),
                headers=_header_parameters(doc),
            )
        )
    for index, item in enumerate(facts):
        if item.scopes_declared:
            continue
        older = [f for f in reversed(facts[:index]) if f.scopes_declared and f.scopes]
        newer = [f for f in facts[index + 1 :] if f.scopes_declared and f.scopes]
        candidates = older or newer
        if not candidates:
            raise CatalogError(
                f"no document enumerates the '{SCOPES_PROPERTY}' values, so no version has a scope list; "
                "at least one version's scope schema needs an enum"
            )
        item.scopes, item.scopes_from = candidates[0].scopes, candidates[0].version
    for index, item in enumerate(facts):
        declared, _ = lifetimes[item.version]
        if declared and item.lifetime is None:
            # expiresInMinutes without bounds: the service still has them, and the nearest
            # document that states them says which.
            bounded = [f for f in reversed(facts[:index]) if f.lifetime] or [
                f for f in facts[index + 1 :] if f.lifetime
            ]
            if not bounded:
                raise CatalogError(
                    f"no document states minimum, maximum and default of '{LIFETIME_PROPERTY}'; "
                    f"the {item.version} document has it without them"
                )
            item.lifetime = bounded[0].lifetime
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
