"""The API reference is complete: built from the code with warnings as errors, an entry with a
description for every public name, every parameter and return type of every public method
documented, every sample marker the pages include present in samples/."""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from docs_helpers import DOCS, ROOT, DocsBuild

import azure.communication.administration as pkg
import azure.communication.administration.aio as aio_pkg

pytestmark = pytest.mark.slow  # a Sphinx build of the API reference

PACKAGES = (pkg, aio_pkg)
OURS = "azure.communication.administration"
AZURE_CORE = "https://azuresdkdocs.z19.web.core.windows.net/python/azure-core/latest/azure.core.html#"
PYTHON = "https://docs.python.org/3/"


# ----- reading the built HTML -----


@cache
def _entries(html: Path) -> dict[str, tuple[str, Tag]]:
    """Every documented object of the build: its full name -> (page, its <dt>)."""
    found: dict[str, tuple[str, Tag]] = {}
    for page in sorted(html.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for dt in soup.select("dl.py > dt[id]"):
            found.setdefault(str(dt["id"]), (page.relative_to(html).as_posix(), dt))
    return found


def _entry(build: DocsBuild, name: str) -> Tag:
    entries = _entries(build.html)
    assert name in entries, f"the reference has no entry for {name}"
    return entries[name][1]


def _body(dt: Tag) -> Tag:
    dd = dt.find_next_sibling("dd")
    assert isinstance(dd, Tag)
    return dd


def _description(dt: Tag) -> str:
    """The entry's own prose: its body without field lists and nested member entries."""
    body = _body(dt)
    texts = [
        child.get_text(" ", strip=True)
        for child in body.find_all(recursive=False)
        if isinstance(child, Tag) and "field-list" not in (child.get("class") or []) and child.name != "dl"
    ]
    return " ".join(t for t in texts if t)


def _fields(dt: Tag) -> dict[str, Tag]:
    """The entry's own field list (Parameters, Keyword Arguments, Returns, Return type, Raises)."""
    fields: dict[str, Tag] = {}
    for field_list in _body(dt).find_all("dl", class_="field-list", recursive=False):
        for name in field_list.find_all("dt", recursive=False):
            value = name.find_next_sibling("dd")
            assert isinstance(value, Tag)
            fields[name.get_text(strip=True).rstrip(":")] = value
    return fields


def _documented_parameters(dt: Tag, *, dataclass: bool = False) -> set[str]:
    """Names in the Parameters and Keyword Arguments fields; a frozen dataclass's constructor
    parameters are its fields, documented as Variables (``:ivar:``)."""
    fields = _fields(dt)
    names: set[str] = set()
    for label in ("Parameters", "Keyword Arguments", *(("Variables",) if dataclass else ())):
        if label in fields:
            names |= {strong.get_text(strip=True) for strong in fields[label].find_all("strong")}
    return names


# ----- what the code says is public -----


def _public_names() -> Iterator[tuple[ModuleType, str, Any]]:
    for package in PACKAGES:
        for name in package.__all__:
            yield package, name, getattr(package, name)


def _public_members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public methods and properties this package defines on ``cls`` or its own bases."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith(OURS) or (issubclass(klass, enum.Enum) and klass is not cls):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            if inspect.isfunction(value) or isinstance(value, property):
                seen.add(name)
                yield name, value


def _callables() -> Iterator[tuple[str, Any, bool]]:
    """(documented name, function, is a dataclass constructor) for every public callable."""
    for package, name, obj in _public_names():
        full = f"{package.__name__}.{name}"
        if inspect.isfunction(obj):
            yield full, obj, False
        elif inspect.isclass(obj) and obj.__name__ == name:  # the class itself, not an alias
            init = obj.__init__
            if not issubclass(obj, enum.Enum) and getattr(init, "__module__", "").startswith(OURS):
                yield f"{full}.__init__", init, dataclasses.is_dataclass(obj)
            for member, value in _public_members(obj):
                if inspect.isfunction(value):
                    yield f"{full}.{member}", value, False


def _signature_parameters(function: Any) -> list[inspect.Parameter]:
    skipped = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    parameters = list(inspect.signature(function).parameters.values())
    return [p for p in parameters if p.name not in ("self", "cls") and p.kind not in skipped]


def _returns_something(function: Any) -> bool:
    annotation = inspect.signature(function).return_annotation
    return annotation not in ("None", None, inspect.Signature.empty) and function.__name__ != "__init__"


# ----- the tests -----


def test_build_has_no_warnings(docs_build: DocsBuild) -> None:
    assert docs_build.returncode == 0, f"sphinx-build -W failed:\n{docs_build.output}"
    assert "WARNING" not in docs_build.output and "ERROR" not in docs_build.output, docs_build.output
    assert (docs_build.html / "index.html").is_file()


def test_every_public_name_has_an_entry_with_a_description(docs_build: DocsBuild) -> None:
    names = list(_public_names())
    assert len(names) == len(pkg.__all__) + len(aio_pkg.__all__) >= 18
    missing = []
    for package, name, _ in names:
        full = f"{package.__name__}.{name}"
        if full not in _entries(docs_build.html):
            missing.append(f"{full}: no entry")
        elif not _description(_entry(docs_build, full)):
            missing.append(f"{full}: entry without a description")
    assert not missing, "\n".join(missing)


def test_every_public_class_has_a_page_of_its_own(docs_build: DocsBuild) -> None:
    for package, name, obj in _public_names():
        if inspect.isclass(obj) and obj.__name__ == name:
            full = f"{package.__name__}.{name}"
            page, _ = _entries(docs_build.html)[full]
            assert page == f"reference/{full}.html", f"{full} is documented on {page}"


def test_every_public_method_and_property_has_an_entry_with_a_description(docs_build: DocsBuild) -> None:
    problems = []
    count = 0
    for package, name, obj in _public_names():
        if not (inspect.isclass(obj) and obj.__name__ == name):
            continue
        for member, _ in _public_members(obj):
            count += 1
            full = f"{package.__name__}.{name}.{member}"
            if full not in _entries(docs_build.html):
                problems.append(f"{full}: no entry (no docstring?)")
            elif not _description(_entry(docs_build, full)):
                problems.append(f"{full}: entry without a description")
    assert count >= 30
    assert not problems, "\n".join(problems)


def test_every_public_callable_documents_each_parameter_and_its_return(docs_build: DocsBuild) -> None:
    problems = []
    callables = list(_callables())
    assert len(callables) >= 25
    for full, function, is_dataclass in callables:
        name = full.removesuffix(".__init__")
        if name not in _entries(docs_build.html):
            problems.append(f"{name}: no entry")
            continue
        dt = _entry(docs_build, name)
        documented = _documented_parameters(dt, dataclass=is_dataclass)
        for parameter in _signature_parameters(function):
            if parameter.name not in documented:
                problems.append(f"{full}: parameter {parameter.name!r} not documented (:param: / :keyword:)")
        fields = _fields(dt)
        if _returns_something(function):
            for label in ("Returns", "Return type"):
                if not fields.get(label) or not fields[label].get_text(strip=True):
                    problems.append(f"{full}: no {label!r} (:return: / annotation)")
    assert not problems, "\n".join(problems)


def _client_methods() -> Iterator[tuple[str, Any]]:
    for package in PACKAGES:
        for member, value in _public_members(package.CommunicationIdentityClient):
            if inspect.isfunction(value) and member != "close":
                yield f"{package.__name__}.CommunicationIdentityClient.{member}", value


def test_every_client_method_says_what_it_raises(docs_build: DocsBuild) -> None:
    problems = [full for full, _ in _client_methods() if "Raises" not in _fields(_entry(docs_build, full))]
    assert not problems, "no :raises: for " + ", ".join(problems)


def test_types_link_to_python_and_azure_core(docs_build: DocsBuild) -> None:
    page = (docs_build.html / f"reference/{OURS}.CommunicationIdentityClient.html").read_text(encoding="utf-8")
    for name in (
        "azure.core.credentials.AccessToken",
        "azure.core.credentials.TokenCredential",
        "azure.core.credentials.AzureKeyCredential",
        "azure.core.exceptions.HttpResponseError",
    ):
        assert f'href="{AZURE_CORE}{name}"' in page, name
    assert f'href="{PYTHON}library/datetime.html#datetime.timedelta"' in page
    assert f'href="{PYTHON}library/stdtypes.html#str"' in page
    aio_page = (docs_build.html / f"reference/{OURS}.aio.CommunicationIdentityClient.html").read_text(encoding="utf-8")
    assert f'href="{AZURE_CORE}azure.core.credentials_async.AsyncTokenCredential"' in aio_page


# ----- examples: the samples between their markers -----

_INCLUDE = re.compile(
    r"literalinclude:: /\.\./(?P<file>samples/\S+)\n(?:\s+:[\w-]+:.*\n)*?\s+:start-after: \[START (?P<start>\w+)\]\n"
    r"\s+:end-before: \[END (?P<end>\w+)\]"
)


def _referenced_markers() -> list[tuple[str, str, str, str]]:
    found = []
    for source in sorted(DOCS.rglob("*.rst")) + sorted(DOCS.rglob("*.md")):
        if "_build" in source.parts:
            continue
        for match in _INCLUDE.finditer(source.read_text(encoding="utf-8")):
            found.append((source.relative_to(ROOT).as_posix(), match["file"], match["start"], match["end"]))
    return found


def test_every_referenced_sample_marker_exists() -> None:
    referenced = _referenced_markers()
    assert len(referenced) >= 8
    for page, sample, start, end in referenced:
        assert start == end, f"{page}: [START {start}] closed by [END {end}]"
        text = (ROOT / sample).read_text(encoding="utf-8")
        assert f"# [START {start}]" in text, f"{page} includes {sample} [START {start}], which is not there"
        assert f"# [END {end}]" in text, f"{page} includes {sample} [END {end}], which is not there"


def test_every_sample_snippet_is_in_the_reference() -> None:
    referenced = {(sample, start) for _, sample, start, _ in _referenced_markers()}
    for sample in sorted((ROOT / "samples").glob("identity_*.py")):
        for marker in re.findall(r"# \[START (\w+)\]", sample.read_text(encoding="utf-8")):
            assert (f"samples/{sample.name}", marker) in referenced, f"samples/{sample.name} [START {marker}] unused"


def test_client_page_shows_highlighted_examples_from_the_samples(docs_build: DocsBuild) -> None:
    soup = BeautifulSoup(
        (docs_build.html / f"reference/{OURS}.CommunicationIdentityClient.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    blocks = [b.get_text() for b in soup.select("div.highlight-python pre")]
    sample = (ROOT / "samples/identity_sync.py").read_text(encoding="utf-8")
    snippet = "user, token = client.create_user_and_token(scopes=[CommunicationTokenScope.CHAT])"
    assert snippet in sample
    assert any(snippet in block for block in blocks)
    assert soup.select("div.highlight-python pre span.k")  # highlighted, not plain text
    assert "# [START" not in "".join(blocks)


# ----- the 2020 names, the overview, the guides -----


def test_2020_names_are_documented_with_what_replaced_them(docs_build: DocsBuild) -> None:
    alias = _entry(docs_build, f"{OURS}.CommunicationUser")
    assert "CommunicationUserIdentifier" in _description(alias)
    issue = _description(_entry(docs_build, f"{OURS}.CommunicationIdentityClient.issue_token"))
    assert "get_token" in issue
    token = _description(_entry(docs_build, f"{OURS}.CommunicationIdentityToken"))
    assert "AccessToken" in token
    package_page = (docs_build.html / f"reference/{OURS}.html").read_text(encoding="utf-8")
    for name in ("issue_token", "CommunicationIdentityToken", "CommunicationUser"):
        assert name in package_page
    assert (docs_build.html / "coming-from-2020.html").is_file()


def test_overview_is_the_readme(docs_build: DocsBuild) -> None:
    index = BeautifulSoup((docs_build.html / "index.html").read_text(encoding="utf-8"), "html.parser")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    title = readme.splitlines()[0].lstrip("# ")
    assert index.h1 is not None and title in index.h1.get_text()
    assert "2020-07-20-preview2" in index.get_text()
    assert index.select("div.highlight-python")


def test_guides_include_the_local_service_and_regeneration_docs(docs_build: DocsBuild) -> None:
    service = (docs_build.html / "local-service.html").read_text(encoding="utf-8")
    for text in ("--access-key", "Documented choices", "/.well-known/jwks.json", "IdentityNotFound"):
        assert text in service, text
    regeneration = (docs_build.html / "regeneration.html").read_text(encoding="utf-8")
    for text in ("make api-diff", "make generate", "ApiVersion", "Operations are matched by"):
        assert text in regeneration, text


def test_build_folder_is_ignored() -> None:
    assert "docs/_build/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_module_index_lists_only_the_public_packages(docs_build: DocsBuild) -> None:
    """generator/api_diff.py, normalise.py and spec_check.py: on the regeneration page; tools, not APIs."""
    soup = BeautifulSoup((docs_build.html / "py-modindex.html").read_text(encoding="utf-8"), "html.parser")
    listed = {code.get_text(strip=True) for code in soup.select("table.domainindex-table code.xref")}
    assert listed - {"azure"} == {OURS, f"{OURS}.aio"}, listed  # "azure": the index's group heading
    regeneration = (docs_build.html / "regeneration.html").read_text(encoding="utf-8")
    assert "make api-diff" in regeneration and "api_diff" in regeneration  # still documented there
    assert "make spec-check" in regeneration and "normalise" in regeneration


def test_2020_snippets_on_the_guide_never_lean_on_self(docs_build: DocsBuild) -> None:
    page = (docs_build.html / "coming-from-2020.html").read_text(encoding="utf-8")
    text = BeautifulSoup(page, "html.parser").get_text()
    assert "self.connection_string" not in text and "self." not in text
    assert text.count('os.getenv("AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING")') == 2
