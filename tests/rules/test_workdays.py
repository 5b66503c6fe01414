"""Working days across the holidays and their 调休 weekends, the admin table, and unknown years."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tqr.rules.workdays import LIBRARY_YEARS, UnknownCalendarYear, WorkdayCalendar

CAL = WorkdayCalendar()
LAST_LIBRARY_YEAR = max(LIBRARY_YEARS)
UNKNOWN = LAST_LIBRARY_YEAR + 1


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_library_years_are_read_from_the_library():
    assert {2004, 2023, 2024} <= LIBRARY_YEARS
    assert LIBRARY_YEARS == set(range(min(LIBRARY_YEARS), max(LIBRARY_YEARS) + 1))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNKNOWN, 6, 1))  # the library itself stops there


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2023-09-28", True),
        ("2023-09-29", False),  # 中秋节
        ("2023-10-02", False),  # 国庆节, a Monday
        ("2023-10-06", False),
        ("2023-10-07", True),  # 调休: Saturday worked
        ("2023-10-08", True),  # 调休: Sunday worked
        ("2023-10-14", False),  # an ordinary Saturday
        ("2024-02-04", True),  # 调休 Sunday before the Spring Festival
        ("2024-02-09", True),  # 除夕 was a working day in 2024
        ("2024-02-10", False),
        ("2024-02-16", False),
        ("2024-02-17", False),
        ("2024-02-18", True),  # 调休 Sunday after it
        ("2024-02-19", True),
    ],
)
def test_is_workday_follows_the_state_council(day, working):
    assert CAL.is_workday(d(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        ("2023-09-28", 5, "2023-10-10"),  # a 5-working-day notice over National Day 2023
        ("2023-09-28", 1, "2023-09-28"),  # start is day 1 when it is a working day
        ("2023-09-29", 1, "2023-10-07"),  # ...and is skipped when it is not
        ("2023-10-01", 3, "2023-10-09"),
        ("2023-11-27", 5, "2023-12-01"),  # the 2023 seed's 公示 window
        ("2024-02-08", 3, "2024-02-18"),  # Spring Festival 2024
        ("2024-02-03", 2, "2024-02-05"),  # Saturday 02-03 off, Sunday 02-04 worked
        ("2024-02-10", 1, "2024-02-18"),
        ("2023-12-29", 3, "2024-01-03"),  # New Year's Day 2024 across the year boundary
    ],
)
def test_nth_workday(start, n, end):
    assert CAL.nth_workday(d(start), n) == d(end)


def test_nth_workday_needs_a_positive_n():
    with pytest.raises(ValueError):
        CAL.nth_workday(d("2023-09-28"), 0)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        ("2023-09-28", "2023-10-10", 5),
        ("2023-09-29", "2023-10-06", 0),
        ("2024-02-04", "2024-02-18", 7),  # 02-04 (调休), 02-05…02-09, 02-18 (调休)
        ("2023-11-27", "2023-12-01", 5),
        ("2023-12-01", "2023-11-27", 0),
    ],
)
def test_workdays_between_counts_both_ends(a, b, count):
    assert CAL.workdays_between(d(a), d(b)) == count


@pytest.mark.parametrize(
    ("day", "n", "end"),
    [
        ("2023-09-28", 4, "2023-10-10"),
        ("2023-09-28", 0, "2023-09-28"),
        ("2023-10-09", -1, "2023-10-08"),
        ("2023-10-07", -1, "2023-09-28"),
        ("2024-02-19", -2, "2024-02-09"),
    ],
)
def test_add_workdays(day, n, end):
    assert CAL.add_workdays(d(day), n) == d(end)


def test_datetimes_are_read_as_their_date():
    assert CAL.is_workday(datetime(2023, 10, 7, 9, 30)) is True


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(LAST_LIBRARY_YEAR, 12, 31)), st.integers(1, 30))
def test_nth_workday_agrees_with_counting(start, n):
    if (start + timedelta(days=3 * n + 40)).year > LAST_LIBRARY_YEAR:
        return  # the span would leave the known years
    end = CAL.nth_workday(start, n)
    assert CAL.is_workday(end)
    assert CAL.workdays_between(start, end) == n
    expected = CAL.add_workdays(start, n - 1) if CAL.is_workday(start) else CAL.add_workdays(start, n)
    assert end == expected


# --- the administrator's table -------------------------------------------------------------------

# A 2027 arrangement as an administrator would type it (illustrative; in tests the library is told it
# stops at 2026 so that these stay true whatever a future chinesecalendar ships).
TABLE_2027 = {
    **{date(2027, 10, day): False for day in range(1, 8)},  # National Day week off
    date(2027, 9, 26): True,  # 调休 Sunday
    date(2027, 10, 9): True,  # 调休 Saturday
}
CAL_2027 = WorkdayCalendar(TABLE_2027, extra_known_years=[2027], library_years=range(2004, 2027))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2027-09-24", True),  # a Friday without a row: the week decides
        ("2027-09-25", False),  # a Saturday without a row
        ("2027-09-26", True),  # 调休 from the table
        ("2027-10-01", False),
        ("2027-10-07", False),  # a Thursday, off by the table
        ("2027-10-08", True),
        ("2027-10-09", True),
    ],
)
def test_admin_table_for_a_year_the_library_does_not_know(day, working):
    assert CAL_2027.is_workday(d(day)) is working


def test_a_notice_over_national_day_2027():
    assert CAL_2027.nth_workday(d("2027-09-30"), 3) == d("2027-10-09")


def test_the_table_wins_over_the_library():
    corrected = WorkdayCalendar({date(2023, 10, 9): False, date(2023, 10, 14): True})
    assert corrected.is_workday(d("2023-10-09")) is False
    assert corrected.is_workday(d("2023-10-14")) is True
    assert corrected.nth_workday(d("2023-09-28"), 5) == d("2023-10-11")


def test_known_years():
    assert CAL_2027.knows_year(2027) and CAL_2027.knows_year(2023) and not CAL_2027.knows_year(2028)
    assert 2027 in CAL_2027.known_years


# --- unknown years -------------------------------------------------------------------------------


def test_an_unknown_year_is_an_error_naming_the_year():
    with pytest.raises(UnknownCalendarYear) as caught:
        CAL.is_workday(date(UNKNOWN, 3, 2))
    assert caught.value.year == UNKNOWN
    assert str(caught.value) == (
        f"{UNKNOWN} 年的节假日安排尚未录入，无法计算工作日（请在管理后台录入该年的放假安排）"
    )


def test_a_span_that_reaches_an_unknown_year_is_an_error():
    with pytest.raises(UnknownCalendarYear) as caught:
        CAL.nth_workday(date(LAST_LIBRARY_YEAR, 12, 28), 10)
    assert caught.value.year == UNKNOWN
    with pytest.raises(UnknownCalendarYear):
        CAL_2027.nth_workday(d("2027-12-28"), 10)
    with pytest.raises(UnknownCalendarYear):
        CAL.workdays_between(date(LAST_LIBRARY_YEAR, 12, 1), date(UNKNOWN, 1, 5))


def test_a_few_rows_do_not_make_a_year_known():
    partial = WorkdayCalendar({date(UNKNOWN, 1, 1): False})
    assert partial.is_workday(date(UNKNOWN, 1, 1)) is False  # the row itself is an answer
    with pytest.raises(UnknownCalendarYear):
        partial.is_workday(date(UNKNOWN, 1, 4))


def test_years_before_the_library_are_unknown_too():
    with pytest.raises(UnknownCalendarYear) as caught:
        CAL.is_workday(date(min(LIBRARY_YEARS) - 1, 6, 1))
    assert caught.value.year == min(LIBRARY_YEARS) - 1
