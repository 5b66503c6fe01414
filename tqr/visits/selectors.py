"""Reads for visits: a school's choice of slots, and the district's schedule of each day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from tqr.accounts.models import Organisation
from tqr.applications.models import HandOver
from tqr.campaigns.models import RegistrationAdministrator, Round
from tqr.campaigns.selectors import units_for_administrators
from tqr.visits.models import VisitBooking, VisitSlot
from tqr.visits.services import ReviewWindow, review_place, review_window, why_not_book, why_not_cancel


@dataclass
class SlotRow:
    slot: VisitSlot
    taken: int
    bookings: list[VisitBooking] = field(default_factory=list)
    refusal: str | None = None  # why the viewing school may not book it now (None: it may)
    mine: bool = False

    @property
    def remaining(self) -> int:
        return max(0, self.slot.capacity - self.taken)


@dataclass
class DayRow:
    day: date
    slots: list[SlotRow]

    @property
    def booked(self) -> int:
        return sum(len(s.bookings) for s in self.slots)

    @property
    def received(self) -> int:
        return sum(1 for s in self.slots for b in s.bookings if b.files_received_at)


def booking_of(round_: Round, unit: Organisation) -> VisitBooking | None:
    return VisitBooking.objects.select_related("slot").filter(round=round_, unit=unit).first()


@dataclass
class SchoolChoice:
    window: ReviewWindow | None
    booking: VisitBooking | None
    cancel_refusal: str | None
    days: list[DayRow]  # from tomorrow on: a booking is made at the latest the day before
    place: str


def school_choice(round_: Round, unit: Organisation, *, day: date) -> SchoolChoice:
    """What a school sees: its booking and the coming days' slots, each with why it may not be booked."""
    window = review_window(round_)
    booking = booking_of(round_, unit)
    received = bool(booking and booking.files_received_at)
    slots = (VisitSlot.objects.filter(round=round_, date__gt=day)
             .annotate(n=Count("bookings")).order_by("date", "start_time"))
    by_day: dict[date, list[SlotRow]] = defaultdict(list)
    for slot in slots:
        mine = booking is not None and booking.slot_id == slot.pk
        taken = slot.n - (1 if mine else 0)  # the school's own place is not someone else's
        refusal = None if mine else why_not_book(
            slot_date=slot.date, today=day, window=window, taken=taken, capacity=slot.capacity,
            current_date=booking.slot.date if booking else None, received=received)
        by_day[slot.date].append(SlotRow(slot=slot, taken=slot.n, refusal=refusal, mine=mine))
    cancel_refusal = (why_not_cancel(slot_date=booking.slot.date, today=day, received=received)
                      if booking else None)
    place = (booking.slot.place if booking else "") or review_place(round_)
    return SchoolChoice(window=window, booking=booking, cancel_refusal=cancel_refusal,
                        days=[DayRow(d, rows) for d, rows in sorted(by_day.items())], place=place)


@dataclass
class ScheduleUnit:
    unit: Organisation
    administrator: RegistrationAdministrator | None
    handover: HandOver | None


@dataclass
class Schedule:
    window: ReviewWindow | None
    days: list[DayRow]
    not_booked: list[ScheduleUnit]
    units: int  # units of the round that bring files (units_for_administrators)
    booked: int
    received: int
    places: int  # all places of all slots
    administrators: dict[int, RegistrationAdministrator]
    handovers: dict[int, HandOver]


def schedule(round_: Round) -> Schedule:
    """Every day's slots with the schools booked in each, and the round's schools that have not booked."""
    slots = list(VisitSlot.objects.filter(round=round_).order_by("date", "start_time"))
    bookings = list(VisitBooking.objects.filter(round=round_).select_related("unit", "booked_by", "files_received_by")
                    .order_by("booked_at"))
    by_slot: dict[int, list[VisitBooking]] = defaultdict(list)
    administrators = {a.unit_id: a for a in RegistrationAdministrator.objects.filter(round=round_)}
    handovers = {h.unit_id: h for h in HandOver.objects.filter(round=round_)}
    for b in bookings:
        # Who to phone and whether the statistics table was handed over online, beside each booking.
        b.administrator, b.handover = administrators.get(b.unit_id), handovers.get(b.unit_id)
        by_slot[b.slot_id].append(b)
    by_day: dict[date, list[SlotRow]] = defaultdict(list)
    for slot in slots:
        rows = by_slot.get(slot.pk, [])
        by_day[slot.date].append(SlotRow(slot=slot, taken=len(rows), bookings=rows))
    units = units_for_administrators(round_)
    booked_units = {b.unit_id for b in bookings}
    not_booked = [ScheduleUnit(u, a, handovers.get(u.pk)) for u, a in units if u.pk not in booked_units]
    not_booked.sort(key=lambda r: r.unit.code)
    return Schedule(
        window=review_window(round_), days=[DayRow(d, rows) for d, rows in sorted(by_day.items())],
        not_booked=not_booked, units=len(units), booked=len(bookings),
        received=sum(1 for b in bookings if b.files_received_at), places=sum(s.capacity for s in slots),
        administrators=administrators, handovers=handovers,
    )
