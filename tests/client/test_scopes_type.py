"""``scopes`` is a collection of scopes, never a single string: in the type and at run time.

``get_token(user, "chat")`` used to pass ``mypy --strict`` (the parameter was
``Iterable[...]``, and a string is an iterable of strings) and fail only when run. The
decision: keep one spelling, a list (as the 2020 package and the official
``azure-communication-identity`` take it), and make the type say so. A type checker flags a
bare string or a single ``CommunicationTokenScope`` (a ``str`` too); at run time both raise a
``ValueError`` before any request, saying to write a list.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from azure.communication.administration import ApiVersion, CommunicationIdentityClient, CommunicationTokenScope
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

from . import _fakes as f

#: (code, flagged by the type checker?) One call per line, for the sync and the async client.
CALLS = [
    ('"chat"', True),
    ("CommunicationTokenScope.CHAT", True),
    ('b"chat"', True),
    ('["chat"]', False),
    ('("chat", CommunicationTokenScope.VOIP)', False),
    ("[CommunicationTokenScope.CHAT, 'voip']", False),
    ('{"chat"}', False),
    ('frozenset({"chat"})', False),
    ('{"chat": 1}.keys()', False),
    ('(s for s in ["chat"])', False),
    ("iter(['chat'])", False),
    ("scope_list", False),
]

HEADER = """\
from azure.communication.administration import CommunicationIdentityClient, CommunicationTokenScope
from azure.communication.administration.aio import CommunicationIdentityClient as AsyncClient

scope_list: list[str] = ["chat"]


def sync_calls(client: CommunicationIdentityClient) -> None:
"""
ASYNC_HEADER = """

async def async_calls(client: AsyncClient) -> None:
"""


def _snippet() -> tuple[str, dict[int, tuple[str, bool]]]:
    """The module mypy checks, and what each of its call lines holds."""
    lines = HEADER.splitlines()
    expected: dict[int, tuple[str, bool]] = {}
    for prefix, header in (("", None), ("await ", ASYNC_HEADER)):
        if header is not None:
            lines.extend(header.splitlines())
        for code, flagged in CALLS:
            for method in ("get_token(scope_user, {})", "issue_token(scope_user, {})", "create_user_and_token({})"):
                lines.append(f"    {prefix}client.{method.format(code)}")
                expected[len(lines)] = (lines[-1].strip(), flagged)
    text = "\n".join(lines).replace("scope_user", '"8:acs:resource_user"') + "\n"
    return text, expected


@pytest.mark.slow
def test_mypy_strict_flags_a_single_string_and_nothing_else(tmp_path: Path) -> None:
    # mypy comes with requirements-dev.txt (make test); the other Pythons' runs (make test-pythons)
    # install the test tools only, and without it there would be nothing to check.
    pytest.importorskip("mypy", reason="mypy is in requirements-dev.txt, not in make test-pythons' tools")
    text, expected = _snippet()
    (tmp_path / "uses_scopes.py").write_text(text, encoding="utf-8")
    # Run in an empty folder, as a user's project would: the package as installed, no project config.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"),
         "uses_scopes.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    errors = {
        int(m.group(1)): m.group(2) for m in re.finditer(r"^uses_scopes\.py:(\d+): error: (.*)$", done.stdout, re.M)
    }
    unexpected = {n: e for n, e in errors.items() if n not in expected}
    assert not unexpected, (unexpected, done.stdout)
    for line, (code, flagged) in expected.items():
        if flagged:
            assert line in errors, f"mypy --strict accepts {code}"
            assert "[arg-type]" in errors[line], errors[line]
        else:
            assert line not in errors, f"mypy --strict refuses {code}: {errors.get(line)}"


# ----- run time: the same calls -----


def _client() -> tuple[CommunicationIdentityClient, f.FakeTransport]:
    transport = f.FakeTransport()
    return CommunicationIdentityClient(f.ENDPOINT, f.KEY, api_version=ApiVersion.V2026_09_23, transport=transport), (
        transport
    )


@pytest.mark.parametrize("single", ["chat", CommunicationTokenScope.CHAT, b"chat"], ids=["str", "member", "bytes"])
@pytest.mark.parametrize("method", ["get_token", "issue_token", "create_user_and_token"])
def test_a_single_scope_is_refused_before_any_request(single: object, method: str) -> None:
    client, transport = _client()
    call = getattr(client, method)
    with pytest.raises(ValueError, match=r"scopes must be a list of scopes such as \['chat'\], not a single string"):
        call(single) if method == "create_user_and_token" else call(f.USER_ID, single)
    assert transport.requests == []


def test_async_client_refuses_a_single_scope_too() -> None:
    import asyncio

    async def main() -> None:
        transport = f.FakeAsyncTransport()
        async with AsyncClient(f.ENDPOINT, f.KEY, transport=transport) as client:
            with pytest.raises(ValueError, match="not a single string"):
                await client.get_token(f.USER_ID, "chat")  # type: ignore[arg-type]
        assert transport.requests == []

    asyncio.run(main())


@pytest.mark.parametrize(
    "scopes",
    [["chat"], ("chat",), {"chat"}, frozenset({"chat"}), {"chat": 1}.keys(), iter(["chat"])],
    ids=["list", "tuple", "set", "frozenset", "dict-keys", "iterator"],
)
def test_every_collection_the_type_accepts_works(scopes: object) -> None:
    client, transport = _client()
    transport.queue(f.ga_token())
    client.get_token(f.USER_ID, scopes)  # type: ignore[arg-type]  # object, for the parametrisation
    assert transport.last.json() == {"scopes": ["chat"]}
