"""The city's pages (复审, 终审) and the district's end of the round (answers to returns, stickers, filing)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts.permissions import can, get_visible_or_404, require, visible_applications, visible_rounds
from tqr.applications.models import Application
from tqr.audit.services import record
from tqr.city import services
from tqr.city.models import FinalApproval, Sample, SampleItem, Sticker
from tqr.core.downloads import attachment_response
from tqr.rules.flow import State
from tqr.teachers.models import Conclusion


def _round(request, round_id: int, action: str = "round.view_review"):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, action, round_)
    return round_


@login_required
@require_GET
def city_home(request):
    """Each district's batch: reported, sampled, checked, returns open, approved."""
    require(request, "city.view")
    rows = []
    for round_ in visible_rounds(request.user).select_related("district").order_by("-year", "district__code"):
        sample = Sample.objects.filter(round=round_).first()
        rows.append({
            "round": round_, "report": getattr(round_, "city_report", None), "sample": sample,
            "unchecked": sample.items.filter(result="").count() if sample else None,
            "discrepancies": sample.items.filter(result=SampleItem.Result.DISCREPANCY).count() if sample else None,
            "returns": services.open_returns(round_), "approval": FinalApproval.objects.filter(round=round_).first(),
        })
    return render(request, "city/home.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def sample_page(request, round_id: int):
    round_ = _round(request, round_id)
    sample = Sample.objects.filter(round=round_).first()
    if request.method == "POST":
        require(request, "city.sample", round_)
        try:
            services.sample_draw(round_=round_, actor=request.user,
                                 by_qualification=request.POST.get("by_qualification") == "1")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("样本已抽取。种子和总体哈希已记录，任何人可复算核验。"))
        return redirect("city_sample", round_id=round_id)
    items = sample.items.select_related("application", "application__confirmation_point").order_by("stratum", "id") \
        if sample else []
    strata = {}
    for item in items:
        s = strata.setdefault(item.stratum, {"checked": 0, "bad": 0, "total": 0})
        s["total"] += 1
        s["checked"] += bool(item.result)
        s["bad"] += item.result == SampleItem.Result.DISCREPANCY
    widenable = [k for k, v in strata.items() if v["checked"] and v["bad"] / v["checked"] >= round_.discrepancy_threshold
                 and k not in (sample.widened if sample else [])]
    return render(request, "city/sample.html", {
        "round": round_, "sample": sample, "items": items, "may_sample": can(request.user, "city.sample", round_),
        "may_approve": can(request.user, "city.approve", round_), "results": SampleItem.Result.choices,
        "widenable": widenable, "report": getattr(round_, "city_report", None),
        "approval": FinalApproval.objects.filter(round=round_).first(), "returns": services.open_returns(round_),
        "check": services.sample_verify(sample) if sample and request.GET.get("verify") else None,
    })


@login_required
@require_GET
def sample_record_pdf(request, round_id: int):
    round_ = _round(request, round_id)
    sample = Sample.objects.filter(round=round_).first()
    if sample is None:
        raise Http404
    from tqr.city.documents import sampling_record_pdf

    record("export.sampling_record", obj=sample)
    return attachment_response(HttpResponse(sampling_record_pdf(sample), content_type="application/pdf"),
                               f"复审抽查记录-{round_.district.name}-{round_.year}.pdf")  # i18n: data (file name of the official Chinese record)


@login_required
@require_POST
def item_check(request, item_id: int):
    rounds = visible_rounds(request.user)
    item = get_visible_or_404(request, SampleItem.objects.filter(sample__round__in=rounds).select_related("sample__round"),
                              pk=item_id)
    require(request, "city.sample", item.sample.round)
    try:
        services.item_check(item=item, result=request.POST.get("result", ""), note=request.POST.get("note", "")[:2000],
                            actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("city_sample", round_id=item.sample.round_id)


@login_required
@require_POST
def sample_widen(request, round_id: int):
    round_ = _round(request, round_id, "city.sample")
    sample = Sample.objects.filter(round=round_).first()
    if sample is None:
        raise Http404
    try:
        added = services.sample_widen(sample=sample, stratum=request.POST.get("stratum", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, ngettext("已扩大抽查，新增 %(count)s 份。", "已扩大抽查，新增 %(count)s 份。", added)
                         % {"count": added})
    return redirect("city_sample", round_id=round_id)


@login_required
@require_POST
def final_approve(request, round_id: int):
    round_ = _round(request, round_id, "city.approve")
    try:
        approval = services.final_approve(round_=round_, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        total = approval.counts.get("total", 0)
        messages.success(request, ngettext("终审完成：%(count)s 人的注册结论已生效，教师将收到通知。",
                                           "终审完成：%(count)s 人的注册结论已生效，教师将收到通知。", total)
                         % {"count": total})
    return redirect("city_sample", round_id=round_id)


# --- The district's end of the round -----------------------------------------------------------------


@login_required
@require_GET
def district_returns(request, round_id: int):
    round_ = _round(request, round_id)
    returned = Application.objects.filter(round=round_, state=State.CITY_RETURNED).select_related(
        "sample_item", "confirmation_point")
    return render(request, "city/returns.html", {"round": round_, "returned": returned,
                                                 "conclusions": Conclusion.choices,
                                                 "may_answer": can(request.user, "round.review", round_)})


@login_required
@require_POST
def district_answer(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "application.review", app)
    try:
        services.district_answer(application=app, conclusion=request.POST.get("conclusion", ""),
                                 reason=request.POST.get("reason", "")[:2000], actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已核实并重新上报。"))
    return redirect("district_returns", round_id=app.round_id)


@login_required
@require_http_methods(["GET", "POST"])
def stickers(request, round_id: int):
    """登记注册结论: the sticker sheet to print, which were affixed, and where the two copies are filed."""
    round_ = _round(request, round_id)
    rows = Sticker.objects.filter(application__round=round_).select_related(
        "application", "application__confirmation_point", "registration").order_by(
        "application__confirmation_point__code", "application__name")
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        rows = rows.filter(application__confirmation_point_id=int(unit))
    if request.method == "POST":
        require(request, "round.review", round_)
        chosen = rows.filter(pk__in=[int(i) for i in request.POST.getlist("sticker") if i.isdigit()])
        field = request.POST.get("field", "")
        try:
            n = services.stickers_mark(stickers=list(chosen), actor=request.user, field=field)
        except ValueError:
            raise Http404 from None
        messages.success(request, ngettext("已登记 %(count)s 份。", "已登记 %(count)s 份。", n) % {"count": n})
        return redirect(request.get_full_path())
    if request.GET.get("format") == "pdf":
        from tqr.city.documents import sticker_sheet_pdf

        require(request, "round.review", round_)
        body = sticker_sheet_pdf(list(rows), request)
        services.stickers_mark(stickers=list(rows), actor=request.user, field="printed_at")
        return attachment_response(HttpResponse(body, content_type="application/pdf"),
                                   f"注册贴-{round_.district.name}-{round_.year}.pdf")  # i18n: data (file name of the official Chinese sheet)
    from tqr.reviews.queue import district_units

    return render(request, "city/stickers.html", {"round": round_, "rows": rows, "unit": unit,
                                                  "units": district_units(round_),
                                                  "may_mark": can(request.user, "round.review", round_),
                                                  "approval": FinalApproval.objects.filter(round=round_).first()})


@login_required
@require_POST
def archive_start(request, round_id: int):
    """Build the archive ZIP of the round (or one school) in the background; the job page shows progress."""
    from tqr.city.archive import archive_applications
    from tqr.core.jobs import job_start

    round_ = _round(request, round_id, "round.review")
    unit = request.POST.get("unit", "")
    unit_id = int(unit) if unit.isdigit() else None
    if not archive_applications(round_.pk, unit_id).exists():
        messages.error(request, _("没有终审完成的申请，暂无可归档的材料。"))
        return redirect("district_stickers", round_id=round_id)
    from tqr.accounts.models import Organisation

    unit_obj = Organisation.objects.filter(pk=unit_id, parent_id=round_.district_id).first() if unit_id else None
    label = unit_obj.display_name if unit_obj else round_.district.name
    with translation.override(settings.LANGUAGE_CODE):  # stored with the job, like the archive's Chinese content
        job_label = _("归档包 %(name)s") % {"name": label}
        filename = _("归档包-%(name)s-%(year)s.zip") % {"name": label, "year": round_.year}
    job = job_start(kind="archive", label=job_label, owner=request.user,
                    params={"round": round_.pk, "unit": unit_id}, filename=filename)
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_GET
def district_form_pdf(request, application_id: int):
    """The 申请表 as it stands (re-issued with the conclusion after the final review), for the district's files."""
    from tqr.applications.documents import application_form_pdf

    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "round.view_review", app.round)
    record("application.form_pdf", obj=app)
    return attachment_response(HttpResponse(application_form_pdf(app), content_type="application/pdf"),
                               f"教师资格定期注册申请表-{app.number}.pdf")  # i18n: data (file name of the official form)
