"""The identifier constructors' signatures: the ids by position or by keyword (as the official
SDKs' identifiers accept them, so code written for those keeps working), the options by keyword
only (a positional ``True`` must not silently mean ``is_anonymous``)."""

from __future__ import annotations

from typing import Any

import pytest

from azure.communication.administration._identifiers import (
    CommunicationCloudEnvironment as Cloud,
)
from azure.communication.administration._identifiers import (
    MicrosoftTeamsAppIdentifier,
    MicrosoftTeamsUserIdentifier,
    TeamsExtensionUserIdentifier,
)


def test_ids_by_keyword() -> None:
    user = MicrosoftTeamsUserIdentifier(user_id="u", is_anonymous=False, cloud=Cloud.DOD)
    assert (user.raw_id, user.properties["user_id"]) == ("8:dod:u", "u")
    assert MicrosoftTeamsUserIdentifier(user_id="v", is_anonymous=True).raw_id == "8:teamsvisitor:v"
    app = MicrosoftTeamsAppIdentifier(app_id="a", cloud=Cloud.GCCH)
    assert (app.raw_id, app.properties["app_id"]) == ("28:gcch:a", "a")
    ext = TeamsExtensionUserIdentifier(user_id="u", tenant_id="t", resource_id="r", cloud=Cloud.PUBLIC)
    assert ext.raw_id == "8:acs:r_t_u"
    assert ext == TeamsExtensionUserIdentifier("u", "t", "r")


@pytest.mark.parametrize(
    ("cls", "args"),
    [
        (MicrosoftTeamsUserIdentifier, ("u", True)),
        (MicrosoftTeamsAppIdentifier, ("a", Cloud.DOD)),
        (TeamsExtensionUserIdentifier, ("u", "t", "r", Cloud.DOD)),
    ],
)
def test_options_are_keyword_only(cls: Any, args: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError):
        cls(*args)
