"""The district's pages: the initial-review queue, one application's review, bulk acceptance, the 附件3
statistics, the notice with its objections, and the report to the city."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts.models import Organisation
from tqr.accounts.permissions import can, get_visible_or_404, require, visible_applications, visible_rounds
from tqr.applications.services import ApplicationError, application_transition
from tqr.applications.statistics import total_statistics, unit_statistics
from tqr.audit.services import record
from tqr.campaigns.selectors import units_for_administrators
from tqr.core.downloads import attachment_response
from tqr.core.jobs import job_start
from tqr.core.links import url_for_id
from tqr.core.rules_text import rule_text
from tqr.documents.xlsx import XLSX_TYPE
from tqr.reviews import exports, services
from tqr.reviews.models import Notice, Objection
from tqr.reviews.queue import PROPOSALS, SORTS, QueueFilter, district_units, queue, queue_counts, queue_page
from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS
from tqr.rules.flow import State
from tqr.teachers.models import CertificateType, Conclusion


def _round(request, round_id: int, action: str = "round.view_review"):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, action, round_)
    return round_


@login_required
@require_GET
def review_queue(request, round_id: int):
    round_ = _round(request, round_id)
    f = QueueFilter.from_query(request.GET)
    qs = queue(request.user, round_, f)
    if request.GET.get("format") == "xlsx":
        record("export.review_queue", obj=round_, data={"filters": request.GET.dict()})
        total = qs.count()
        if total > settings.TQR_EXPORT_SYNC_ROWS:  # too long for a request: the job page shows the progress
            filters = {k: v for k, v in request.GET.items() if k not in ("format", "page")}
            label = ngettext("%(round)s 初审名单（%(count)s 条）", "%(round)s 初审名单（%(count)s 条）", total) % {
                "round": round_.title, "count": total}
            job = job_start(kind="review_queue_xlsx", label=label,
                            owner=request.user, params={"round": round_.pk, "filters": filters},
                            filename=exports.filename(round_))
            return redirect("job_detail", job_id=job.pk)
        return attachment_response(HttpResponse(exports.review_queue_xlsx(round_, qs), content_type=XLSX_TYPE),
                                   exports.filename(round_))
    page, counts = queue_page(request.user, round_, f, request.GET.get("page"))
    may_review = can(request.user, "round.review", round_)
    return render(request, "reviews/queue.html", {
        "round": round_, "page": page, "lines": _queue_lines(page, may_review), "f": f, "counts": counts,
        "units": [(pk, short_name or name, pk == f.unit)
                  for pk, name, short_name in district_units(round_).values_list("pk", "name", "short_name")],
        "unit_kinds": Organisation.Kind.choices[2:],
        "cert_types": CertificateType.choices, "kinds": KIND_LABELS, "proposals": PROPOSALS, "sorts": SORTS,
        "may_review": may_review, "query": _query_without(request, "page", "format"),
    })


def _queue_lines(applications, may_review: bool) -> list[dict]:
    """What each line of the queue prints, worked out once per page: labels looked up in plain dicts (a
    get_FOO_display() translates every choice of the field), the link built without a {% url %} per line."""
    cert_types, conclusions = dict(CertificateType.choices), dict(Conclusion.choices)
    url = url_for_id("review_application")
    lines = []
    for a in applications:
        reviewable = may_review and a.state == State.CONFIRMED
        lines.append({
            "pk": a.pk, "name": a.name, "unit": a.confirmation_point.display_name if a.confirmation_point else "",
            "cert_type": cert_types.get(a.cert_type, a.cert_type), "kind": KIND_LABELS.get(a.kind, a.kind),
            "proposal": a.proposal, "proposal_label": OUTCOME_LABELS.get(a.proposal, a.proposal),
            "reasons": [(r.get("code", ""), rule_text(r)) for r in (a.evaluation or {}).get("reasons") or ()],
            "conclusion": a.conclusion, "conclusion_label": conclusions.get(a.conclusion, a.conclusion),
            "differs": a.conclusion != a.proposal, "selectable": reviewable and a.proposal == "qualified",
            "reviewable": reviewable, "url": url(a.pk),
        })
    return lines


def _query_without(request, *keys) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


@login_required
@require_POST
def review_bulk_accept(request, round_id: int):
    round_ = _round(request, round_id, "round.review")
    ids = [int(i) for i in request.POST.getlist("application") if i.isdigit()][:500]
    apps = list(visible_applications(request.user).filter(round=round_, pk__in=ids))
    results = services.bulk_accept(applications=apps, actor=request.user)
    return render(request, "reviews/bulk_result.html", {"round": round_, "results": results,
                                                        "ok": sum(r.ok for r in results)})


@login_required
@require_http_methods(["GET", "POST"])
def review_application(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user).select_related(
        "round", "round__district", "teacher", "confirmation_point", "unit"), pk=application_id)
    require(request, "round.view_review", app.round)
    if request.method == "POST":
        require(request, "application.review", app)
        action = "revise" if app.state == State.REVIEWED else "review"
        conclusion = request.POST.get("conclusion", "")
        codes = [c for c in request.POST.getlist("codes") if c in services.default_codes(app)]
        try:
            application_transition(application=app, action=action, actor=request.user, conclusion=conclusion,
                                   note=request.POST.get("reason", "")[:2000], codes=codes or None)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("初审结论已记录。"))
            nxt = request.POST.get("next_id", "")
            if nxt.isdigit():
                return redirect("review_application", application_id=int(nxt))
        return redirect("review_application", application_id=app.pk)
    registrations = app.teacher.registrations.order_by("-year")
    return render(request, "reviews/application.html", {
        "app": app, "round": app.round, "evaluation": app.evaluation or {},
        "default_reason": services.default_reason(app), "default_codes": services.default_codes(app),
        "conclusions": Conclusion.choices, "registrations": registrations,
        "events": app.events.select_related("actor").order_by("-ts")[:40],
        "may_review": can(request.user, "application.review", app) and app.state in (State.CONFIRMED, State.REVIEWED),
        "next_id": queue(request.user, app.round, QueueFilter(reviewed="no")).exclude(pk=app.pk)
        .values_list("pk", flat=True).first(),
    })


@login_required
@require_GET
def review_statistics(request, round_id: int):
    """附件3 for the district: a row per unit, then the totals; page, Excel and PDF with the sign-off."""
    round_ = _round(request, round_id)
    units = [u for u, _admin in units_for_administrators(round_)]
    units.sort(key=lambda u: u.code)
    stats = unit_statistics(round_, units)
    rows = [(u, stats[u.pk]) for u in units]
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        from tqr.applications.statistics_documents import statistics_document

        body, content_type, name = statistics_document(round_, rows, fmt=fmt, filled_by=request.user.display_name,
                                                       phone=request.user.phone)
        record(f"export.district_statistics_{fmt}", obj=round_)
        return attachment_response(HttpResponse(body, content_type=content_type), name)
    total = total_statistics([s for _unit, s in rows])
    return render(request, "reviews/statistics.html", {"round": round_, "stat_rows": [(u.name, s) for u, s in rows],
                                                       "total": total})


# --- The notice ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notice_manage(request, round_id: int):
    round_ = _round(request, round_id)
    notice = Notice.objects.filter(round=round_).first()
    errors = []
    if request.method == "POST":
        require(request, "round.review", round_)
        try:
            from datetime import date

            start = date.fromisoformat(request.POST.get("start_date", ""))
            workdays = int(request.POST.get("workdays", "0"))
        except ValueError:
            errors.append(_("请填写公示开始日期和公示期（工作日数）"))
        else:
            try:
                notice = services.notice_save(
                    round_=round_, title=request.POST.get("title", "").strip()[:200] or default_title(round_),
                    issuing_body=request.POST.get("issuing_body", "").strip()[:100] or round_.district.name,
                    start_date=start, workdays=workdays, document_number=request.POST.get("document_number", "")[:60],
                    objection_contact=request.POST.get("objection_contact", "").strip()[:1000], actor=request.user)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, ngettext(
                    "公示设置已保存：%(start)s至%(end)s，共%(count)s个工作日。",
                    "公示设置已保存：%(start)s至%(end)s，共%(count)s个工作日。", notice.workdays) % {
                    "start": notice.start_date, "end": notice.end_date, "count": notice.workdays})
                return redirect("notice_manage", round_id=round_id)
    return render(request, "reviews/notice.html", {
        "round": round_, "notice": notice, "errors": errors, "post": request.POST,
        "default_title": default_title(round_), "counts": queue_counts(request.user, round_),
        "objections": notice.objections.select_related("entry").order_by("handled_at", "-filed_at") if notice else [],
        "may_review": can(request.user, "round.review", round_), "outcomes": Objection.Outcome.choices,
        "conclusions": Conclusion.choices, "today": timezone.localdate(),
        "report": getattr(round_, "city_report", None),
    })


def default_title(round_) -> str:
    """The title of the official 公示 (stored with the notice, published for everyone): the system's language."""
    district = round_.district.name.removeprefix("重庆市")  # i18n: data (the city's name as the districts' names begin)
    with translation.override(settings.LANGUAGE_CODE):
        return _("关于%(district)s%(year)s年中小学教师资格定期注册初审结果的公示") % {"district": district,
                                                                        "year": round_.year}


def _notice_action(request, round_id: int, do, success: str):
    round_ = _round(request, round_id, "round.review")
    notice = Notice.objects.filter(round=round_).first()
    if notice is None:
        raise Http404
    try:
        do(round_, notice)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("notice_manage", round_id=round_id)


@login_required
@require_POST
def notice_publish(request, round_id: int):
    return _notice_action(request, round_id, lambda r, n: services.notice_publish(notice=n, actor=request.user),
                          gettext_lazy("公示已发布，公开网页已生效。"))


@login_required
@require_POST
def notice_close(request, round_id: int):
    return _notice_action(request, round_id, lambda r, n: services.notice_close(notice=n, actor=request.user),
                          gettext_lazy("公示已结束，无异议的申请已记录“公示无异议”。"))


@login_required
@require_POST
def round_report(request, round_id: int):
    return _notice_action(request, round_id, lambda r, n: services.report_to_city(round_=r, actor=request.user),
                          gettext_lazy("初审数据已上报市级。此后本区不能再修改初审结论。"))


@login_required
@require_POST
def objection_handle(request, objection_id: int):
    objection = get_visible_or_404(
        request, Objection.objects.filter(notice__round__in=visible_rounds(request.user)).select_related("notice__round"),
        pk=objection_id)
    require(request, "round.review", objection.notice.round)
    try:
        services.objection_handle(objection=objection, outcome=request.POST.get("outcome", ""),
                                  handling=request.POST.get("handling", "")[:2000], actor=request.user,
                                  conclusion=request.POST.get("conclusion") or None,
                                  reason=request.POST.get("handling", "")[:2000])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("异议处理情况已记录。"))
    return redirect("notice_manage", round_id=objection.notice.round_id)
