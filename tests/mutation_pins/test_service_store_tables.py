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


def test_a_custom_id_held_by_an_identity_no_longer_alive_passes_to_the_new_one() -> None:
    # The store's own rule, whatever the handler does first: the old identity's row gives the id up.
    store = Store(":memory:")
    try:
        details = store.details
        assert details.claim("mine", "old", alive=lambda _: True) == "old"
        assert details.claim("mine", "other", alive=lambda identity: identity == "old") == "old"
        assert details.claim("mine", "new", alive=lambda _: False) == "new"
        assert details.get("old").custom_id is None
        assert details.get("new").custom_id == "mine"
    finally:
        store.close()


def test_a_bulk_update_of_entra_assignments_that_fails_part_way_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from acs_identity_emulator._store_tables import EntraAssignment, EntraAssignments

    store = Store(":memory:")
    try:
        kept = EntraAssignment("o-1", "t-1", "user", ("app",))
        store.entra_assignments.upsert(kept)
        written: list[str] = []
        original = EntraAssignments._write

        def write_then_fail(self: EntraAssignments, assignment: EntraAssignment) -> bool:
            if written:
                raise OSError("disk full")
            written.append(assignment.object_id)
            return original(self, assignment)

        monkeypatch.setattr(EntraAssignments, "_write", write_then_fail)
        news = [EntraAssignment("o-2", "t-1", "user", ("app",)), EntraAssignment("o-3", "t-1", "user", ("app",))]
        with pytest.raises(OSError, match="disk full"):
            store.entra_assignments.update(news, ["o-1"])
        assert written == ["o-2"]
        monkeypatch.undo()
        # rolled back: the removal and the first write are gone, and the store still works
        assert store.entra_assignments.get("o-1") == kept
        assert store.entra_assignments.get("o-2") is None
        store.entra_assignments.update([], ["o-1"])
        assert store.entra_assignments.get("o-1") is None
    finally:
        store.close()
