"""Visits for the initial review as JSON: the school's slots and booking, the district's schedule — over the
same selectors, services and permissions as the pages."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import field_validator

from tqr.accounts.permissions import get_visible_or_404, require, visible_rounds
from tqr.api.openapi import examples
from tqr.api.schemas import ErrorOut
from tqr.visits import services
from tqr.visits.models import VisitBooking, VisitSlot
from tqr.visits.selectors import schedule, school_choice
from tqr.visits.services import VisitError, today

router = Router(tags=["初审送审预约"])


class SlotOut(Schema):
    id: int
    date: date
    start_time: time
    end_time: time
    capacity: int
    taken: int
    remaining: int
    place: str
    note: str
    mine: bool = False
    bookable: bool = False
    refusal: str | None = None


class BookingOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    slot: SlotOut
    booked_at: datetime
    changed_at: datetime | None
    files_received_at: datetime | None


class SchoolSlotsOut(Schema):
    window_start: date | None
    window_end: date | None
    place: str
    booking: BookingOut | None
    cancel_refusal: str | None
    slots: list[SlotOut]


class ScheduleBookingOut(Schema):
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    administrator: str
    phone: str
    handed_over: bool
    booked_at: datetime
    files_received_at: datetime | None


class ScheduleSlotOut(SlotOut):
    bookings: list[ScheduleBookingOut]


class NotBookedOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    administrator: str
    phone: str
    handed_over: bool


class ScheduleOut(Schema):
    window_start: date | None
    window_end: date | None
    units: int
    booked: int
    received: int
    places: int
    slots: list[ScheduleSlotOut]
    not_booked: list[NotBookedOut]


class GenerateIn(Schema):
    model_config = examples({"day_start": "08:30:00", "day_end": "17:30:00", "minutes": 60, "capacity": 3, "lunch_break": True})
    day_start: time = time(8, 30)
    day_end: time = time(17, 30)
    minutes: int = 60
    capacity: int = 3
    lunch_break: bool = True

    @field_validator("day_start", "day_end", mode="after")
    @classmethod
    def _local_time(cls, value: time) -> time:
        # A slot is a wall-clock time of the district; "08:30+08:00" cannot be compared with one (was a 500).
        if value.tzinfo is not None:
            raise ValueError(_("时间不带时区，如 08:30"))
        return value


class GenerateOut(Schema):
    created: int
    days: list[date]
    slots_per_day: int
    fallback_years: list[int]
    message: str


class SlotIn(Schema):
    model_config = examples({"date": "2026-11-23", "start_time": "09:00:00", "end_time": "10:00:00", "capacity": 3, "place": "黔江电大综合楼207", "note": ""})
    date: date
    start_time: time
    end_time: time
    capacity: int = 3
    place: str = ""
    note: str = ""

    @field_validator("start_time", "end_time", mode="after")
    @classmethod
    def _local_time(cls, value: time) -> time:
        # A slot is a wall-clock time of the district; "08:30+08:00" cannot be compared with one (was a 500).
        if value.tzinfo is not None:
            raise ValueError(_("时间不带时区，如 08:30"))
        return value


def _round(request, round_id: int, action: str):
    round_ = get_visible_or_404(request, visible_rounds(request.user).prefetch_related("phase_windows"), pk=round_id)
    require(request, action, round_)
    return round_


def slot_out(slot: VisitSlot, taken: int, **extra) -> dict:
    return {"id": slot.pk, "date": slot.date, "start_time": slot.start_time, "end_time": slot.end_time,
            "capacity": slot.capacity, "taken": taken, "remaining": max(0, slot.capacity - taken),
            "place": slot.place, "note": slot.note, **extra}


def booking_out(b: VisitBooking) -> dict:
    return {"id": b.pk, "unit_id": b.unit_id, "unit_name": b.unit.name,
            "slot": slot_out(b.slot, b.slot.bookings.count(), mine=True), "booked_at": b.booked_at,
            "changed_at": b.changed_at, "files_received_at": b.files_received_at}


def _text(reason) -> str | None:
    """A refusal (a lazily translated text) in the request's language, for the schema's str."""
    return None if reason is None else str(reason)


def _refused(exc: VisitError):
    return Status(exc.status, {"detail": exc.message})


# --- The school ------------------------------------------------------------------------------------


@router.get("/visits/rounds/{round_id}/slots", response={200: SchoolSlotsOut, 403: ErrorOut, 404: ErrorOut},
            summary="本校的预约与可预约的时段（明天起）")
def visit_slots(request, round_id: int):
    round_ = _round(request, round_id, "visit.book")
    choice = school_choice(round_, request.user.organisation, day=today())
    return {
        "window_start": choice.window.start if choice.window else None,
        "window_end": choice.window.end if choice.window else None, "place": choice.place,
        "booking": booking_out(choice.booking) if choice.booking else None,
        "cancel_refusal": _text(choice.cancel_refusal),
        "slots": [slot_out(r.slot, r.taken, mine=r.mine, bookable=r.refusal is None and not r.mine,
                           refusal=_text(r.refusal))
                  for d in choice.days for r in d.slots],
    }


@router.post("/visits/rounds/{round_id}/slots/{slot_id}/book",
             response={200: BookingOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="预约该时段；已有预约时改约到该时段（最迟前一天）")
def visit_book(request, round_id: int, slot_id: int):
    round_ = _round(request, round_id, "visit.book")
    slot = VisitSlot.objects.filter(round=round_, pk=slot_id).first()
    if slot is None:
        return Status(404, {"detail": _("时段不存在")})
    try:
        booking = services.booking_book(slot=slot, unit=request.user.organisation, actor=request.user)
    except VisitError as exc:
        return _refused(exc)
    return booking_out(booking)


@router.post("/visits/rounds/{round_id}/booking/cancel",
             response={200: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="取消预约（最迟前一天）")
def visit_cancel(request, round_id: int):
    round_ = _round(request, round_id, "visit.book")
    booking = VisitBooking.objects.filter(round=round_, unit=request.user.organisation).first()
    if booking is None:
        return Status(404, {"detail": _("本校没有预约")})
    try:
        services.booking_cancel(booking=booking, actor=request.user)
    except VisitError as exc:
        return _refused(exc)
    return {"cancelled": True}


# --- The district ----------------------------------------------------------------------------------


@router.get("/visits/rounds/{round_id}/schedule", response={200: ScheduleOut, 403: ErrorOut, 404: ErrorOut},
            summary="各天送审安排与未预约的单位（区县；市级只读）")
def visit_schedule(request, round_id: int):
    round_ = _round(request, round_id, "round.view_handovers")
    data = schedule(round_)
    return {
        "window_start": data.window.start if data.window else None,
        "window_end": data.window.end if data.window else None,
        "units": data.units, "booked": data.booked, "received": data.received, "places": data.places,
        "slots": [slot_out(r.slot, r.taken, bookings=[
            {"id": b.pk, "unit_id": b.unit_id, "unit_code": b.unit.code, "unit_name": b.unit.name,
             "administrator": b.administrator.name if b.administrator else "",
             "phone": b.administrator.phone if b.administrator else "", "handed_over": b.handover is not None,
             "booked_at": b.booked_at, "files_received_at": b.files_received_at} for b in r.bookings])
            for d in data.days for r in d.slots],
        "not_booked": [{"unit_id": r.unit.pk, "unit_code": r.unit.code, "unit_name": r.unit.name,
                        "administrator": r.administrator.name if r.administrator else "",
                        "phone": r.administrator.phone if r.administrator else "", "handed_over": r.handover is not None}
                       for r in data.not_booked],
    }


@router.post("/visits/rounds/{round_id}/slots/generate",
             response={200: GenerateOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="按初审期间的工作日生成时段（可重复执行）")
def visit_generate(request, round_id: int, body: GenerateIn):
    round_ = _round(request, round_id, "visit.manage")
    try:
        result = services.slots_generate(round_=round_, day_start=body.day_start, day_end=body.day_end,
                                         minutes=body.minutes, capacity=body.capacity,
                                         lunch=services.LUNCH if body.lunch_break else None, actor=request.user)
    except VisitError as exc:
        return _refused(exc)
    return {"created": result.created, "days": result.days, "slots_per_day": result.slots_per_day,
            "fallback_years": result.fallback_years, "message": result.message}


@router.post("/visits/rounds/{round_id}/slots",
             response={201: SlotOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="增加一个时段")
def visit_slot_create(request, round_id: int, body: SlotIn):
    round_ = _round(request, round_id, "visit.manage")
    try:
        slot = services.slot_create(round_=round_, date=body.date, start_time=body.start_time,
                                    end_time=body.end_time, capacity=body.capacity, place=body.place[:200],
                                    note=body.note[:300], actor=request.user)
    except VisitError as exc:
        return _refused(exc)
    return Status(201, slot_out(slot, 0))


@router.post("/visits/rounds/{round_id}/slots/{slot_id}/delete",
             response={200: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="删除没有预约的时段")
def visit_slot_delete(request, round_id: int, slot_id: int):
    round_ = _round(request, round_id, "visit.manage")
    slot = VisitSlot.objects.filter(round=round_, pk=slot_id).first()
    if slot is None:
        return Status(404, {"detail": _("时段不存在")})
    try:
        services.slot_delete(slot=slot, actor=request.user)
    except VisitError as exc:
        return _refused(exc)
    return {"deleted": True}


@router.post("/visits/rounds/{round_id}/bookings/{booking_id}/received",
             response={200: ScheduleBookingOut, 403: ErrorOut, 404: ErrorOut}, summary="登记收到学校的材料（可重复）")
def visit_mark_received(request, round_id: int, booking_id: int):
    round_ = _round(request, round_id, "visit.manage")
    booking = VisitBooking.objects.filter(round=round_, pk=booking_id).select_related("unit").first()
    if booking is None:
        return Status(404, {"detail": _("预约不存在")})
    booking = services.booking_mark_received(booking=booking, actor=request.user)
    administrator = booking.round.administrators.filter(unit_id=booking.unit_id).first()
    return {"id": booking.pk, "unit_id": booking.unit_id, "unit_code": booking.unit.code,
            "unit_name": booking.unit.name, "administrator": administrator.name if administrator else "",
            "phone": administrator.phone if administrator else "",
            "handed_over": booking.round.handovers.filter(unit_id=booking.unit_id).exists(),
            "booked_at": booking.booked_at, "files_received_at": booking.files_received_at}
