"""What the client says when the chosen api_version lacks a feature, read from the catalog.

A preview may carry an operation or property that later GA versions lack, so "X or later"
is only said when every version from X on has the feature; otherwise every version is named.
"""

from __future__ import annotations

import pytest

from azure.communication.administration import ApiVersion
from azure.communication.administration import _api_versions as versions
from azure.communication.administration._generated import _catalog


def test_an_operation_every_later_version_has_is_named_by_its_first_version(monkeypatch: pytest.MonkeyPatch) -> None:
    tail = _catalog.VERSIONS[-2:]
    monkeypatch.setitem(versions._OPERATION_VERSIONS, "GET /since/then", tail)
    with pytest.raises(ValueError) as caught:
        versions.require_operation(ApiVersion("2021-03-07"), "GET /since/then", "exchange")
    assert str(caught.value) == f"exchange requires api_version {tail[0]} or later; this client uses 2021-03-07."


def test_later_previews_of_another_api_are_named_as_exceptions() -> None:
    # Every version from 2022-06-01 on has the Teams user exchange except the Roles preview
    # (2023-08-30-preview), which has no identity operation at all.
    first = _catalog.OPERATION_VERSIONS["POST /teamsUser/:exchangeAccessToken"][0]
    with pytest.raises(ValueError) as caught:
        versions.require_operation(ApiVersion("2021-03-07"), "POST /teamsUser/:exchangeAccessToken", "exchange")
    assert str(caught.value) == (
        f"exchange requires api_version {first} or later, except 2023-08-30-preview; this client uses 2021-03-07."
    )


def test_a_ga_version_lacking_a_feature_is_never_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only previews are named as exceptions; a GA gap lists every version that has it.
    monkeypatch.setitem(
        versions._OPERATION_VERSIONS, "GET /gap", ("2022-10-01", "2023-10-01", "2025-06-30", "2026-09-23")
    )
    with pytest.raises(ValueError) as caught:
        versions.require_operation(ApiVersion("2021-03-07"), "GET /gap", "gap")
    assert str(caught.value).startswith("gap requires one of api_version 2022-10-01, 2023-10-01, ")


def test_a_feature_only_some_versions_have_names_each_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(versions._OPERATION_VERSIONS, "GET /only/some", ("2021-03-07", "2023-10-01"))
    with pytest.raises(ValueError) as caught:
        versions.require_operation(ApiVersion("2026-09-23"), "GET /only/some", "read_some")
    assert str(caught.value) == (
        "read_some requires one of api_version 2021-03-07, 2023-10-01; this client uses 2026-09-23."
    )


def test_a_feature_of_one_version_names_that_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(versions._PROPERTY_VERSIONS, "Thing.only", ("2022-06-01",))
    assert versions.has_property(ApiVersion("2022-06-01"), "Thing.only")
    assert not versions.has_property(ApiVersion("2022-10-01"), "Thing.only")
    with pytest.raises(ValueError) as caught:
        versions.require_property(ApiVersion("2022-10-01"), "Thing.only", "only")
    assert str(caught.value) == "only requires api_version 2022-06-01; this client uses 2022-10-01."


def test_an_unknown_feature_asks_for_a_newer_version() -> None:
    with pytest.raises(ValueError, match=r"^gone requires a newer api_version; this client uses 2026-09-23\.$"):
        versions.require_operation(ApiVersion("2026-09-23"), "GET /nowhere", "gone")
