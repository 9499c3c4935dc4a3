"""The sync client is written from the async one by ``make generate``, and drift either way fails.

``azure/communication/administration/aio/_client.py`` is the one client source;
``generator/sync_client.py`` writes ``azure/communication/administration/_client.py`` from it.
The fast tests run the transform and ruff (no AutoRest); the slow one runs the same command as
``make check-generated`` on a scratch copy whose async client was edited alone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from gen_support import AUTOREST, GENERATED_DIR, ROOT, driver_check, load_generator_module

SOURCE = "azure/communication/administration/aio/_client.py"
TARGET = "azure/communication/administration/_client.py"


@pytest.fixture(scope="module")
def sync_client() -> ModuleType:
    return load_generator_module("sync_client")


def _unasync(sync_client: ModuleType, source: str) -> str:
    """The transform alone, without this client's phrase and statement tables."""
    result: str = sync_client.unasync(textwrap.dedent(source), phrases=(), statements=())
    return result


def _scratch(tmp_path: Path) -> Path:
    """A scratch root holding copies of the two client files at their repository paths."""
    for name in (SOURCE, TARGET):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


# ----- the committed files


def test_the_committed_sync_client_is_what_generate_writes(sync_client: ModuleType) -> None:
    (produced,) = sync_client.produce(ROOT)

    assert produced.path == TARGET and produced.source == SOURCE
    drift = "".join(sync_client.diff([produced], ROOT))
    assert drift == "", f"run `make generate`:\n{drift}"


def test_the_manifest_names_the_sync_client_by_its_path_from_the_repository_root() -> None:
    manifest = json.loads((GENERATED_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    pinned = next(
        line.split("==")[1].strip()
        for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith("ruff==")
    )

    assert manifest["produced"] == {
        TARGET: {
            "from": SOURCE,
            "by": "generator/sync_client.py",
            "formatter": f"ruff {pinned}",
            "sha256": hashlib.sha256((ROOT / TARGET).read_bytes()).hexdigest(),
        }
    }
    assert TARGET not in manifest["files"]  # files are generated/'s own, by their path in it


def test_the_sync_client_says_where_it_comes_from_and_reads_as_sync(sync_client: ModuleType) -> None:
    text = (ROOT / TARGET).read_text(encoding="utf-8")
    header = sync_client.HEADER

    assert text.startswith(header)
    assert SOURCE in header and "DO NOT EDIT" in header
    body_start = header.count("\n")
    assert [(n, line) for n, line in sync_client.async_words(text) if n > body_start] == []
    assert '"""The synchronous ``CommunicationIdentityClient``."""' in text
    assert "with CommunicationIdentityClient.from_connection_string(conn_str) as client:" in text
    assert "user = client.create_user()" in text
    assert "response = client.send_request(request)" in text
    assert "-> HttpResponse:" in text and "_is_async = False" in text


def test_the_sync_client_depends_on_the_async_client_alone(sync_client: ModuleType, tmp_path: Path) -> None:
    # Nothing of swagger/, generated/ or the rest of the package is read: a checkout holding only
    # the async client produces the same file (so an API version bump never touches it).
    only = tmp_path / SOURCE
    only.parent.mkdir(parents=True)
    shutil.copyfile(ROOT / SOURCE, only)

    (produced,) = sync_client.produce(tmp_path)

    assert produced.text == (ROOT / TARGET).read_text(encoding="utf-8")


# ----- drift either way


def test_an_edit_of_the_sync_client_alone_is_drift(sync_client: ModuleType, tmp_path: Path) -> None:
    root = _scratch(tmp_path)
    edited = root / TARGET
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace('"""Delete a user and', '"""Delete a user (edited) and', 1), encoding="utf-8")

    drift = "".join(sync_client.diff(sync_client.produce(root), root))

    assert f"--- committed/{TARGET}\n" in drift
    assert '\n-        """Delete a user (edited) and revoke all of its tokens.\n' in drift
    assert '\n+        """Delete a user and revoke all of its tokens.\n' in drift


@pytest.mark.slow
def test_check_generated_fails_when_the_async_client_is_edited_alone(tmp_path: Path) -> None:
    assert AUTOREST.exists(), f"{AUTOREST} is missing: run `make test` (or `npm ci` in generator/)"
    root = _scratch(tmp_path)
    edited = root / SOURCE
    text = edited.read_text(encoding="utf-8")
    old = '        """Delete a user and revoke all of its tokens.\n'
    assert text.count(old) == 1
    edited.write_text(
        text.replace(old, '        """Delete a user and revoke every token it holds.\n'), encoding="utf-8"
    )

    done = driver_check("--root", str(root))  # `make check-generated`, on the scratch copy's client files

    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert f"--- committed/{TARGET}\n+++ regenerated/{TARGET}\n" in out
    assert '\n-        """Delete a user and revoke all of its tokens.\n' in out
    assert '\n+        """Delete a user and revoke every token it holds.\n' in out
    # generated/ itself is unchanged but for the sync client's checksum in MANIFEST.json
    assert "--- committed/MANIFEST.json\n" in out
    assert out.count("--- committed/") == 2, out
    assert "the sync client is written from " + SOURCE in done.stderr


# ----- the transform


def test_await_and_async_go_and_names_become_their_sync_twins(sync_client: ModuleType) -> None:
    source = """\
        async def close(self) -> None:
            async with self._lock:
                await self._rest.close()
            value = [x async for x in self.items()]

        async def __aenter__(self) -> Self:
            await self._rest.__aenter__()
            return self

        @distributed_trace_async
        @guarded_async
        async def get(self, credential: AsyncTokenCredential) -> Awaitable[AsyncHttpResponse]:
            return await send(await build(credential))
    """

    assert _unasync(sync_client, source) == textwrap.dedent("""\
        def close(self) -> None:
            with self._lock:
                self._rest.close()
            value = [x for x in self.items()]

        def __enter__(self) -> Self:
            self._rest.__enter__()
            return self

        @distributed_trace
        @guarded
        def get(self, credential: TokenCredential) -> HttpResponse:
            return send(build(credential))
    """)


def test_relative_imports_move_from_aio_to_the_package(sync_client: ModuleType) -> None:
    source = """\
        from collections.abc import Awaitable
        from azure.core.credentials_async import AsyncTokenCredential
        from azure.core.tracing.decorator_async import distributed_trace_async
        from .. import _base
        from .._base import user_id
        from ._transport import EnvOnceAioHttpTransport
        from .._generated.ga.aio import IdentityRestClient
        from .._generated.preview2020.aio.operations import Operations
        from ... import communication_sibling
    """

    assert _unasync(sync_client, source) == textwrap.dedent("""\
        from collections.abc import Awaitable
        from azure.core.credentials import TokenCredential
        from azure.core.tracing.decorator import distributed_trace
        from . import _base
        from ._base import user_id
        from ._transport import EnvOnceAioHttpTransport
        from ._generated.ga import IdentityRestClient
        from ._generated.preview2020.operations import Operations
        from .. import communication_sibling
    """)


def test_docstrings_and_comments_read_as_sync(sync_client: ModuleType) -> None:
    source = '''\
        """Module docstring: replaced by the sync one."""

        def f():
            """Use :class:`AsyncTokenCredential`.

            .. code-block:: python

                from azure.communication.administration.aio import CommunicationIdentityClient

                async with CommunicationIdentityClient(endpoint, key) as client:
                    user = await client.create_user()
            """
            # __aexit__ closes it; awaited is a word of prose, not an example
    '''

    assert _unasync(sync_client, source) == textwrap.dedent('''\
        """The synchronous ``CommunicationIdentityClient``."""

        def f():
            """Use :class:`TokenCredential`.

            .. code-block:: python

                from azure.communication.administration import CommunicationIdentityClient

                with CommunicationIdentityClient(endpoint, key) as client:
                    user = client.create_user()
            """
            # __exit__ closes it; awaited is a word of prose, not an example
    ''')
    # ... and the word left over is found, so produce() refuses such a result
    left = list(sync_client.async_words(_unasync(sync_client, source)))
    assert left == [(13, "# __exit__ closes it; awaited is a word of prose, not an example")]


def test_phrases_match_across_line_breaks_and_must_all_be_found(sync_client: ModuleType) -> None:
    source = textwrap.dedent('''\
        """Doc."""

        def f():
            """Send it. As in
            azure-core, the result is awaited.
            """
    ''')
    phrases = ((" As in azure-core, the result is awaited.", ""),)

    assert '"""Send it.\n' in sync_client.unasync(source, phrases=phrases, statements=())
    with pytest.raises(sync_client.ProduceError, match=r"no longer has .*An awaitable.* update PHRASES"):
        sync_client.unasync(source, phrases=(*phrases, ("An awaitable", "The")), statements=())


def test_statements_must_be_found_once(sync_client: ModuleType) -> None:
    source = '"""Doc."""\n\n_is_async = True\n'

    assert sync_client.unasync(source, phrases=()).endswith("_is_async = False\n")
    with pytest.raises(sync_client.ProduceError, match=r"has 0 of '_is_async = True'.*update STATEMENTS"):
        sync_client.unasync('"""Doc."""\n', phrases=())


def test_a_ruff_other_than_the_pinned_one_is_refused(sync_client: ModuleType, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements-dev.txt"
    requirements.write_text("pytest==1\nruff==0.0.1  # a pin\n", encoding="utf-8")
    assert sync_client.pinned_ruff(requirements) == "0.0.1"

    requirements.write_text("pytest==1\n", encoding="utf-8")
    with pytest.raises(sync_client.ProduceError, match="pins no ruff"):
        sync_client.pinned_ruff(requirements)
