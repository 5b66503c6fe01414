"""Each event: who gets the e-mail, its Chinese subject and body, and the inbox row (issue 9)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.city.helpers import reported
from tests.notifications.helpers import submitted
from tests.reviews.helpers import confirmed, move_to
from tqr.applications import school
from tqr.applications.services import application_transition
from tqr.campaigns.models import RegistrationAdministrator
from tqr.city import services as city
from tqr.notifications.models import Notification, OutgoingEmail
from tqr.reviews import services as reviews
from tqr.rules.phases import Phase


def messages(part: str):
    return [m for m in mail.outbox if part in m.subject]


def inbox(user, event):
    return list(Notification.objects.filter(recipient=user, event=event))


def test_returned_tells_the_teacher_why(world, django_capture_on_commit_callbacks):
    app = submitted(world, world.teacher_a1)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=app, action="return", actor=world.admin_a, note="聘用合同复印件未加盖学校公章")
    [m] = mail.outbox
    assert m.to == ["t001@example.cn"]
    assert m.subject == f"【{world.round_a.title}】申请被退回，请修改后重新提交"
    assert "张三老师：您好！" in m.body and app.number in m.body
    assert "聘用合同复印件未加盖学校公章" in m.body and "重庆市黔江区城东街道中心小学校注册管理员退回" in m.body
    assert f"/apply/{world.round_a.pk}/" in m.body
    assert "退订" not in m.body and "List-Unsubscribe" not in m.extra_headers  # a decision: no unsubscribe
    [n] = inbox(world.t_a1, "returned")
    assert n.title == m.subject and n.application_id == app.pk and n.read_at is None
    assert "聘用合同复印件未加盖学校公章" in n.body and "请勿直接回复" not in n.body
    assert n.link == f"/apply/{world.round_a.pk}/"
    assert OutgoingEmail.objects.get().status == "sent"


def test_confirmed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = confirmed(world, world.teacher_a1)
    [m] = messages("现场确认")
    assert m.to == ["t001@example.cn"]
    assert m.subject == f"【{world.round_a.title}】学校已现场确认您的申请"
    assert f"您在{world.round_a.title}中的申请（编号 {app.number}）已由重庆市黔江区城东街道中心小学校现场确认" in m.body
    assert inbox(world.t_a1, "confirmed")[0].title == m.subject


def test_abandoned_tells_the_teacher_and_the_school_administrator(world, django_capture_on_commit_callbacks):
    RegistrationAdministrator.objects.create(round=world.round_a, unit=world.school_a, name="陈老师",
                                             phone="13812345678", email="chen@example.cn", user=world.admin_a)
    app = submitted(world, world.teacher_a1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_deadlines", "--now", school.confirmation_closes_at(world.round_a).isoformat())
    sent = messages("视为自动放弃")
    assert sorted(m.to[0] for m in sent) == ["sa_a@example.cn", "t001@example.cn"]
    teacher_mail = next(m for m in sent if m.to == ["t001@example.cn"])
    admin_mail = next(m for m in sent if m.to == ["sa_a@example.cn"])
    assert teacher_mail.subject == f"【{world.round_a.title}】逾期未现场确认，视为自动放弃本次注册"
    assert "张三老师：您好！" in teacher_mail.body and "可在下一年度再次申请" in teacher_mail.body
    assert "注册管理员：您好！" in admin_mail.body and "本校教师张三" in admin_mail.body
    assert inbox(world.t_a1, "abandoned")[0].link == f"/apply/{world.round_a.pk}/"
    assert inbox(world.admin_a, "abandoned")[0].link == f"/school/applications/{app.pk}/"


def test_reviewed_gives_the_initial_conclusion_and_its_reason(world, django_capture_on_commit_callbacks):
    app = confirmed(world, world.teacher_a1)
    move_to(world, Phase.INITIAL_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=app, action="review", actor=world.reviewer_d1, conclusion="deferred",
                               note="5年内培训学时不足360学时", codes=["D1"])
    [m] = mail.outbox
    assert m.to == ["t001@example.cn"]
    assert m.subject == f"【{world.round_a.title}】您的申请已完成初审"
    assert "初审结论为：暂缓注册" in m.body and "理由：5年内培训学时不足360学时" in m.body
    assert "重庆市黔江区完成初审" in m.body
    assert inbox(world.t_a1, "reviewed")


def test_published_points_to_the_notice_and_how_to_object(world, django_capture_on_commit_callbacks):
    app = confirmed(world, world.teacher_a1)
    move_to(world, Phase.INITIAL_REVIEW)
    application_transition(application=app, action="review", actor=world.reviewer_d1, conclusion="qualified")
    notice = reviews.notice_save(round_=world.round_a, title="公示", issuing_body="区教委",
                                 start_date=timezone.localdate(), workdays=5,
                                 objection_contact="区继教中心 023-79222222", actor=world.reviewer_d1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviews.notice_publish(notice=notice, actor=world.reviewer_d1)
    [m] = mail.outbox
    assert m.to == ["t001@example.cn"]
    assert m.subject == f"【{world.round_a.title}】您的初审结论已列入公示"
    assert "初审结论（合格）已列入重庆市黔江区的公示" in m.body
    assert f"公示期：{notice.start_date.year}年{notice.start_date.month}月{notice.start_date.day}日至" in m.body
    assert f"/notices/{notice.slug}/" in m.body and "区继教中心 023-79222222" in m.body
    assert inbox(world.t_a1, "published")


def test_sampled_tells_each_teacher_in_the_sample(world, django_capture_on_commit_callbacks):
    reported(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sample = city.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    chosen = {item.application.teacher.user.email for item in sample.items.select_related("application__teacher__user")}
    sent = messages("抽中市级复审")
    assert chosen and {m.to[0] for m in sent} == chosen and len(sent) == len(chosen)
    m = sent[0]
    assert m.subject == f"【{world.round_a.title}】您的申请被抽中市级复审"
    assert "被抽中复审" in m.body and "您暂时无需另行提交" in m.body
    assert Notification.objects.filter(event="sampled").count() == len(chosen)


def test_final_gives_the_conclusion_and_the_validity(world, django_capture_on_commit_callbacks):
    reported(world, deferred=[world.teacher_a2])
    sample = city.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    for item in sample.items.all():
        city.item_check(item=item, result="conforms", note="", actor=world.city_reviewer)
    move_to(world, Phase.FINAL_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approval = city.final_approve(round_=world.round_a, actor=world.city_approver)
    sent = {m.to[0]: m for m in messages("注册结论")}
    assert set(sent) == {"t001@example.cn", "t002@example.cn", "t003@example.cn"}
    zhang, li = sent["t001@example.cn"], sent["t002@example.cn"]
    assert zhang.subject == f"【{world.round_a.title}】注册结论：合格"
    start = approval.valid_from
    assert f"注册有效期：{start.year}年{start.month}月{start.day}日至" in zhang.body
    assert li.subject == f"【{world.round_a.title}】注册结论：暂缓注册"
    assert "暂缓注册的原因：培训学时不足" in li.body
    assert Notification.objects.filter(event="final").count() == 3


def test_a_teacher_without_an_account_gets_the_mail_but_no_inbox_row(world, django_capture_on_commit_callbacks):
    from tqr.notifications.services import Recipient, notify

    with django_capture_on_commit_callbacks(execute=True):
        notify("reminder_application", recipients=[Recipient(email="nobody@example.cn")],
               context={"round": world.round_a, "window": world.round_a.window(Phase.APPLICATION),
                        "teacher": world.teacher_c})
    [m] = mail.outbox
    assert m.to == ["nobody@example.cn"] and "赵六老师" in m.body
    assert not Notification.objects.exists()


@pytest.mark.parametrize("event", ["returned", "confirmed", "abandoned", "reviewed", "published", "sampled",
                                   "final", "reminder_application", "reminder_confirmation", "digest"])
def test_every_event_has_a_chinese_subject_and_body(world, event):
    """Each template renders on its own (also the ones the flows above do not reach with every branch)."""
    from tqr.notifications.reminders import DigestCounts
    from tqr.notifications.services import _render

    app = submitted(world, world.teacher_a1)
    app.conclusion, app.conclusion_reason, app.return_reason = "unqualified", "师德严重失范", "照片不符合要求"
    ctx = {"app": app, "round": world.round_a, "window": world.round_a.window(Phase.CONFIRMATION),
           "teacher": world.teacher_a1, "recipient": world.t_a1, "unit": world.school_a,
           "counts": DigestCounts(2, 1, 3), "day": timezone.localdate(), "link_url": "http://tqr.test/x",
           "unsubscribe_url": "http://tqr.test/inbox/unsubscribe/t/" if event.startswith(("reminder", "digest")) else ""}
    subject, body = _render(event, ctx)
    assert world.round_a.title in subject and "\n" not in subject
    assert ("张三" in body or "注册管理员" in body) and "http://tqr.test/x" in body
    assert ("退订" in body) == event.startswith(("reminder", "digest"))
    inbox_subject, inbox_body = _render(event, {**ctx, "for_inbox": True})
    assert "请勿直接回复" not in inbox_body and "退订" not in inbox_body


def test_no_mail_when_the_change_rolls_back(world, django_capture_on_commit_callbacks):
    app = submitted(world, world.teacher_a1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017, PT011
        from django.db import transaction

        with transaction.atomic():
            application_transition(application=app, action="return", actor=world.admin_a, note="x")
            raise RuntimeError("later failure")
    assert mail.outbox == [] and not OutgoingEmail.objects.exists() and not Notification.objects.exists()


def test_an_administrator_named_without_an_account_still_gets_the_abandonment(world,
                                                                              django_capture_on_commit_callbacks):
    RegistrationAdministrator.objects.create(round=world.round_a, unit=world.school_a, name="陈老师",
                                             phone="13812345678", email="chen@example.cn")
    submitted(world, world.teacher_a1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_deadlines", "--now", school.confirmation_closes_at(world.round_a).isoformat())
    [admin_mail] = [m for m in messages("视为自动放弃") if m.to == ["chen@example.cn"]]
    assert "注册管理员：您好！" in admin_mail.body and "本校教师张三" in admin_mail.body
    assert "/school/applications/" in admin_mail.body
    assert not Notification.objects.filter(event="abandoned").exclude(recipient=world.t_a1).exists()


def test_a_notification_is_written_in_chinese_whatever_language_the_sender_chose(world, django_capture_on_commit_callbacks):
    """Subjects and bodies are stored and e-mailed: they must not take the acting user's language (docs/i18n.md)."""
    from django.utils import translation

    app = submitted(world, world.teacher_a1)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        application_transition(application=app, action="return", actor=world.admin_a, note="照片不合格")
    [m] = mail.outbox
    assert m.subject == f"【{world.round_a.title}】申请被退回，请修改后重新提交"
    assert "张三老师：您好！" in m.body
    [n] = inbox(world.t_a1, "returned")
    assert n.title == m.subject and "张三老师：您好！" in n.body
