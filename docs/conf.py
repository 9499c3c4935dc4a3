"""Sphinx configuration of the API reference (``make docs``; tested by tests/docs/test_docs_build.py).

Every page is built from the code: autodoc reads the docstrings of the public names in
``__all__``, examples are the files in ``samples/`` between their ``[START name]`` /
``[END name]`` markers, and the Markdown pages include README.md and emulator/README.md rather
than copying them. Warnings are errors (``-W --keep-going`` in the Makefile and the tests) and
``nitpicky`` makes every unresolved cross-reference a warning, so a renamed type, a lost marker
or an unlinkable name fails the build.
"""

from __future__ import annotations

import importlib
import re
import sys
import typing
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.typing import stringify_annotation

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "generator"))  # api_diff, documented on the regeneration page

import inventories  # noqa: E402  (beside this file)

from azure.communication.administration import VERSION  # noqa: E402

project = "azure-communication-administration"
author = "azure-communication-administration contributors"
copyright = "the azure-communication-administration contributors"
release = version = VERSION

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]
templates_path: list[str] = []

nitpicky = True
default_role = "py:obj"

# -- autodoc: signatures with types, and each documented parameter's type taken from its
# annotation (one source of truth), members in source order.
autodoc_member_order = "bysource"
autodoc_typehints = "both"
autodoc_typehints_description_target = "documented"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
autodoc_inherit_docstrings = False
python_use_unqualified_type_names = True
autosummary_generate = False

# -- intersphinx without the network: see inventories.py for how these files are made and why
# they are true to the real sites, whose URLs the links use.
intersphinx_mapping = {
    name: (url, local) for name, (url, local) in inventories.ensure(HERE / "_build" / "inventories").items()
}

# -- HTML
html_theme = "furo"
html_title = f"azure-communication-administration {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False
pygments_style = "sphinx"
pygments_dark_style = "monokai"

myst_heading_anchors = 3

_PUBLIC_PACKAGES = ("azure.communication.administration.aio", "azure.communication.administration")
#: Private helper types that appear in public annotations, linked to the public entry that
#: explains them (``ScopeCollection``: what ``scopes=`` takes, on the scope enum's page).
_OURS = "azure.communication.administration"
_EXPLAINED_BY = {
    f"{_OURS}._scopes.ScopeCollection": f"{_OURS}.CommunicationTokenScope",
}


def _public_target(target: str) -> str | None:
    """``azure.communication.administration._models.X`` -> ``azure.communication.administration.X``.

    Classes live in private modules and are exported by the packages' ``__init__``; type hints
    name the private module, the reference documents the public name. Only names that the
    package's ``__all__`` exports are mapped, so nothing private becomes linkable.
    """
    if target in _EXPLAINED_BY:
        return _EXPLAINED_BY[target]
    if target.startswith("typing_extensions."):
        name = target.split(".", 1)[1]
        return f"typing.{name}" if hasattr(importlib.import_module("typing"), name) else None
    if target.startswith("azure.core.") and "._" in target:
        # azure.core.rest._rest_py3.HttpRequest is documented as azure.core.rest.HttpRequest.
        public = ".".join(part for part in target.split(".") if not part.startswith("_"))
        package, _, name = public.rpartition(".")
        return public if getattr(importlib.import_module(package), name, None) is not None else None
    if not target.startswith("azure.communication.administration.") or "._" not in target:
        return None
    public = ".".join(part for part in target.split(".") if not part.startswith("_"))
    package, _, name = public.rpartition(".")
    if package in _PUBLIC_PACKAGES and name in importlib.import_module(package).__all__:
        return public
    return None


def _resolve_private_module(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    if node.get("refdomain") != "py":
        return None
    target = _public_target(node.get("reftarget", ""))
    if target is None:
        return None
    node["reftarget"] = target
    domain = env.get_domain("py")
    found = domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], target, node, contnode)
    if found is None:
        # Not ours (typing.Self): let intersphinx try the public name.
        from sphinx.ext.intersphinx import missing_reference

        found = missing_reference(app, env, node, contnode)
    return found


def _record_constructor_hints(
    app: Sphinx, objtype: str, name: str, obj: Any, options: Any, args: str, retann: str
) -> None:
    """Types of a class's constructor parameters, evaluated.

    autodoc records a class's hints from ``inspect.signature(cls)``, which leaves the string
    annotations of ``from __future__ import annotations`` unevaluated (``Union[str,
    AzureKeyCredential, ...]`` as text, linking nowhere); ``typing.get_type_hints`` on
    ``__init__`` evaluates them in the module's namespace. Runs after autodoc's recorder.
    """
    if objtype != "class" or not callable(getattr(obj, "__init__", None)):
        return
    try:
        hints = typing.get_type_hints(obj.__init__)
    except (NameError, TypeError):
        return
    annotation = app.env.temp_data.setdefault("annotations", {}).setdefault(name, {})
    for parameter, hint in hints.items():
        if parameter != "return":
            annotation[parameter] = stringify_annotation(hint, "smart")


def _keyword_types(app: Sphinx, domain: str, objtype: str, contentnode: nodes.Element) -> None:
    """Give each documented ``:keyword name:`` its type from the annotation, as autodoc does
    for ``:param name:`` (autodoc's merge leaves keyword fields untyped); an explicit
    ``:paramtype name:`` wins."""
    if domain != "py":
        return
    try:
        signature = contentnode.parent[0]
        fullname = f"{signature['module']}.{signature['fullname']}" if signature["module"] else signature["fullname"]
    except (IndexError, KeyError):
        return
    annotations = app.env.temp_data.get("annotations", {}).get(fullname, {})
    for field_list in [n for n in contentnode if isinstance(n, nodes.field_list)]:
        names = [field[0].astext().split() for field in field_list]
        keywords = [parts[-1] for parts in names if len(parts) == 2 and parts[0] in ("keyword", "kwarg", "kwparam")]
        typed = {parts[-1] for parts in names if len(parts) >= 2 and parts[0] in ("paramtype", "kwtype")}
        for name in keywords:
            if name in annotations and name not in typed and name != "kwargs":
                field = nodes.field()
                field += nodes.field_name("", f"paramtype {name}")
                field += nodes.field_body("", nodes.paragraph("", annotations[name]))
                field_list += field


#: A page title that is a dotted name (``azure.communication.administration``), and sidebar
#: links to such names or to long class names: too long for their column at 1280 px, so the
#: browser would cut them inside a word (furo lets long words break anywhere). A ``<wbr>``
#: after each dot (and, in the sidebar, between the words of a class name) lets them break
#: there instead; copied text and the page's ``<title>`` are unchanged.
_DOTTED_H1 = re.compile(r"(<h1>)([A-Za-z_]\w*(?:\.\w+)+)(<a class=\"headerlink\")")
_SIDEBAR_LINK = re.compile(r"(<a class=\"[^\"]*reference internal[^\"]*\" href=\"[^\"]*\">)([A-Za-z_][\w.]*)(</a>)")
_CAMEL_WORD = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _with_break_opportunities(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).replace(".", ".<wbr>") + match.group(3)


def _sidebar_breaks(match: re.Match[str]) -> str:
    """In the narrow sidebar also between the words of a class name (``Communication<wbr>Identity<wbr>Client``)."""
    name = _CAMEL_WORD.sub("<wbr>", match.group(2)).replace(".", ".<wbr>")
    return match.group(1) + name + match.group(3)


def _break_dotted_names_after_dots(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if isinstance(context.get("body"), str):
        context["body"] = _DOTTED_H1.sub(_with_break_opportunities, context["body"])
    if isinstance(context.get("furo_navigation_tree"), str):  # furo's sidebar, made by its own handler
        context["furo_navigation_tree"] = _SIDEBAR_LINK.sub(_sidebar_breaks, context["furo_navigation_tree"])


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("missing-reference", _resolve_private_module, priority=400)
    app.connect("autodoc-process-signature", _record_constructor_hints, priority=600)
    app.connect("object-description-transform", _keyword_types, priority=600)
    app.connect("html-page-context", _break_dotted_names_after_dots, priority=900)  # after furo's (500)
    return {"parallel_read_safe": True}
