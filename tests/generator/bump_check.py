"""Run by ``test_version_bump.py`` in a subprocess, against a *copy* of the repository.

``python bump_check.py COPY NEW OLD SCOPE NEW_PATH`` imports the client and the local service
from ``COPY`` (not from the installed package: a finder placed first on ``sys.meta_path`` maps
the three import packages to the copy's folders, as ``setup.py`` does), starts the local
service in-process on a free loopback port and checks, end to end, that the new version works
(every operation group the handwritten layer calls, and ``NEW_PATH``, an operation the new
document adds, through ``send_request``; ``-`` when it adds none) and that the old one refuses
the new scope locally. Prints ``bump ok`` when every check passed.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.machinery
import importlib.util
import json
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

COPY = Path(sys.argv[1]).resolve()
NEW, OLD, SCOPE, NEW_PATH = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]

PACKAGES = {  # longest first, so _generated wins over its parent
    "azure.communication.administration._generated": COPY / "generated",
    "azure.communication.administration": COPY / "azure" / "communication" / "administration",
    "acs_identity_emulator": COPY / "emulator" / "acs_identity_emulator",
}


class CopyFinder:
    """Find our three packages and their modules in the copy, whatever else is installed."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        for package, folder in PACKAGES.items():
            if name == package or name.startswith(package + "."):
                parts = name[len(package) + 1 :].split(".") if name != package else []
                where = folder.joinpath(*parts)
                if (where / "__init__.py").is_file():
                    return importlib.util.spec_from_file_location(
                        name, where / "__init__.py", submodule_search_locations=[str(where)]
                    )
                if where.with_suffix(".py").is_file():
                    return importlib.util.spec_from_file_location(name, where.with_suffix(".py"))
                return None
        return None


sys.meta_path.insert(0, CopyFinder)  # type: ignore[arg-type]

from acs_identity_emulator import _app  # noqa: E402
from aiohttp import web  # noqa: E402
from azure.core.rest import HttpRequest  # noqa: E402

from azure.communication.administration import (  # noqa: E402
    ApiVersion,
    CommunicationIdentityClient,
    CommunicationTokenScope,
)

KEY = base64.b64encode(b"bump-test-key").decode()
APP, TENANT, USER = (str(uuid.uuid4()) for _ in range(3))


def entra_token(client: CommunicationIdentityClient) -> str:
    """An Entra ID token of USER for APP from the local service's own issuer (the only kind it accepts)."""
    body = {"tenantId": TENANT, "objectId": USER, "appId": APP}
    response = client.send_request(HttpRequest("POST", "/emulator/entra/token", json=body))
    response.raise_for_status()
    return str(response.json()["token"])


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def main() -> None:
    assert Path(sys.modules["azure.communication.administration"].__file__ or "").is_relative_to(COPY)
    assert Path(sys.modules["acs_identity_emulator"].__file__ or "").is_relative_to(COPY)
    member = "V" + NEW.replace("-", "_").upper()
    assert getattr(ApiVersion, member).value == NEW, list(ApiVersion)
    assert CommunicationTokenScope(SCOPE.upper()).value == SCOPE

    loop = asyncio.new_event_loop()
    runner = web.AppRunner(_app.create_app(":memory:", KEY))
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}"
    threading.Thread(target=loop.run_forever, daemon=True).start()

    # The new version is the default, and both sides speak its new scope.
    with CommunicationIdentityClient(endpoint, KEY) as client:
        assert client.api_version.value == NEW
        user, token = client.create_user_and_token([SCOPE, "chat"])
        assert claims(token.token)["acsScope"] == f"{SCOPE},chat"
        again = client.get_token(user, [SCOPE.upper()])
        assert claims(again.token)["acsScope"] == SCOPE
        # The operation the new document adds: callable today through send_request; the local
        # service has no behaviour for it yet and says so in its error shape.
        if NEW_PATH != "-":
            raw_id = user.raw_id.replace(":", "%3A")
            response = client.send_request(HttpRequest("GET", NEW_PATH.format(id=raw_id), params={"api-version": NEW}))
            assert response.status_code == 501, response.text()
            assert response.headers["api-supported-versions"].endswith(NEW)
            error = response.json()["error"]
            document = f"swagger/Identity/stable/{NEW}/CommunicationIdentity.json"
            assert error["code"] == "NotImplemented" and document in error["message"], error
        client.revoke_tokens(user)
        client.delete_user(user)

        # Every operation group the handwritten layer calls is there, whatever the form of the
        # document the ga layer was generated from (their names are fixed by method and path).
        teams = client.get_token_for_teams_user(entra_token(client), APP, USER)
        assert claims(teams.token)["skypeid"] == f"orgid:{USER}"
        assignment = client.upsert_teams_extension_assignment(TENANT, USER, principal_type="user", client_ids=[APP])
        assert (assignment.tenant_id, assignment.object_id) == (TENANT, USER)
        assert client.get_teams_extension_assignment(TENANT, USER).client_ids == (APP,)
        phone_user, phone_token = client.get_token_for_teams_phone_user(entra_token(client))
        assert phone_token.token and TENANT in phone_user.raw_id
        client.delete_teams_extension_assignment(TENANT, USER)

    # The old version refuses the new scope locally, before any request (nothing listens on port 9).
    old = CommunicationIdentityClient("http://127.0.0.1:9", KEY, api_version=OLD)
    try:
        old.get_token("8:acs:x_y", [SCOPE])
    except ValueError as exc:
        assert f"needs api_version {NEW} or later" in str(exc), exc
    else:
        raise AssertionError("the old version accepted the new scope")

    # ... and so does the local service, for a client that sends it anyway.
    with CommunicationIdentityClient(endpoint, KEY, api_version=OLD) as client:
        user = client.create_user()
        refused = client.send_request(
            HttpRequest(
                "POST",
                f"/identities/{user.raw_id.replace(':', '%3A')}/:issueAccessToken",
                params={"api-version": OLD},
                json={"scopes": [SCOPE]},
            )
        )
        assert refused.status_code == 400
        assert refused.json()["error"]["message"] == f"Scope '{SCOPE}' is not supported by api-version '{OLD}'."

    loop.call_soon_threadsafe(loop.stop)
    print("bump ok")


main()
