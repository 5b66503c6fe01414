"""`record_many` writes many audit rows as the chain's next rows in one pass: the same chain as `record`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tqr.audit import chain
from tqr.audit.models import AppendOnlyError, AuditEvent
from tqr.audit.services import audit_event, record, record_many


def _verify():
    return chain.verify(chain.stream(AuditEvent.objects.all()))


@pytest.mark.django_db
def test_it_chains_the_rows_after_the_last_one_in_list_order():
    record("test.before", username="alice")
    record_many([audit_event("test.batch", username="bob", data={"n": n}) for n in range(5)])
    record("test.after", username="charlie")

    rows = list(AuditEvent.objects.order_by("id"))
    assert [r.action for r in rows] == ["test.before", *["test.batch"] * 5, "test.after"]
    assert [r.data.get("n") for r in rows[1:6]] == [0, 1, 2, 3, 4]
    assert _verify() == (7, None)


@pytest.mark.django_db
def test_its_rows_are_the_rows_record_would_write():
    record_many([audit_event("test.batch", username="bob", data={"k": "v"})])
    one = AuditEvent.objects.get()
    assert (one.username, one.action, one.result, one.data, one.prev_hash) == (
        "bob", "test.batch", "success", {"k": "v"}, chain.GENESIS)
    assert one.row_hash == chain.row_hash(chain.GENESIS, {f: getattr(one, f) for f in chain.HASHED_FIELDS})


@pytest.mark.django_db
def test_it_writes_a_thousand_rows_with_a_few_queries():
    with CaptureQueriesContext(connection) as queries:
        record_many([audit_event("test.batch", username="bob", data={"n": n}) for n in range(1000)])
    # The lock, the last hash, then one INSERT per batch (SQLite's 999 parameters make batches of ~60 rows).
    assert len(queries) <= (6 if connection.vendor == "postgresql" else 25)
    assert _verify() == (1000, None)


@pytest.mark.django_db
def test_the_queryset_still_refuses_bulk_create():
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([audit_event("test.forged", username="mallory")])
    assert not AuditEvent.objects.exists()
