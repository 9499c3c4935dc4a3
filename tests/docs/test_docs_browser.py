"""The client's reference page, as a person sees it: opened in headless Chromium (Debian's
package, installed here on first use when we are root; the test is skipped, saying why, where
it cannot be), it renders its title, the constructor's signature and highlighted examples, with
no console error. The screenshot is kept beside the built HTML (its path is printed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import ChromiumUnavailable, Session, chromium_page, find_or_install_chromium, screenshot
from docs_helpers import DocsBuild

pytestmark = pytest.mark.slow  # a Sphinx build and a headless browser

CLIENT = "azure.communication.administration.CommunicationIdentityClient"


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        return find_or_install_chromium()
    except ChromiumUnavailable as reason:
        pytest.skip(f"headless Chromium check skipped: {reason}")


@pytest.fixture(scope="module")
def client_page(docs_build: DocsBuild, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    page = docs_build.html / "reference" / f"{CLIENT}.html"
    assert page.is_file(), docs_build.output
    with chromium_page(chromium, tmp_path_factory.mktemp("chromium-profile"), page.as_uri()) as session:
        yield session


def test_client_page_renders_without_console_errors(client_page: Session, docs_build: DocsBuild) -> None:
    shot = screenshot(client_page)
    assert shot.startswith(b"\x89PNG\r\n\x1a\n") and len(shot) > 10_000
    path = Path(docs_build.html).parent / "client-page.png"
    path.write_bytes(shot)
    print(f"screenshot: {path}")
    assert client_page.console_errors() == []


def test_client_page_title_and_heading(client_page: Session) -> None:
    assert client_page.evaluate("document.title").startswith("CommunicationIdentityClient")
    assert client_page.evaluate("document.querySelector('article h1').innerText").startswith(
        "CommunicationIdentityClient"
    )


def test_constructor_signature_is_shown(client_page: Session) -> None:
    signature = client_page.evaluate(f"document.getElementById('{CLIENT}').innerText")
    for part in ("CommunicationIdentityClient", "endpoint", "credential", "AzureKeyCredential", "api_version"):
        assert part in signature, signature
    height = client_page.evaluate(f"document.getElementById('{CLIENT}').getBoundingClientRect().height")
    assert height > 10


def test_examples_are_highlighted(client_page: Session) -> None:
    # A keyword span inside a Python block, styled by Pygments' CSS (its colour is not the text's).
    found = client_page.evaluate(
        """(() => {
            const keyword = document.querySelector('div.highlight-python pre span.k');
            if (!keyword) return null;
            const text = getComputedStyle(keyword.closest('pre')).color;
            return {keyword: keyword.innerText, color: getComputedStyle(keyword).color, text,
                    blocks: document.querySelectorAll('div.highlight-python').length};
        })()"""
    )
    assert found is not None, "no highlighted Python example on the client page"
    assert found["blocks"] >= 4
    assert found["color"] != found["text"], found


# ----- at 1280 px (the window above): nothing cut off, no word broken in two -----

#: For each element the selector finds: the text before each line break (breaks inside its text).
_LINE_BREAKS = """(selector => [...document.querySelectorAll(selector)].map(element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest('.headerlink')) continue;
        for (let i = 0; i < node.textContent.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            chars.push({c: node.textContent[i], top: rect ? Math.round(rect.top) : null});
        }
    }
    const text = chars.map(x => x.c).join('');
    const breaks = [];
    for (let i = 1; i < chars.length; i++) {
        if (chars[i].top !== null && chars[i - 1].top !== null && chars[i].top > chars[i - 1].top) breaks.push(i);
    }
    return {text, before: breaks.map(i => text.slice(0, i))};
}))"""


@contextmanager
def _open(docs_build: DocsBuild, chromium: str, profile: Path, page: str) -> Iterator[Session]:
    path = docs_build.html / page
    assert path.is_file(), docs_build.output
    with chromium_page(chromium, profile, path.as_uri()) as session:
        yield session


@pytest.mark.parametrize(
    "page",
    [
        "reference/azure.communication.administration.html",
        "reference/azure.communication.administration.aio.html",
        f"reference/{CLIENT}.html",
        "coming-from-2020.html",
    ],
)
def test_titles_and_sidebar_entries_break_only_between_words_or_after_dots(
    docs_build: DocsBuild, chromium: str, tmp_path: Path, page: str
) -> None:
    with _open(docs_build, chromium, tmp_path, page) as session:
        for selector in ("article h1", ".sidebar-tree a", ".sidebar-brand-text"):
            for element in session.evaluate(f"{_LINE_BREAKS}({selector!r})"):
                for before in element["before"]:
                    # A line may end after a space, a dot, a hyphen, or between the words of a
                    # class name (CommunicationIdentity|Client); never inside a word.
                    after = element["text"][len(before)]
                    camel_case = before[-1].islower() and after.isupper()
                    assert before[-1] in " .-" or after == " " or camel_case, (
                        f"{page}: {selector} {element['text']!r} breaks inside a word after {before!r}"
                    )


def test_the_2020_table_fits_the_page(docs_build: DocsBuild, chromium: str, tmp_path: Path) -> None:
    with _open(docs_build, chromium, tmp_path, "coming-from-2020.html") as session:
        sizes = session.evaluate(
            """(() => { const t = document.querySelector('article table');
                return {table: t.scrollWidth, shown: t.parentElement.clientWidth,
                        right: t.getBoundingClientRect().right,
                        edge: t.parentElement.getBoundingClientRect().right,
                        columns: [...t.querySelectorAll('thead th')].map(th => th.innerText)}; })()"""
        )
        assert sizes["columns"] == ["2020 name", "what replaced it", "what changed"]
        assert sizes["table"] <= sizes["shown"], f"the table is cut off: {sizes}"
        assert sizes["right"] <= sizes["edge"] + 1, sizes
