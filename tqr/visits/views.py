"""Pages for visits: the school books a slot at the district office; the district sees each day's schedule,
who has not booked, and registers the files as received. Thin: parse, call one service, render."""

from __future__ import annotations

from datetime import time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tqr.accounts.permissions import can, get_visible_or_404, require, visible_rounds
from tqr.audit.services import record
from tqr.core.downloads import attachment_response
from tqr.documents.xlsx import XLSX_TYPE, build_xlsx
from tqr.visits import services
from tqr.visits.models import VisitBooking, VisitSlot
from tqr.visits.selectors import schedule, school_choice
from tqr.visits.services import VisitError, today


def _round(request, round_id: int, action: str):
    round_ = get_visible_or_404(request, visible_rounds(request.user).prefetch_related("phase_windows"), pk=round_id)
    require(request, action, round_)
    return round_


def _slot_label(slot: VisitSlot) -> str:
    day = date_format(slot.date, _("n月j日"))
    return f"{day} {slot.start_time:%H:%M}—{slot.end_time:%H:%M}"


# --- The school ------------------------------------------------------------------------------------


@login_required
@require_GET
def visit_book(request, round_id: int):
    """The school's booking and the coming days' slots with their remaining places."""
    round_ = _round(request, round_id, "visit.book")
    choice = school_choice(round_, request.user.organisation, day=today())
    return render(request, "visits/book.html", {"round": round_, "unit": request.user.organisation,
                                                "choice": choice, "day": today()})


@login_required
@require_POST
def visit_book_slot(request, round_id: int, slot_id: int):
    """Book this slot, or move the school's booking to it."""
    round_ = _round(request, round_id, "visit.book")
    slot = VisitSlot.objects.filter(round=round_, pk=slot_id).first()
    if slot is None:
        raise Http404
    had = VisitBooking.objects.filter(round=round_, unit=request.user.organisation).values_list("slot_id", flat=True).first()
    try:
        services.booking_book(slot=slot, unit=request.user.organisation, actor=request.user)
    except VisitError as exc:
        messages.error(request, _("未能预约%(slot)s：%(reason)s") % {"slot": _slot_label(slot), "reason": exc.message})
    else:
        label = _slot_label(slot)
        if had == slot.pk:
            messages.success(request, _("本校已预约%(slot)s。") % {"slot": label})
        elif had:
            messages.success(request, _("已改约到%(slot)s。") % {"slot": label})
        else:
            messages.success(request, _("已预约%(slot)s。") % {"slot": label})
    return redirect("visit_book", round_id=round_id)


@login_required
@require_POST
def visit_cancel(request, round_id: int):
    round_ = _round(request, round_id, "visit.book")
    booking = VisitBooking.objects.filter(round=round_, unit=request.user.organisation).first()
    if booking is None:
        messages.error(request, _("本校没有预约。"))
        return redirect("visit_book", round_id=round_id)
    try:
        services.booking_cancel(booking=booking, actor=request.user)
    except VisitError as exc:
        messages.error(request, _("未能取消：%(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("已取消预约。请重新选择送审时段。"))
    return redirect("visit_book", round_id=round_id)


# --- The district ----------------------------------------------------------------------------------


class GenerateForm(forms.Form):
    day_start = forms.TimeField(label=gettext_lazy("每天开始"), initial=time(8, 30), widget=forms.TimeInput(attrs={"type": "time"}))
    day_end = forms.TimeField(label=gettext_lazy("每天结束"), initial=time(17, 30), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=gettext_lazy("每个时段（分钟）"), initial=60, min_value=10, max_value=240)
    capacity = forms.IntegerField(label=gettext_lazy("每个时段可约学校数"), initial=3, min_value=1, max_value=50)
    lunch = forms.BooleanField(label=gettext_lazy("12:00—14:00 午休不安排"), initial=True, required=False)


class SlotForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=gettext_lazy("结束"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label=gettext_lazy("可约学校数"), initial=3, min_value=1, max_value=50)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)


def _schedule_xlsx(round_, data) -> HttpResponse:
    rows = []
    for day in data.days:
        for row in day.slots:
            for b in row.bookings:
                a = data.administrators.get(b.unit_id)
                h = data.handovers.get(b.unit_id)
                rows.append([day.day, f"{row.slot.start_time:%H:%M}—{row.slot.end_time:%H:%M}", row.slot.place,
                             b.unit.code, b.unit.name, a.name if a else "", a.phone if a else "",
                             _("已报送") if h else _("未报送"),
                             timezone.localtime(b.files_received_at) if b.files_received_at else None])
    for r in data.not_booked:
        rows.append([None, _("未预约"), "", r.unit.code, r.unit.name, r.administrator.name if r.administrator else "",
                     r.administrator.phone if r.administrator else "", _("已报送") if r.handover else _("未报送"), None])
    record("export.visit_schedule", obj=round_, data={"rows": len(rows)})
    # The district's own working list (not an official format): it follows the language of who downloads it.
    body = build_xlsx(_("送审安排"), [_("日期"), _("时段"), _("地点"), _("机构代码"), _("单位"), _("注册管理员"),
                                   _("手机号码"), _("网上报送"), _("收到材料时间")], rows,
                      title=_("%(round)s 初审送审安排") % {"round": round_.title})
    return attachment_response(HttpResponse(body, content_type=XLSX_TYPE),
                               _("初审送审安排-%(year)s.xlsx") % {"year": round_.year})


@login_required
@require_GET
def visit_schedule(request, round_id: int):
    """Each day's schedule, the schools that have not booked, and (for the district) what it may change."""
    round_ = _round(request, round_id, "round.view_handovers")
    data = schedule(round_)
    if request.GET.get("format") == "xlsx":
        return _schedule_xlsx(round_, data)
    return render(request, "visits/schedule.html", {
        "round": round_, "schedule": data, "day": today(), "can_manage": can(request.user, "visit.manage", round_),
        "generate_form": GenerateForm(),
        "slot_form": SlotForm(auto_id="id_slot_%s"),  # both forms have a capacity: one id per page
    })


@login_required
@require_POST
def visit_generate(request, round_id: int):
    round_ = _round(request, round_id, "visit.manage")
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("生成时段的设置有误：%(errors)s")
                       % {"errors": _("；").join(e for errs in form.errors.values() for e in errs)})
        return redirect("visit_schedule", round_id=round_id)
    d = form.cleaned_data
    try:
        result = services.slots_generate(round_=round_, day_start=d["day_start"], day_end=d["day_end"],
                                         minutes=d["minutes"], capacity=d["capacity"],
                                         lunch=services.LUNCH if d["lunch"] else None, actor=request.user)
    except VisitError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, result.message)
    return redirect("visit_schedule", round_id=round_id)


@login_required
@require_POST
def visit_slot_add(request, round_id: int):
    round_ = _round(request, round_id, "visit.manage")
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("增加时段的填写有误：%(errors)s")
                       % {"errors": _("；").join(e for errs in form.errors.values() for e in errs)})
        return redirect("visit_schedule", round_id=round_id)
    try:
        slot = services.slot_create(round_=round_, actor=request.user, **form.cleaned_data)
    except VisitError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已增加时段 %(slot)s。") % {"slot": _slot_label(slot)})
    return redirect("visit_schedule", round_id=round_id)


@login_required
@require_POST
def visit_slot_delete(request, round_id: int, slot_id: int):
    round_ = _round(request, round_id, "visit.manage")
    slot = VisitSlot.objects.filter(round=round_, pk=slot_id).first()
    if slot is None:
        raise Http404
    try:
        services.slot_delete(slot=slot, actor=request.user)
    except VisitError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除时段 %(slot)s。") % {"slot": _slot_label(slot)})
    return redirect("visit_schedule", round_id=round_id)


@login_required
@require_POST
def visit_mark_received(request, round_id: int, booking_id: int):
    round_ = _round(request, round_id, "visit.manage")
    booking = VisitBooking.objects.select_related("unit").filter(round=round_, pk=booking_id).first()
    if booking is None:
        raise Http404
    services.booking_mark_received(booking=booking, actor=request.user)
    messages.success(request, _("已登记收到%(unit)s的材料。") % {"unit": booking.unit.name})
    return redirect(f"{reverse('visit_schedule', args=[round_id])}#day-{booking.slot.date:%Y%m%d}")
