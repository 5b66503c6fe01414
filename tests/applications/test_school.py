"""The school's part: roster, checklist with differences, confirm/return (single and bulk), undo,
reminders, the confirmation deadline and the hand-over."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.applications.helpers import fill_wizard, version
from tqr.applications import school
from tqr.applications.models import Application, ApplicationEvent, HandOver, Reminder
from tqr.applications.services import ApplicationError, application_transition
from tqr.audit.models import AuditEvent
from tqr.campaigns.evaluation import evaluate_round
from tqr.rules.phases import Phase
from tqr.teachers.models import TrainingRecord

pytestmark = pytest.mark.django_db
ALL_ITEMS = {str(n): True for n in range(1, 8)}


def submitted(world, client_for, persona="t_a1", teacher=None) -> Application:
    client = client_for(persona)
    app = fill_wizard(client, world, teacher)
    client.post(f"/apply/{world.round_a.pk}/submit/", {"version": version(app)})
    app.refresh_from_db()
    assert app.state == "submitted"
    return app


def tick_all(app, world, **extra):
    return school.application_check(application=app, checklist=ALL_ITEMS, note="", choices=extra.get("choices", {}),
                                    actor=world.admin_a)


# --- Roster -------------------------------------------------------------------------------------------


def test_the_roster_lists_the_school_with_what_the_rules_say_and_where_each_stands(world, client_for):
    evaluate_round(world.round_a)
    submitted(world, client_for)
    response = client_for("admin_a").get(f"/school/{world.round_a.pk}/roster/?show=all")
    body = response.content.decode()
    assert response.status_code == 200
    assert "张三" in body and "李四" in body and "王五" not in body  # 王五 teaches at school B
    assert "已提交，待学校现场确认" in body and "未报名" in body
    assert world.teacher_a1.id_number not in body  # masked
    only_submitted = client_for("admin_a").get(f"/school/{world.round_a.pk}/roster/?show=submitted").content.decode()
    assert "张三" in only_submitted and "李四" not in only_submitted


def test_the_roster_exports_only_the_schools_rows(world, client_for):
    evaluate_round(world.round_a)
    response = client_for("admin_a").get(f"/school/{world.round_a.pk}/roster/?show=all&format=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    names = {r[0] for r in rows[3:]}
    assert names == {"张三", "李四"}
    assert AuditEvent.objects.filter(action="export.roster", user=world.admin_a).exists()


def test_another_schools_admin_gets_404_for_an_application(world, client_for):
    app = submitted(world, client_for)
    assert client_for("admin_b").get(f"/school/applications/{app.pk}/").status_code == 404
    assert client_for("admin_b").post(f"/school/applications/{app.pk}/confirm/").status_code == 404
    app.refresh_from_db()
    assert app.state == "submitted"


# --- Checklist, confirm, return -------------------------------------------------------------------------


def test_confirming_needs_every_item_ticked(world, client_for, django_capture_on_commit_callbacks):
    app = submitted(world, client_for)
    client = client_for("admin_a")
    client.post(f"/school/applications/{app.pk}/", {"item_1": "on", "item_2": "on", "then": "confirm",
                                                    "version": version(app)})
    app.refresh_from_db()
    assert app.state == "submitted"
    body = client.get(f"/school/applications/{app.pk}/").content.decode()
    assert "材料核验未完成：第3、4、5、6、7项尚未勾选" in body
    data = {f"item_{n}": "on" for n in range(1, 8)} | {"then": "confirm", "version": version(app)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/school/applications/{app.pk}/", data)
    app.refresh_from_db()
    assert app.state == "confirmed" and app.confirmed_by == world.admin_a
    assert AuditEvent.objects.filter(action="application.confirm", result="success").count() == 1
    assert any("学校已现场确认" in m.subject for m in mail.outbox)


def test_a_difference_is_shown_side_by_side_and_the_schools_choice_is_what_the_rules_use(world, client_for):
    TrainingRecord.objects.filter(teacher=world.teacher_a1).update(hours=60)  # the school's records: 300 hours
    app = submitted(world, client_for)  # the teacher entered 400
    body = client_for("admin_a").get(f"/school/applications/{app.pk}/").content.decode()
    assert "与学校记录不一致" in body and "400" in body and "300" in body
    app = tick_all(app, world, choices={"training_hours": "school"})
    assert app.confirmed_facts["training_hours"] == 300
    assert app.evaluation["proposal"] == "deferred"
    assert app.training_hours == 400  # what the teacher entered is kept


def test_a_return_needs_a_reason_and_the_teacher_sees_and_gets_it(world, client_for,
                                                                  django_capture_on_commit_callbacks):
    app = submitted(world, client_for)
    admin = client_for("admin_a")
    admin.post(f"/school/applications/{app.pk}/return/", {"reason": "  "})
    app.refresh_from_db()
    assert app.state == "submitted"
    reason = "1. 证书签发日期与原件不符；2. 缺少2024年度考核证明"
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/school/applications/{app.pk}/return/", {"reason": reason})
    app.refresh_from_db()
    assert app.state == "returned" and app.return_reason == reason
    assert any(reason in m.body for m in mail.outbox)
    teacher = client_for("t_a1")
    assert reason in teacher.get(f"/apply/{world.round_a.pk}/").content.decode()
    # The teacher fixes it and submits again.
    teacher.post(f"/apply/{world.round_a.pk}/resubmit/", {"version": version(app)})
    app.refresh_from_db()
    assert app.state == "submitted"
    assert list(ApplicationEvent.objects.filter(application=app).values_list("action", flat=True)).count("return") == 1


def test_a_confirmation_can_be_undone_until_the_window_closes(world, client_for):
    app = tick_all(submitted(world, client_for), world)
    application_transition(application=app, action="confirm", actor=world.admin_a)
    client_for("admin_a").post(f"/school/applications/{app.pk}/undo/")
    app.refresh_from_db()
    assert app.state == "submitted" and app.confirmed_at is None
    application_transition(application=app, action="confirm", actor=world.admin_a)
    closed = school.confirmation_closes_at(world.round_a).date() + timedelta(days=1)
    with pytest.raises(ApplicationError, match="已于"):
        application_transition(application=app, action="undo_confirm", actor=world.admin_a, day=closed)


def test_two_administrators_confirming_at_once_one_succeeds_and_the_other_is_told(world, client_for):
    app = tick_all(submitted(world, client_for), world)
    application_transition(application=app, action="confirm", actor=world.admin_a)
    with pytest.raises(ApplicationError, match="学校已现场确认"):
        application_transition(application=app, action="confirm", actor=world.admin_a)
    assert AuditEvent.objects.filter(action="application.confirm", result="conflict").count() == 1


def test_bulk_confirm_reports_item_by_item(world, client_for):
    ready = tick_all(submitted(world, client_for), world)
    not_ready = submitted(world, client_for, "t_a2", world.teacher_a2)
    response = client_for("admin_a").post(f"/school/{world.round_a.pk}/confirm/",
                                           {"application": [ready.pk, not_ready.pk]})
    body = response.content.decode()
    assert "成功 1 份" in body and "材料核验未完成" in body
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert (ready.state, not_ready.state) == ("confirmed", "submitted")
    batch = AuditEvent.objects.get(action="application.bulk_confirm")
    assert batch.data["ok"] == 1 and batch.data["failed"] == 1


# --- Reminders ---------------------------------------------------------------------------------------


def test_reminders_go_to_those_due_who_have_not_submitted_and_never_twice_a_day(world, client_for,
                                                                                   django_capture_on_commit_callbacks):
    evaluate_round(world.round_a)
    submitted(world, client_for)  # 张三 has submitted; 李四 has not
    admin = client_for("admin_a")
    with django_capture_on_commit_callbacks(execute=True):  # mail is delivered after the commit
        admin.post(f"/school/{world.round_a.pk}/remind/")
    assert [m.to for m in mail.outbox if "提醒" in m.subject] == [[world.t_a2.email]]
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/school/{world.round_a.pk}/remind/")
    assert len([m for m in mail.outbox if "提醒" in m.subject]) == 1
    assert Reminder.objects.count() == 1


# --- The deadline ------------------------------------------------------------------------------------


def closing(world) -> datetime:
    return school.confirmation_closes_at(world.round_a)


def test_at_the_closing_minute_unconfirmed_applications_are_abandoned_once(world, client_for,
                                                                          django_capture_on_commit_callbacks):
    app = submitted(world, client_for)
    confirmed = tick_all(submitted(world, client_for, "t_a2", world.teacher_a2), world)
    application_transition(application=confirmed, action="confirm", actor=world.admin_a)
    just_before = closing(world) - timedelta(seconds=1)
    call_command("run_deadlines", "--now", just_before.isoformat())
    app.refresh_from_db()
    assert app.state == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_deadlines", "--now", closing(world).isoformat())
    app.refresh_from_db()
    confirmed.refresh_from_db()
    assert app.state == "abandoned" and confirmed.state == "confirmed"
    assert "视为自动放弃" in app.events.last().note
    assert any("视为自动放弃" in m.subject for m in mail.outbox)
    events = ApplicationEvent.objects.count()
    audit = AuditEvent.objects.count()
    call_command("run_deadlines", "--now", (closing(world) + timedelta(hours=5)).isoformat())
    assert (ApplicationEvent.objects.count(), AuditEvent.objects.count()) == (events, audit)  # idempotent


def test_acting_after_the_window_closed_says_so_and_changes_nothing(world, client_for):
    app = tick_all(submitted(world, client_for), world)
    after = closing(world).date()
    with pytest.raises(ApplicationError, match="现场确认已于"):
        application_transition(application=app, action="confirm", actor=world.admin_a, day=after)
    app.refresh_from_db()
    assert app.state == "submitted"


def test_the_screen_shows_the_time_left_in_working_days_and_hours(world, client_for):
    w = world.round_a.window(Phase.CONFIRMATION)
    now = timezone.make_aware(datetime.combine(w.start_date, time(9, 0)))
    left = school.time_left(world.round_a, now)
    assert left["hours"] == (closing(world) - now).total_seconds() // 3600
    assert 0 <= left["workdays"] <= (w.end_date - w.start_date).days + 1
    body = client_for("admin_a").get(f"/school/{world.round_a.pk}/roster/").content.decode()
    assert "现场确认截止" in body and "小时" in body


# --- Hand-over ---------------------------------------------------------------------------------------


def test_the_hand_over_waits_for_open_items_then_reaches_the_district(world, client_for):
    evaluate_round(world.round_a)
    app = submitted(world, client_for)
    admin = client_for("admin_a")
    admin.post(f"/school/{world.round_a.pk}/handover/", {"filled_by": "陈老师", "phone": "13812345678"})
    assert not HandOver.objects.exists()
    application_transition(application=tick_all(app, world), action="confirm", actor=world.admin_a)
    page = admin.get(f"/school/{world.round_a.pk}/handover/").content.decode()
    assert "李四" in page  # due, did not apply
    admin.post(f"/school/{world.round_a.pk}/handover/", {"filled_by": "陈老师", "phone": "13812345678"})
    handover = HandOver.objects.get()
    assert handover.statistics["confirmed"] == 1 and handover.statistics["in_scope"] == 2
    district = client_for("reviewer_d1").get(f"/rounds/{world.round_a.pk}/handovers/").content.decode()
    assert "陈老师" in district and "已报送 1" in district
    client_for("reviewer_d1").post(f"/rounds/{world.round_a.pk}/handovers/{handover.pk}/receive/")
    handover.refresh_from_db()
    assert handover.received_at is not None
    assert AuditEvent.objects.filter(action__in=["handover.submit", "handover.receive"]).count() == 2


def test_the_schools_statistics_row_downloads_as_pdf_and_xlsx_with_the_same_numbers(world, client_for):
    evaluate_round(world.round_a)
    app = submitted(world, client_for)
    application_transition(application=tick_all(app, world), action="confirm", actor=world.admin_a)
    admin = client_for("admin_a")
    pdf = admin.get(f"/school/{world.round_a.pk}/handover/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = admin.get(f"/school/{world.round_a.pk}/handover/?format=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    school_row = next(r for r in rows if world.school_a.name in [str(c) for c in r])
    numbers = [c for c in school_row if isinstance(c, int | float)]
    assert numbers[1:6] == [2, 1, 1, 0, 1]  # after 序号: in scope, applied, confirmed, abandoned, not applied
