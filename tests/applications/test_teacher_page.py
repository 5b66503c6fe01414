"""The teacher's page: the timeline through the round, the next step with its deadline and working days left,
what is missing, the materials, the registration history and the inbox — the page and the API alike."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.applications.helpers import fill_wizard, version
from tqr.api.auth import token_create
from tqr.applications.models import Application, ApplicationEvent
from tqr.applications.overview import teacher_overview
from tqr.campaigns.workdays import calendar
from tqr.notifications.models import Notification
from tqr.rules.phases import Phase
from tqr.teachers.models import RegistrationRecord

pytestmark = pytest.mark.django_db


def _load(app_id: int) -> Application:
    return (Application.objects.select_related("round", "teacher__user", "unit", "confirmation_point",
                                                "registration_body").prefetch_related("round__phase_windows")
            .get(pk=app_id))


def _api(user):
    from django.test import Client

    _, raw = token_create(user=user, name="手机")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_draft_is_in_the_application_phase_with_its_deadline_and_working_days_left(world, client_for):
    client = client_for("t_a1")
    client.post("/apply/")
    app = Application.objects.get(round=world.round_a, teacher=world.teacher_a1)
    day = timezone.localdate()
    o = teacher_overview(_load(app.pk), day)
    assert [e.phase for e in o.timeline][0] == Phase.APPLICATION and Phase.TRAINING not in [e.phase for e in o.timeline]
    assert [e.status for e in o.timeline] == ["current"] + ["upcoming"] * 7
    assert [ev.code for ev in o.timeline[0].events] == ["create"]
    end = world.round_a.window(Phase.APPLICATION).end_date
    assert o.next.deadline == end and o.next.teacher_acts and not o.next.overdue
    assert o.next.workdays_left == calendar().workdays_between(day, end)

    body = client.get(f"/apply/{world.round_a.pk}/").content.decode()
    assert "办理进度" in body and "下一步：请您完成" in body
    assert f"还剩 {o.next.workdays_left} 个工作日" in body
    assert "还缺什么" in body and f"/apply/{world.round_a.pk}/photo/" in body  # each missing item links to its step
    assert f"/apply/{world.round_a.pk}/step/3/" in body


def test_what_is_missing_goes_once_the_wizard_is_complete_and_the_materials_say_who_brings_what(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    o = teacher_overview(_load(app.pk), timezone.localdate())
    assert [m.kind for m in o.missing] in ([], ["email"])
    assert len(o.materials) == 7 and o.materials_due
    assert [m.teacher_brings for m in o.materials] == [True] * 4 + [False] * 3


def test_submitted_then_confirmed_moves_the_timeline_and_marks_the_checked_materials(world, client_for):
    from tqr.applications.services import application_transition

    client = client_for("t_a1")
    app = fill_wizard(client, world)
    world.t_a1.email_verified_at = timezone.now()
    world.t_a1.save()
    assert client.post(f"/apply/{world.round_a.pk}/submit/", {"version": version(app)}).status_code == 302
    app.refresh_from_db()
    o = teacher_overview(_load(app.pk), timezone.localdate())
    assert [e.status for e in o.timeline][:3] == ["done", "current", "upcoming"]
    assert [ev.code for ev in o.timeline[0].events] == ["create", "submit"]
    assert o.next.phase == Phase.CONFIRMATION and o.next.deadline == world.round_a.window(Phase.CONFIRMATION).end_date

    app.checklist = {str(i): True for i in range(1, 8)}
    app.save()
    application_transition(application=_load(app.pk), action="confirm", actor=world.admin_a)
    o = teacher_overview(_load(app.pk), timezone.localdate())
    assert [e.status for e in o.timeline][:3] == ["done", "done", "current"]
    assert [ev.code for ev in o.timeline[1].events] == ["confirm"]
    assert not o.next.teacher_acts and not o.materials_due and all(m.checked for m in o.materials)
    body = client.get(f"/apply/{world.round_a.pk}/").content.decode()
    assert "学校现场确认通过" in body and "学校已核验" in body and "预计完成" in body


def test_the_registration_history_says_which_registration_is_valid(world, client_for):
    t = world.teacher_a1
    old = t.registrations.get()
    RegistrationRecord.objects.create(teacher=t, year=old.year - 5, kind="first", conclusion="qualified",
                                      valid_from=date(old.year - 5, 12, 31), valid_until=date(old.year, 12, 30))
    client = client_for("t_a1")
    client.post("/apply/")
    app = Application.objects.get(round=world.round_a, teacher=t)
    o = teacher_overview(_load(app.pk), timezone.localdate())
    assert [r.year for r in o.history] == [old.year, old.year - 5]
    assert [r.valid_now for r in o.history] == [old.valid_until >= timezone.localdate(), False]
    body = client.get(f"/apply/{world.round_a.pk}/").content.decode()
    assert "注册记录" in body and f"{old.year}年度" in body and "已届满" in body


def test_the_inbox_shows_the_latest_notifications_and_links_to_the_inbox(world, client_for):
    for i in range(7):
        Notification.objects.create(recipient=world.t_a1, event="reminder_application", title=f"提醒{i}", body="…")
    client = client_for("t_a1")
    client.post("/apply/")
    body = client.get(f"/apply/{world.round_a.pk}/").content.decode()
    assert "提醒6" in body and "提醒2" in body and "提醒1" not in body  # the five latest
    assert "7 条未读" in body and 'href="/inbox/"' in body


def test_the_page_makes_the_same_number_of_queries_whatever_the_history_holds(world, client_for):
    client = client_for("t_a1")
    client.post("/apply/")
    url = f"/apply/{world.round_a.pk}/"
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    app = Application.objects.get(round=world.round_a, teacher=world.teacher_a1)
    for i in range(20):
        ApplicationEvent.objects.create(application=app, actor=world.t_a1, action="submit" if i % 2 else "return",
                                        note="材料不全")
    for y in range(1, 6):
        RegistrationRecord.objects.create(teacher=world.teacher_a1, year=2000 + y, kind="periodic",
                                          conclusion="deferred")
    for i in range(10):
        Notification.objects.create(recipient=world.t_a1, event="reminder_application", title=f"提醒{i}", body="…")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_the_selector_only_reads(world, client_for):
    client = client_for("t_a1")
    client.post("/apply/")
    app = _load(Application.objects.get(round=world.round_a, teacher=world.teacher_a1).pk)
    with CaptureQueriesContext(connection) as queries:
        teacher_overview(app, timezone.localdate(), user=world.t_a1, inbox=5)
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert len(queries) <= 8


def test_the_api_gives_the_same_timeline_next_step_missing_and_history_as_the_page(world, client_for):
    client_for("t_a1").post("/apply/")
    app = Application.objects.get(round=world.round_a, teacher=world.teacher_a1)
    response = _api(world.t_a1).get(f"/api/v1/applications/{app.pk}/status")
    assert response.status_code == 200
    data = response.json()
    o = teacher_overview(_load(app.pk), timezone.localdate())
    assert data["application"]["id"] == app.pk
    assert [(e["phase"], e["status"], e["start"]) for e in data["timeline"]] == [
        (e.phase.value, e.status, e.start.isoformat() if e.start else None) for e in o.timeline]
    assert [ev["code"] for ev in data["timeline"][0]["events"]] == ["create"]
    assert data["next_step"] == {"text": o.next.text, "when": o.next.when, "phase": "application",
                                 "deadline": o.next.deadline.isoformat(), "workdays_left": o.next.workdays_left,
                                 "teacher_acts": True, "overdue": False}
    assert [m["text"] for m in data["missing"]] == [m.text for m in o.missing] == data["application"]["missing"]
    assert [r["year"] for r in data["history"]] == [r.year for r in o.history]
    assert len(data["materials"]) == 7


def test_the_api_status_is_scoped_like_the_application(world, client_for):
    client_for("t_a1").post("/apply/")
    app = Application.objects.get(round=world.round_a, teacher=world.teacher_a1)
    assert _api(world.t_a2).get(f"/api/v1/applications/{app.pk}/status").status_code == 404
    assert _api(world.admin_a).get(f"/api/v1/applications/{app.pk}/status").status_code == 200


def test_an_abandoned_application_marks_the_missed_phase_and_stops(world, client_for):
    from tqr.applications.services import application_transition

    client = client_for("t_a1")
    client.post("/apply/")
    app = Application.objects.get(round=world.round_a, teacher=world.teacher_a1)
    application_transition(application=_load(app.pk), action="abandon", actor=None)
    o = teacher_overview(_load(app.pk), timezone.localdate() + timedelta(days=1))
    assert [e.status for e in o.timeline][:3] == ["done", "missed", "skipped"]
    assert o.next.deadline is None and not o.materials_due


def test_only_the_newest_registration_in_force_is_marked_valid(world, client_for):
    t = world.teacher_a1
    day = timezone.localdate()
    t.registrations.all().delete()
    RegistrationRecord.objects.create(teacher=t, year=day.year - 1, kind="periodic", conclusion="qualified",
                                      valid_from=day - timedelta(days=30), valid_until=day + timedelta(days=1800))
    RegistrationRecord.objects.create(teacher=t, year=day.year - 5, kind="first", conclusion="qualified",
                                      valid_from=day - timedelta(days=1800), valid_until=day + timedelta(days=20))
    client_for("t_a1").post("/apply/")
    app = Application.objects.get(round=world.round_a, teacher=t)
    assert [r.valid_now for r in teacher_overview(_load(app.pk), day).history] == [True, False]


def test_each_missing_item_knows_where_it_is_done_in_either_language(world):
    from django.utils import translation

    from tqr.applications.services import application_start, missing

    app = application_start(teacher=world.teacher_a1, round_=world.round_a, actor=world.teacher_a1.user)
    places = [(m.kind, m.step) for m in missing(app)]
    assert places[0] == ("step", 2) and ("step", 6) in places and ("photo", 6) in places
    with translation.override("en"):
        english = missing(app)
    assert [(m.kind, m.step) for m in english] == places
    assert "（第" not in english[0].text  # the sentence is English, the place is not read off it
