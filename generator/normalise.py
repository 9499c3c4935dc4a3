"""The generator's input: an upstream document, normalised the same way whatever its form.

swagger/ holds upstream's documents as upstream writes them (see ``swagger/README.md``);
what this project needs differently lives here and in the directives of
``generator/README.md``, never in the documents. ``driver.py`` reads each layer's document
with ``catalog.load_document`` (its ``$ref``s into ``Common/`` made local), applies
``normalise()`` and hands the result to AutoRest, written into a temporary copy of the
swagger/ layout (``write_inputs()``). The rules, each applied to any upstream-shaped
document (the 2020 preview, the hand-written 2021-2023 form and the TypeSpec-emitted form):

1. **No x-ms-examples.** They are documentation; their targets (upstream's
   ``./examples/*.json``) need not be in swagger/, and AutoRest must not go looking for them.
2. **One client-level api-version that defaults to the document's version.** Upstream writes
   the ``api-version`` query parameter three ways: inline in every operation (2020 preview,
   2026-07-22), as ``#/parameters/ApiVersionParameter`` (2021-2023) and as
   ``#/parameters/Azure.Core.Foundations.ApiVersionParameter`` at method level with
   ``minLength: 1`` (2025 on). Every one of them becomes a reference to a single
   ``#/parameters/ApiVersionParameter`` with ``x-ms-parameter-location: client`` and
   ``default: <info.version>``, in the same place in each operation's parameter list. The
   generated client then takes an ``api_version`` keyword that defaults to that version and
   that the handwritten layer sets to the version the user chose; operations take none.
3. **Client-level endpoint.** Every ``x-ms-parameterized-host`` parameter gets
   ``x-ms-parameter-location: client`` (the TypeSpec form leaves it out, and AutoRest would
   then move ``endpoint`` off the client's constructor), so the generated client is built as
   ``RestClient(endpoint, api_version=...)``. A document that declares no
   ``x-ms-parameterized-host`` at all (upstream's 2023-08-30-preview, a TypeSpec document
   emitted without a server) gets the TypeSpec form's: host template ``{endpoint}``, one
   client-level ``endpoint`` path parameter (``format: uri``, ``x-ms-skip-url-encoding``), so
   its client is built the same way as every other layer's (AutoRest would otherwise give it a
   ``base_url`` keyword with no default, and the handwritten layer could not build it).

Everything else (paths, parameters, schemas, status codes, formats, ``x-ms-*``) reaches
AutoRest as upstream wrote it. Operation and model names the handwritten layer relies on are
set by the directives in ``generator/README.md``.

``python generator/normalise.py swagger/Identity/stable/2026-09-23/CommunicationIdentity.json``
prints what AutoRest gets for one document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # generator/ is a folder of scripts
import catalog

API_VERSION = "api-version"
#: The one global parameter every operation's api-version refers to after :func:`normalise`.
API_VERSION_PARAMETER = "ApiVersionParameter"
API_VERSION_REF = f"#/parameters/{API_VERSION_PARAMETER}"
CLIENT = "client"
EXAMPLES = "x-ms-examples"
HTTP_METHODS = catalog.HTTP_METHODS
#: Rule 3's endpoint for a document that declares none: the TypeSpec form's, at client level.
DEFAULT_ENDPOINT: dict[str, Any] = {
    "name": "endpoint",
    "in": "path",
    "description": "The Communication Services resource endpoint (its base URL).",
    "required": True,
    "type": "string",
    "format": "uri",
    "x-ms-skip-url-encoding": True,
    "x-ms-parameter-location": CLIENT,
}


class NormaliseError(catalog.CatalogError):
    """A document cannot be normalised; the message says why."""


def _drop_examples(node: Any) -> None:
    if isinstance(node, dict):
        node.pop(EXAMPLES, None)
        for value in node.values():
            _drop_examples(value)
    elif isinstance(node, list):
        for value in node:
            _drop_examples(value)


def _parameter_lists(doc: Mapping[str, Any]) -> Iterator[list[Any]]:
    """Every parameter list of the document: path-item level and operation level."""
    for item in (doc.get("paths") or {}).values():
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("parameters"), list):
            yield item["parameters"]
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping) and isinstance(operation.get("parameters"), list):
                yield operation["parameters"]


def _is_api_version(parameter: Any) -> bool:
    return isinstance(parameter, Mapping) and parameter.get("in") == "query" and parameter.get("name") == API_VERSION


def _client_api_version(doc: dict[str, Any], version: str) -> None:
    """Rule 2: one ``#/parameters/ApiVersionParameter``, client level, defaulting to ``version``."""
    globals_ = doc.setdefault("parameters", {})
    if not isinstance(globals_, dict):
        raise NormaliseError("'parameters' is not an object")
    existing = globals_.get(API_VERSION_PARAMETER)
    if existing is not None and not _is_api_version(existing):
        raise NormaliseError(
            f"#/parameters/{API_VERSION_PARAMETER} is not the api-version query parameter; "
            "the generator needs that name for it"
        )
    template: Any = existing
    found = False
    for parameters in _parameter_lists(doc):
        for index, entry in enumerate(parameters):
            resolved = catalog.resolve_ref(doc, entry)
            if _is_api_version(resolved):
                template = template if template is not None else resolved
                parameters[index] = {"$ref": API_VERSION_REF}
                found = True
    for key, parameter in list(globals_.items()):
        if _is_api_version(parameter) and key != API_VERSION_PARAMETER:
            template = template if template is not None else parameter
            del globals_[key]  # nothing refers to it any more
    if template is None or not found:
        return  # no operation sends an api-version: nothing to put on the client
    parameter = dict(template)
    parameter["default"] = version
    parameter["x-ms-parameter-location"] = CLIENT
    globals_[API_VERSION_PARAMETER] = parameter


def _client_endpoint(doc: dict[str, Any]) -> None:
    """Rule 3: every ``x-ms-parameterized-host`` parameter at client level."""
    host = doc.get("x-ms-parameterized-host")
    if host is None:
        doc["x-ms-parameterized-host"] = {
            "hostTemplate": "{endpoint}",
            "useSchemePrefix": False,
            "parameters": [dict(DEFAULT_ENDPOINT)],
        }
        return
    if not isinstance(host, Mapping):
        return
    for entry in host.get("parameters") or []:
        parameter = catalog.resolve_ref(doc, entry)
        if isinstance(parameter, dict):
            parameter["x-ms-parameter-location"] = CLIENT


def normalise(doc: Mapping[str, Any], version: str) -> dict[str, Any]:
    """A normalised copy of ``doc`` (already through :func:`catalog.load_document`) for ``version``."""
    out: dict[str, Any] = json.loads(json.dumps(doc))
    _drop_examples(out)
    _client_api_version(out, version)
    _client_endpoint(out)
    return out


def write_inputs(sources: Mapping[str, Path], swagger_dir: Path, staging: Path) -> dict[str, Path]:
    """Normalise each layer's document into ``staging``, at its path relative to ``swagger_dir``.

    Returns ``layer -> the normalised file``. ``staging`` then stands in for swagger/ (the
    driver passes it to AutoRest as ``--swagger-folder``); the documents there are
    self-contained, so nothing else is copied.
    """
    documents = catalog.Documents(swagger_dir)
    written: dict[str, Path] = {}
    for layer, source in sources.items():
        target = staging / source.resolve().relative_to(swagger_dir.resolve())
        doc = normalise(catalog.load_document(source, documents), catalog.version_of(source))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        written[layer] = target
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python generator/normalise.py <swagger document>", file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        doc = normalise(catalog.load_document(path), catalog.version_of(path))
    except catalog.CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
