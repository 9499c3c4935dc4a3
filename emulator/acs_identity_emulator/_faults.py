"""Fault injection: rules that make the service answer an error status, drop a connection or wait.

A rule is one JSON object (the format is documented once, in the README's *Fault injection*)::

    {"operation": "CommunicationIdentity_Create", "status": 503, "retryAfter": 1, "count": 2}

:func:`parse_rule` checks one and names the first bad field (:class:`FaultRuleError`); the
HTTP routes (``_handlers/faults.py``), the command line (``--fault``, ``--faults-file``) and the
testing helper all go through it. :class:`FaultRules` holds a service's rules in the order they
were added and picks the first that applies to a request (:meth:`FaultRules.pick`).

The rules act through the dispatcher's interceptor seam (``Emulator.intercept``), so they see
only authenticated requests with a good ``api-version``, and never this service's own routes.
:func:`attach` sets the interceptor while the service has rules and clears it when it has
none: without rules a request costs what it did before (one attribute test).
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import logging
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import _errors, _versions

if TYPE_CHECKING:
    from ._app import Emulator
    from ._dispatch import Call, Handler, Result

log = logging.getLogger("acs_identity_emulator")

#: The fields of a rule, in the order answers list them.
FIELDS = (
    "id",
    "operation",
    "apiVersion",
    "status",
    "retryAfter",
    "drop",
    "delayMs",
    "jitterMs",
    "count",
    "probability",
    "seed",
)
#: Longest delay a rule may ask for (10 minutes): longer than any client's read timeout.
MAX_DELAY_MS = 600_000
#: Longest ``retryAfter`` (one day).
MAX_RETRY_AFTER = 86_400
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_OWN_ROUTES = ("/emulator/", "/.well-known/")
_STATUSES = frozenset(status.value for status in http.HTTPStatus)


class FaultRuleError(ValueError):
    """A rule that cannot be used; ``field`` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class DropConnection(Exception):
    """Raised by the interceptor: close the connection without answering (``Emulator.handle``)."""


@dataclass(eq=False)
class FaultRule:
    """One checked rule and how often it has applied (``hits``)."""

    operation: str
    #: ``(METHOD, path template)`` of the operation; ``None`` for ``"*"``.
    key: tuple[str, str] | None
    id: str | None = None
    api_version: str | None = None
    status: int | None = None
    retry_after: float | None = None
    drop: Literal["before", "after"] | None = None
    delay_ms: float | None = None
    jitter_ms: float | None = None
    count: int | None = None
    probability: float | None = None
    seed: int | None = None
    hits: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The rule as the HTTP routes show it: the fields it was given, its ``id`` and ``hits``."""
        values = {
            "id": self.id,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "status": self.status,
            "retryAfter": self.retry_after,
            "drop": self.drop,
            "delayMs": self.delay_ms,
            "jitterMs": self.jitter_ms,
            "count": self.count,
            "probability": self.probability,
            "seed": self.seed,
        }
        result = {name: value for name, value in values.items() if value is not None}
        result["hits"] = self.hits
        return result

    def __str__(self) -> str:
        """The rule as one line of JSON, for logs."""
        return json.dumps(self.to_json())

    def delay(self) -> float:
        """Seconds to wait for this request: ``delayMs`` plus up to ``jitterMs`` (from the rule's seed)."""
        if self.delay_ms is None:
            return 0.0
        jitter = 0.0 if not self.jitter_ms else self.rng.uniform(0, self.jitter_ms)
        return (self.delay_ms + jitter) / 1000

    def error(self) -> _errors.ServiceError:
        """The answer of a ``status`` rule, in the service's error shape."""
        assert self.status is not None
        return _errors.injected_fault(self.status, str(self.id), self.retry_after)

    def action(self, delay: float) -> str:
        """What is done to a request, for the log line."""
        parts = [f"waited {delay * 1000:.0f} ms"] if self.delay_ms is not None else []
        if self.status is not None:
            retry = (
                "" if self.retry_after is None else f" with Retry-After: {_errors.retry_after_value(self.retry_after)}"
            )
            parts.append(f"answered {self.status}{retry}")
        elif self.drop == "before":
            parts.append("closed the connection without running the operation")
        elif self.drop == "after":
            parts.append("ran the operation and closed the connection without answering")
        else:
            parts.append("ran the operation")
        return ", then ".join(parts)


def _number(rule: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = rule.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FaultRuleError(name, f"must be a number from {low:g} to {high:g}")
    if not low <= value <= high:
        raise FaultRuleError(name, f"must be from {low:g} to {high:g} (got {value:g})")
    return value


def _integer(rule: dict[str, Any], name: str, low: int, high: int | None = None) -> int | None:
    value = rule.get(name)
    if value is None:
        return None
    bounds = f"at least {low}" if high is None else f"from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultRuleError(name, f"must be a whole number {bounds}")
    if value < low or (high is not None and value > high):
        raise FaultRuleError(name, f"must be {bounds} (got {value})")
    return value


def _operation(rule: dict[str, Any]) -> tuple[str, tuple[str, str] | None]:
    name = rule.get("operation")
    if name is None:
        raise FaultRuleError("operation", "is required: an operationId, 'METHOD /path' or '*'")
    if not isinstance(name, str):
        raise FaultRuleError("operation", "must be a string: an operationId, 'METHOD /path' or '*'")
    if name == "*":
        return name, None
    path = name.partition(" ")[2]
    if path.startswith(_OWN_ROUTES):
        raise FaultRuleError("operation", f"{path} is a route of this service's own; rules never apply to those")
    try:
        return name, _versions.operation_key(name)
    except ValueError:
        raise FaultRuleError(
            "operation",
            f"no swagger document has the operation {name[:80]!r}; give an operationId (such as "
            "CommunicationIdentity_Create), 'METHOD /path' as the documents write it "
            "(such as 'POST /identities/{id}/:issueAccessToken'), or '*'",
        ) from None


def _api_version(rule: dict[str, Any], key: tuple[str, str] | None, operation: str) -> str | None:
    version = rule.get("apiVersion")
    if version is None:
        return None
    if not isinstance(version, str) or version not in _versions.ALL_VERSIONS:
        shown = repr(version[:40]) if isinstance(version, str) else "not a string"
        raise FaultRuleError(
            "apiVersion", f"{shown} is not an api-version of this service ({', '.join(_versions.ALL_VERSIONS)})"
        )
    if key is not None and version not in _versions.operations()[key]:
        raise FaultRuleError("apiVersion", f"{operation} is not in api-version {version}")
    return version


def parse_rule(rule: Any) -> FaultRule:
    """Check one rule (a decoded JSON object); :class:`FaultRuleError` names the first bad field."""
    if not isinstance(rule, dict):
        raise FaultRuleError("rule", "must be a JSON object")
    for name in rule:
        if name == "hits":
            raise FaultRuleError("hits", "is counted by the service; leave it out")
        if name not in FIELDS:
            raise FaultRuleError(str(name)[:40], f"is not a field of a rule (they are {', '.join(FIELDS)})")
    rule_id = rule.get("id")
    if rule_id is not None and (not isinstance(rule_id, str) or not _ID.fullmatch(rule_id)):
        raise FaultRuleError("id", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    operation, key = _operation(rule)
    api_version = _api_version(rule, key, operation)
    status = _integer(rule, "status", 400, 599)
    if status is not None and status not in _STATUSES:
        raise FaultRuleError("status", f"{status} is not an HTTP status")
    retry_after = _number(rule, "retryAfter", 0, MAX_RETRY_AFTER)
    if retry_after is not None and status is None:
        raise FaultRuleError("retryAfter", "goes with a status (it is that answer's Retry-After header)")
    drop = rule.get("drop")
    if drop is not None and drop not in ("before", "after"):
        raise FaultRuleError("drop", 'must be "before" (the operation does not run) or "after" (it runs)')
    if drop is not None and status is not None:
        raise FaultRuleError("drop", "a rule answers a status or drops the connection, not both")
    delay_ms = _number(rule, "delayMs", 0, MAX_DELAY_MS)
    jitter_ms = _number(rule, "jitterMs", 0, MAX_DELAY_MS)
    if jitter_ms is not None and delay_ms is None:
        raise FaultRuleError("jitterMs", "goes with delayMs (the delay is delayMs plus up to jitterMs)")
    if status is None and drop is None and delay_ms is None:
        raise FaultRuleError("status", "a rule says what happens: status, drop or delayMs")
    count = _integer(rule, "count", 1)
    probability = _number(rule, "probability", 0, 1)
    seed = rule.get("seed")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise FaultRuleError("seed", "must be a whole number")
        if probability is None and not jitter_ms:
            raise FaultRuleError("seed", "seeds probability and jitterMs; this rule has neither")
    return FaultRule(
        operation=operation,
        key=key,
        id=rule_id,
        api_version=api_version,
        status=status,
        retry_after=retry_after,
        drop=drop,
        delay_ms=delay_ms,
        jitter_ms=jitter_ms,
        count=count,
        probability=probability,
        seed=seed,
        rng=random.Random(seed),  # noqa: S311 - repeatable faults, not secrets
    )


def parse_rules(rules: Any) -> list[FaultRule]:
    """Check a JSON array of rules (a ``--faults-file``); the field of a bad one reads ``[2].status``."""
    if not isinstance(rules, list):
        raise FaultRuleError("rules", "must be a JSON array of rule objects")
    parsed = []
    for index, rule in enumerate(rules):
        try:
            parsed.append(parse_rule(rule))
        except FaultRuleError as error:
            raise FaultRuleError(f"[{index}].{error.field}", error.reason) from None
    return parsed


class FaultRules:
    """A service's rules, in the order they were added; the first that applies to a request wins."""

    def __init__(self) -> None:
        self._rules: dict[str, FaultRule] = {}
        self._next_id = 1
        self._stopping = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """A rule's delay; :class:`DropConnection` at once when the service stops meanwhile (:meth:`stop`)."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except asyncio.TimeoutError:
            return
        raise DropConnection

    def stop(self) -> None:
        """The service is stopping: end every delay by dropping its connection, so no delay holds the stop up."""
        self._stopping.set()

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Any:
        return iter(list(self._rules.values()))

    def get(self, rule_id: str) -> FaultRule | None:
        return self._rules.get(rule_id)

    def add(self, rule: FaultRule) -> FaultRule:
        """Add ``rule`` (giving it the next free number as ``id`` when it has none)."""
        if rule.id is None:
            while str(self._next_id) in self._rules:
                self._next_id += 1
            rule.id = str(self._next_id)
            self._next_id += 1
        elif rule.id in self._rules:
            raise FaultRuleError("id", f"the service has a rule {rule.id!r} already")
        self._rules[rule.id] = rule
        return rule

    def extend(self, rules: Iterable[FaultRule]) -> None:
        for rule in rules:
            self.add(rule)

    def remove(self, rule_id: str) -> bool:
        return self._rules.pop(rule_id, None) is not None

    def clear(self) -> None:
        self._rules.clear()

    def pick(self, call: Call) -> FaultRule | None:
        """The first rule that applies to ``call``, its ``hits`` counted; ``None`` for the others.

        A rule applies to a documented operation (never to this service's own routes) it names, of
        its ``apiVersion`` if it has one, while it has hits left (``count``), and then with its
        ``probability``: the draw is made only for requests the rule would otherwise take, so
        the same requests in the same order get the same faults from the same ``seed``.
        """
        operation = call.operation
        if operation.versions is None:
            return None
        for rule in self._rules.values():
            if rule.key is not None and rule.key != operation.key:
                continue
            if rule.api_version is not None and rule.api_version != call.api_version:
                continue
            if rule.count is not None and rule.hits >= rule.count:
                continue
            if rule.probability is not None and not rule.rng.random() < rule.probability:
                continue
            rule.hits += 1
            return rule
        return None


async def intercept(service: Emulator, call: Call, handler: Handler) -> Result:
    """The interceptor of a service that has rules: applies the first that fits, or runs the handler."""
    rule = service.faults.pick(call)
    if rule is None:
        return await handler(service, call)
    delay = rule.delay()
    operation = call.operation
    log.info(
        "fault rule %s: %s (%s %s, api-version %s): %s",
        rule.id,
        " / ".join(operation.operation_ids),
        operation.method,
        operation.path,
        call.api_version,
        rule.action(delay),
    )
    if delay:
        await service.faults.wait(delay)
    if rule.status is not None:
        raise rule.error()
    if rule.drop == "before":
        raise DropConnection
    if rule.drop == "after":
        # The operation takes effect; its answer, success or error, is never sent.
        with contextlib.suppress(_errors.ServiceError):
            await handler(service, call)
        raise DropConnection
    return await handler(service, call)


def attach(service: Emulator) -> None:
    """Set the service's interceptor while it has rules; without rules, none (the cheap path)."""
    service.intercept = intercept if len(service.faults) else None
