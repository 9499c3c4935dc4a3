"""Identifier kinds: raw id classification, equality, and refusals (make mutate mutates each
branch and comparison in _identifiers.py)."""

from __future__ import annotations

import pytest

from azure.communication.administration._identifiers import (
    CommunicationCloudEnvironment as Cloud,
)
from azure.communication.administration._identifiers import (
    CommunicationIdentifier,
    CommunicationUser,
    CommunicationUserIdentifier,
    MicrosoftTeamsAppIdentifier,
    MicrosoftTeamsUserIdentifier,
    PhoneNumberIdentifier,
    TeamsExtensionUserIdentifier,
    UnknownIdentifier,
    identifier_from_raw_id,
    is_guid,
    is_user_id,
    user_id_prefix,
)

GUID = "2dee53b4-368b-45b4-ab52-8493fb117652"


@pytest.mark.parametrize(
    ("raw_id", "cls", "properties"),
    [
        ("4:+14255550123", PhoneNumberIdentifier, {"value": "+14255550123"}),
        (
            "8:teamsvisitor:abc",
            MicrosoftTeamsUserIdentifier,
            {"user_id": "abc", "is_anonymous": True, "cloud": Cloud.PUBLIC},
        ),
        ("8:orgid:abc", MicrosoftTeamsUserIdentifier, {"user_id": "abc", "is_anonymous": False, "cloud": Cloud.PUBLIC}),
        ("8:dod:abc", MicrosoftTeamsUserIdentifier, {"user_id": "abc", "is_anonymous": False, "cloud": Cloud.DOD}),
        ("8:gcch:abc", MicrosoftTeamsUserIdentifier, {"user_id": "abc", "is_anonymous": False, "cloud": Cloud.GCCH}),
        ("28:orgid:app", MicrosoftTeamsAppIdentifier, {"app_id": "app", "cloud": Cloud.PUBLIC}),
        ("28:dod:app", MicrosoftTeamsAppIdentifier, {"app_id": "app", "cloud": Cloud.DOD}),
        ("28:gcch:app", MicrosoftTeamsAppIdentifier, {"app_id": "app", "cloud": Cloud.GCCH}),
        (
            "8:acs:res_ten_usr",
            TeamsExtensionUserIdentifier,
            {"user_id": "usr", "tenant_id": "ten", "resource_id": "res", "cloud": Cloud.PUBLIC},
        ),
        (
            "8:dod-acs:res_ten_usr",
            TeamsExtensionUserIdentifier,
            {"user_id": "usr", "tenant_id": "ten", "resource_id": "res", "cloud": Cloud.DOD},
        ),
        (
            "8:gcch-acs:res_ten_usr",
            TeamsExtensionUserIdentifier,
            {"user_id": "usr", "tenant_id": "ten", "resource_id": "res", "cloud": Cloud.GCCH},
        ),
        ("8:acs:res_usr", CommunicationUserIdentifier, {"id": "8:acs:res_usr"}),
        ("8:acs:res__usr", CommunicationUserIdentifier, {"id": "8:acs:res__usr"}),
        ("8:acs:a_b_c_d", CommunicationUserIdentifier, {"id": "8:acs:a_b_c_d"}),
        ("8:gcch-acs:res_usr", CommunicationUserIdentifier, {"id": "8:gcch-acs:res_usr"}),
        ("8:spool:res_usr", CommunicationUserIdentifier, {"id": "8:spool:res_usr"}),
        ("8:orgid:", UnknownIdentifier, {}),
        ("28:orgid:", UnknownIdentifier, {}),
        ("9:other", UnknownIdentifier, {}),
    ],
)
def test_identifier_from_raw_id(raw_id: str, cls: type, properties: dict[str, object]) -> None:
    identifier = identifier_from_raw_id(raw_id)
    assert type(identifier) is cls
    assert identifier.raw_id == raw_id
    assert identifier.properties == properties
    assert identifier == identifier_from_raw_id(raw_id)
    assert hash(identifier) == hash(identifier_from_raw_id(raw_id))


def test_raw_ids_made_from_parts() -> None:
    assert MicrosoftTeamsUserIdentifier("u").raw_id == "8:orgid:u"
    assert MicrosoftTeamsUserIdentifier("u", cloud=Cloud.DOD).raw_id == "8:dod:u"
    assert MicrosoftTeamsUserIdentifier("u", is_anonymous=True, cloud=Cloud.GCCH).raw_id == "8:teamsvisitor:u"
    assert MicrosoftTeamsUserIdentifier("u", raw_id="r").raw_id == "r"
    assert MicrosoftTeamsAppIdentifier("a", cloud=Cloud.GCCH).raw_id == "28:gcch:a"
    assert TeamsExtensionUserIdentifier("u", "t", "r", cloud=Cloud.DOD).raw_id == "8:dod-acs:r_t_u"
    assert PhoneNumberIdentifier("+1").raw_id == "4:+1"
    assert PhoneNumberIdentifier("+1", raw_id="4:x").raw_id == "4:x"
    assert CommunicationUserIdentifier("8:acs:a_b", raw_id="r").raw_id == "r"
    assert MicrosoftTeamsUserIdentifier("u", cloud="DOD").raw_id == "8:dod:u"  # type: ignore[arg-type]


def test_equality_needs_the_same_class_and_raw_id() -> None:
    user = CommunicationUserIdentifier("8:acs:a_b")
    assert user == CommunicationUser("8:acs:a_b")
    assert user != CommunicationUserIdentifier("8:acs:a_c")
    assert user != UnknownIdentifier("8:acs:a_b")
    assert user != "8:acs:a_b"
    assert hash(user) != hash(UnknownIdentifier("8:acs:a_b"))
    assert repr(user) == "CommunicationUserIdentifier('8:acs:a_b')"
    assert str(user) == "8:acs:a_b"
    assert (user.id, user.identifier) == ("8:acs:a_b", "8:acs:a_b")
    assert UnknownIdentifier("x").identifier == "x"
    assert PhoneNumberIdentifier("+1").value == "+1"


def test_properties_are_a_copy() -> None:
    user = CommunicationUserIdentifier("8:acs:a_b")
    user.properties["id"] = "changed"
    assert user.properties == {"id": "8:acs:a_b"}
    assert isinstance(user, CommunicationIdentifier)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: CommunicationUserIdentifier(""), "id must be a non-empty string, got ''."),
        (lambda: CommunicationUserIdentifier("  "), "id must be a non-empty string, got '  '."),
        (lambda: CommunicationUserIdentifier(None), "id must be a non-empty string, got None."),  # type: ignore[arg-type]
        (lambda: PhoneNumberIdentifier(""), "value must be a non-empty string, got ''."),
        (lambda: MicrosoftTeamsUserIdentifier(""), "user_id must be a non-empty string, got ''."),
        (lambda: MicrosoftTeamsAppIdentifier(""), "app_id must be a non-empty string, got ''."),
        (lambda: TeamsExtensionUserIdentifier("u", "", "r"), "tenant_id must be a non-empty string, got ''."),
        (lambda: TeamsExtensionUserIdentifier("u", "t", ""), "resource_id must be a non-empty string, got ''."),
        (lambda: UnknownIdentifier(""), "identifier must be a non-empty string, got ''."),
        (lambda: identifier_from_raw_id(""), "raw_id must be a non-empty string, got ''."),
    ],
)
def test_empty_parts_are_refused(factory, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as caught:
        factory()
    assert str(caught.value) == message


def test_an_unknown_cloud_is_refused() -> None:
    with pytest.raises(ValueError):
        MicrosoftTeamsUserIdentifier("u", cloud="mars")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw_id", "expected"),
    [
        (f"8:acs:{GUID}_00000023-1ab4-2f3c-f40f-343a0d003d60", True),
        (f"8:acs:{GUID}_a_b", True),
        (f"8:acs:{GUID}_a_b_c", False),
        (f"8:spool:{GUID}_9b0110-08007f1041", True),
        ("8:dod-acs:a_b", True),
        ("8:gcch-acs:a_b", True),
        ("8:acs:foo", False),
        ("8:acs:a_", False),
        ("8:acs:a b_c", False),
        ("8:orgid:a_b", False),
        ("x8:acs:a_b", False),
    ],
)
def test_is_user_id(raw_id: str, expected: bool) -> None:
    assert is_user_id(raw_id) is expected


def test_user_id_prefix_and_guid() -> None:
    assert user_id_prefix("8:dod-acs:x") == "8:dod-acs:"
    assert user_id_prefix("8:orgid:x") is None
    assert is_guid(GUID) is True
    assert is_guid(GUID.upper()) is True
    assert is_guid(GUID + "0") is False
    assert is_guid(GUID[:-1]) is False
