"""The audit log cannot be rewritten unnoticed (security-tests.md §7 item 49; 等保 8.1.4.3 c; ASVS 16.4.2).

Each row carries the hash of the row before it; `verify_audit` walks the chain and names the first row that
was changed, deleted or slipped in. On PostgreSQL a trigger refuses UPDATE and DELETE outright, even as raw
SQL. The auditor reads the log at /audit/ and exports it for the log server; nobody else reads it.
"""

from __future__ import annotations

import importlib
import io
import json
import threading
from datetime import datetime

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from freezegun import freeze_time

from tqr.audit import chain
from tqr.audit.models import AppendOnlyError, AuditEvent
from tqr.audit.services import record

pytestmark = pytest.mark.security


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the trigger and the advisory lock exist only there): "
                    "run with DATABASE_URL=postgres://…")


def tamper(sql: str, params=()) -> None:
    """Change the table behind the app's back, as someone with direct database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only the table's owner may switch the trigger off; the test database belongs to the test role.
            # Production runs the app as a role that does not own the table (README, "Running it in
            # production"), so the app itself can neither do this nor rewrite a row.
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def rows(db):
    return [record(f"test.step{i}", username="someone", data={"n": i}) for i in range(5)]


# --- The chain -------------------------------------------------------------------------------------


def test_each_row_is_chained_to_the_one_before(rows):
    stored = list(AuditEvent.objects.order_by("id").values(*chain.ROW_FIELDS))
    assert stored[0]["prev_hash"] == chain.GENESIS
    for before, row in zip(stored, stored[1:], strict=False):
        assert row["prev_hash"] == before["row_hash"]
    for row in stored:
        assert len(row["row_hash"]) == 64
        assert row["row_hash"] == chain.row_hash(row["prev_hash"], row)


def test_verify_audit_says_an_untouched_log_is_intact(rows):
    assert "审计日志完整" in verify()


def test_verify_audit_accepts_an_empty_log(db):
    assert "审计日志完整" in verify()


def test_it_names_the_row_changed_with_raw_sql(rows):
    tamper("UPDATE audit_auditevent SET username = %s WHERE id = %s", ["someone-else", rows[2].pk])

    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1
    assert f"#{rows[2].pk}" in str(failure.value)
    assert "被改动" in str(failure.value)


def test_it_names_the_row_after_a_deleted_one(rows):
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])

    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1
    assert f"#{rows[2].pk}" in str(failure.value)


def test_it_notices_a_row_whose_hash_was_recomputed_but_not_its_successors(rows):
    # Rewriting a row and its own hash is not enough: the next row still points at the old hash.
    row = AuditEvent.objects.values(*chain.ROW_FIELDS).get(pk=rows[3].pk)
    row["result"] = "fail"
    tamper("UPDATE audit_auditevent SET result = %s, row_hash = %s WHERE id = %s",
           ["fail", chain.row_hash(row["prev_hash"], row), rows[3].pk])

    with pytest.raises(CommandError) as failure:
        verify()
    assert f"#{rows[4].pk}" in str(failure.value)


def test_it_keeps_the_hash_of_awkward_json_stable_across_the_database(db):
    record("test.json", data={"big": 1e20, "whole": 2.0, "part": 0.1, "tiny": 1.5e-7, "tuple": (1, "二"),
                              "nested": {"b": [1, {"a": None}], "a": True}, "text": "引号\"与\\n换行\n"})
    record("test.after", data={})
    assert "审计日志完整" in verify()


def test_it_reads_the_chain_in_pages_of_constant_size(rows, django_assert_num_queries):
    with django_assert_num_queries(3):  # 5 rows in pages of 2: 2 + 2 + 1
        checked, broken = chain.verify(chain.stream(AuditEvent.objects.all(), chunk_size=2))
    assert (checked, broken) == (5, None)


def test_a_row_can_only_be_written_through_record(db):
    with pytest.raises(AppendOnlyError):
        AuditEvent(action="test.forged").save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.create(action="test.forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action="test.forged")])


def test_the_migration_seals_rows_written_before_the_chain(db):
    migration = importlib.import_module("tqr.audit.migrations.0002_chain_and_append_only")
    record("test.old1")
    record("test.old2", data={"x": 1})
    tamper("UPDATE audit_auditevent SET prev_hash = '', row_hash = ''")
    with pytest.raises(CommandError):
        verify()

    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state(("audit", "0002_chain_and_append_only"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        migration.seal_existing_rows(state.apps, connection.schema_editor())
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
    assert "审计日志完整" in verify()


def test_the_log_is_not_in_the_django_admin():
    # The system administrator works in the admin site: the log must not be editable there.
    assert AuditEvent not in admin.site._registry


# --- PostgreSQL: the database itself refuses --------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_even_as_raw_sql(rows):
    postgres_only()
    for sql in ("UPDATE audit_auditevent SET username = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="audit log is append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [rows[0].pk])
    assert AuditEvent.objects.get(pk=rows[0].pk).username == "someone"
    assert AuditEvent.objects.count() == 5


@pytest.mark.postgres
def test_the_deploy_check_fails_when_the_trigger_is_disabled(db):
    postgres_only()
    from tqr.audit.checks import audit_table_is_append_only

    assert audit_table_is_append_only() == []
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
    try:
        errors = audit_table_is_append_only()
        assert [e.id for e in errors] == ["tqr.E103"] and "已被禁用" in errors[0].msg
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    postgres_only()
    from django.db import connections

    barrier = threading.Barrier(4)
    errors = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():  # like a service: the row commits with the caller's transaction
                    record(f"test.thread{n}", data={"i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert AuditEvent.objects.count() == 60
    assert len(set(AuditEvent.objects.values_list("prev_hash", flat=True))) == 60  # no two share a parent
    assert "审计日志完整" in verify()


# --- export_audit -----------------------------------------------------------------------------------


def test_export_audit_writes_json_lines_of_the_period_with_their_hashes(db):
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        with freeze_time(f"{day}T10:00:00+08:00"):
            record("test.daily", username="cron", data={"day": day})

    out = io.StringIO()
    call_command("export_audit", since="2026-03-02", until="2026-03-03", stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["data"]["day"] for line in lines] == ["2026-03-02"]
    line = lines[0]
    assert {"id", "ts", "username", "action", "result", "request_id", "prev_hash", "row_hash"} <= set(line)
    assert line["ts"] == "2026-03-02T02:00:00.000000Z"
    row = AuditEvent.objects.values(*chain.ROW_FIELDS).get(pk=line["id"])
    assert line["row_hash"] == row["row_hash"] == chain.row_hash(line["prev_hash"], row)
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.data["rows"] == 1 and exported.data["format"] == "jsonl"


def test_a_log_server_can_recompute_the_chain_from_the_export(rows):
    out = io.StringIO()
    call_command("export_audit", since="2000-01-01", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    for line in lines:
        line["ts"] = datetime.fromisoformat(line["ts"])
    assert chain.verify(lines) == (5, None)


def test_export_audit_refuses_a_time_that_is_not_iso(db):
    with pytest.raises(CommandError, match="ISO"):
        call_command("export_audit", since="yesterday", stdout=io.StringIO())


# --- The auditor's page -----------------------------------------------------------------------------


@pytest.fixture
def auditor(world, client_for):
    return client_for("auditor")


def test_the_auditor_sees_the_newest_rows_first(world, auditor):
    record("test.first", username="someone")
    record("test.second", username="someone")
    response = auditor.get(reverse("audit_log"))
    assert response.status_code == 200
    page = response.context["page"]
    assert [e.action for e in page][:2] == ["test.second", "test.first"]
    assert "test.second" in response.content.decode()


@pytest.mark.parametrize("persona", ["sysadmin", "reviewer_d1", "city_approver", "t_a1"])
def test_everyone_but_the_auditor_is_refused_and_the_refusal_is_audited(world, client_for, persona):
    response = client_for(persona).get(reverse("audit_log"))
    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="authz.denied")
    assert denied.data["action"] == "audit.read" and denied.user_id == getattr(world, persona).pk


def test_the_auditor_filters_by_action_prefix_result_user_object_and_request(world, auditor):
    record("test.login.failed", username="mallory", result="fail")
    record("test.login.success", username="alice")
    record("application.confirm", actor=world.admin_a, obj=world.round_a)
    url = reverse("audit_log")

    def actions(**query):
        response = auditor.get(url, query)
        assert response.status_code == 200
        return sorted(e.action for e in response.context["page"])

    assert actions(action="test.login") == ["test.login.failed", "test.login.success"]
    assert actions(action="test.login", result="fail") == ["test.login.failed"]
    assert actions(username="ALI") == ["test.login.success"]
    assert actions(object_type="campaigns.round", object_id=str(world.round_a.pk)) == ["application.confirm", "round.create"]
    assert actions(object_type="campaigns.round", object_id=str(world.round_b.pk)) == ["round.create"]
    # The rows of one request: the export writes one, under the export's request id.
    response = auditor.get(url, {"format": "xlsx"})
    assert actions(request_id=response["X-Request-Id"]) == ["audit.export"]


def test_the_auditor_filters_by_date_in_local_time(world, auditor):
    with freeze_time("2026-05-01T23:30:00+08:00"):  # 15:30 UTC: still 1 May in Chongqing
        record("test.may1")
    with freeze_time("2026-05-02T00:30:00+08:00"):
        record("test.may2")
    response = auditor.get(reverse("audit_log"), {"start": "2026-05-01", "end": "2026-05-01"})
    assert [e.action for e in response.context["page"]] == ["test.may1"]
    response = auditor.get(reverse("audit_log"), {"start": "2026-05-02"})
    assert "test.may2" in [e.action for e in response.context["page"]]
    assert "test.may1" not in [e.action for e in response.context["page"]]


def test_an_invalid_filter_shows_the_error_and_no_rows(world, auditor):
    record("test.any")
    response = auditor.get(reverse("audit_log"), {"start": "not-a-date"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "error-box" in response.content.decode()


def test_the_page_holds_one_hundred_rows(world, auditor):
    for i in range(105):
        record("test.bulk", data={"i": i})
    response = auditor.get(reverse("audit_log"), {"action": "test.bulk"})
    assert len(response.context["page"]) == 100
    assert response.context["page"].paginator.num_pages == 2
    second = auditor.get(reverse("audit_log"), {"action": "test.bulk", "page": 2})
    assert len(second.context["page"]) == 5


def test_the_auditor_exports_the_filtered_rows_to_excel(world, auditor):
    record("login.failed", username="mallory", result="fail")
    record("login.success", username="alice")
    response = auditor.get(reverse("audit_log"), {"action": "login.failed", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment")
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    data_rows = [r for r in sheet[3:] if any(r)]
    assert [r[6] for r in data_rows] == ["login.failed"]
    assert data_rows[0][2] == "mallory"
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.user_id == world.auditor.pk
    assert exported.data == {"format": "xlsx", "filters": {"action": "login.failed"}, "rows": 1}


def test_the_auditor_exports_json_lines_for_the_log_server(world, auditor):
    record("test.one")
    record("test.two")
    response = auditor.get(reverse("audit_log"), {"action": "test.", "format": "jsonl"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [line["action"] for line in lines] == ["test.one", "test.two"]
    assert all(len(line["row_hash"]) == 64 for line in lines)
    assert AuditEvent.objects.filter(action="audit.export", data__format="jsonl").count() == 1


def test_the_page_states_the_retention(world, auditor, settings):
    settings.TQR_AUDIT_RETENTION_DAYS = 400
    assert "至少保留 400 天" in auditor.get(reverse("audit_log")).content.decode()
