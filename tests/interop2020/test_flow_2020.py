"""The published 2020 client, ``azure-communication-administration`` 1.0.0b4, unchanged against the local service.

It signs with the standard ``Date`` header (``SignedHeaders=date;host;x-ms-content-sha256``)
and its ``from_connection_string`` always speaks https, so the service runs with
``--tls`` and the client gets ``connection_verify=<the service's CA file>``.  Its
whole flow runs in ``.venv-2020`` (``run_2020.py flow``); the tokens it got are then
checked here through ``POST /emulator/introspect``.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
from acs_identity_emulator.testing import EmulatorProcess
from emu_helpers import RawClient, jwt_parts
from helpers2020 import Runner2020

#: Which of the flow's tokens must still be usable at the end, and why not otherwise.
pytestmark = pytest.mark.slow  # the published 2020 package, in a virtual environment of its own

EXPECTED = {
    "kept": (True, None),  # revoke_tokens(user, issued_before=2020-07-20): older than every token
    "before_cut": (False, "revoked"),  # revoke_tokens(user, issued_before=<just after it was issued>)
    "after_cut": (True, None),  # issued after that instant
    "revoked_all": (False, "revoked"),  # revoke_tokens(user): every token issued until now
    "deleted": (False, "identity_deleted"),  # delete_user(user)
}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_2020_flow_runs_unchanged(run_2020: Runner2020, tls_service: EmulatorProcess, mode: str) -> None:
    assert tls_service.endpoint.startswith("https://") and tls_service.certificate
    result = run_2020(
        "flow", {"conn_str": tls_service.connection_string, "cert": tls_service.certificate, "mode": mode}
    )

    # delete_user made the identity unknown: the 2020 client's own error for a 404.
    assert result["after_delete"] == ["ResourceNotFoundError", 404, "IdentityNotFound"]

    introspect = RawClient(tls_service).introspect
    tokens: dict[str, Any] = result["tokens"]
    assert set(tokens) == set(EXPECTED)
    for name, (active, reason) in EXPECTED.items():
        token = tokens[name]
        assert token["type"] == "CommunicationIdentityToken" and token["user_type"] == "CommunicationUser"
        assert token["id"] == token["user"] and token["user"].startswith("8:acs:") and len(token["user"]) == 79
        expires_on = datetime.fromisoformat(token["expires_on"])
        assert expires_on.utcoffset() is not None and expires_on.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert abs(expires_on.timestamp() - time.time() - 86400) < 120
        claims = jwt_parts(token["token"])[1]
        assert claims["skypeid"] == token["user"][2:] and claims["acsScope"] == "chat"
        state = introspect(token["token"])
        assert (state["active"], state["reason"]) == (active, reason), name

    assert tokens["before_cut"]["user"] == tokens["after_cut"]["user"]
    assert len({t["user"] for t in tokens.values()}) == 4
