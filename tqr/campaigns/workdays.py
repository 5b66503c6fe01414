"""The working-day calendar of the product: chinesecalendar plus the administrator's holiday table."""

from __future__ import annotations

from tqr.campaigns.models import CalendarYear, Holiday
from tqr.rules.workdays import UnknownCalendarYear, WorkdayCalendar

__all__ = ["UnknownCalendarYear", "calendar"]


def calendar() -> WorkdayCalendar:
    """A calendar reading the Holiday and CalendarYear tables as they are now (one query each).

    Holiday rows override the library (corrections, or years it does not ship); a CalendarYear row says
    the administrator entered that whole year, so its other days follow the week.
    """
    overrides = dict(Holiday.objects.values_list("date", "is_workday"))
    years = CalendarYear.objects.values_list("year", flat=True)
    return WorkdayCalendar(overrides, extra_known_years=list(years))
