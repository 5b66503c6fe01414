"""Working days (工作日) under the State Council's holiday arrangement, 调休 included.

Two sources: the chinesecalendar library for the years it ships, and the administrator's holiday table
(date → is working day) for years the library does not know yet, or to correct it. A date in a year that
neither knows is an error, never a guess: a notice period computed from a guessed calendar could end on
a holiday and be void.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta

from chinese_calendar import constants as _library

from .i18n import Text, gettext_noop

__all__ = ["LIBRARY_YEARS", "UnknownCalendarYear", "WorkdayCalendar"]

# The years chinesecalendar ships an arrangement for, read from the library itself so that an upgrade
# extends the range without a code change.
LIBRARY_YEARS: frozenset[int] = frozenset(d.year for d in _library.holidays)

_ONE_DAY = timedelta(days=1)


class UnknownCalendarYear(Exception):
    """A date in a year for which no holiday arrangement is known."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(self.message)

    @property
    def text(self) -> Text:
        return Text(
            gettext_noop("%(year)s 年的节假日安排尚未录入，无法计算工作日（请在管理后台录入该年的放假安排）"),
            {"year": self.year},
        )

    @property
    def message(self) -> str:
        return self.text.render()


class WorkdayCalendar:
    """Answers "is this a working day?" and counts working days.

    ``overrides``: the administrator's table, date → True (working day, e.g. a 调休 Saturday) or False
    (day off). It wins over the library. ``extra_known_years``: years the table fully covers; in those,
    a date without a row follows the week (Monday–Friday work).
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        extra_known_years: Iterable[int] = (),
        *,
        library_years: Iterable[int] | None = None,
    ):
        self._overrides = dict(overrides or {})
        self._extra_years = frozenset(extra_known_years)
        # library_years lets tests pretend the library stops earlier; production uses what it ships.
        self._library_years = LIBRARY_YEARS if library_years is None else frozenset(library_years)

    def knows_year(self, year: int) -> bool:
        return year in self._library_years or year in self._extra_years

    @property
    def known_years(self) -> frozenset[int]:
        return self._library_years | self._extra_years

    def is_workday(self, day: date) -> bool:
        if isinstance(day, datetime):  # a datetime never equals a date key
            day = day.date()
        if day in self._overrides:
            return self._overrides[day]
        if day.year in self._library_years:
            return day in _library.workdays or (day.weekday() < 5 and day not in _library.holidays)
        if day.year in self._extra_years:
            return day.weekday() < 5
        raise UnknownCalendarYear(day.year)

    def _walk(self, start: date, step: timedelta) -> Iterator[date]:
        day = start
        while True:
            if self.is_workday(day):
                yield day
            day += step

    def nth_workday(self, start: date, n: int) -> date:
        """The n-th working day counted from ``start`` (day 1 when ``start`` is itself a working day).

        A 5-working-day notice from 2023-09-28 ends 2023-10-10: the National Day break (09-29…10-06)
        does not count, the 调休 weekend 10-07 and 10-08 does.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        for count, day in enumerate(self._walk(start, _ONE_DAY), start=1):
            if count == n:
                return day
        raise AssertionError("unreachable")  # _walk is endless, or raises UnknownCalendarYear

    def add_workdays(self, day: date, n: int) -> date:
        """The date ``n`` working days after ``day`` (before it when n < 0); ``day`` itself never counts."""
        if n == 0:
            return day
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        for count, found in enumerate(self._walk(day + step, step), start=1):
            if count == abs(n):
                return found
        raise AssertionError("unreachable")

    def workdays_between(self, a: date, b: date) -> int:
        """Working days from ``a`` to ``b``, both included; 0 when b is before a."""
        count = 0
        day = a
        while day <= b:
            count += self.is_workday(day)
            day += _ONE_DAY
        return count
