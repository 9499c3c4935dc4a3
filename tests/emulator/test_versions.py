"""Versions, routes and scopes come from the catalog that ``make generate`` writes from swagger/."""

from __future__ import annotations

import pytest
from acs_identity_emulator import _dispatch, _versions
from emu_helpers import PREVIEW, RawClient, enc, serving_in_process

from azure.communication.administration._generated import _catalog


@pytest.mark.parametrize("version", _catalog.OPERATION_VERSIONS["POST /identities"])
def test_every_catalog_version_is_served(client: RawClient, version: str) -> None:
    reply = client.request("POST", "/identities", None, api_version=version)
    assert reply.status == (200 if _catalog.VERSION_LAYER[version] == "preview2020" else 201)
    assert reply.header("api-supported-versions") == ", ".join(_catalog.OPERATION_VERSIONS["POST /identities"])


def test_a_version_without_identities_is_refused_on_their_routes(client: RawClient) -> None:
    # 2023-08-30-preview has the Roles API only: /identities is not one of its routes.
    reply = client.request("POST", "/identities", None, api_version="2023-08-30-preview")
    assert reply.status == 400
    assert reply.json()["error"]["code"] == "UnsupportedApiVersion"
    assert reply.header("api-supported-versions") == ", ".join(_catalog.OPERATION_VERSIONS["POST /identities"])


@pytest.mark.parametrize("scope", ["chat.join", "chat.join.limited", "voip.join"])
def test_preview_refuses_the_join_scopes_like_the_client(client: RawClient, scope: str) -> None:
    # The 2020 document has free-string scopes; the catalog gives it the values of the oldest
    # document that enumerates them (2021-03-07: chat, voip), for client and service alike.
    identity = client.create(api_version=PREVIEW)
    reply = client.request("POST", f"/identities/{enc(identity)}/token", {"scopes": [scope]}, api_version=PREVIEW)
    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "code": "ValidationError",
            "message": f"Scope '{scope}' is not supported by api-version '2020-07-20-preview2'.",
            "target": "Scopes",
        }
    }
    ok = client.request("POST", f"/identities/{enc(identity)}/token", {"scopes": ["voip"]}, api_version=PREVIEW)
    assert ok.status == 200


def test_scopes_and_lifetimes_of_the_released_versions() -> None:
    assert _versions.allowed_scopes("2020-07-20-preview2") == {"chat", "voip"}
    assert _versions.allowed_scopes("2022-10-01") == {"chat", "voip"}
    assert _versions.allowed_scopes("2023-10-01") == {"chat", "voip", "chat.join", "chat.join.limited", "voip.join"}
    assert _versions.lifetime_bounds("2022-06-01") is None
    assert _versions.lifetime_bounds("2022-10-01") == (60, 1440, 1440)
    assert _versions.DEFAULT_EXPIRES_IN_MINUTES == 1440


def test_a_documented_operation_without_a_handler_answers_501(monkeypatch: pytest.MonkeyPatch) -> None:
    documented = _versions.operations()
    latest = _catalog.LATEST_GA
    documented[("POST", "/identities/{id}/:frobnicate")] = (latest,)
    monkeypatch.setattr(_versions, "operations", lambda: documented)
    monkeypatch.setattr(_versions, "operation_ids", lambda method, path: ("IdentityOperations_Frobnicate",))
    with serving_in_process() as served:
        raw = RawClient(served)  # type: ignore[arg-type]
        reply = raw.request("POST", "/identities/8%3Aacs%3Ax/:frobnicate", {}, api_version=latest)
        assert reply.status == 501
        assert reply.header("api-supported-versions") == latest
        assert reply.json() == {
            "error": {
                "code": "NotImplemented",
                "message": "The local Identity service does not implement IdentityOperations_Frobnicate "
                f"(POST /identities/{{id}}/:frobnicate) of api-version '{latest}' yet. It is in "
                f"swagger/Identity/stable/{latest}/CommunicationIdentity.json; give it a handler in "
                "acs_identity_emulator/_handlers/.",
            }
        }
        older = raw.request("POST", "/identities/8%3Aacs%3Ax/:frobnicate", {}, api_version="2021-03-07")
        assert older.status == 400
        assert older.json()["error"]["code"] == "UnsupportedApiVersion"
        unsigned = raw.request("POST", "/identities/8%3Aacs%3Ax/:frobnicate", {}, api_version=latest, sign=False)
        assert unsigned.status == 401
        # The handled operations are untouched.
        assert raw.request("POST", "/identities", None, api_version=latest).status == 201


def test_the_service_reads_the_catalog_without_importing_the_client() -> None:
    import subprocess
    import sys

    # The catalog is imported plainly; the client package's __init__ imports its names on
    # first use (PEP 562), so neither the client nor azure-core comes with it.
    script = (
        "import sys\n"
        "import acs_identity_emulator._app\n"
        "assert 'azure.core' not in sys.modules, 'azure-core was imported'\n"
        "assert 'azure.communication.administration._client' not in sys.modules, 'the client was imported'\n"
        "from azure.communication.administration._generated import _catalog\n"
        "from acs_identity_emulator import _versions\n"
        "assert _versions._catalog is _catalog, 'two copies of the catalog'\n"
        "from azure.communication.administration import ApiVersion\n"
        "assert [v.value for v in ApiVersion] == list(_versions.ALL_VERSIONS)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr


def test_every_handler_serves_a_documented_operation() -> None:
    # The converse is not required: a new operation answers 501 until it gets a handler.
    assert _dispatch.registered() <= set(_versions.operations())
    # 11, the Roles API's five (2023-08-30-preview), GET /identities/{id} (the 2025 previews),
    # the six Entra ID user operations (2025-03-02-preview)
    assert len(_dispatch.registered()) == 23
