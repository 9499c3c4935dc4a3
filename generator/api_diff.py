"""Review an API version bump: what changed between the documents of two API versions in swagger/.

Usage (``make api-diff [FROM=2023-10-01] [TO=2026-09-23]`` wraps it)::

    python generator/api_diff.py [FROM [TO]]

``TO`` defaults to the newest version in ``swagger/`` and ``FROM`` to the one before ``TO``
(versions ordered as in the catalog, ``generator/catalog.py``), so right after adding a
document ``make api-diff`` reviews exactly that bump.

Prints markdown (rendered with ``generator/templates/api_diff.md.j2``) listing the
operations, models, properties and enum values added, removed or changed, and a one-line
summary with counts; ``No API changes.`` when the two documents describe the same API.
Between two different versions it ends with what a bump still needs by hand (everything
else follows from ``make generate``): a convenience method and a local-service handler for
each added operation, a look at each removed one, and a CHANGELOG line.

What is compared, and what is not:

- Operations are matched by ``(method, path)``, so an operation whose operationId was
  renamed (``CommunicationIdentity_Create`` -> ``IdentityOperations_Create`` from
  2025-06-30) is *changed*, not removed and added. Leftovers that share an operationId
  are matched next (an operation that moved to another path or method). For each pair:
  operationId, method, path, parameters (by ``in`` + ``name``: type, format, required,
  schema, default, enum, range), responses (status codes and their schema) and the
  effective ``consumes`` / ``produces``.
- Models are the ``definitions``. Per model: the model-level shape (type,
  ``additionalProperties``, ``allOf``, discriminator, ``x-ms-enum``) and every property
  (type, format, required-ness, readOnly, minimum/maximum, lengths, pattern, default, enum,
  ``x-ms-enum`` name, ``x-ms-client-name``).
- Enum values are listed per enum site: definition-level enums (by definition name) and
  inline enums of properties, array items and parameters, with their ``x-ms-enum`` name.
- Descriptions, summaries, tags and the form of the api-version parameter (where it is
  written, its ``default``, level, client name and ``minLength``: ``generator/normalise.py``
  turns every form into the same client-level parameter) are not API changes and are ignored.
- Documents are read with their ``$ref``s into ``Common/`` made local (``catalog.load_document``),
  so a model that moved between a document and ``Common/`` is not a change.

Ordering is deterministic (sorted by name, operationId, status code...), so the output
of a given pair of documents never varies.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Optional

GENERATOR_DIR = Path(__file__).resolve().parent
ROOT = GENERATOR_DIR.parent
SWAGGER_DIR = ROOT / "swagger"
TEMPLATES_DIR = GENERATOR_DIR / "templates"
TEMPLATE = "api_diff.md.j2"

API_VERSION_PARAMETER = "api-version"

# Schema keywords compared on properties and parameters, in report order.
_RANGE_KEYS = (
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "pattern",
    "multipleOf",
)

Json = dict[str, Any]


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Change:
    """One attribute that differs; ``old`` is None when added, ``new`` is None when removed."""

    subject: str
    old: Optional[str]
    new: Optional[str]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    # "parameter id (path): string, required", "response 200: Model": shown for added/removed.
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperationChange:
    old: Operation
    new: Operation
    changes: list[Change]


@dataclass(frozen=True)
class Property:
    name: str
    attributes: dict[str, str]

    @property
    def description(self) -> str:
        return _describe(self.attributes)


@dataclass(frozen=True)
class Model:
    name: str
    attributes: dict[str, str]
    properties: list[Property]
    enum: list[str]

    @property
    def description(self) -> str:
        return _describe(self.attributes)


@dataclass(frozen=True)
class PropertyChange:
    name: str
    changes: list[Change]


@dataclass(frozen=True)
class ModelChange:
    name: str
    changes: list[Change]
    properties_added: list[Property]
    properties_removed: list[Property]
    properties_changed: list[PropertyChange]


@dataclass(frozen=True)
class EnumChange:
    """Values added to / removed from one enum site that exists in both documents."""

    location: str
    enum_name: Optional[str]
    added: list[str]
    removed: list[str]


@dataclass
class ApiDiff:
    operations_added: list[Operation] = field(default_factory=list)
    operations_removed: list[Operation] = field(default_factory=list)
    operations_changed: list[OperationChange] = field(default_factory=list)
    models_added: list[Model] = field(default_factory=list)
    models_removed: list[Model] = field(default_factory=list)
    models_changed: list[ModelChange] = field(default_factory=list)
    enums_changed: list[EnumChange] = field(default_factory=list)
    document_changes: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.operations_added
            or self.operations_removed
            or self.operations_changed
            or self.models_added
            or self.models_removed
            or self.models_changed
            or self.enums_changed
            or self.document_changes
        )

    @property
    def counts(self) -> dict[str, int]:
        return {
            "operations_added": len(self.operations_added),
            "operations_removed": len(self.operations_removed),
            "operations_changed": len(self.operations_changed),
            "models_added": len(self.models_added),
            "models_removed": len(self.models_removed),
            "models_changed": len(self.models_changed),
            "properties_added": sum(len(m.properties_added) for m in self.models_changed),
            "properties_removed": sum(len(m.properties_removed) for m in self.models_changed),
            "properties_changed": sum(len(m.properties_changed) for m in self.models_changed),
            "enum_values_added": sum(len(e.added) for e in self.enums_changed),
            "enum_values_removed": sum(len(e.removed) for e in self.enums_changed),
            "document_changes": len(self.document_changes),
        }

    @property
    def summary(self) -> str:
        if self.is_empty:
            return "No API changes."
        c = self.counts
        text = (
            f"Operations: {c['operations_added']} added, {c['operations_removed']} removed, "
            f"{c['operations_changed']} changed. "
            f"Models: {c['models_added']} added, {c['models_removed']} removed, "
            f"{c['models_changed']} changed. "
            f"Properties: {c['properties_added']} added, {c['properties_removed']} removed, "
            f"{c['properties_changed']} changed. "
            f"Enum values: {c['enum_values_added']} added, {c['enum_values_removed']} removed."
        )
        if c["document_changes"]:
            text += f" Document-level: {c['document_changes']} changed."
        return text


# --------------------------------------------------------------------------- helpers


def _show(value: Any) -> str:
    """A JSON value as it would appear in the document (strings unquoted)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _resolve(doc: Mapping[str, Any], node: Any) -> Any:
    """Follow a local ``$ref`` to ``#/parameters/...`` (definitions stay by name)."""
    return _catalog_module().resolve_ref(doc, node, keep_definitions=True)


def _type_of(schema: Any) -> str:
    """A short type expression: ``string``, ``Model``, ``array<Model>``, ``map<string>``."""
    if schema is None:
        return "none"
    if schema is True or (isinstance(schema, Mapping) and not schema):
        return "any"
    if not isinstance(schema, Mapping):
        return _show(schema)
    if "$ref" in schema:
        return _ref_name(str(schema["$ref"]))
    kind = schema.get("type")
    if kind == "array":
        return f"array<{_type_of(schema.get('items'))}>"
    extra = schema.get("additionalProperties")
    if extra is not None and extra is not False and not schema.get("properties"):
        return f"map<{_type_of(extra)}>"
    if kind is None:
        return "object" if schema.get("properties") else "any"
    return str(kind)


def _schema_attributes(schema: Mapping[str, Any], required: Optional[bool]) -> dict[str, str]:
    """The compared attributes of a property or non-body parameter, in report order."""
    attrs: dict[str, str] = {"type": _type_of(schema)}
    items = schema.get("items")
    if "format" in schema:
        attrs["format"] = _show(schema["format"])
    elif isinstance(items, Mapping) and "format" in items:
        attrs["format"] = "items: " + _show(items["format"])
    if required is not None:
        attrs["required"] = "required" if required else "optional"
    if schema.get("readOnly"):
        attrs["readOnly"] = "read-only"
    for key in _RANGE_KEYS:
        if key in schema:
            attrs[key] = _show(schema[key])
    if "default" in schema:
        attrs["default"] = _show(schema["default"])
    for label, source in (("enum", schema), ("items enum", items)):
        if isinstance(source, Mapping) and "enum" in source:
            attrs[label] = ", ".join(_show(v) for v in source["enum"])
            name = _enum_name(source)
            if name is not None:
                attrs[f"{label.replace('enum', 'x-ms-enum')}"] = name
    if "x-ms-client-name" in schema:
        attrs["x-ms-client-name"] = _show(schema["x-ms-client-name"])
    return attrs


def _describe(attrs: Mapping[str, str]) -> str:
    """``integer (int32), optional, minimum 60, maximum 1440, default 1440``."""
    parts: list[str] = []
    for key, value in attrs.items():
        if key == "type":
            parts.append(value)
        elif key == "format":
            parts[-1:] = [f"{parts[-1]} ({value})"] if parts else [f"({value})"]
        elif key in ("required", "readOnly"):
            parts.append(value)
        else:
            parts.append(f"{key} {value}")
    return ", ".join(parts)


def _enum_name(schema: Mapping[str, Any]) -> Optional[str]:
    ext = schema.get("x-ms-enum")
    if isinstance(ext, Mapping) and "name" in ext:
        return str(ext["name"])
    return None


def _diff_attributes(old: Mapping[str, str], new: Mapping[str, str], prefix: str = "") -> list[Change]:
    keys = list(old) + [k for k in new if k not in old]
    return [Change(prefix + key, old.get(key), new.get(key)) for key in keys if old.get(key) != new.get(key)]


# --------------------------------------------------------------------------- operations


def _operations(doc: Mapping[str, Any]) -> dict[tuple[str, str], tuple[Operation, Json]]:
    found: dict[tuple[str, str], tuple[Operation, Json]] = {}
    for method, path, merged in _catalog_module().path_operations(doc):
        details = [
            f"parameter {key}: {_describe(attrs)}"
            for key, attrs in _parameters(doc, merged).items()
            if not key.startswith(f"{API_VERSION_PARAMETER} ")
        ]
        details += [f"response {code}: {kind}" for code, kind in _responses(merged).items()]
        op = Operation(str(merged.get("operationId", "")), method, path, tuple(details))
        found[(op.method, op.path)] = (op, merged)
    return found


def _parameters(doc: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``"body (body)" -> attributes`` for every parameter of an operation."""
    params: dict[str, dict[str, str]] = {}
    for raw in spec.get("parameters") or []:
        param = _resolve(doc, raw)
        if not isinstance(param, Mapping):
            continue
        name, where = str(param.get("name", "?")), str(param.get("in", "?"))
        required = bool(param.get("required", False))
        if where == "body":
            attrs = {"type": _type_of(param.get("schema"))}
            attrs["required"] = "required" if required else "optional"
        else:
            attrs = _schema_attributes(param, required)
        if name == API_VERSION_PARAMETER and where == "query":
            # Its form (default, client or method level, client name, minLength) varies with
            # upstream's tooling and is normalised away (generator/normalise.py).
            params[f"{name} ({where})"] = {k: v for k, v in attrs.items() if k in ("type", "required")}
            continue
        for key in ("collectionFormat", "x-ms-parameter-location", "x-ms-skip-url-encoding"):
            if key in param:
                attrs[key] = _show(param[key])
        params[f"{name} ({where})"] = attrs
    return params


def _responses(spec: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, response in (spec.get("responses") or {}).items():
        schema = response.get("schema") if isinstance(response, Mapping) else None
        shown = _type_of(schema) if schema is not None else "no body"
        headers = response.get("headers") if isinstance(response, Mapping) else None
        if isinstance(headers, Mapping) and headers:
            # A response header is part of the contract (2023-08-01's Repeatability-Result).
            shown += "; headers " + ", ".join(
                f"{name} ({_type_of(header)})" for name, header in sorted(headers.items(), key=lambda kv: kv[0].lower())
            )
        out[str(code)] = shown
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == "default", kv[0])))


def _media(doc: Mapping[str, Any], spec: Mapping[str, Any], key: str) -> str:
    """The effective media types; ``consumes`` only counts for an operation that sends a body."""
    if key == "consumes" and not any(
        isinstance(p, Mapping) and p.get("in") in ("body", "formData")
        for p in (_resolve(doc, raw) for raw in spec.get("parameters") or [])
    ):
        return "none"
    return ", ".join(spec.get(key, doc.get(key)) or []) or "none"


def _operation_changes(
    old_doc: Mapping[str, Any],
    new_doc: Mapping[str, Any],
    old: tuple[Operation, Json],
    new: tuple[Operation, Json],
) -> list[Change]:
    (old_op, old_spec), (new_op, new_spec) = old, new
    changes: list[Change] = []
    for label, a, b in (
        ("operationId", old_op.operation_id, new_op.operation_id),
        ("method", old_op.method, new_op.method),
        ("path", old_op.path, new_op.path),
    ):
        if a != b:
            changes.append(Change(label, a, b))
    old_params, new_params = _parameters(old_doc, old_spec), _parameters(new_doc, new_spec)
    for key in sorted(old_params.keys() | new_params.keys()):
        a_attrs, b_attrs = old_params.get(key), new_params.get(key)
        if a_attrs != b_attrs:
            changes.append(
                Change(
                    f"parameter {key}",
                    None if a_attrs is None else _describe(a_attrs),
                    None if b_attrs is None else _describe(b_attrs),
                )
            )
    old_resp, new_resp = _responses(old_spec), _responses(new_spec)
    codes = list(old_resp) + [c for c in new_resp if c not in old_resp]
    for code in sorted(codes, key=lambda c: (c == "default", c)):
        if old_resp.get(code) != new_resp.get(code):
            changes.append(Change(f"response {code}", old_resp.get(code), new_resp.get(code)))
    for key in ("consumes", "produces"):
        a, b = _media(old_doc, old_spec, key), _media(new_doc, new_spec, key)
        if a != b:
            changes.append(Change(key, a, b))
    return changes


def _op_sort_key(op: Operation) -> tuple[str, str, str]:
    return (op.operation_id, op.path, op.method)


def _diff_operations(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], out: ApiDiff) -> None:
    old_ops, new_ops = _operations(old_doc), _operations(new_doc)
    pairs = [(old_ops[k], new_ops[k]) for k in old_ops.keys() & new_ops.keys()]
    removed = {k: v for k, v in old_ops.items() if k not in new_ops}
    added = {k: v for k, v in new_ops.items() if k not in old_ops}
    # Second pass: same operationId at another (method, path) is a move, not add + remove.
    by_id = {v[0].operation_id: k for k, v in added.items() if v[0].operation_id}
    for key, value in sorted(removed.items()):
        match = by_id.get(value[0].operation_id)
        if match is not None and match in added:
            pairs.append((value, added.pop(match)))
            del removed[key]
    for old, new in pairs:
        changes = _operation_changes(old_doc, new_doc, old, new)
        if changes:
            out.operations_changed.append(OperationChange(old[0], new[0], changes))
    out.operations_changed.sort(key=lambda c: _op_sort_key(c.new))
    out.operations_added = sorted((v[0] for v in added.values()), key=_op_sort_key)
    out.operations_removed = sorted((v[0] for v in removed.values()), key=_op_sort_key)


# --------------------------------------------------------------------------- models


def _model_attributes(schema: Mapping[str, Any]) -> dict[str, str]:
    if "enum" in schema:
        attrs = {"type": "enum", "base type": str(schema.get("type", "any"))}
    else:
        attrs = {"type": str(schema.get("type", "object"))}
    if "format" in schema:
        attrs["format"] = _show(schema["format"])
    if "additionalProperties" in schema:
        attrs["additionalProperties"] = _type_of(schema["additionalProperties"])
    for key in ("allOf", "discriminator", "x-ms-discriminator-value"):
        if key in schema:
            value = schema[key]
            if key == "allOf":
                value = ", ".join(_type_of(s) for s in value)
            attrs[key] = _show(value)
    ext = schema.get("x-ms-enum")
    if isinstance(ext, Mapping):
        attrs["x-ms-enum"] = str(ext.get("name", "?"))
        if "modelAsString" in ext:
            attrs["modelAsString"] = _show(ext["modelAsString"])
    return attrs


def _model(name: str, schema: Mapping[str, Any]) -> Model:
    required = set(schema.get("required") or [])
    props = schema.get("properties") or {}
    return Model(
        name=name,
        attributes=_model_attributes(schema),
        properties=[Property(prop, _schema_attributes(props[prop], prop in required)) for prop in sorted(props)],
        enum=[_show(v) for v in schema.get("enum") or []],
    )


def _diff_models(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], out: ApiDiff) -> None:
    old_defs: Mapping[str, Any] = old_doc.get("definitions") or {}
    new_defs: Mapping[str, Any] = new_doc.get("definitions") or {}
    out.models_added = [_model(n, new_defs[n]) for n in sorted(new_defs.keys() - old_defs.keys())]
    out.models_removed = [_model(n, old_defs[n]) for n in sorted(old_defs.keys() - new_defs.keys())]
    for name in sorted(old_defs.keys() & new_defs.keys()):
        old, new = _model(name, old_defs[name]), _model(name, new_defs[name])
        old_props = {p.name: p for p in old.properties}
        new_props = {p.name: p for p in new.properties}
        prop_changes = [
            PropertyChange(n, _diff_attributes(old_props[n].attributes, new_props[n].attributes))
            for n in sorted(old_props.keys() & new_props.keys())
            if old_props[n].attributes != new_props[n].attributes
        ]
        change = ModelChange(
            name=name,
            changes=_diff_attributes(old.attributes, new.attributes),
            properties_added=[new_props[n] for n in sorted(new_props.keys() - old_props.keys())],
            properties_removed=[old_props[n] for n in sorted(old_props.keys() - new_props.keys())],
            properties_changed=prop_changes,
        )
        if change.changes or change.properties_added or change.properties_removed or change.properties_changed:
            out.models_changed.append(change)


# --------------------------------------------------------------------------- enums


def _enum_sites(doc: Mapping[str, Any]) -> dict[str, tuple[list[str], Optional[str]]]:
    """Every enum in the document: ``location -> (values, x-ms-enum name)``."""
    sites: dict[str, tuple[list[str], Optional[str]]] = {}

    def visit(location: str, schema: Any) -> None:
        if not isinstance(schema, Mapping):
            return
        if "enum" in schema:
            sites[location] = ([_show(v) for v in schema["enum"]], _enum_name(schema))
        if isinstance(schema.get("items"), Mapping):
            visit(f"{location}[]", schema["items"])

    for name, schema in (doc.get("definitions") or {}).items():
        visit(str(name), schema)
        for prop, prop_schema in ((schema or {}).get("properties") or {}).items():
            visit(f"{name}.{prop}", prop_schema)
    for (method, path), (_, spec) in _operations(doc).items():
        for raw in spec.get("parameters") or []:
            param = _resolve(doc, raw)
            if isinstance(param, Mapping) and param.get("in") != "body":
                visit(f"{method} {path} parameter {param.get('name')}", param)
    return sites


def _diff_enums(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], out: ApiDiff) -> None:
    old_sites, new_sites = _enum_sites(old_doc), _enum_sites(new_doc)
    for location in sorted(old_sites.keys() & new_sites.keys()):
        (old_values, _), (new_values, name) = old_sites[location], new_sites[location]
        added = [v for v in new_values if v not in old_values]
        removed = [v for v in old_values if v not in new_values]
        if added or removed:
            out.enums_changed.append(EnumChange(location, name, added, removed))


# --------------------------------------------------------------------------- document


def _names(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(sorted(str(k) for k in value)) or "none"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "none"
    return "none" if value is None else _show(value)


def _diff_document(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], out: ApiDiff) -> None:
    def host(doc: Mapping[str, Any]) -> str:
        ext = doc.get("x-ms-parameterized-host")
        if isinstance(ext, Mapping):
            return str(ext.get("hostTemplate", "?"))
        return str(doc.get("host", "none")) + str(doc.get("basePath", ""))

    for label, getter in (
        ("host", host),
        ("schemes", lambda d: _names(d.get("schemes"))),
        ("consumes", lambda d: _names(d.get("consumes"))),
        ("produces", lambda d: _names(d.get("produces"))),
        ("securityDefinitions", lambda d: _names(d.get("securityDefinitions"))),
        ("security", lambda d: _names(d.get("security"))),
    ):
        a, b = getter(old_doc), getter(new_doc)
        if a != b:
            out.document_changes.append(Change(label, a, b))


# --------------------------------------------------------------------------- API


def diff(old: dict[str, Any], new: dict[str, Any]) -> ApiDiff:
    """Everything that differs between two swagger 2.0 documents, deterministically ordered."""
    out = ApiDiff()
    _diff_operations(old, new, out)
    _diff_models(old, new, out)
    _diff_enums(old, new, out)
    _diff_document(old, new, out)
    return out


def _code(value: object) -> str:
    """Markdown inline code that survives backticks inside the value."""
    text = str(value)
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def document_label(version: str, swagger_dir: Path = SWAGGER_DIR) -> str:
    """Where ``version``'s document is, as the report names it (the version alone if it has none)."""
    catalog = _catalog_module()
    try:
        path = catalog.document_paths(swagger_dir).get(version)
    except catalog.CatalogError:
        path = None
    return path.relative_to(swagger_dir.parent).as_posix() if path is not None else version


def render(api_diff: ApiDiff, from_version: str, to_version: str) -> str:
    """The markdown report for ``api_diff`` (the diff from ``from_version`` to ``to_version``)."""
    template = _catalog_module().template_environment(code=_code).get_template(TEMPLATE)
    text: str = template.render(
        diff=api_diff,
        from_version=from_version,
        to_version=to_version,
        from_document=document_label(from_version),
        to_document=document_label(to_version),
        checklist=from_version != to_version,
    )
    return text.rstrip("\n") + "\n"


def available_versions(swagger_dir: Path = SWAGGER_DIR) -> list[str]:
    """Every version with a document in ``swagger_dir`` (``Identity/<stable|preview>/<version>/``), oldest first."""
    return list(_catalog_module().document_paths(swagger_dir))


@functools.cache
def _catalog_module() -> ModuleType:
    """generator/catalog.py, the one reader of swagger facts (imported here, so api_diff.py
    also runs as a standalone script or loaded from its path)."""
    sys.path.insert(0, str(GENERATOR_DIR))
    try:
        return importlib.import_module("catalog")
    finally:
        sys.path.remove(str(GENERATOR_DIR))


def _ordered_versions(swagger_dir: Path = SWAGGER_DIR) -> list[str]:
    """The versions oldest first, as the catalog orders them (a preview before its date's GA)."""
    return available_versions(swagger_dir)


def default_versions(from_version: Optional[str], to_version: Optional[str]) -> tuple[str, str]:
    """``TO``: the newest version; ``FROM``: the version just before ``TO``."""
    ordered = _ordered_versions()
    if not ordered:
        raise FileNotFoundError(f"no swagger documents in {SWAGGER_DIR.name}/")
    to_version = to_version or ordered[-1]
    if from_version is None:
        older = ordered[: ordered.index(to_version)] if to_version in ordered else []
        from_version = older[-1] if older else to_version
    return from_version, to_version


def load(version: str, swagger_dir: Path = SWAGGER_DIR) -> dict[str, Any]:
    """The document of ``version``, its ``$ref``s into ``Common/`` made local (as the catalog
    and the generator read it); FileNotFoundError names the versions there are."""
    catalog = _catalog_module()
    paths = catalog.document_paths(swagger_dir)
    if version not in paths:
        raise FileNotFoundError(
            f"no swagger document for API version {version!r} "
            f"(looked for {swagger_dir.name}/{catalog.IDENTITY_FOLDER}/<stable|preview>/{version}/"
            f"{catalog.DOCUMENT_NAME}). Available versions: {', '.join(paths) or 'none'}"
        )
    try:
        return catalog.load_document(paths[version], catalog.Documents(swagger_dir))  # type: ignore[no-any-return]
    except catalog.CatalogError as exc:
        raise ValueError(str(exc)) from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print, as markdown, what changed between the documents of two API versions in swagger/."
    )
    parser.add_argument(
        "from_version", metavar="FROM", nargs="?", help="the old API version (default: the one before TO)"
    )
    parser.add_argument("to_version", metavar="TO", nargs="?", help="the new API version (default: the newest)")
    args = parser.parse_args(argv)
    try:
        from_version, to_version = default_versions(args.from_version or None, args.to_version or None)
        old, new = load(from_version), load(to_version)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(diff(old, new), from_version, to_version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
