"""Reminders before the windows close go only to those who have not acted, once per window; the daily digest
for school administrators during confirmation, once a day; unsubscribing stops both but never a decision."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import teacher
from tests.notifications.helpers import draft, submitted
from tests.reviews.helpers import ALL_ITEMS, move_to
from tqr.applications.school import application_check
from tqr.applications.services import application_transition
from tqr.audit.models import AuditEvent
from tqr.campaigns.evaluation import evaluate_round
from tqr.campaigns.models import CalendarYear, RegistrationAdministrator
from tqr.notifications import reminders
from tqr.notifications.models import Notification, SentOnce
from tqr.notifications.services import preference_set
from tqr.rules.phases import Phase


@pytest.fixture(autouse=True)
def _next_year_known(db):
    # A window may end next year; the weekday rule is enough for these tests.
    CalendarYear.objects.get_or_create(year=timezone.localdate().year + 1)


def at(day, hour=10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def reminded(part="提醒"):
    return sorted(m.to[0] for m in mail.outbox if part in m.subject)


def run_reminders(captured, now):
    with captured(execute=True):
        return reminders.send_due_reminders(now)


def test_application_reminders_start_n_workdays_before_the_close(world, django_capture_on_commit_callbacks):
    evaluate_round(world.round_a)  # 张三, 李四, 王五 must register this round
    submitted(world, world.teacher_a1)  # 张三 has acted
    draft(world, world.teacher_a2)  # 李四 has a draft; 王五 has nothing
    no_account = teacher(world.school_a, "孙七", registered_year=world.round_a.year - 5)  # noqa: F841 - no account
    window = world.round_a.window(Phase.APPLICATION)
    starts = reminders.reminder_starts(world.round_a, window)
    if starts > window.start_date:
        run_reminders(django_capture_on_commit_callbacks, at(starts - timedelta(days=1)))
        assert reminded() == []
    run_reminders(django_capture_on_commit_callbacks, at(starts))
    assert reminded() == ["t002@example.cn", "t003@example.cn"]
    li = next(m for m in mail.outbox if m.to == ["t002@example.cn"])
    end = window.end_date
    assert li.subject == f"【提醒】{world.round_a.title}：网上报名将于{end.month}月{end.day}日截止，请尽快完成网上报名"
    assert "李四老师：您好！" in li.body and "尚未提交" in li.body and "/inbox/unsubscribe/" in li.body
    assert li.extra_headers["List-Unsubscribe"].startswith("<http")
    assert Notification.objects.filter(recipient=world.t_a2, event="reminder_application").count() == 1

    # Idempotent: the next run, the same day or the last day, sends nothing more.
    run_reminders(django_capture_on_commit_callbacks, at(starts, 15))
    run_reminders(django_capture_on_commit_callbacks, at(end))
    assert reminded() == ["t002@example.cn", "t003@example.cn"]
    assert SentOnce.objects.count() == 2
    # After the window: nothing.
    mail.outbox.clear()
    SentOnce.objects.all().delete()
    run_reminders(django_capture_on_commit_callbacks, at(end + timedelta(days=1)))
    assert [m for m in mail.outbox if "网上报名" in m.subject] == []


def test_the_setting_moves_the_first_reminder_day(world):
    window = world.round_a.window(Phase.APPLICATION)
    world.round_a.reminder_workdays = 0
    assert reminders.reminder_starts(world.round_a, window) == window.end_date
    world.round_a.reminder_workdays = 1
    first = reminders.reminder_starts(world.round_a, window)
    assert first < window.end_date and (window.end_date - first).days <= 5  # one working day back, over a weekend


def test_confirmation_reminders_go_to_the_unconfirmed(world, django_capture_on_commit_callbacks):
    a1 = submitted(world, world.teacher_a1)  # submitted, not confirmed → reminded
    a2 = submitted(world, world.teacher_a2)
    application_check(application=a2, checklist=ALL_ITEMS, note="", choices={}, actor=world.admin_a)
    application_transition(application=a2, action="confirm", actor=world.admin_a)  # confirmed → not reminded
    b = submitted(world, world.teacher_b)
    application_transition(application=b, action="return", actor=world.admin_b, note="照片不合格")  # → reminded
    move_to(world, Phase.CONFIRMATION)
    window = world.round_a.window(Phase.CONFIRMATION)
    day = max(window.start_date, reminders.reminder_starts(world.round_a, window))
    mail.outbox.clear()
    run_reminders(django_capture_on_commit_callbacks, at(day))
    assert reminded("现场确认将于") == ["t001@example.cn", "t003@example.cn"]
    wang = next(m for m in mail.outbox if m.to == ["t003@example.cn"])
    assert "您的申请已被退回，请先按退回原因修改后重新提交" in wang.body
    zhang = next(m for m in mail.outbox if m.to == ["t001@example.cn"])
    assert a1.number in zhang.body and "城东街道中心小学校注册管理员处现场确认" in zhang.body
    run_reminders(django_capture_on_commit_callbacks, at(window.end_date))
    assert reminded("现场确认将于") == ["t001@example.cn", "t003@example.cn"]  # once per window


def test_unsubscribe_stops_reminders_but_not_decisions(world, django_capture_on_commit_callbacks):
    evaluate_round(world.round_a)
    app = submitted(world, world.teacher_a2)
    application_transition(application=app, action="return", actor=world.admin_a, note="照片不合格")
    preference_set(user=world.t_a2, reminders=False, actor=world.t_a2)
    window = world.round_a.window(Phase.APPLICATION)
    mail.outbox.clear()
    run_reminders(django_capture_on_commit_callbacks, at(reminders.reminder_starts(world.round_a, window)))
    assert "t002@example.cn" not in reminded()
    assert "t001@example.cn" in reminded()  # 张三 did not unsubscribe
    assert not Notification.objects.filter(recipient=world.t_a2, event="reminder_application").exists()
    with django_capture_on_commit_callbacks(execute=True):
        app = application_transition(application=app, action="resubmit", actor=world.t_a2)
        application_transition(application=app, action="return", actor=world.admin_a, note="照片仍不合格")
    assert [m.to for m in mail.outbox if "退回" in m.subject] == [["t002@example.cn"]]  # decisions always go
    assert AuditEvent.objects.filter(action="notification.preference", user=world.t_a2).exists()


def test_the_manual_reminder_skips_who_unsubscribed(world, client_for, django_capture_on_commit_callbacks):
    evaluate_round(world.round_a)
    preference_set(user=world.t_a2, reminders=False, actor=world.t_a2)
    with django_capture_on_commit_callbacks(execute=True):
        client_for("admin_a").post(f"/school/{world.round_a.pk}/remind/")
    assert reminded() == ["t001@example.cn"]


# --- The daily digest --------------------------------------------------------------------------------


@pytest.fixture
def confirmation_world(world):
    a1 = submitted(world, world.teacher_a1)
    a2 = submitted(world, world.teacher_a2)
    application_check(application=a2, checklist=ALL_ITEMS, note="", choices={}, actor=world.admin_a)
    application_transition(application=a2, action="confirm", actor=world.admin_a)
    RegistrationAdministrator.objects.create(round=world.round_a, unit=world.school_a, name="陈老师",
                                             phone="13812345678", user=world.admin_a)
    RegistrationAdministrator.objects.create(round=world.round_a, unit=world.school_b, name="刘老师",
                                             phone="13812345679")  # no account named: the school's admins get it
    move_to(world, Phase.CONFIRMATION)
    world.window = world.round_a.window(Phase.CONFIRMATION)
    world.a1 = a1
    return world


def run_digests(captured, now):
    with captured(execute=True):
        return reminders.send_digests(now)


def test_the_digest_counts_and_the_deadline_once_a_day(confirmation_world, django_capture_on_commit_callbacks):
    w = confirmation_world
    mail.outbox.clear()
    day = w.window.start_date
    run_digests(django_capture_on_commit_callbacks, at(day, 6))  # before the digest hour
    assert reminded("每日汇总") == []
    run_digests(django_capture_on_commit_callbacks, at(day, 8))
    assert reminded("每日汇总") == ["sa_a@example.cn", "sa_b@example.cn"]
    a = next(m for m in mail.outbox if m.to == ["sa_a@example.cn"])
    assert a.subject == f"【每日汇总】{w.round_a.title}：重庆市黔江区城东街道中心小学校待确认 1 人"
    assert "待现场确认：1 人" in a.body and "已退回待修改：0 人" in a.body and "已确认：1 人" in a.body
    end = w.window.end_date
    assert f"现场确认截止日期：{end.year}年{end.month}月{end.day}日" in a.body and "退订" in a.body
    assert Notification.objects.get(recipient=w.admin_a, event="digest").link == f"/school/{w.round_a.pk}/roster/"
    run_digests(django_capture_on_commit_callbacks, at(day, 18))
    assert len(reminded("每日汇总")) == 2  # at most one a day
    run_digests(django_capture_on_commit_callbacks, at(day + timedelta(days=1), 8))
    assert len(reminded("每日汇总")) == 4
    run_digests(django_capture_on_commit_callbacks, at(end + timedelta(days=1), 8))
    assert len(reminded("每日汇总")) == 4  # the window has closed


def test_an_unsubscribed_administrator_gets_no_digest(confirmation_world, django_capture_on_commit_callbacks):
    w = confirmation_world
    preference_set(user=w.admin_a, reminders=False, actor=w.admin_a)
    mail.outbox.clear()
    run_digests(django_capture_on_commit_callbacks, at(w.window.start_date, 8))
    assert reminded("每日汇总") == ["sa_b@example.cn"]
