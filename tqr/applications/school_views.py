"""The school administrator's pages: roster, checklist, confirm/return (single and bulk), reminders,
school-issued proofs, hand-over; and the district's view of what arrived."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts.permissions import get_visible_or_404, require, visible_applications, visible_rounds
from tqr.applications import school, services
from tqr.applications.models import Application, HandOver
from tqr.applications.roster import FILTERS, SORTS, roster
from tqr.applications.services import ApplicationError
from tqr.applications.statistics import unit_statistics
from tqr.audit.services import record
from tqr.campaigns.selectors import today
from tqr.core.downloads import attachment_response
from tqr.core.links import url_for_id
from tqr.core.rules_text import label as rules_label
from tqr.documents.xlsx import XLSX_TYPE, build_xlsx
from tqr.rules import flow
from tqr.rules.flow import Actor, State
from tqr.rules.materials import materials_for


def _round_for_school(request, round_id: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "round.school_work", round_)
    return round_


def _application_for_school(request, application_id: int) -> Application:
    app = get_visible_or_404(request, visible_applications(request.user).select_related(
        "round", "teacher", "unit", "confirmation_point"), pk=application_id)
    require(request, "application.confirm", app)
    return app


@login_required
@require_GET
def school_roster(request, round_id: int):
    round_ = _round_for_school(request, round_id)
    unit = request.user.organisation
    key = request.GET.get("show", "due") if request.GET.get("show", "due") in FILTERS else "due"
    sort = request.GET.get("sort", "name") if request.GET.get("sort") in SORTS else "name"
    q = request.GET.get("q", "").strip()[:30]
    rows, counts = roster(round_, unit, key=key, q=q, sort=sort)
    if request.GET.get("format") == "xlsx":
        record("export.roster", obj=round_, data={"rows": len(rows), "show": key})
        # The school's own working list (not an official format): in the user's language.
        headings = [_("姓名"), _("身份证号码"), _("学段"), _("学科"), _("本年度"), _("注册类型"), _("规则建议"), _("申请状态"),
                    _("提交时间")]
        body = build_xlsx(_("本校名单"), headings, (
            [r.teacher.name, r.teacher.id_masked, r.teacher.post_level_label, r.teacher.subject, r.scope_text,
             r.kind_label, r.proposal_label, r.state_label,
             timezone.localtime(r.application.submitted_at) if r.application and r.application.submitted_at else None]
            for r in rows), title=_("%(unit)s %(round)s 名单（%(filter)s）") % {
                "unit": unit.name, "round": round_.title, "filter": FILTERS[key]})
        return attachment_response(HttpResponse(body, content_type=XLSX_TYPE),
                                   _("本校名单-%(year)s.xlsx") % {"year": round_.year})
    return render(request, "school/roster.html", {
        "round": round_, "unit": unit, "rows": _roster_lines(rows, unit), "show": key,
        "tabs": [(k, label, counts[k]) for k, label in FILTERS.items()],
        "sorts": SORTS, "sort": sort, "q": q, "time_left": school.time_left(round_),
        "handover": HandOver.objects.filter(round=round_, unit=unit).first(),
    })


def _roster_lines(rows, unit) -> list[dict]:
    """What each line of the roster page prints, worked out once per page: the page has hundreds of lines, and
    each lookup, `{% url %}` or translation inside the template's loop was paid per line (finding 3)."""
    check_url = url_for_id("school_application")
    lines = []
    for r in rows:
        t, a, state = r.teacher, r.application, r.state
        due = r.due
        select, value = (("application", a.pk) if state == State.SUBMITTED else
                         ("teacher", t.pk) if due and state in ("none", State.DRAFT) else ("", None))
        lines.append({
            "state": state, "select": select, "value": value, "name": t.name, "id_masked": t.id_masked,
            "seconded": t.seconded_from_id == unit.pk and t.unit_id != unit.pk,
            "post": f"{t.post_level_label} · {t.subject}",
            "scope": f"{r.scope_text} · {rules_label(r.kind_label)}" if due else r.scope_text,
            "proposal": r.proposal_label, "state_label": r.state_label,
            "check_url": check_url(a.pk) if a and state != State.DRAFT else "",
        })
    return lines


@login_required
@require_POST
def school_remind(request, round_id: int):
    round_ = _round_for_school(request, round_id)
    rows, _counts = roster(round_, request.user.organisation, key="not_applied")
    chosen = set(request.POST.getlist("teacher"))
    teachers = [r.teacher for r in rows if not chosen or str(r.teacher.pk) in chosen]
    sent, skipped = school.send_reminders(round_=round_, teachers=teachers, actor=request.user)
    if skipped:
        messages.success(request, _("已发送提醒邮件 %(sent)s 封；%(skipped)s 人一天内已提醒过或没有邮箱，未重复发送。")
                         % {"sent": sent, "skipped": skipped})
    else:
        messages.success(request, ngettext("已发送提醒邮件 %(sent)s 封。", "已发送提醒邮件 %(sent)s 封。", sent) % {"sent": sent})
    return redirect("school_roster", round_id=round_id)


@login_required
@require_http_methods(["GET", "POST"])
def school_application(request, application_id: int):
    """The checklist: the seven materials, the differences with the school's records, a note."""
    app = _application_for_school(request, application_id)
    if request.method == "POST":
        checklist = {k.removeprefix("item_"): True for k in request.POST if k.startswith("item_")}
        choices = {k.removeprefix("choice_"): v for k, v in request.POST.items() if k.startswith("choice_")}
        try:
            school.application_check(application=app, checklist=checklist, note=request.POST.get("note", "")[:2000],
                                     choices=choices, actor=request.user, version=_version(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if request.POST.get("then") == "confirm":
                return _do(request, app, "confirm")
            messages.success(request, _("核验情况已保存。"))
        return redirect("school_application", application_id=app.pk)
    day = today()
    evaluation = app.evaluation or {}
    return render(request, "school/application.html", {
        "app": app, "round": app.round, "materials": materials_for(evaluation.get("kind"), new_teacher=app.teacher.new_teacher),
        "differences": school.differences(app), "evaluation": evaluation,
        "actions": flow.available(State(app.state), Actor.SCHOOL, app.round.windows(), day),
        "unchecked": school.unchecked_items(app), "events": app.events.select_related("actor").order_by("-ts")[:30],
    })


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _do(request, app: Application, action: str):
    try:
        services.application_transition(application=app, action=action, actor=request.user,
                                        note=request.POST.get("reason", ""), version=None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, {"confirm": _("已确认。"), "return": _("已退回，教师会收到邮件。"),
                                   "undo_confirm": _("已撤销确认。")}[action])
    return redirect("school_application", application_id=app.pk)


@login_required
@require_POST
def school_application_action(request, application_id: int, action: str):
    app = _application_for_school(request, application_id)
    if action not in ("confirm", "return", "undo_confirm"):
        raise Http404
    return _do(request, app, action)


@login_required
@require_POST
def school_bulk_confirm(request, round_id: int):
    """Confirm the selected applications whose checklists are complete; report item by item."""
    round_ = _round_for_school(request, round_id)
    ids = [int(i) for i in request.POST.getlist("application") if i.isdigit()]
    apps = list(visible_applications(request.user).filter(round=round_, pk__in=ids,
                                                          confirmation_point=request.user.organisation))
    results = school.bulk_transition(applications=apps, action="confirm", actor=request.user)
    return render(request, "school/bulk_result.html", {"round": round_, "results": results,
                                                       "ok": sum(r.ok for r in results)})


@login_required
@require_GET
def school_application_photo(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    if not app.photo:
        raise Http404
    record("file.download", obj=app, data={"file": "photo"})
    response = FileResponse(app.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def school_handover(request, round_id: int):
    """The school's row of 附件3 and the hand-over of its batch to the district."""
    round_ = _round_for_school(request, round_id)
    unit = request.user.organisation
    stats = unit_statistics(round_, [unit])[unit.pk]
    handover = HandOver.objects.filter(round=round_, unit=unit).first()
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        from tqr.applications.statistics_documents import statistics_document

        body, content_type, name = statistics_document(round_, [(unit, stats)], fmt=fmt, filled_by=(
            handover.filled_by if handover else request.user.display_name), phone=handover.phone if handover else "")
        record(f"export.statistics_{fmt}", obj=round_, data={"unit": unit.code})
        return attachment_response(HttpResponse(body, content_type=content_type), name)
    if request.method == "POST":
        try:
            school.handover_submit(round_=round_, unit=unit, statistics=stats, actor=request.user,
                                   filled_by=request.POST.get("filled_by", "").strip()[:30] or request.user.display_name,
                                   phone=request.POST.get("phone", "").strip()[:20])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已报送区继教中心。"))
        return redirect("school_handover", round_id=round_id)
    return render(request, "school/handover.html", {"round": round_, "unit": unit, "stats": stats,
                                                    "stat_rows": [(unit.name, stats)], "handover": handover})


@login_required
@require_GET
def district_handovers(request, round_id: int):
    """The district sees which schools handed over their batch, and when."""
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "round.view_handovers", round_)
    from tqr.campaigns.selectors import units_for_administrators

    arrived = {h.unit_id: h for h in HandOver.objects.filter(round=round_).select_related("submitted_by")}
    rows = [(u, arrived.get(u.pk)) for u, _admin in units_for_administrators(round_)]
    rows.sort(key=lambda r: (r[1] is not None, r[0].code))
    return render(request, "school/handovers.html", {"round": round_, "rows": rows,
                                                     "arrived": len(arrived), "total": len(rows)})


@login_required
@require_POST
def district_handover_receive(request, round_id: int, handover_id: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "round.review", round_)  # the round's own district staff
    handover = HandOver.objects.filter(round=round_, pk=handover_id).first()
    if handover is None:
        raise Http404
    school.handover_receive(handover=handover, actor=request.user)
    messages.success(request, _("已登记收到%(unit)s的材料。") % {"unit": handover.unit.name})
    return redirect("district_handovers", round_id=round_id)


@login_required
@require_POST
def school_proofs(request, round_id: int):
    """Start the batch of 考核鉴定表 for the whole school, built in the background."""
    from tqr.applications.tasks import school_proof_applications
    from tqr.core.jobs import job_start

    round_ = _round_for_school(request, round_id)
    unit = request.user.organisation
    if not school_proof_applications(round_.pk, unit.pk).exists():
        messages.error(request, _("本校还没有已提交或已确认的申请，暂无可出具的考核鉴定表。"))
        return redirect("school_roster", round_id=round_id)
    job = job_start(kind="school_proofs", label=_("%(unit)s 考核鉴定表（批量）") % {"unit": unit.display_name},
                    owner=request.user, params={"round": round_.pk, "unit": unit.pk},
                    filename=f"考核鉴定表-{unit.display_name}-{round_.year}.pdf")  # i18n: data (the official form's name)
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_GET
def school_proof_pdf(request, application_id: int):
    """One teacher's 考核鉴定表 (附件2), from the current data."""
    from tqr.applications.documents import assessment_form_data
    from tqr.documents.assessment_form import build_assessment_form

    app = _application_for_school(request, application_id)
    record("application.assessment_form_pdf", obj=app)
    return attachment_response(HttpResponse(build_assessment_form(assessment_form_data(app)),
                                            content_type="application/pdf"),
                               f"考核鉴定表-{app.name}-{app.number}.pdf")  # i18n: data (the official form's name)
