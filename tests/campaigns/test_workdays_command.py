"""python manage.py workdays end START N, and the calendar built from the holiday tables."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tqr.campaigns.models import CalendarYear, Holiday
from tqr.campaigns.workdays import calendar
from tqr.rules.workdays import LIBRARY_YEARS

REPO = Path(__file__).resolve().parents[2]
# The first year chinesecalendar does not ship: the administrator's table must cover it.
NEXT_YEAR = max(LIBRARY_YEARS) + 1


def end(start: str, n: str) -> str:
    out = io.StringIO()
    call_command("workdays", "end", start, n, stdout=out)
    return out.getvalue().strip()


def national_day_week(year: int) -> tuple[date, list[date], date]:
    """The first full Monday–Friday week of October, a day off each, and the Saturday before as 调休."""
    monday = date(year, 10, 1)
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    return monday, [monday + timedelta(days=i) for i in range(5)], monday - timedelta(days=2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2023-09-28", "5", "2023-10-10"),  # National Day 2023, with the 调休 weekend 10-07/10-08
        ("2023-11-27", "5", "2023-12-01"),
        ("2024-02-08", "3", "2024-02-18"),  # Spring Festival 2024
        ("2024-02-03", "2", "2024-02-05"),  # Saturday off, Sunday 02-04 worked
        ("2023-09-29", "1", "2023-10-07"),
    ],
)
def test_end_prints_the_nth_working_day(start, n, expected):
    assert end(start, n) == expected


@pytest.mark.django_db
def test_the_admin_table_covers_a_year_the_library_does_not_know():
    monday, days_off, saturday = national_day_week(NEXT_YEAR)
    CalendarYear.objects.create(year=NEXT_YEAR, note="国务院办公厅关于放假安排的通知")
    Holiday.objects.bulk_create([Holiday(date=d, is_workday=False, name="国庆节") for d in days_off])
    Holiday.objects.create(date=saturday, is_workday=True, name="国庆节调休")
    friday = saturday - timedelta(days=1)
    # Friday day 1, the 调休 Saturday day 2, the holiday week skipped, the next Monday day 3.
    assert end(friday.isoformat(), "3") == (monday + timedelta(days=7)).isoformat()
    cal = calendar()
    assert cal.knows_year(NEXT_YEAR) and cal.is_workday(saturday) and not cal.is_workday(monday)


@pytest.mark.django_db
def test_a_holiday_row_corrects_the_library():
    Holiday.objects.create(date=date(2023, 10, 9), is_workday=False, name="更正")
    assert end("2023-09-28", "5") == "2023-10-11"


@pytest.mark.django_db
def test_an_unknown_year_is_exit_2_naming_the_year():
    with pytest.raises(CommandError) as caught:
        end(f"{NEXT_YEAR - 1}-12-28", "10")
    assert caught.value.returncode == 2
    assert f"{NEXT_YEAR} 年的节假日安排尚未录入" in str(caught.value)


@pytest.mark.django_db
def test_holiday_rows_alone_do_not_make_a_year_known():
    monday, days_off, _saturday = national_day_week(NEXT_YEAR)
    Holiday.objects.bulk_create([Holiday(date=d, is_workday=False) for d in days_off])
    with pytest.raises(CommandError) as caught:
        end((monday - timedelta(days=3)).isoformat(), "3")
    assert caught.value.returncode == 2 and str(NEXT_YEAR) in str(caught.value)


@pytest.mark.parametrize(
    ("start", "n", "needle"),
    [
        ("2023/09/28", "5", "2023/09/28"),
        ("2023-02-30", "5", "2023-02-30"),
        ("tomorrow", "5", "tomorrow"),
        ("2023-09-28", "0", "N"),
        ("2023-09-28", "-3", "N"),
        ("2023-09-28", "five", "five"),
        ("2023-09-28", "2.5", "2.5"),
    ],
)
def test_bad_arguments_are_exit_2(start, n, needle):
    # No database marker: arguments are checked before the holiday table is read.
    with pytest.raises(CommandError) as caught:
        end(start, n)
    assert caught.value.returncode == 2 and needle in str(caught.value)


# --- the real command, in a process of its own ---------------------------------------------------


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tqr.settings",
        "TQR_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
    }
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300,
    )
    assert migrated.returncode == 0, migrated.stderr
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_real_command_prints_the_date(env):
    done = manage(env, "workdays", "end", "2023-09-28", "5")
    assert (done.returncode, done.stdout.strip()) == (0, "2023-10-10"), done.stderr


def test_the_real_command_exits_2_for_an_unknown_year(env):
    done = manage(env, "workdays", "end", f"{NEXT_YEAR}-03-02", "1")
    assert done.returncode == 2
    assert f"{NEXT_YEAR} 年的节假日安排尚未录入" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    "args",
    [("end", "2023-13-01", "5"), ("end", "2023-09-28", "zero"), ("begin", "2023-09-28", "5"), ("end", "2023-09-28")],
)
def test_the_real_command_exits_2_for_bad_arguments(env, args):
    done = manage(env, "workdays", *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.strip()
