"""The district's writes: initial conclusions (single and bulk), the public notice, objections, the report.

Application states still change only through `application_transition`; these services decide what the
round needs (every application reviewed before the notice, every objection handled before the report)."""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tqr.applications.models import Application
from tqr.applications.services import (
    ApplicationError,
    application_transition,
    application_transition_many,
    in_system_language,
    lazy_text,
)
from tqr.audit.services import record
from tqr.campaigns.models import Round
from tqr.core.rules_text import rule_text
from tqr.rules.codes import KIND_LABELS
from tqr.rules.flow import State
from tqr.teachers.models import CertificateType

# Written on the notice's entries: the 公示 (the public page and the official document) reads them in Chinese.
CONCLUSION_LABELS = {"qualified": "合格", "deferred": "暂缓注册", "unqualified": "不合格"}  # i18n: data (stored on the 公示)
PROPOSAL_LABELS = {"deferred": gettext_lazy("暂缓注册"), "unqualified": gettext_lazy("不合格"),
                   "needs_review": gettext_lazy("需人工审核")}


def default_reason(app: Application) -> str:
    """The engine's reasons, as the reviewer's starting text for 暂缓注册 / 不合格."""
    return "；".join(r["message"] for r in (app.evaluation or {}).get("reasons", []))


def default_codes(app: Application) -> list[str]:
    return [r["code"] for r in (app.evaluation or {}).get("reasons", [])]


@dataclass(frozen=True)
class ItemResult:
    application: Application
    ok: bool
    message: str  # in the user's language
    logged: str = ""  # the same in the system's language, for the batch's audit row


def bulk_accept(*, applications, actor) -> list[ItemResult]:
    """Accept the proposal 合格 for each selected application that the rules propose as 合格.

    Never skips a step: an application not yet confirmed, or whose proposal is anything else, is reported
    and left for a one-by-one review. Each item in its own transaction; one batch audit row lists all."""
    results = []
    for app in applications:
        proposal = (app.evaluation or {}).get("proposal")
        if proposal != "qualified":
            said = lazy_text(gettext_lazy("规则建议为“%(proposal)s”，须逐份审核并填写理由"),
                             {"proposal": PROPOSAL_LABELS.get(proposal, gettext_lazy("无"))})
            results.append(ItemResult(app, False, str(said), in_system_language(said)))
            continue
        try:
            application_transition(application=app, action="review", actor=actor, conclusion="qualified")
            said = gettext_lazy("已记录：合格")
            results.append(ItemResult(app, True, str(said), in_system_language(said)))
        except ApplicationError as exc:
            results.append(ItemResult(app, False, exc.message, in_system_language(exc.text)))
    record("application.bulk_review", actor=actor, data={
        "items": [{"id": r.application.pk, "number": r.application.number, "ok": r.ok, "message": r.logged}
                  for r in results],
        "ok": sum(r.ok for r in results), "failed": sum(not r.ok for r in results)})
    return results


# --- The public notice -----------------------------------------------------------------------------


def notice_end(start: date, workdays: int) -> date:
    """The last day of a notice of `workdays` working days from `start` (调休 included)."""
    from tqr.campaigns.workdays import UnknownCalendarYear, calendar

    try:
        return calendar().nth_workday(start, workdays)
    except UnknownCalendarYear as exc:
        raise ValidationError(rule_text(exc)) from None


@transaction.atomic
def notice_save(*, round_: Round, title: str, issuing_body: str, start_date: date, workdays: int,
                objection_contact: str, document_number: str = "", actor) -> object:
    from tqr.reviews.models import Notice

    minimum = max(5, round_.notice_workdays)
    if workdays < minimum:
        raise ValidationError(ngettext("公示期不少于 %(count)s 个工作日", "公示期不少于 %(count)s 个工作日", minimum)
                              % {"count": minimum})
    existing = Notice.objects.select_for_update().filter(round=round_).first()
    if existing is not None and existing.published_at is not None:
        raise ValidationError(_("公示已发布，不能再修改公示期"))
    end = notice_end(start_date, workdays)
    notice = existing or Notice(round=round_, slug=secrets.token_urlsafe(12))
    for field, value in (("title", title), ("issuing_body", issuing_body), ("start_date", start_date),
                         ("workdays", workdays), ("end_date", end), ("objection_contact", objection_contact),
                         ("document_number", document_number)):
        setattr(notice, field, value)
    notice.save()
    record("notice.save", actor=actor, obj=notice, data={"start": str(start_date), "end": str(end),
                                                        "workdays": workdays})
    return notice


def _distinguishers(apps: list[Application]) -> dict[int, str]:
    """Two people of the same name at the same unit are told apart by the masked ID, nobody else."""
    groups: dict[tuple[str, int], list[Application]] = defaultdict(list)
    for a in apps:
        groups[(a.name, a.confirmation_point_id)].append(a)
    return {a.pk: a.teacher.id_masked for group in groups.values() if len(group) > 1 for a in group}


@transaction.atomic
def notice_publish(*, notice, actor):
    """Publish: every application of the round in the queue must have its initial conclusion."""
    from tqr.reviews.models import Notice, NoticeEntry

    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.published_at is not None:
        return notice
    round_ = notice.round
    pending = Application.objects.filter(round=round_, state=State.CONFIRMED).count()
    if pending:
        raise ValidationError(ngettext("还有 %(count)s 份已确认的申请未记录初审结论，不能发布公示",
                                       "还有 %(count)s 份已确认的申请未记录初审结论，不能发布公示", pending) % {"count": pending})
    apps = list(Application.objects.filter(round=round_, state=State.REVIEWED)
                .select_related("teacher", "confirmation_point").order_by("confirmation_point__code", "name"))
    if not apps:
        raise ValidationError(_("没有可公示的初审结论"))
    types = dict(CertificateType.choices)
    marks = _distinguishers(apps)
    NoticeEntry.objects.bulk_create(
        NoticeEntry(notice=notice, application=a, number=i, name=a.name, unit=a.confirmation_point.name,
                    qualification_type=str(types.get(a.cert_type, "")),
                    registration_kind=KIND_LABELS.get((a.evaluation or {}).get("kind") or "", ""),
                    conclusion=CONCLUSION_LABELS[a.conclusion], distinguisher=marks.get(a.pk, ""))
        for i, a in enumerate(apps, start=1)
    )
    # The applications' history is read by everyone later: said in the system's language.
    with translation.override(settings.LANGUAGE_CODE):
        note = _("列入公示（%(start)s—%(end)s）") % {"start": notice.start_date, "end": notice.end_date}
    application_transition_many(applications=apps, action="publish", actor=actor, note=note)
    notice.published_at, notice.published_by = timezone.now(), actor
    notice.save(update_fields=["published_at", "published_by"])
    record("notice.publish", actor=actor, obj=notice, data={"entries": len(apps)})
    return notice


def notice_is_open(notice, day: date | None = None) -> bool:
    day = day or timezone.localdate()
    return notice.published_at is not None and notice.start_date <= day <= notice.end_date


def objection_problems(*, entry, name: str, contact: str, content: str) -> list[str]:
    """What is wrong with an objection before it is filed (the public page and the API say the same)."""
    problems = []
    if entry is None:
        problems.append(_("请选择对哪一位提出异议（填写公示名单中的序号）"))
    if not name or len(name) > 50 or any(ord(c) < 32 for c in name):
        problems.append(_("请填写您的姓名（不超过50字）"))
    if not contact or len(contact) > 100:
        problems.append(_("请填写联系电话或邮箱，以便告知处理结果"))
    if not content or len(content) > 2000:
        problems.append(_("请填写异议内容（不超过2000字）"))
    return problems


@transaction.atomic
def objection_file(*, notice, entry, name: str, contact: str, content: str, ip: str, day: date | None = None):
    from tqr.reviews.models import Objection

    if not notice_is_open(notice, day):
        raise ValidationError(_("公示期已结束（或尚未开始），不能再提出异议"))
    objection = Objection.objects.create(notice=notice, entry=entry, name=name.strip()[:50],
                                         contact=contact.strip()[:100], content=content.strip()[:2000], ip=ip)
    record("objection.file", obj=objection, username=name[:50], data={"entry": entry.number})
    return objection


@transaction.atomic
def objection_handle(*, objection, outcome: str, handling: str, actor, conclusion: str | None = None,
                     reason: str = ""):
    """Record how an objection was handled; an upheld one may change the conclusion (noted in the history)."""
    from tqr.reviews.models import Objection

    objection = Objection.objects.select_for_update().select_related("entry", "entry__application").get(
        pk=objection.pk)
    if objection.handled_at is not None:
        raise ValidationError(_("该异议已处理"))
    if outcome not in Objection.Outcome.values or not handling.strip():
        raise ValidationError(_("请选择处理结果并填写处理情况"))
    app = objection.entry.application
    # 异议成立，已修改结论 / 异议不成立，维持结论: the outcome and the conclusion must say the same thing.
    if outcome == Objection.Outcome.UPHELD and (not conclusion or conclusion == app.conclusion):
        raise ValidationError(_("异议成立时，请选择修改后的结论（与原结论不同）"))
    if outcome == Objection.Outcome.REJECTED and conclusion:
        raise ValidationError(_("异议不成立时维持原结论，请将“修改结论为”选为“不修改”"))
    if outcome == Objection.Outcome.UPHELD:
        try:
            application_transition(application=app, action="objection_revise", actor=actor, conclusion=conclusion,
                                   note=reason or handling, codes=app.conclusion_codes)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None
        objection.entry.conclusion = CONCLUSION_LABELS[conclusion]
        objection.entry.save(update_fields=["conclusion"])
    objection.outcome, objection.handling = outcome, handling.strip()
    objection.handled_at, objection.handled_by = timezone.now(), actor
    objection.save()
    with translation.override(settings.LANGUAGE_CODE):  # stored with the application, read by all: system's language
        note = _("公示期间收到异议，%(outcome)s：%(handling)s") % {"outcome": objection.get_outcome_display(),
                                                        "handling": objection.handling}
    Application.objects.filter(pk=app.pk).update(notice_note=note[:300])
    record("objection.handle", actor=actor, obj=objection, data={"outcome": outcome, "conclusion": conclusion})
    return objection


@transaction.atomic
def notice_close(*, notice, actor, day: date | None = None):
    """After the period, with every objection handled: 公示无异议 is recorded on the others."""
    from tqr.reviews.models import Notice

    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    day = day or timezone.localdate()
    if notice.closed_at is not None:
        return notice
    if notice.published_at is None or day <= notice.end_date:
        raise ValidationError(_("公示期至 %(day)s 结束，期满后才能结束公示")
                              % {"day": date_format(notice.end_date, _("Y年m月d日"))})
    open_objections = notice.objections.filter(handled_at__isnull=True).count()
    if open_objections:
        raise ValidationError(ngettext("还有 %(count)s 条异议未处理，处理完毕才能结束公示",
                                       "还有 %(count)s 条异议未处理，处理完毕才能结束公示", open_objections)
                              % {"count": open_objections})
    objected = set(notice.objections.values_list("entry__application_id", flat=True))
    with translation.override(settings.LANGUAGE_CODE):  # stored with the application, read by all: system's language
        note = _("公示无异议")
    Application.objects.filter(notice_entry__notice=notice).exclude(pk__in=objected).update(notice_note=note)
    notice.closed_at = timezone.now()
    notice.save(update_fields=["closed_at"])
    record("notice.close", actor=actor, obj=notice)
    return notice


@transaction.atomic
def report_to_city(*, round_: Round, actor):
    """上报初审数据: after the notice is closed; from then on the district cannot change the conclusions."""
    from tqr.reviews.models import CityReport, Notice

    notice = Notice.objects.filter(round=round_).first()  # fresh: a cached round.notice may predate its closing
    if notice is None or notice.closed_at is None:
        raise ValidationError(_("公示结束（异议处理完毕）后才能上报市级"))
    if CityReport.objects.filter(round=round_).exists():
        raise ValidationError(_("本年度初审数据已上报"))
    apps = list(Application.objects.filter(round=round_, state=State.PUBLISHED))
    with translation.override(settings.LANGUAGE_CODE):  # the applications' history: the system's language
        note = _("上报市教师资格认定指导中心")
    application_transition_many(applications=apps, action="report", actor=actor, note=note)
    counts = Counter(a.conclusion for a in apps)
    report = CityReport.objects.create(round=round_, submitted_by=actor,
                                       counts={"total": len(apps), **dict(counts)})
    record("round.report_to_city", actor=actor, obj=report, data=report.counts)
    return report
