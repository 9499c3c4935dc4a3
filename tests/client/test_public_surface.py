"""The public surface: ``__all__``, the 2020 names, no generated model in any signature."""

from __future__ import annotations

import inspect
import typing

import pytest

import azure.communication.administration as pkg
import azure.communication.administration.aio as aio_pkg
from azure.communication.administration import (
    CommunicationCloudEnvironment,
    CommunicationIdentifierKind,
    CommunicationUser,
    CommunicationUserIdentifier,
    MicrosoftTeamsAppIdentifier,
    MicrosoftTeamsUserIdentifier,
    PhoneNumberIdentifier,
    TeamsExtensionUserIdentifier,
    UnknownIdentifier,
    identifier_from_raw_id,
)


def test_all_is_locked():
    assert pkg.__all__ == [
        "ApiVersion",
        "CommunicationCloudEnvironment",
        "CommunicationIdentifier",
        "CommunicationIdentifierKind",
        "CommunicationIdentityClient",
        "CommunicationIdentityToken",
        "CommunicationRole",
        "CommunicationTokenScope",
        "CommunicationUser",
        "CommunicationUserDetail",
        "CommunicationUserIdentifier",
        "ConnectionString",
        "EntraAssignment",
        "EntraPrincipalType",
        "MicrosoftTeamsAppIdentifier",
        "MicrosoftTeamsUserIdentifier",
        "PhoneNumberIdentifier",
        "TeamsExtensionAssignment",
        "TeamsExtensionPrincipalType",
        "TeamsExtensionUserIdentifier",
        "UnknownIdentifier",
        "identifier_from_raw_id",
        "parse_connection_string",
    ]
    for name in pkg.__all__:
        assert getattr(pkg, name).__module__.startswith("azure.communication.administration")


def test_aio_all_is_locked():
    assert aio_pkg.__all__ == ["CommunicationIdentityClient"]
    assert aio_pkg.CommunicationIdentityClient is not pkg.CommunicationIdentityClient
    assert inspect.iscoroutinefunction(aio_pkg.CommunicationIdentityClient.create_user)


def test_api_versions_listed():
    from azure.communication.administration._generated import _catalog

    # One member per swagger document, oldest first; the released ones never go away (a version
    # added later may sort between them, as 2023-08-01 does).
    values = [v.value for v in pkg.ApiVersion]
    assert values == list(_catalog.VERSIONS)
    released = [
        "2020-07-20-preview2",
        "2021-03-07",
        "2022-06-01",
        "2022-10-01",
        "2023-08-01",
        "2023-10-01",
        "2025-03-02-preview",
        "2025-04-01-preview",
        "2025-06-30",
        "2026-09-23",
    ]
    assert [v for v in values if v in released] == released
    assert pkg.ApiVersion.V2023_08_01.value == "2023-08-01"


def test_communication_user_is_one_class_with_both_names():
    assert CommunicationUser is CommunicationUserIdentifier
    user = CommunicationUser("8:acs:res_user")
    assert user.identifier == user.raw_id == user.properties["id"] == "8:acs:res_user"
    assert user.kind is CommunicationIdentifierKind.COMMUNICATION_USER
    assert user == CommunicationUserIdentifier(id="8:acs:res_user")
    assert user != CommunicationUser("8:acs:res_other")
    assert {user, CommunicationUser("8:acs:res_user")} == {user}
    assert repr(user) == "CommunicationUserIdentifier('8:acs:res_user')"
    with pytest.raises(ValueError):
        CommunicationUser("")


def test_properties_is_a_copy():
    user = CommunicationUser("8:acs:a_b")
    user.properties["id"] = "changed"
    assert user.raw_id == user.identifier == "8:acs:a_b"


PUBLIC_CLIENTS = [pkg.CommunicationIdentityClient, aio_pkg.CommunicationIdentityClient]


def _public_methods(cls):
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name not in ("__init__", "__enter__", "__aenter__"):
            continue
        if callable(member):
            yield name, member


def _mentions_generated(annotation) -> list[str]:
    found = []
    module = getattr(annotation, "__module__", "") or ""
    if "_generated" in module:
        found.append(repr(annotation))
    for arg in typing.get_args(annotation):
        found += _mentions_generated(arg)
    return found


@pytest.mark.parametrize("cls", PUBLIC_CLIENTS, ids=["sync", "aio"])
def test_no_generated_model_in_public_signatures(cls):
    checked = 0
    for name, method in _public_methods(cls):
        hints = typing.get_type_hints(method)
        for hint in hints.values():
            assert _mentions_generated(hint) == [], (name, hint)
        sig = inspect.signature(method)
        assert "_generated" not in str(sig), (name, sig)
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("cls", PUBLIC_CLIENTS, ids=["sync", "aio"])
def test_public_methods_are_the_documented_ones(cls):
    names = {n for n, _ in _public_methods(cls) if not n.startswith("_")}
    assert names == {
        "close",
        "create_user",
        "create_user_and_token",
        "delete_entra_assignment",
        "delete_teams_extension_assignment",
        "delete_user",
        "from_connection_string",
        "get_entra_assignment",
        "get_teams_extension_assignment",
        "get_token",
        "get_token_for_entra_user",
        "get_token_for_teams_phone_user",
        "get_token_for_teams_user",
        "get_user",
        "issue_token",
        "list_entra_assignments",
        "revoke_tokens",
        "send_request",
        "update_entra_assignments",
        "upsert_entra_assignment",
        "upsert_teams_extension_assignment",
        # the Roles API (2023-08-30-preview)
        "create_role",
        "delete_role",
        "get_role",
        "list_roles",
        "update_role",
    }


@pytest.mark.parametrize("layer", ["ga", "preview2025_03_02"])
def test_result_types_are_not_generated(layer):
    import importlib

    g = importlib.import_module(f"azure.communication.administration._generated.{layer}.models")
    public = set(pkg.__all__)
    for name in dir(g):
        if isinstance(getattr(g, name), type):
            exported = getattr(pkg, name, None)
            assert exported is None or "_generated" not in exported.__module__, name
    assert "CommunicationIdentityToken" in public


@pytest.mark.parametrize(
    ("raw_id", "cls", "properties"),
    [
        ("8:acs:resource_user", CommunicationUserIdentifier, {"id": "8:acs:resource_user"}),
        (
            "8:acs:r_t_u",
            TeamsExtensionUserIdentifier,
            {"user_id": "u", "tenant_id": "t", "resource_id": "r", "cloud": CommunicationCloudEnvironment.PUBLIC},
        ),
        (
            "8:gcch-acs:r_t_u",
            TeamsExtensionUserIdentifier,
            {"user_id": "u", "tenant_id": "t", "resource_id": "r", "cloud": CommunicationCloudEnvironment.GCCH},
        ),
        ("8:dod-acs:res_user", CommunicationUserIdentifier, {"id": "8:dod-acs:res_user"}),
        ("8:spool:res_user", CommunicationUserIdentifier, {"id": "8:spool:res_user"}),
        ("4:+14255550123", PhoneNumberIdentifier, {"value": "+14255550123"}),
        (
            "8:orgid:45ab2481-1c1c-4005-be24-0ffb879b1130",
            MicrosoftTeamsUserIdentifier,
            {
                "user_id": "45ab2481-1c1c-4005-be24-0ffb879b1130",
                "is_anonymous": False,
                "cloud": CommunicationCloudEnvironment.PUBLIC,
            },
        ),
        (
            "8:teamsvisitor:visitor-1",
            MicrosoftTeamsUserIdentifier,
            {"user_id": "visitor-1", "is_anonymous": True, "cloud": CommunicationCloudEnvironment.PUBLIC},
        ),
        (
            "8:dod:abc",
            MicrosoftTeamsUserIdentifier,
            {"user_id": "abc", "is_anonymous": False, "cloud": CommunicationCloudEnvironment.DOD},
        ),
        (
            "8:gcch:abc",
            MicrosoftTeamsUserIdentifier,
            {"user_id": "abc", "is_anonymous": False, "cloud": CommunicationCloudEnvironment.GCCH},
        ),
        (
            "28:orgid:app-1",
            MicrosoftTeamsAppIdentifier,
            {"app_id": "app-1", "cloud": CommunicationCloudEnvironment.PUBLIC},
        ),
        (
            "28:gcch:app-1",
            MicrosoftTeamsAppIdentifier,
            {"app_id": "app-1", "cloud": CommunicationCloudEnvironment.GCCH},
        ),
        ("48:something", UnknownIdentifier, {}),
        ("8:orgid:", UnknownIdentifier, {}),
        ("hello", UnknownIdentifier, {}),
    ],
)
def test_identifier_from_raw_id(raw_id, cls, properties):
    ident = identifier_from_raw_id(raw_id)
    assert type(ident) is cls
    assert ident.raw_id == raw_id
    assert ident.properties == properties
    assert identifier_from_raw_id(ident.raw_id) == ident


def test_identifier_kinds():
    assert identifier_from_raw_id("8:acs:r_t_u").kind.value == "teams_extension_user"
    assert identifier_from_raw_id("4:+1").kind.value == "phone_number"
    assert identifier_from_raw_id("28:orgid:a").kind.value == "microsoft_teams_app"
    assert identifier_from_raw_id("8:orgid:a").kind.value == "microsoft_teams_user"
    assert identifier_from_raw_id("x").kind.value == "unknown"


def test_identifiers_build_their_raw_ids():
    assert PhoneNumberIdentifier("+14255550123").raw_id == "4:+14255550123"
    assert MicrosoftTeamsUserIdentifier("u", is_anonymous=True).raw_id == "8:teamsvisitor:u"
    assert MicrosoftTeamsUserIdentifier("u", cloud="DOD").raw_id == "8:dod:u"
    assert MicrosoftTeamsAppIdentifier("a", cloud="GCCH").raw_id == "28:gcch:a"
    assert TeamsExtensionUserIdentifier("u", "t", "r").raw_id == "8:acs:r_t_u"
    assert TeamsExtensionUserIdentifier("u", "t", "r", cloud="DOD").raw_id == "8:dod-acs:r_t_u"


@pytest.mark.parametrize("bad", ["", "  ", None])
def test_identifier_from_raw_id_rejects_empty(bad):
    with pytest.raises(ValueError, match="raw_id"):
        identifier_from_raw_id(bad)


@pytest.mark.parametrize("cls", PUBLIC_CLIENTS, ids=["sync", "aio"])
def test_clients_and_methods_are_documented(cls):
    assert cls.__doc__.startswith("Creates and deletes Communication Services users")
    for name, method in _public_methods(cls):
        if not name.startswith("_"):
            assert method.__doc__, name
