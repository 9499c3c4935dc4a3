"""Teams Phone assignments are keyed by (tenant id, object id) in lower case on every path.

The handler lowercases before calling the store, but the store must not rely on it: an
assignment stored under mixed case would be invisible to ``get`` and ``delete``.
"""

from __future__ import annotations

from acs_identity_emulator._store import Store
from acs_identity_emulator._store_tables import Assignment

TENANT = "AAAAAAAA-0000-4000-8000-00000000000A"
OBJECT = "BBBBBBBB-0000-4000-8000-00000000000B"


def test_an_assignment_upserted_in_mixed_case_is_found_and_deleted_in_any_case() -> None:
    store = Store(":memory:")
    try:
        assert store.assignments.upsert(Assignment(TENANT, OBJECT, "user", ("Client-1",))) is True
        found = store.assignments.get(TENANT.lower(), OBJECT.swapcase())
        assert found == Assignment(TENANT.lower(), OBJECT.lower(), "user", ("Client-1",))
        # The same key again, in other case: a replacement, not a second row.
        assert store.assignments.upsert(Assignment(TENANT.lower(), OBJECT, "user", None)) is False
        assert store.assignments.get(TENANT, OBJECT) == Assignment(TENANT.lower(), OBJECT.lower(), "user", None)
        assert store.assignments.delete(TENANT.swapcase(), OBJECT) is True
        assert store.assignments.get(TENANT, OBJECT) is None
    finally:
        store.close()
