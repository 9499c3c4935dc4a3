"""The store's two small tables in process (make mutate mutates _store_tables.py): remembered
answers to repeatable requests until they expire, and an assignment's wire shape."""

from __future__ import annotations

import dataclasses

import pytest
from acs_identity_emulator._store import Store
from acs_identity_emulator._store_tables import Assignment, RepeatableAnswer


def test_remembered_answers_until_they_expire() -> None:
    store = Store(":memory:")
    try:
        answers = store.answers
        assert answers.get("a", 0.0) is None
        answers.remember("a", "fp-a", 201, '{"id":"x"}', expires_at=100.0, now=10.0)
        answers.remember("b", "fp-b", 204, None, expires_at=50.0, now=10.0)
        assert answers.get("a", 99.5) == RepeatableAnswer("fp-a", 201, '{"id":"x"}')
        assert answers.get("b", 10.0) == RepeatableAnswer("fp-b", 204, None)
        assert answers.get("a", 100.0) is None  # expired at expires_at
        assert answers.get("b", 50.0) is None
        # remembering forgets what has expired (at or before now), and replaces an id's answer
        answers.remember("a", "fp-a2", 200, "[]", expires_at=300.0, now=50.0)
        assert store._db.execute("SELECT request_id FROM repeatable_answers").fetchall() == [("a",)]
        assert answers.get("a", 60.0) == RepeatableAnswer("fp-a2", 200, "[]")
        with pytest.raises(dataclasses.FrozenInstanceError):
            answers.get("a", 60.0).status = 500  # type: ignore[misc, union-attr]
    finally:
        store.close()


def test_assignment_wire_shape() -> None:
    assert Assignment("t", "o", "user", ("c1", "c2")).to_json() == {
        "objectId": "o",
        "tenantId": "t",
        "principalType": "user",
        "clientIds": ["c1", "c2"],
    }
    assert Assignment("t", "o", "user", ()).to_json()["clientIds"] == []
    assert Assignment("t", "o", "user", None).to_json() == {"objectId": "o", "tenantId": "t", "principalType": "user"}
