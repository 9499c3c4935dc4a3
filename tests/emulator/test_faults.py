"""Fault injection rules: their checks, how they match and act, the HTTP routes and the log line.

The real clients under faults are in ``test_faults_clients.py``; the command line's ``--fault``
and ``--faults-file`` at the end of this file.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from acs_identity_emulator import _faults, _versions
from acs_identity_emulator.testing import EmulatorProcess, running_emulator
from emu_helpers import GA, PREVIEW, InProcess, RawClient, enc, serving_in_process

from azure.communication.administration._generated import _catalog

FAULTS = "/emulator/faults"
CREATE_IDS = sorted(
    {i for v in _catalog.VERSIONS for i, m, p in _catalog.OPERATIONS[v] if (m, p) == ("POST", "/identities")}
)


@pytest.fixture()
def served() -> Iterator[InProcess]:
    with serving_in_process() as service:
        yield service


def _add(raw: RawClient, rule: dict[str, Any]) -> dict[str, Any]:
    reply = raw.request("POST", FAULTS, rule, api_version=None)
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.json()
    return body


def _rules(raw: RawClient) -> list[dict[str, Any]]:
    reply = raw.request("GET", FAULTS, api_version=None)
    assert reply.status == 200, reply.body
    value: list[dict[str, Any]] = reply.json()["value"]
    return value


# -- the format -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule,field,words",
    [
        ([], "rule", "must be a JSON object"),
        ({"status": 503}, "operation", "is required"),
        ({"operation": 7, "status": 503}, "operation", "must be a string"),
        ({"operation": "CommunicationIdentity_Frobnicate", "status": 503}, "operation", "no swagger document"),
        ({"operation": "POST /emulator/faults", "status": 503}, "operation", "route of this service's own"),
        ({"operation": "GET /.well-known/jwks.json", "status": 503}, "operation", "route of this service's own"),
        ({"operation": "*", "apiVersion": "2000-01-01", "status": 503}, "apiVersion", "not an api-version"),
        ({"operation": "*", "apiVersion": 2023, "status": 503}, "apiVersion", "not an api-version"),
        (
            {"operation": "POST /identities/{id}/:issueAccessToken", "apiVersion": PREVIEW, "status": 503},
            "apiVersion",
            "is not in api-version",
        ),
        ({"operation": "*"}, "status", "status, drop or delayMs"),
        ({"operation": "*", "status": 200}, "status", "from 400 to 599"),
        ({"operation": "*", "status": "503"}, "status", "whole number"),
        ({"operation": "*", "status": 503.0}, "status", "whole number"),
        ({"operation": "*", "status": True}, "status", "whole number"),
        ({"operation": "*", "status": 499}, "status", "not an HTTP status"),
        ({"operation": "*", "retryAfter": 1, "drop": "before"}, "retryAfter", "goes with a status"),
        ({"operation": "*", "status": 429, "retryAfter": -1}, "retryAfter", "from 0 to 86400"),
        ({"operation": "*", "status": 429, "retryAfter": "1"}, "retryAfter", "must be a number"),
        ({"operation": "*", "drop": "sideways"}, "drop", '"before"'),
        ({"operation": "*", "drop": "after", "status": 503}, "drop", "not both"),
        ({"operation": "*", "delayMs": -5}, "delayMs", "from 0 to 600000"),
        ({"operation": "*", "delayMs": 600001}, "delayMs", "from 0 to 600000"),
        ({"operation": "*", "jitterMs": 5, "status": 503}, "jitterMs", "goes with delayMs"),
        ({"operation": "*", "status": 503, "count": 0}, "count", "at least 1"),
        ({"operation": "*", "status": 503, "count": 1.5}, "count", "whole number"),
        ({"operation": "*", "status": 503, "probability": 1.5}, "probability", "from 0 to 1"),
        ({"operation": "*", "status": 503, "probability": 0.5, "seed": "x"}, "seed", "whole number"),
        ({"operation": "*", "status": 503, "seed": 1}, "seed", "neither"),
        ({"operation": "*", "status": 503, "retry_after": 1}, "retry_after", "not a field of a rule"),
        ({"operation": "*", "status": 503, "hits": 0}, "hits", "counted by the service"),
        ({"operation": "*", "status": 503, "id": "no spaces"}, "id", "letters, digits"),
    ],
)
def test_a_bad_rule_names_its_field(rule: Any, field: str, words: str) -> None:
    with pytest.raises(_faults.FaultRuleError) as caught:
        _faults.parse_rule(rule)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ") and words in str(caught.value)


@pytest.mark.parametrize(
    "rule",
    [
        {"operation": "*", "status": 503},
        {"operation": "POST /identities", "apiVersion": GA, "status": 429, "retryAfter": 1, "count": 2},
        {"operation": "post /identities", "drop": "before"},
        {"operation": "IdentityOperations_Create", "drop": "after", "delayMs": 10},
        {"operation": "*", "delayMs": 1500, "jitterMs": 500, "seed": 7},
        {"operation": "*", "status": 500, "probability": 0.25, "seed": 42, "id": "flaky-1"},
        {"operation": "*", "delayMs": 0},
    ],
)
def test_good_rules_are_kept_as_given(rule: dict[str, Any]) -> None:
    parsed = _faults.parse_rule(rule)
    assert parsed.to_json() == {**rule, "hits": 0}


def test_every_name_of_an_operation_names_it() -> None:
    assert len(CREATE_IDS) >= 2  # renamed in 2025-06-30
    for name in [*CREATE_IDS, "POST /identities"]:
        assert _faults.parse_rule({"operation": name, "status": 503}).key == ("POST", "/identities")


def test_a_file_of_rules_names_the_index() -> None:
    with pytest.raises(_faults.FaultRuleError) as caught:
        _faults.parse_rules([{"operation": "*", "status": 503}, {"operation": "*", "status": 5}])
    assert str(caught.value) == "[1].status: must be from 400 to 599 (got 5)"
    with pytest.raises(_faults.FaultRuleError, match=r"^rules: must be a JSON array"):
        _faults.parse_rules({"operation": "*", "status": 503})


def test_retry_after_values() -> None:
    from acs_identity_emulator._errors import retry_after_value

    assert [retry_after_value(v) for v in (0, 1, 2.0, 0.25, 1.5, 0.0004)] == ["0", "1", "2", "0.25", "1.5", "0"]


# -- the HTTP routes ------------------------------------------------------------------------


def test_add_list_get_and_remove(served: InProcess) -> None:
    raw = RawClient(served)
    rule = {"operation": "CommunicationIdentity_Create", "status": 503, "retryAfter": 1, "count": 2}
    first = _add(raw, rule)
    assert first == {"id": "1", **rule, "hits": 0}
    second = _add(raw, {"operation": "*", "delayMs": 0, "id": "observer"})
    assert second["id"] == "observer"
    assert _add(raw, {"operation": "*", "delayMs": 0})["id"] == "2"
    assert [r["id"] for r in _rules(raw)] == ["1", "observer", "2"]
    shown = raw.request("GET", f"{FAULTS}/observer", api_version=None)
    assert (shown.status, shown.json()) == (200, second)
    assert shown.header("Content-Type") == "application/json; charset=utf-8"
    assert shown.header("api-supported-versions") is None
    gone = raw.request("DELETE", f"{FAULTS}/observer", api_version=None)
    assert (gone.status, gone.body) == (204, b"")
    again = raw.request("DELETE", f"{FAULTS}/observer", api_version=None)
    assert again.status == 404
    assert again.json() == {"error": {"code": "FaultRuleNotFound", "message": "Fault rule 'observer' was not found."}}
    assert raw.request("GET", f"{FAULTS}/observer", api_version=None).status == 404
    assert raw.request("DELETE", FAULTS, api_version=None).status == 204
    assert _rules(raw) == []
    assert served.emulator.intercept is None  # no rules: the dispatcher's cheap path again


def test_a_bad_rule_is_a_400_in_the_service_shape(served: InProcess) -> None:
    raw = RawClient(served)
    reply = raw.request("POST", FAULTS, {"operation": "*", "status": 503, "count": -1}, api_version=None)
    assert reply.status == 400
    assert reply.header("Content-Type") == "application/json"
    assert reply.json() == {
        "error": {"code": "ValidationError", "message": "count: must be at least 1 (got -1)", "target": "count"}
    }
    assert raw.request("POST", FAULTS, raw=b"{", api_version=None).json()["error"]["code"] == "BadRequest"
    empty = raw.request("POST", FAULTS, api_version=None)
    assert (empty.status, empty.json()["error"]["code"]) == (400, "ValidationError")
    _add(raw, {"operation": "*", "status": 503, "id": "x"})
    duplicate = raw.request("POST", FAULTS, {"operation": "*", "status": 500, "id": "x"}, api_version=None)
    assert (duplicate.status, duplicate.json()["error"]["target"]) == (400, "id")
    assert len(_rules(raw)) == 1


def test_the_routes_are_signed_and_take_no_api_version(served: InProcess) -> None:
    raw = RawClient(served)
    rule = {"operation": "*", "status": 503}
    assert raw.request("POST", FAULTS, rule, api_version=None, sign=False).status == 401
    assert raw.request("GET", FAULTS, api_version=None, sign=False).status == 401
    assert raw.request("DELETE", FAULTS, api_version=None, sign=False).status == 401
    assert raw.request("PUT", FAULTS, rule, api_version=None).status == 405
    assert raw.request("GET", FAULTS, api_version=GA).status == 200  # an api-version is not needed, nor refused
    assert _rules(raw) == []


# -- matching and acting --------------------------------------------------------------------


def test_status_count_and_the_service_error_body(served: InProcess) -> None:
    raw = RawClient(served)
    _add(raw, {"operation": "POST /identities", "status": 503, "retryAfter": 1, "count": 2})
    answers = [raw.request("POST", "/identities") for _ in range(3)]
    assert [a.status for a in answers] == [503, 503, 201]
    assert answers[0].header("Retry-After") == "1" and answers[2].header("Retry-After") is None
    assert answers[0].header("Content-Type") == "application/json"
    assert answers[0].header("MS-CV") is not None
    assert answers[0].json() == {
        "error": {
            "code": "ServiceUnavailable",
            "message": "Service Unavailable: fault injected by rule '1' of the local service.",
        }
    }
    assert served.emulator.store.counts()[0] == 1  # the two refused creates created nothing
    assert [r["hits"] for r in _rules(raw)] == [2]


def test_429_code_and_fractional_retry_after(served: InProcess) -> None:
    raw = RawClient(served)
    _add(raw, {"operation": "*", "status": 429, "retryAfter": 0.25})
    reply = raw.request("POST", "/identities")
    assert (reply.status, reply.header("Retry-After"), reply.json()["error"]["code"]) == (
        429,
        "0.25",
        "TooManyRequests",
    )


def test_a_rule_matches_its_operation_under_any_name_and_its_version_only(served: InProcess) -> None:
    raw = RawClient(served)
    # Named by the operationId of the versions up to 2023-10-01: it still takes a request of the newest.
    _add(raw, {"operation": CREATE_IDS[0], "apiVersion": _catalog.LATEST_GA, "status": 500})
    assert raw.request("POST", "/identities", api_version=GA).status == 201
    assert raw.request("POST", "/identities", api_version=_catalog.LATEST_GA).status == 500
    identity = raw.create()
    assert raw.issue(identity).status == 200  # another operation
    assert raw.request("POST", "/identities", api_version=PREVIEW).status == 200


def test_the_first_rule_that_applies_wins_and_exhausted_rules_stay_listed(served: InProcess) -> None:
    raw = RawClient(served)
    _add(raw, {"operation": "POST /identities", "status": 503, "count": 1})
    _add(raw, {"operation": "*", "status": 429, "count": 2})
    assert [raw.request("POST", "/identities").status for _ in range(4)] == [503, 429, 429, 201]
    assert [(r["id"], r["hits"]) for r in _rules(raw)] == [("1", 1), ("2", 2)]


def test_probability_with_a_seed_repeats() -> None:
    def run() -> list[int]:
        with serving_in_process() as served:
            raw = RawClient(served)
            _add(raw, {"operation": "*", "status": 500, "probability": 0.5, "seed": 20})
            statuses = [raw.request("POST", "/identities").status for _ in range(24)]
            assert _rules(raw)[0]["hits"] == statuses.count(500)
            return statuses

    first = run()
    assert first == run()
    assert 0 < first.count(500) < len(first)  # it does pick, it does not take all


def test_own_routes_and_unauthenticated_requests_are_never_faulted(served: InProcess) -> None:
    raw = RawClient(served)
    _add(raw, {"operation": "*", "status": 503})
    assert raw.request("GET", "/.well-known/jwks.json", api_version=None, sign=False).status == 200
    assert raw.request("GET", FAULTS, api_version=None).status == 200
    assert raw.request("POST", "/emulator/introspect", {"token": "x.y.z"}, api_version=None).status == 200
    assert raw.request("POST", "/identities", sign=False).status == 401
    assert raw.request("POST", "/identities", api_version="2000-01-01").status == 400
    assert raw.request("POST", "/identities").status == 503
    assert _rules(raw)[0]["hits"] == 1


def _unanswered(raw: RawClient, path: str) -> str:
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)) as caught:
        raw.request("POST", path, {})
    return type(caught.value).__name__


def test_drop_before_does_not_run_the_operation_and_after_does(served: InProcess) -> None:
    raw = RawClient(served)
    store = served.emulator.store
    _add(raw, {"operation": "POST /identities", "drop": "before", "count": 1})
    _unanswered(raw, "/identities")
    assert store.counts()[0] == 0
    _add(raw, {"operation": "POST /identities", "drop": "after", "count": 1})
    _unanswered(raw, "/identities")
    assert store.counts()[0] == 1  # it took effect; nobody heard of it
    assert raw.request("POST", "/identities").status == 201
    # An operation that fails is still unanswered.
    _add(raw, {"operation": "DELETE /identities/{id}", "drop": "after", "count": 1})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        raw.request("DELETE", f"/identities/{enc('8:acs:nobody')}")
    assert [r["hits"] for r in _rules(raw)] == [1, 1, 1]


def test_delay_with_jitter_then_the_operation(served: InProcess) -> None:
    raw = RawClient(served)
    _add(raw, {"operation": "*", "delayMs": 150, "jitterMs": 100, "seed": 3, "count": 1})
    started = time.monotonic()
    assert raw.request("POST", "/identities").status == 201
    assert time.monotonic() - started >= 0.15
    rule = _faults.parse_rule({"operation": "*", "delayMs": 150, "jitterMs": 100, "seed": 3})
    delays = [rule.delay() for _ in range(20)]
    assert all(0.15 <= d <= 0.25 for d in delays) and len(set(delays)) > 1
    again = _faults.parse_rule({"operation": "*", "delayMs": 150, "jitterMs": 100, "seed": 3})
    assert delays == [again.delay() for _ in range(20)]


def test_one_info_line_per_faulted_request(served: InProcess, caplog: pytest.LogCaptureFixture) -> None:
    raw = RawClient(served)
    _add(raw, {"operation": "POST /identities/{id}/:issueAccessToken", "status": 429, "retryAfter": 2, "count": 1})
    identity = raw.create()
    with caplog.at_level(logging.INFO, logger="acs_identity_emulator"):
        assert raw.issue(identity).status == 429
        assert raw.issue(identity).status == 200
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("fault rule 1:")]
    ids = " / ".join(_versions.operation_ids("POST", "/identities/{id}/:issueAccessToken"))
    assert lines == [
        f"fault rule 1: {ids} (POST /identities/{{id}}/:issueAccessToken, api-version {GA}): "
        "answered 429 with Retry-After: 2"
    ]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert served.access_key not in text and identity not in text


# -- the testing helper and the command line -------------------------------------------------


def test_the_testing_helper_applies_rules_for_a_block(emulator: EmulatorProcess, client: RawClient) -> None:
    rule = {"operation": "POST /identities", "apiVersion": GA, "status": 503, "count": 2}
    with emulator.faults(rule, {"operation": "POST /identities", "apiVersion": GA, "delayMs": 0}) as applied:
        assert [r["hits"] for r in applied.rules] == [0, 0]
        assert [client.request("POST", "/identities").status for _ in range(3)] == [503, 503, 201]
        assert applied.hits() == [2, 1]
        assert [r["id"] for r in emulator.fault_rules()] == applied.ids
    assert emulator.fault_rules() == []
    assert client.request("POST", "/identities").status == 201
    bad = emulator.faults({"operation": "*", "status": 200})
    with pytest.raises(ValueError, match=r"^bad fault rule: status: must be from 400 to 599 \(got 200\)$"):
        bad.__enter__()
    with pytest.raises(ZeroDivisionError), emulator.faults({"operation": "*", "status": 503}):
        1 / 0  # noqa: B018 - the block's own error comes out, the rule is removed
    assert emulator.fault_rules() == []


@pytest.mark.slow
def test_command_line_rules_apply_from_the_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps([{"operation": "*", "status": 500, "count": 1, "id": "from-file"}]))
    args = [
        "--fault",
        json.dumps({"operation": "POST /identities", "status": 429, "retryAfter": 1, "count": 1}),
        "--faults-file",
        str(rules),
        "--log-level",
        "INFO",
    ]
    with running_emulator(extra_args=args) as emu:
        raw = RawClient(emu)
        assert [raw.request("POST", "/identities").status for _ in range(3)] == [429, 500, 201]
        assert [(r["id"], r["hits"]) for r in emu.fault_rules()] == [("1", 1), ("from-file", 1)]
        assert raw.request("DELETE", FAULTS, api_version=None).status == 204
        assert emu.fault_rules() == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "args,message",
    [
        (["--fault", '{"operation": "*", "stauts": 503}'], "argument --fault: stauts: is not a field of a rule"),
        (["--fault", '{"operation": "*"'], "argument --fault: not JSON"),
        (["--faults-file", "FILE"], 'argument --faults-file: FILE: [1].drop: must be "before"'),
        (["--faults-file", "MISSING"], "argument --faults-file: cannot read MISSING"),
        (
            [
                "--fault",
                '{"operation": "*", "status": 503, "id": "a"}',
                "--fault",
                '{"operation": "*", "status": 500, "id": "a"}',
            ],
            "argument --fault/--faults-file: id: two rules have the id 'a'",
        ),
    ],
)
def test_a_bad_command_line_rule_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    bad = tmp_path / "faults.json"
    bad.write_text(json.dumps([{"operation": "*", "delayMs": 1}, {"operation": "*", "drop": "sideways"}]))
    args = [str(bad) if a == "FILE" else str(tmp_path / "missing.json") if a == "MISSING" else a for a in args]
    message = message.replace("FILE", str(bad)).replace("MISSING", str(tmp_path / "missing.json"))
    done = subprocess.run(
        [sys.executable, "-m", "acs_identity_emulator", "--port", "0", "--db", ":memory:", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"acs-identity-emulator: error: {message}"), done.stderr


@pytest.mark.slow
def test_a_pending_delay_does_not_hold_the_stop_up() -> None:
    outcome: list[str] = []
    with running_emulator(extra_args=["--fault", '{"operation": "*", "delayMs": 600000}']) as emu:
        raw = RawClient(emu)

        def call() -> None:
            try:
                outcome.append(str(raw.request("POST", "/identities").status))
            except (http.client.RemoteDisconnected, ConnectionResetError) as error:
                outcome.append(type(error).__name__)

        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 30
        while emu.fault_rules()[0]["hits"] == 0:  # the request is waiting out its delay
            assert time.monotonic() < deadline
        assert emu.stop(timeout=10) == 0  # SIGTERM honoured, not the SIGKILL after 10 s
        caller.join(timeout=10)
    assert outcome in (["RemoteDisconnected"], ["ConnectionResetError"])  # dropped, not answered


def test_the_readme_shows_a_good_rule_of_each_kind() -> None:
    readme = (Path(__file__).resolve().parents[2] / "emulator" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Fault injection") : readme.index("### HMAC signing forms")]
    rules = [_faults.parse_rule(json.loads(block)) for block in re.findall(r"```json\n(.*?)```", section, re.S)]
    kinds = {
        "status": any(r.status is not None and r.retry_after is None for r in rules),
        "retryAfter": any(r.retry_after is not None for r in rules),
        "drop before": any(r.drop == "before" for r in rules),
        "drop after": any(r.drop == "after" for r in rules),
        "delay": any(r.delay_ms is not None and r.status is None and r.drop is None for r in rules),
        "jitter": any(r.jitter_ms is not None for r in rules),
        "count": any(r.count is not None for r in rules),
        "probability and seed": any(r.probability is not None and r.seed is not None for r in rules),
        "apiVersion": any(r.api_version is not None for r in rules),
    }
    assert all(kinds.values()), kinds
    for line in re.findall(r"`acs-identity-emulator [^`]*--fault '([^']*)'`", section):
        _faults.parse_rule(json.loads(line))
