"""The client's reference page, as a person sees it: opened in headless Chromium (Debian's
package, installed here on first use when we are root; the test is skipped, saying why, where
it cannot be), it renders its title, the constructor's signature and highlighted examples, with
no console error. The screenshot is kept beside the built HTML (its path is printed)."""

from __future__ import annotations

from collections.abc import Iterator
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
