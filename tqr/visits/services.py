"""Writes for visits: each service checks, changes and audits (`visit.*`) in one transaction.

The refusals are decided by the pure functions at the top (`why_not_book`, `why_not_cancel`), which take
`today` as an argument; the booking page asks the same functions to decide which buttons to show, so the
page and the POST cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tqr.accounts.models import Organisation
from tqr.audit.services import record
from tqr.campaigns.models import Round
from tqr.campaigns.workdays import UnknownCalendarYear, calendar
from tqr.rules.phases import Phase
from tqr.visits.models import VisitBooking, VisitSlot

# 黔江教办〔2023〕155号 三（四）1 gives the days; booking "the day before" is this product's rule, so that the
# district knows each morning who is coming.
TOO_LATE = gettext_lazy("最迟须在前一天预约或更改")
TOO_LATE_CANCEL = gettext_lazy("最迟须在前一天取消预约")
NO_WINDOW = gettext_lazy("本年度尚未设置初审时间")
WINDOW_OVER = gettext_lazy("初审已结束，不能再预约")
OUTSIDE_WINDOW = gettext_lazy("该时段不在初审时间内")
FULL = gettext_lazy("该时段已约满，请选择其他时段")
RECEIVED = gettext_lazy("材料已登记收到，不能更改或取消预约")

LUNCH = (time(12, 0), time(14, 0))  # the office closes at noon; nobody should be booked into it


class VisitError(Exception):
    """A refused write. `status` is what the API answers (409: not now / not possible, 400: bad input).

    The message is translated when the error is raised (a lazy constant becomes the request's language)."""

    def __init__(self, message: str, *, code: str = "refused", status: int = 409):
        message = str(message)
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def today() -> date:
    return timezone.localdate()


# --- Rules (pure: no database, `today` is an argument) ---------------------------------------------


@dataclass(frozen=True)
class ReviewWindow:
    start: date
    end: date | None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def why_not_book(*, slot_date: date, today: date, window: ReviewWindow | None, taken: int, capacity: int,
                 current_date: date | None = None, received: bool = False) -> str | None:
    """Why a school may not book (or move its booking to) this slot now; None when it may.

    `taken` counts the slot's bookings by other schools; `current_date` is the date of the school's
    present booking when it is moving one.
    """
    if window is None:
        return NO_WINDOW
    if window.end is not None and today > window.end:
        return WINDOW_OVER
    if received:
        return RECEIVED
    if current_date is not None and current_date <= today:
        return TOO_LATE  # the booked day has come: the booking stays as it is
    if not window.contains(slot_date):
        return OUTSIDE_WINDOW
    if slot_date <= today:
        return TOO_LATE
    if taken >= capacity:
        return FULL
    return None


def why_not_cancel(*, slot_date: date, today: date, received: bool) -> str | None:
    if received:
        return RECEIVED
    if slot_date <= today:
        return TOO_LATE_CANCEL
    return None


def slot_times(day_start: time, day_end: time, minutes: int,
               lunch: tuple[time, time] | None = LUNCH) -> list[tuple[time, time]]:
    """Whole slots of `minutes` from day_start to day_end; with a lunch break, the morning ends at its start
    and the afternoon begins at its end (an unfinished slot before either is left out)."""
    if minutes < 10 or day_end <= day_start:
        return []
    spans = [(day_start, day_end)]
    if lunch is not None and day_start < lunch[0] < lunch[1] < day_end:
        spans = [(day_start, lunch[0]), (lunch[1], day_end)]
    step = timedelta(minutes=minutes)
    times = []
    for begin, end in spans:
        at = datetime.combine(date.min, begin)
        while at + step <= datetime.combine(date.min, end):
            times.append((at.time(), (at + step).time()))
            at += step
    return times


def _overlaps(a: tuple[time, time], b: tuple[time, time]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# --- Helpers over the database ---------------------------------------------------------------------


def review_window(round_: Round) -> ReviewWindow | None:
    w = round_.window(Phase.INITIAL_REVIEW)
    return ReviewWindow(w.start_date, w.end_date) if w else None


def review_place(round_: Round) -> str:
    w = round_.window(Phase.INITIAL_REVIEW)
    return w.place if w else ""


# --- Slots -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerateResult:
    created: int
    days: list[date]
    slots_per_day: int
    # Years the working-day calendar does not know: their days were taken as Monday–Friday.
    fallback_years: list[int] = field(default_factory=list)

    @property
    def message(self) -> str:
        values = {"days": len(self.days), "created": self.created, "per_day": self.slots_per_day,
                  "years": _("、").join(str(y) for y in self.fallback_years)}
        if self.created and self.fallback_years:
            return ngettext(
                "已在初审期间的 %(days)s 个工作日生成 %(created)s 个送审时段（每天 %(per_day)s 个）。"
                "注意：%(years)s 年的节假日安排尚未录入，暂按周一至周五计算工作日，请核对。",
                "已在初审期间的 %(days)s 个工作日生成 %(created)s 个送审时段（每天 %(per_day)s 个）。"
                "注意：%(years)s 年的节假日安排尚未录入，暂按周一至周五计算工作日，请核对。",
                self.created) % values
        if self.created:
            return ngettext("已在初审期间的 %(days)s 个工作日生成 %(created)s 个送审时段（每天 %(per_day)s 个）。",
                            "已在初审期间的 %(days)s 个工作日生成 %(created)s 个送审时段（每天 %(per_day)s 个）。",
                            self.created) % values
        if self.fallback_years:
            return _("初审期间 %(days)s 个工作日的送审时段都已生成，没有新增。"
                     "注意：%(years)s 年的节假日安排尚未录入，暂按周一至周五计算工作日，请核对。") % values
        return _("初审期间 %(days)s 个工作日的送审时段都已生成，没有新增。") % values


@transaction.atomic
def slots_generate(*, round_: Round, day_start: time = time(8, 30), day_end: time = time(17, 30),
                   minutes: int = 60, capacity: int = 3, lunch: tuple[time, time] | None = LUNCH,
                   actor) -> GenerateResult:
    """Slots on every working day of the initial-review window. Idempotent: a slot that overlaps one the
    day already has is not created again (so re-running, even with another length, adds nothing twice)."""
    Round.objects.select_for_update().filter(pk=round_.pk).first()  # one generation at a time per round
    window = round_.window(Phase.INITIAL_REVIEW)
    if window is None or window.end_date is None:
        raise VisitError(NO_WINDOW, code="no_window")
    if not 1 <= capacity <= 50:
        raise VisitError(_("每个时段可预约的学校数须在 1 到 50 之间"), code="capacity", status=400)
    times = slot_times(day_start, day_end, minutes, lunch)
    if not times:
        raise VisitError(_("所设时间内排不下一个时段，请检查开始、结束时间和时长"), code="times", status=400)

    cal = calendar()
    days, unknown = [], set()
    day = window.start_date
    while day <= window.end_date:
        try:
            working = cal.is_workday(day)
        except UnknownCalendarYear:
            working = day.weekday() < 5  # stated in the result, never silent
            unknown.add(day.year)
        if working:
            days.append(day)
        day += timedelta(days=1)

    existing: dict[date, list[tuple[time, time]]] = {}
    for d, s, e in VisitSlot.objects.filter(round=round_, date__in=days).values_list("date", "start_time", "end_time"):
        existing.setdefault(d, []).append((s, e))
    new = [
        VisitSlot(round=round_, date=d, start_time=s, end_time=e, capacity=capacity, place=window.place)
        for d in days for s, e in times
        if not any(_overlaps((s, e), other) for other in existing.get(d, []))
    ]
    VisitSlot.objects.bulk_create(new)
    result = GenerateResult(created=len(new), days=days, slots_per_day=len(times), fallback_years=sorted(unknown))
    if new:
        record("visit.slots_generate", actor=actor, obj=round_, data={
            "created": len(new), "days": [str(d) for d in days], "minutes": minutes, "capacity": capacity,
            "fallback_years": result.fallback_years,
        })
    return result


@transaction.atomic
def slot_create(*, round_: Round, date: date, start_time: time, end_time: time, capacity: int = 3,
                place: str = "", note: str = "", actor) -> VisitSlot:
    window = review_window(round_)
    if window is None:
        raise VisitError(NO_WINDOW, code="no_window")
    if not window.contains(date):
        raise VisitError(OUTSIDE_WINDOW, code="outside_window", status=400)
    if end_time <= start_time:
        raise VisitError(_("结束时间须晚于开始时间"), code="times", status=400)
    if not 1 <= capacity <= 50:
        raise VisitError(_("每个时段可预约的学校数须在 1 到 50 之间"), code="capacity", status=400)
    Round.objects.select_for_update().filter(pk=round_.pk).first()
    same_day = VisitSlot.objects.filter(round=round_, date=date).values_list("start_time", "end_time")
    if any(_overlaps((start_time, end_time), other) for other in same_day):
        raise VisitError(_("与当天已有的时段重叠"), code="overlap")
    slot = VisitSlot.objects.create(round=round_, date=date, start_time=start_time, end_time=end_time,
                                    capacity=capacity, place=place.strip() or review_place(round_), note=note.strip())
    record("visit.slot_create", actor=actor, obj=slot, data={"round": round_.pk, "capacity": capacity})
    return slot


@transaction.atomic
def slot_delete(*, slot: VisitSlot, actor) -> None:
    slot = VisitSlot.objects.select_for_update().get(pk=slot.pk)
    if slot.bookings.exists():
        raise VisitError(_("该时段已有学校预约，不能删除"), code="booked")
    record("visit.slot_delete", actor=actor, obj=slot, data={"round": slot.round_id, "date": str(slot.date),
                                                             "start": f"{slot.start_time:%H:%M}"})
    slot.delete()


# --- Bookings --------------------------------------------------------------------------------------


@transaction.atomic
def booking_book(*, slot: VisitSlot, unit: Organisation, actor) -> VisitBooking:
    """The school books this slot; if it already holds another one, the booking moves (改约)."""
    # Lock the slot first and count inside the lock: two schools cannot both take its last place.
    slot = VisitSlot.objects.select_for_update().select_related("round").get(pk=slot.pk)
    round_ = slot.round
    if unit.parent_id != round_.district_id:
        raise VisitError(_("本单位不属于该注册年度的区县"), code="wrong_district", status=403)
    current = (VisitBooking.objects.select_for_update().select_related("slot")
               .filter(round=round_, unit=unit).first())
    if current is not None and current.slot_id == slot.pk:
        return current  # already booked here: nothing changes
    taken = VisitBooking.objects.filter(slot=slot).count()
    reason = why_not_book(slot_date=slot.date, today=today(), window=review_window(round_), taken=taken,
                          capacity=slot.capacity, current_date=current.slot.date if current else None,
                          received=bool(current and current.files_received_at))
    if reason:
        raise VisitError(reason)
    if current is not None:
        before = str(current.slot)
        current.slot, current.booked_by, current.changed_at = slot, actor, timezone.now()
        current.save(update_fields=["slot", "booked_by", "changed_at"])
        record("visit.change", actor=actor, obj=current, data={"unit": unit.code, "from": before, "to": str(slot)})
        return current
    try:
        with transaction.atomic():
            booking = VisitBooking.objects.create(slot=slot, round=round_, unit=unit, booked_by=actor)
    except IntegrityError as exc:  # the same school booked in another tab a moment ago
        raise VisitError(_("本校刚刚已预约，请刷新页面后再试"), code="conflict") from exc
    record("visit.book", actor=actor, obj=booking, data={"unit": unit.code, "slot": str(slot)})
    return booking


@transaction.atomic
def booking_cancel(*, booking: VisitBooking, actor) -> None:
    booking = VisitBooking.objects.select_for_update().select_related("slot", "unit").get(pk=booking.pk)
    reason = why_not_cancel(slot_date=booking.slot.date, today=today(), received=booking.files_received_at is not None)
    if reason:
        raise VisitError(reason)
    record("visit.cancel", actor=actor, obj=booking, data={"unit": booking.unit.code, "slot": str(booking.slot)})
    booking.delete()


@transaction.atomic
def booking_mark_received(*, booking: VisitBooking, actor) -> VisitBooking:
    """The district registers the school's files and statistics table as received (idempotent).

    The school's online hand-over (HandOver) is the same batch: it is marked received too, so that the
    two district pages never disagree.
    """
    from tqr.applications.models import HandOver
    from tqr.applications.school import handover_receive

    booking = VisitBooking.objects.select_for_update().select_related("unit").get(pk=booking.pk)
    if booking.files_received_at is not None:
        return booking
    booking.files_received_at, booking.files_received_by = timezone.now(), actor
    booking.save(update_fields=["files_received_at", "files_received_by"])
    record("visit.receive", actor=actor, obj=booking, data={"unit": booking.unit.code})
    handover = HandOver.objects.filter(round_id=booking.round_id, unit_id=booking.unit_id).first()
    if handover is not None:
        handover_receive(handover=handover, actor=actor)
    return booking
