"""Every page of TQR, per role, for the accessibility sweep (tests/browser/test_accessibility.py).

THE list to extend: a new page goes into PAGES as `Page(stage, role, path)`. The sweep walks the stages in
order, each one building on the world of the one before (a realistic round: applications submitted,
confirmed, reviewed, published, reported, sampled, approved), and visits the stage's pages as each role,
one browser context per role.

- stage: when the page has content (`STAGES`: application, review, notice, city, final).
- role: a key of `ROLES` (a login of tests/factories.make_world, or "anonymous").
- path: may use {round} (district A's round), {round_b}, {app} (张三's application), {app_draft} (王五's
  draft), {notice} (the notice's slug), {unit} (张三's school), {handover} and {source} (a data source).
- phone=True: visited at 390 px as well as at desktop width; status: the HTTP status expected (a redirect
  elsewhere fails, so that a stale entry is noticed); fill/submit: send the form first and check the page
  with its errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.reviews.helpers import ALL_ITEMS, move_to
from tqr.rules.phases import Phase

# role → login (None: not logged in)
ROLES = {
    "anonymous": None,
    "teacher": "t001",  # 张三: submitted, later confirmed and reviewed
    "teacher_draft": "t003",  # 王五: a draft in the wizard during the application phase
    "school_admin": "sa_a",
    "district": "rev_d1",
    "city_reviewer": "city_rev",
    "city_approver": "city_app",
    "auditor": "auditor1",
    "sysadmin": "sysadmin1",
}


@dataclass(frozen=True)
class Page:
    stage: str
    role: str
    path: str
    phone: bool = False
    status: int = 200
    # Fill these fields (selector → value) and click `submit`, then check the page that comes back: the
    # forms with their validation errors showing.
    fill: tuple[tuple[str, str], ...] = ()
    submit: str = ""


PAGES = [
    # --- application phase: the wizard is open, 张三 submitted, 王五 is half-way ---------------------
    Page("application", "anonymous", "/login/", phone=True),
    Page("application", "anonymous", "/account/signup/", phone=True),
    Page("application", "anonymous", "/account/password/reset/"),
    Page("application", "anonymous", "/account/password/reset/sent/"),
    Page("application", "anonymous", "/account/password/reset/done/"),
    Page("application", "anonymous", "/account/password/reset/link/"),
    Page("application", "anonymous", "/account/password/reset/link/MQ/bad-token/"),
    Page("application", "anonymous", "/lookup/", phone=True),
    # The forms again, sent with mistakes: errors at the fields.
    Page("application", "anonymous", "/login/", fill=(("#id_username", "nobody"),), submit="main button[type=submit]"),
    Page("application", "anonymous", "/account/signup/", fill=(("#id_id_number", "500114198503140001"),),
         submit="main button[type=submit]", phone=True),
    Page("application", "anonymous", "/lookup/", submit="main button[type=submit]"),
    Page("application", "anonymous", "/no-such-page/", status=404),  # the 404 page
    Page("application", "teacher", "/", phone=True),
    Page("application", "teacher", "/rounds/{round}/"),
    Page("application", "teacher", "/apply/{round}/", phone=True),
    Page("application", "teacher", "/inbox/"),
    Page("application", "teacher", "/account/password/"),
    Page("application", "teacher", "/account/tokens/"),
    *[Page("application", "teacher_draft", f"/apply/{{round}}/step/{n}/", phone=n in (3, 6)) for n in range(1, 7)],
    Page("application", "teacher_draft", "/apply/{round}/photo/", phone=True),
    Page("application", "teacher_draft", "/apply/{round}/"),
    Page("application", "teacher_draft", "/apply/{round}/step/3/", fill=(("#id_id_number", "500114198503140001"),),
         submit="main button[type=submit]", phone=True),
    Page("application", "teacher_draft", "/apply/{round}/step/6/", fill=(("#id_hire_date", ""), ("#id_phone", "12")),
         submit="main button[type=submit]"),
    Page("application", "school_admin", "/"),
    Page("application", "school_admin", "/rounds/{round}/administrator/"),
    Page("application", "school_admin", "/rounds/{round}/administrator/", fill=(("#id_phone", "123"),),
         submit="main button[type=submit]"),
    Page("application", "school_admin", "/school/{round}/roster/"),
    Page("application", "school_admin", "/school/applications/{app}/", phone=True),
    Page("application", "school_admin", "/teachers/import/"),
    Page("application", "school_admin", "/visits/{round}/"),
    Page("application", "school_admin", "/lookup/batch/"),
    Page("application", "district", "/"),
    Page("application", "district", "/rounds/{round}/"),
    Page("application", "district", "/rounds/{round}/announcement/"),
    Page("application", "district", "/rounds/{round}/administrators/"),
    Page("application", "district", "/visits/{round}/schedule/"),
    Page("application", "district", "/exchange/"),
    Page("application", "district", "/exchange/sources/new/"),
    Page("application", "district", "/exchange/sources/{source}/"),
    Page("application", "district", "/exchange/sources/{source}/import/"),
    Page("application", "district", "/exchange/runs/"),
    Page("application", "district", "/exchange/layout/"),
    Page("application", "district", "/exchange/rounds/{round}/export/"),
    Page("application", "district", "/inbox/failed/"),
    Page("application", "district", "/teachers/import/"),
    Page("application", "auditor", "/"),
    Page("application", "auditor", "/audit/"),
    Page("application", "city_reviewer", "/"),
    Page("application", "sysadmin", "/"),
    Page("application", "sysadmin", "/sysadmin/"),
    # Help (public) and the dashboards (issue 11)
    Page("application", "anonymous", "/help/", phone=True),
    Page("application", "teacher", "/help/teacher/"),
    Page("application", "school_admin", "/help/school/"),
    Page("application", "district", "/help/district/"),
    Page("application", "city_reviewer", "/help/city/"),
    Page("application", "school_admin", "/school/{round}/dashboard/", phone=True),
    Page("application", "district", "/reviews/{round}/dashboard/"),
    Page("application", "city_reviewer", "/city/dashboard/"),
    # --- initial review: confirmed applications, hand-over, the queue ---------------------------------
    Page("review", "school_admin", "/school/{round}/roster/"),
    Page("review", "school_admin", "/school/{round}/handover/"),
    Page("review", "school_admin", "/school/applications/{app}/"),
    Page("review", "teacher", "/apply/{round}/", phone=True),
    Page("review", "district", "/rounds/{round}/handovers/"),
    Page("review", "district", "/reviews/{round}/", phone=True),
    Page("review", "district", "/reviews/applications/{app}/"),
    Page("review", "district", "/reviews/{round}/statistics/"),
    Page("review", "district", "/reviews/{round}/notice/"),
    # --- public notice: published, one objection ---------------------------------------------------------
    Page("notice", "anonymous", "/notices/{notice}/", phone=True),
    Page("notice", "district", "/reviews/{round}/notice/"),
    # --- secondary review: reported, sample drawn, one discrepancy returned ---------------------------------
    Page("city", "city_reviewer", "/"),
    Page("city", "city_reviewer", "/city/"),
    Page("city", "city_reviewer", "/city/{round}/sample/"),
    Page("city", "city_approver", "/city/"),
    Page("city", "district", "/reviews/{round}/returns/"),
    Page("city", "anonymous", "/notices/{notice}/"),  # ended
    # --- final review done: stickers, the public lookup ----------------------------------------------------
    Page("final", "city_approver", "/city/{round}/sample/"),
    Page("final", "district", "/reviews/{round}/stickers/"),
    Page("final", "teacher", "/apply/{round}/", phone=True),
    Page("final", "auditor", "/audit/"),
    Page("final", "district", "/reviews/{round}/dashboard/"),
    Page("final", "city_approver", "/city/dashboard/"),
]


# --- The world, stage by stage (services only, as the pages would) ---------------------------------------

def _submit(w, t):
    from tests.applications.helpers import jpeg
    from tqr.applications.services import application_save, application_start, application_transition
    from tqr.documents.photos import process_photo

    app = application_start(round_=w.round_a, teacher=t, actor=t.user)
    app = application_save(application=app, data={"hire_date": date(2006, 9, 1), "phone": "13812345678"},
                           actor=t.user, step=6, accept_terms=True)
    app.photo.save("p.jpg", ContentFile(process_photo(jpeg()).jpeg), save=True)
    return application_transition(application=app, action="submit", actor=t.user)


def stage_application(w) -> dict:
    from tqr.campaigns.services import administrator_name, announcement_save
    from tqr.exchange.models import DataSource
    from tqr.visits.services import slots_generate

    announcement_save(round_=w.round_a, data={"title": "关于开展教师资格定期注册工作的通知", "body": "各中小学校：……",
                                              "issuing_body": "区教委"},
                      contacts=[{"name": "兰建伟", "organisation": "区教委", "phone": "13896453785"}],
                      actor=w.reviewer_d1)
    administrator_name(round_=w.round_a, unit=w.school_a, name="王老师", phone="13812345678", actor=w.admin_a)
    w.app_a1 = _submit(w, w.teacher_a1)
    w.app_a2 = _submit(w, w.teacher_a2)
    from tqr.applications.services import application_start

    w.app_b = application_start(round_=w.round_a, teacher=w.teacher_b, actor=w.t_b)
    slots_generate(round_=w.round_a, actor=w.reviewer_d1)
    source = DataSource.objects.create(district=w.district_a, name="继续教育平台", kind="training", value_column="学时")
    return {"round": w.round_a.pk, "round_b": w.round_b.pk, "app": w.app_a1.pk, "app_draft": w.app_b.pk,
            "unit": w.school_a.pk, "source": source.pk}


def stage_review(w) -> dict:
    from tqr.applications.school import application_check, handover_submit
    from tqr.applications.services import application_transition
    from tqr.teachers.models import TrainingRecord

    TrainingRecord.objects.filter(teacher=w.teacher_a2).update(hours=60)  # the rules propose 暂缓注册
    for app in (w.app_a1, w.app_a2):
        app.refresh_from_db()
        app = application_check(application=app, checklist=ALL_ITEMS, note="", choices={}, actor=w.admin_a)
        application_transition(application=app, action="confirm", actor=w.admin_a)
    w.handover = handover_submit(round_=w.round_a, unit=w.school_a, statistics={}, filled_by="王老师",
                                 phone="13812345678", actor=w.admin_a)
    move_to(w, Phase.INITIAL_REVIEW)
    return {"handover": w.handover.pk}


def stage_notice(w) -> dict:
    from tqr.applications.services import application_transition
    from tqr.reviews import services as reviews

    for app, bad in ((w.app_a1, False), (w.app_a2, True)):
        app.refresh_from_db()
        application_transition(application=app, action="review", actor=w.reviewer_d1,
                               conclusion="deferred" if bad else "qualified", note="培训学时不足" if bad else "",
                               codes=["D1"] if bad else None)
    move_to(w, Phase.NOTICE)
    w.notice = reviews.notice_save(round_=w.round_a, title="黔江区教师资格定期注册初审结果公示", issuing_body="区教委",
                                   start_date=timezone.localdate(), workdays=5,
                                   objection_contact="区继教中心 023-79222222", actor=w.reviewer_d1)
    reviews.notice_publish(notice=w.notice, actor=w.reviewer_d1)
    w.notice.refresh_from_db()
    entry = w.notice.entries.order_by("number").last()
    reviews.objection_file(notice=w.notice, entry=entry, name="王某", contact="wang@example.cn",
                           content="该教师2024年下半年长期未到岗，请核实。", ip="127.0.0.1")
    return {"notice": w.notice.slug}


def stage_city(w) -> dict:
    from tqr.city.models import SampleItem
    from tqr.city.services import item_check, sample_draw
    from tqr.reviews import services as reviews
    from tqr.reviews.models import Notice

    Notice.objects.filter(pk=w.notice.pk).update(start_date=w.notice.start_date - timedelta(days=20),
                                                 end_date=w.notice.end_date - timedelta(days=20))
    w.notice.refresh_from_db()
    move_to(w, Phase.SECONDARY_REVIEW)
    for objection in w.notice.objections.all():
        reviews.objection_handle(objection=objection, outcome="rejected", handling="经核实为病假，维持初审结论。",
                                 actor=w.reviewer_d1)
    reviews.notice_close(notice=w.notice, actor=w.reviewer_d1)
    reviews.report_to_city(round_=w.round_a, actor=w.reviewer_d1)
    w.sample = sample_draw(round_=w.round_a, actor=w.city_reviewer)
    items = list(SampleItem.objects.filter(sample=w.sample).order_by("id"))
    item_check(item=items[0], result="discrepancy", note="聘用合同复印件未盖章", actor=w.city_reviewer)
    for item in items[1:]:
        item_check(item=item, result="conforms", note="", actor=w.city_reviewer)
    w.returned = items[0].application
    return {}


def stage_final(w) -> dict:
    from tqr.city.services import district_answer, final_approve

    w.returned.refresh_from_db()
    district_answer(application=w.returned, conclusion=w.returned.conclusion or "qualified", reason="已核实",
                    actor=w.reviewer_d1)
    move_to(w, Phase.FINAL_REVIEW)
    final_approve(round_=w.round_a, actor=w.city_approver)
    return {}


STAGES = {
    "application": stage_application,
    "review": stage_review,
    "notice": stage_notice,
    "city": stage_city,
    "final": stage_final,
}
