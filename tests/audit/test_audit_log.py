"""The append-only audit log (security-tests.md §7): rows are only ever inserted, carry who, from where
and which request, and a value cannot forge a second log line."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tqr.audit.models import AppendOnlyError, AuditEvent
from tqr.audit.services import record


@pytest.fixture
def event(db):
    return record("test.something", username="someone", data={"k": "v"})


# --- Append only -----------------------------------------------------------------------------------


def test_it_refuses_to_update_rows_through_a_queryset(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(result="fail")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.something"


def test_it_refuses_to_delete_rows_through_a_queryset(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_bulk_update(event):
    event.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.something"


def test_it_refuses_to_save_an_existing_row_again(event):
    row = AuditEvent.objects.get(pk=event.pk)
    row.username = "somebody-else"
    with pytest.raises(AppendOnlyError):
        row.save()
    assert AuditEvent.objects.get(pk=event.pk).username == "someone"


def test_it_refuses_to_delete_a_row(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.get(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_keeps_the_rows_of_a_deleted_user(world, client_for):
    client_for("t_a1").get(reverse("round_detail", args=(world.round_b.pk,)))  # a refusal, audited
    user_id = world.t_a1.pk
    world.t_a1.delete()
    row = AuditEvent.objects.get(action="authz.denied")
    assert (row.user_id, row.username) == (user_id, "t001")


# --- Who, from where, in which request -------------------------------------------------------------


def name_administrator(client, world, **extra):
    return client.post(
        reverse("name_administrator", args=(world.round_a.pk,)),
        {"name": "王老师", "phone": "13812345678", "email": ""},
        **extra,
    )


def test_it_records_the_request_id_ip_role_and_organisation_of_the_current_request(world, client_for):
    response = name_administrator(client_for("admin_a"), world, REMOTE_ADDR="10.20.30.40")

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="round.name_administrator")
    assert event.request_id == response["X-Request-Id"]
    assert len(event.request_id) == 32
    assert event.ip == "10.20.30.40"
    assert (event.user_id, event.username, event.role, event.org_id) == (
        world.admin_a.pk, "sa_a", "school_admin", world.school_a.pk)
    assert event.result == "success"
    assert event.ts is not None and event.ts.tzinfo is not None


def test_it_groups_the_rows_of_one_request_and_separates_requests(world, client_for):
    client = client_for("admin_a")
    first = name_administrator(client, world)
    second = name_administrator(client, world)
    ids = list(AuditEvent.objects.filter(action="round.name_administrator").order_by("id").values_list(
        "request_id", flat=True))
    assert ids == [first["X-Request-Id"], second["X-Request-Id"]]
    assert ids[0] != ids[1]


def test_it_ignores_a_client_sent_forwarded_for_header(world, client_for):
    name_administrator(client_for("admin_a"), world, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4",
                       HTTP_X_REAL_IP="5.6.7.8")
    assert AuditEvent.objects.get(action="round.name_administrator").ip == "10.0.0.7"


def test_it_records_without_a_request_when_called_from_a_command(db):
    event = record("test.command", username="cron")
    assert (event.request_id, event.ip, event.user_id, event.username) == ("", "", None, "cron")


# --- One line per value ----------------------------------------------------------------------------


def test_it_stores_a_username_with_a_line_break_on_one_escaped_line(db):
    forged = "evil\r\n2026-01-01 00:00:00 admin login.success success"
    Client().post(reverse("login"), {"username": forged, "password": "whatever-1A"})

    event = AuditEvent.objects.get(action="login.failed")
    assert "\n" not in event.username and "\r" not in event.username
    assert event.username == "evil\\r\\n2026-01-01 00:00:00 admin login.success success"
    assert "\n" not in str(event)
    assert not AuditEvent.objects.filter(action="login.success").exists()


def test_it_keeps_an_object_label_on_one_line(world):
    world.school_a.name = "第一行\n第二行"
    event = record("test.label", obj=world.school_a)
    assert event.object_label == "第一行\\n第二行"
    assert event.object_type == "accounts.organisation"
    assert event.object_id == str(world.school_a.pk)
