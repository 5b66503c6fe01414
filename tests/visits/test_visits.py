"""Visits for the initial review (初审送审预约): the district offers slots on the working days of the window,
each school books one (and may change or cancel it up to the day before), the district sees each day's
schedule and who has not booked, and registers the files as received.

Personas: admin_a and admin_b run schools A and B of district A; reviewer_d1 is district A's reviewer,
reviewer_d2 the other district's (an outsider here: 404); teachers may see the round but not this (403).
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from django.db import connection
from python_calamine import CalamineWorkbook

from tests.factories import windows_around
from tqr.applications.models import HandOver
from tqr.audit.models import AuditEvent
from tqr.campaigns.services import round_set_windows
from tqr.rules.phases import Phase
from tqr.visits import services
from tqr.visits.models import VisitBooking, VisitSlot
from tqr.visits.services import (
    FULL,
    TOO_LATE,
    TOO_LATE_CANCEL,
    WINDOW_OVER,
    ReviewWindow,
    VisitError,
    booking_book,
    booking_cancel,
    booking_mark_received,
    slot_create,
    slot_times,
    slots_generate,
    why_not_book,
)

pytestmark = pytest.mark.django_db
PLACE = "黔江电大综合楼207办公室"
API = "/api/v1/visits/rounds"


def today() -> date:
    return services.today()


def move_round(round_, windows):
    round_set_windows(round_=round_, windows=windows)


def in_initial_review(world, *, place=PLACE):
    """Round A moved so that today is the second day of its four-day initial review (yesterday … today+2)."""
    specs = [replace(s, place=place) if s.phase == Phase.INITIAL_REVIEW else s
             for s in windows_around(today(), Phase.INITIAL_REVIEW)]
    move_round(world.round_a, specs)
    return world.round_a


def review_from(world, start: date, end: date):
    """Round A with its initial review on exactly these dates (the other windows follow the seed's shape)."""
    specs = [replace(s, start=start, end=end, place=PLACE) if s.phase == Phase.INITIAL_REVIEW else s
             for s in windows_around(start - timedelta(days=1), Phase.INITIAL_REVIEW)]
    move_round(world.round_a, specs)
    return world.round_a


def slot(world, days_ahead: int, *, at=9, capacity=3, round_=None) -> VisitSlot:
    return slot_create(round_=round_ or world.round_a, date=today() + timedelta(days=days_ahead),
                       start_time=time(at), end_time=time(at + 1), capacity=capacity, actor=world.reviewer_d1)


def actions(prefix="visit."):
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("pk").values_list("action", flat=True))


# --- The rules, without a database ---------------------------------------------------------------


def test_the_rules_refuse_the_day_itself_and_a_full_slot_and_a_finished_window():
    window = ReviewWindow(date(2025, 11, 21), date(2025, 11, 24))
    day = date(2025, 11, 21)
    assert why_not_book(slot_date=date(2025, 11, 24), today=day, window=window, taken=2, capacity=3) is None
    assert why_not_book(slot_date=day, today=day, window=window, taken=0, capacity=3) == TOO_LATE
    assert why_not_book(slot_date=date(2025, 11, 24), today=day, window=window, taken=3, capacity=3) == FULL
    assert why_not_book(slot_date=date(2025, 11, 24), today=date(2025, 11, 25), window=window, taken=0,
                        capacity=3) == WINDOW_OVER
    # A booking for today cannot be moved to a later day either.
    assert why_not_book(slot_date=date(2025, 11, 24), today=day, window=window, taken=0, capacity=3,
                        current_date=day) == TOO_LATE


def test_the_day_is_cut_into_whole_slots_around_the_lunch_break():
    assert slot_times(time(8, 30), time(17, 30), 60) == [
        (time(8, 30), time(9, 30)), (time(9, 30), time(10, 30)), (time(10, 30), time(11, 30)),
        (time(14), time(15)), (time(15), time(16)), (time(16), time(17))]
    assert len(slot_times(time(8, 30), time(17, 30), 60, lunch=None)) == 9
    assert slot_times(time(17), time(9), 60) == []


# --- Generating slots ----------------------------------------------------------------------------


def test_slots_are_made_only_on_the_working_days_of_the_window(world):
    # 2025-11-21 is a Friday: the weekend of the 22nd and 23rd gets no slot.
    round_ = review_from(world, date(2025, 11, 21), date(2025, 11, 25))
    result = slots_generate(round_=round_, actor=world.reviewer_d1)
    days = sorted(set(VisitSlot.objects.filter(round=round_).values_list("date", flat=True)))
    assert days == [date(2025, 11, 21), date(2025, 11, 24), date(2025, 11, 25)]
    assert result.created == 3 * 6 and result.fallback_years == []
    slot_ = VisitSlot.objects.filter(round=round_).first()
    assert slot_.place == PLACE and slot_.capacity == 3
    assert actions() == ["visit.slots_generate"]


def test_the_holiday_arrangement_counts_not_just_the_week(world):
    # 国庆 2025: 10-01…10-08 off; Sunday 09-28 is a 调休 working day.
    round_ = review_from(world, date(2025, 9, 26), date(2025, 10, 9))
    slots_generate(round_=round_, actor=world.reviewer_d1)
    days = sorted(set(VisitSlot.objects.filter(round=round_).values_list("date", flat=True)))
    assert days == [date(2025, 9, 26), date(2025, 9, 28), date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 9)]


def test_generating_again_creates_nothing_new(world):
    round_ = review_from(world, date(2025, 11, 21), date(2025, 11, 25))
    slots_generate(round_=round_, actor=world.reviewer_d1)
    again = slots_generate(round_=round_, actor=world.reviewer_d1)
    assert again.created == 0 and "没有新增" in again.message
    assert VisitSlot.objects.filter(round=round_).count() == 18
    assert actions() == ["visit.slots_generate"]  # nothing changed, nothing audited
    # With half-hour slots only the gaps are filled (11:30 and 17:00); nothing overlaps what is there.
    other = slots_generate(round_=round_, minutes=30, actor=world.reviewer_d1)
    assert other.created == 3 * 2
    for day in other.days:
        times = list(VisitSlot.objects.filter(round=round_, date=day).order_by("start_time")
                     .values_list("start_time", "end_time"))
        assert all(a[1] <= b[0] for a, b in zip(times, times[1:], strict=False))


def test_a_year_without_a_holiday_arrangement_falls_back_to_monday_to_friday_and_says_so(world):
    # 2099-11-20 is a Friday.
    round_ = review_from(world, date(2099, 11, 20), date(2099, 11, 23))
    result = slots_generate(round_=round_, minutes=240, lunch=None, actor=world.reviewer_d1)
    days = sorted(set(VisitSlot.objects.filter(round=round_).values_list("date", flat=True)))
    assert days == [date(2099, 11, 20), date(2099, 11, 23)]
    assert result.fallback_years == [2099] and "暂按周一至周五" in result.message


def test_a_slot_with_a_booking_cannot_be_deleted(world):
    round_ = in_initial_review(world)
    taken, free = slot(world, 1), slot(world, 1, at=10)
    booking_book(slot=taken, unit=world.school_a, actor=world.admin_a)
    with pytest.raises(VisitError, match="已有学校预约"):
        services.slot_delete(slot=taken, actor=world.reviewer_d1)
    services.slot_delete(slot=free, actor=world.reviewer_d1)
    assert list(VisitSlot.objects.filter(round=round_)) == [taken]
    assert "visit.slot_delete" in actions()


# --- Booking ---------------------------------------------------------------------------------------


def test_a_school_books_and_changes_and_keeps_one_booking(world):
    in_initial_review(world)
    first, second = slot(world, 1), slot(world, 2)
    booking_book(slot=first, unit=world.school_a, actor=world.admin_a)
    booking_book(slot=second, unit=world.school_a, actor=world.admin_a)
    booking = VisitBooking.objects.get()
    assert booking.slot == second and booking.unit == world.school_a and booking.changed_at is not None
    assert actions() == ["visit.slot_create", "visit.slot_create", "visit.book", "visit.change"]
    # Booking the slot it already holds changes nothing.
    booking_book(slot=second, unit=world.school_a, actor=world.admin_a)
    assert actions()[-1] == "visit.change"


def test_a_full_slot_is_refused(world):
    in_initial_review(world)
    one_place = slot(world, 1, capacity=1)
    booking_book(slot=one_place, unit=world.school_a, actor=world.admin_a)
    with pytest.raises(VisitError, match=str(FULL)):
        booking_book(slot=one_place, unit=world.school_b, actor=world.admin_b)
    assert VisitBooking.objects.filter(slot=one_place).count() == 1


def test_two_schools_racing_for_the_last_place_one_wins(world):
    # Each booking locks the slot and counts inside the lock; here the two arrive one after the other.
    in_initial_review(world)
    last = slot(world, 1, capacity=2)
    other = world.school_b.__class__.objects.create(code="500114003", name="重庆市黔江区实验中学校", kind="junior",
                                                    parent=world.district_a)
    booking_book(slot=last, unit=other, actor=world.reviewer_d1)
    outcomes = []
    for unit in (world.school_a, world.school_b):
        try:
            booking_book(slot=last, unit=unit, actor=world.admin_a)
            outcomes.append("ok")
        except VisitError as exc:
            outcomes.append(exc.message)
    assert outcomes == ["ok", FULL]
    assert VisitBooking.objects.filter(slot=last).count() == 2


def test_booking_changing_or_cancelling_on_the_day_is_refused(world):
    in_initial_review(world)
    today_slot, tomorrow = slot(world, 0), slot(world, 1)
    with pytest.raises(VisitError, match=str(TOO_LATE)):
        booking_book(slot=today_slot, unit=world.school_a, actor=world.admin_a)
    # A booking for today (made earlier) can be neither moved nor cancelled now.
    booking = VisitBooking.objects.create(slot=today_slot, round=world.round_a, unit=world.school_b)
    with pytest.raises(VisitError, match=str(TOO_LATE)):
        booking_book(slot=tomorrow, unit=world.school_b, actor=world.admin_b)
    with pytest.raises(VisitError, match=str(TOO_LATE_CANCEL)):
        booking_cancel(booking=booking, actor=world.admin_b)
    assert VisitBooking.objects.get().slot == today_slot
    assert "visit.book" not in actions() and "visit.cancel" not in actions()


def test_a_booking_is_cancelled_up_to_the_day_before(world):
    in_initial_review(world)
    booking = booking_book(slot=slot(world, 1), unit=world.school_a, actor=world.admin_a)
    booking_cancel(booking=booking, actor=world.admin_a)
    assert not VisitBooking.objects.exists()
    assert actions()[-1] == "visit.cancel"


def test_nothing_can_be_booked_once_the_initial_review_is_over(world):
    in_initial_review(world)
    later = slot(world, 2)
    move_round(world.round_a, windows_around(today(), Phase.NOTICE))  # the window is over now
    with pytest.raises(VisitError, match=str(WINDOW_OVER)):
        booking_book(slot=later, unit=world.school_a, actor=world.admin_a)


def test_a_school_of_another_district_cannot_book(world):
    in_initial_review(world)
    with pytest.raises(VisitError):
        booking_book(slot=slot(world, 1), unit=world.school_c, actor=world.admin_a)
    assert not VisitBooking.objects.exists()


# --- The district ----------------------------------------------------------------------------------


def test_marking_the_files_received_is_audited_once_and_receives_the_handover_too(world):
    in_initial_review(world)
    booking = booking_book(slot=slot(world, 1), unit=world.school_a, actor=world.admin_a)
    handover = HandOver.objects.create(round=world.round_a, unit=world.school_a, statistics={}, filled_by="陈老师",
                                       phone="13812345678")
    booking_mark_received(booking=booking, actor=world.reviewer_d1)
    booking_mark_received(booking=booking, actor=world.reviewer_d1)
    booking.refresh_from_db()
    handover.refresh_from_db()
    assert booking.files_received_at is not None and booking.files_received_by == world.reviewer_d1
    assert handover.received_at is not None
    assert AuditEvent.objects.filter(action="visit.receive", user=world.reviewer_d1).count() == 1
    assert AuditEvent.objects.filter(action="handover.receive").count() == 1
    with pytest.raises(VisitError, match="材料已登记收到"):
        booking_cancel(booking=booking, actor=world.admin_a)


# --- Pages -----------------------------------------------------------------------------------------


def test_the_school_sees_the_coming_days_with_the_places_left_and_books_one(world, client_for):
    in_initial_review(world)
    full = slot(world, 1, capacity=1)
    free = slot(world, 2)
    slot(world, 0)  # today: no longer offered
    booking_book(slot=full, unit=world.school_b, actor=world.admin_b)
    admin = client_for("admin_a")
    page = admin.get(f"/visits/{world.round_a.pk}/").content.decode()
    assert PLACE in page and "本校尚未预约送审时段" in page
    assert "已约满" in page and "剩 3 个名额" in page and page.count("预约</button>") == 1
    response = admin.post(f"/visits/{world.round_a.pk}/slots/{free.pk}/book/", follow=True)
    body = response.content.decode()
    assert "已预约" in body and "本校已约此时段" in body and "取消预约" in body
    assert VisitBooking.objects.get(unit=world.school_a).slot == free


def test_the_school_is_told_why_a_booking_is_refused(world, client_for):
    in_initial_review(world)
    full = slot(world, 1, capacity=1)
    booking_book(slot=full, unit=world.school_b, actor=world.admin_b)
    body = client_for("admin_a").post(f"/visits/{world.round_a.pk}/slots/{full.pk}/book/", follow=True)
    assert str(FULL) in body.content.decode()
    on_the_day = slot(world, 0)
    body = client_for("admin_a").post(f"/visits/{world.round_a.pk}/slots/{on_the_day.pk}/book/", follow=True)
    assert str(TOO_LATE) in body.content.decode()
    assert not VisitBooking.objects.filter(unit=world.school_a).exists()


def test_the_school_changes_and_cancels_on_the_page(world, client_for):
    in_initial_review(world)
    first, second = slot(world, 1), slot(world, 2)
    admin = client_for("admin_a")
    admin.post(f"/visits/{world.round_a.pk}/slots/{first.pk}/book/")
    body = admin.post(f"/visits/{world.round_a.pk}/slots/{second.pk}/book/", follow=True).content.decode()
    assert "已改约到" in body
    assert VisitBooking.objects.get().slot == second
    admin.post(f"/visits/{world.round_a.pk}/cancel/")
    assert not VisitBooking.objects.exists()
    assert actions()[-3:] == ["visit.book", "visit.change", "visit.cancel"]


def test_the_district_sees_each_days_schedule_and_the_schools_not_booked(world, client_for):
    in_initial_review(world)
    tomorrow = slot(world, 1)
    booking_book(slot=tomorrow, unit=world.school_a, actor=world.admin_a)
    page = client_for("reviewer_d1").get(f"/visits/{world.round_a.pk}/schedule/").content.decode()
    day_part, not_booked_part = page.split('id="not-booked"')
    assert "城东街道中心小学校" in day_part and "登记收到材料" in day_part
    assert "民族中学校" in not_booked_part and "城东街道中心小学校" not in not_booked_part
    assert "武隆区" not in page  # the other district's school is not ours
    assert "生成时段" in page


def test_the_city_sees_the_schedule_without_buttons(world, client_for):
    in_initial_review(world)
    booking_book(slot=slot(world, 1), unit=world.school_a, actor=world.admin_a)
    page = client_for("city_reviewer").get(f"/visits/{world.round_a.pk}/schedule/").content.decode()
    assert "城东街道中心小学校" in page and "登记收到材料" not in page and "生成时段" not in page


def test_the_district_generates_and_marks_received_on_the_page(world, client_for):
    in_initial_review(world)
    reviewer = client_for("reviewer_d1")
    body = reviewer.post(f"/visits/{world.round_a.pk}/schedule/generate/", {
        "day_start": "08:30", "day_end": "17:30", "minutes": "60", "capacity": "3", "lunch": "on"},
        follow=True).content.decode()
    assert "送审时段" in body and VisitSlot.objects.filter(round=world.round_a).exists()
    later = VisitSlot.objects.filter(round=world.round_a, date__gt=today()).first() or slot(world, 2, at=18)
    booking = booking_book(slot=later, unit=world.school_a, actor=world.admin_a)
    reviewer.post(f"/visits/{world.round_a.pk}/schedule/bookings/{booking.pk}/received/")
    booking.refresh_from_db()
    assert booking.files_received_at is not None
    page = reviewer.get(f"/visits/{world.round_a.pk}/schedule/").content.decode()
    assert "已收到" in page


def test_the_schedule_exports_to_excel_with_the_schools_not_booked(world, client_for):
    in_initial_review(world)
    booking_book(slot=slot(world, 1), unit=world.school_a, actor=world.admin_a)
    response = client_for("reviewer_d1").get(f"/visits/{world.round_a.pk}/schedule/?format=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    body = {(r[1], r[4]) for r in rows[3:]}
    assert ("09:00—10:00", world.school_a.name) in body and ("未预约", world.school_b.name) in body
    assert AuditEvent.objects.filter(action="export.visit_schedule", user=world.reviewer_d1).exists()


# --- Who may: outsiders get 404, the wrong role 403, and nothing changes ---------------------------


def page_routes(world, s, b):
    r = world.round_a.pk
    return [("get", f"/visits/{r}/"), ("post", f"/visits/{r}/slots/{s.pk}/book/"), ("post", f"/visits/{r}/cancel/"),
            ("get", f"/visits/{r}/schedule/"), ("get", f"/visits/{r}/schedule/?format=xlsx"),
            ("post", f"/visits/{r}/schedule/generate/"), ("post", f"/visits/{r}/schedule/slots/"),
            ("post", f"/visits/{r}/schedule/slots/{s.pk}/delete/"),
            ("post", f"/visits/{r}/schedule/bookings/{b.pk}/received/")]


def api_routes(world, s, b):
    r = world.round_a.pk
    return [("get", f"{API}/{r}/slots"), ("post", f"{API}/{r}/slots/{s.pk}/book"), ("post", f"{API}/{r}/booking/cancel"),
            ("get", f"{API}/{r}/schedule"), ("post", f"{API}/{r}/slots/generate"), ("post", f"{API}/{r}/slots"),
            ("post", f"{API}/{r}/slots/{s.pk}/delete"), ("post", f"{API}/{r}/bookings/{b.pk}/received")]


def call(client, method, path):
    if method == "get":
        return client.get(path)
    if path.startswith(API):
        # A valid body for the one endpoint that needs one: refusals must come from the scope, not the input.
        body = {"date": "2000-01-03", "start_time": "09:00", "end_time": "10:00"}
        return client.post(path, data=json.dumps(body), content_type="application/json")
    return client.post(path)


@pytest.mark.parametrize("routes", [page_routes, api_routes], ids=["pages", "api"])
def test_an_outsider_gets_404_on_every_route_and_changes_nothing(world, client_for, routes):
    in_initial_review(world)
    s = slot(world, 1)
    b = booking_book(slot=s, unit=world.school_a, actor=world.admin_a)
    before = actions()
    outsider = client_for("reviewer_d2")
    for method, path in routes(world, s, b):
        assert call(outsider, method, path).status_code == 404, path
    assert actions() == before
    assert AuditEvent.objects.filter(action="authz.denied", user=world.reviewer_d2,
                                     data__status=404).count() == len(routes(world, s, b))
    b.refresh_from_db()
    assert b.files_received_at is None and VisitSlot.objects.count() == 1


@pytest.mark.parametrize("routes", [page_routes, api_routes], ids=["pages", "api"])
@pytest.mark.parametrize("persona", ["t_a1", "t_b"])
def test_a_teacher_gets_403_on_every_route_and_changes_nothing(world, client_for, routes, persona):
    in_initial_review(world)
    s = slot(world, 1)
    b = booking_book(slot=s, unit=world.school_a, actor=world.admin_a)
    before = actions()
    teacher = client_for(persona)
    for method, path in routes(world, s, b):
        assert call(teacher, method, path).status_code == 403, path
    assert actions() == before
    assert AuditEvent.objects.filter(action="authz.denied", data__status=403).count() == len(routes(world, s, b))


def test_a_school_may_not_run_the_schedule_nor_the_district_book(world, client_for):
    in_initial_review(world)
    s = slot(world, 1)
    b = booking_book(slot=s, unit=world.school_b, actor=world.admin_b)
    r = world.round_a.pk
    admin = client_for("admin_a")
    assert admin.get(f"/visits/{r}/schedule/").status_code == 403
    assert admin.post(f"/visits/{r}/schedule/bookings/{b.pk}/received/").status_code == 403
    reviewer = client_for("reviewer_d1")
    assert reviewer.get(f"/visits/{r}/").status_code == 403
    assert reviewer.post(f"/visits/{r}/slots/{s.pk}/book/").status_code == 403
    assert client_for("city_reviewer").post(f"/visits/{r}/schedule/generate/").status_code == 403
    b.refresh_from_db()
    assert b.files_received_at is None and VisitBooking.objects.count() == 1


def test_the_page_routes_refuse_get_on_post_only_routes(world, client_for):
    in_initial_review(world)
    s = slot(world, 1)
    assert client_for("admin_a").get(f"/visits/{world.round_a.pk}/slots/{s.pk}/book/").status_code == 405
    assert client_for("reviewer_d1").get(f"/visits/{world.round_a.pk}/schedule/generate/").status_code == 405


# --- The API -------------------------------------------------------------------------------------


def post(client, path, body=None):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


def test_the_api_books_changes_cancels_and_refuses_with_the_reason(world, client_for):
    in_initial_review(world)
    first, second, on_the_day = slot(world, 1, capacity=1), slot(world, 2), slot(world, 0)
    r = world.round_a.pk
    admin = client_for("admin_a")
    listed = admin.get(f"{API}/{r}/slots").json()
    assert listed["place"] == PLACE and listed["booking"] is None
    assert [s["id"] for s in listed["slots"]] == [first.pk, second.pk]  # today is not offered
    booked = post(admin, f"{API}/{r}/slots/{first.pk}/book")
    assert booked.status_code == 200 and booked.json()["slot"]["id"] == first.pk
    full = post(client_for("admin_b"), f"{API}/{r}/slots/{first.pk}/book")
    assert full.status_code == 409 and full.json()["detail"] == FULL
    late = post(admin, f"{API}/{r}/slots/{on_the_day.pk}/book")
    assert late.status_code == 409 and late.json()["detail"] == TOO_LATE
    moved = post(admin, f"{API}/{r}/slots/{second.pk}/book").json()
    assert moved["slot"]["id"] == second.pk and moved["changed_at"] is not None
    assert post(admin, f"{API}/{r}/booking/cancel").json() == {"cancelled": True}
    assert post(admin, f"{API}/{r}/booking/cancel").status_code == 404
    assert actions()[-3:] == ["visit.book", "visit.change", "visit.cancel"]


def test_the_api_gives_the_district_the_schedule_and_marks_received(world, client_for):
    round_ = review_from(world, today() + timedelta(days=1), today() + timedelta(days=9))
    r = round_.pk
    reviewer = client_for("reviewer_d1")
    generated = post(reviewer, f"{API}/{r}/slots/generate", {"minutes": 120, "lunch_break": False})
    assert generated.status_code == 200 and generated.json()["created"] > 0
    assert post(reviewer, f"{API}/{r}/slots/generate").json()["created"] == 0
    first = VisitSlot.objects.filter(round=round_).first()
    booking_book(slot=first, unit=world.school_a, actor=world.admin_a)
    data = reviewer.get(f"{API}/{r}/schedule").json()
    assert data["booked"] == 1 and data["units"] == 2
    assert [n["unit_name"] for n in data["not_booked"]] == [world.school_b.name]
    booked_slot = next(s for s in data["slots"] if s["bookings"])
    booking_id = booked_slot["bookings"][0]["id"]
    received = post(reviewer, f"{API}/{r}/bookings/{booking_id}/received")
    assert received.status_code == 200 and received.json()["files_received_at"] is not None
    assert AuditEvent.objects.filter(action="visit.receive").count() == 1
    refused = post(reviewer, f"{API}/{r}/slots/{first.pk}/delete")
    assert refused.status_code == 409
    made = post(reviewer, f"{API}/{r}/slots", {"date": str(first.date), "start_time": "19:00", "end_time": "20:00"})
    assert made.status_code == 201 and made.json()["place"] == PLACE
    assert post(reviewer, f"{API}/{r}/slots/{made.json()['id']}/delete").json() == {"deleted": True}


# --- Two schools at once on PostgreSQL (the lock, for real) ------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schools_booking_the_last_place_at_the_same_moment_leave_one_booking(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write transaction; the row lock matters on PostgreSQL")
    in_initial_review(world)
    last = slot(world, 1, capacity=1)
    start = threading.Barrier(2)
    outcomes = []

    def book(unit, actor):
        from django.db import connection as thread_connection

        start.wait()
        try:
            booking_book(slot=last, unit=unit, actor=actor)
            outcomes.append("ok")
        except VisitError as exc:
            outcomes.append(exc.message)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=book, args=(u, a)) for u, a in ((world.school_a, world.admin_a),
                                                                       (world.school_b, world.admin_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["ok", str(FULL)])
    assert VisitBooking.objects.filter(slot=last).count() == 1


def test_the_api_gives_its_refusals_as_text_in_the_chosen_language(world, client_for):
    """The refusals are translated lazily; the API answers them as plain strings (English chosen: no 500)."""
    in_initial_review(world)
    full, free = slot(world, 1, capacity=1), slot(world, 2)
    post(client_for("admin_b"), f"{API}/{world.round_a.pk}/slots/{full.pk}/book")
    admin = client_for("admin_a")
    admin.cookies["django_language"] = "en"
    listed = admin.get(f"{API}/{world.round_a.pk}/slots")
    assert listed.status_code == 200
    refusals = {s["id"]: s["refusal"] for s in listed.json()["slots"]}
    assert isinstance(refusals[full.pk], str) and refusals[full.pk] and refusals[free.pk] is None
    refused = post(admin, f"{API}/{world.round_a.pk}/slots/{full.pk}/book")
    assert refused.status_code == 409 and refused.json()["detail"] == refusals[full.pk]
