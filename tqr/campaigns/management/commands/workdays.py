"""python manage.py workdays end START N — the N-th working day from START (START is day 1 if it works)."""

from __future__ import annotations

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tqr.campaigns.workdays import UnknownCalendarYear, calendar

BAD_INPUT = 2  # bad arguments, or a span reaching a year without a holiday arrangement (rules.md)


class Command(BaseCommand):
    help = (
        "工作日计算：end START N 输出从 START 起第 N 个工作日（START 是工作日时算第 1 天），"
        "按国务院放假安排（含调休）及后台录入的节假日表。"
        "Working days: 'end START N' prints the N-th working day counted from START."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["end"], help="end：第 N 个工作日的日期")
        parser.add_argument("start", help="起始日期 YYYY-MM-DD")
        parser.add_argument("n", help="第几个工作日（≥ 1）")

    def handle(self, *args, action: str, start: str, n: str, **options):
        first = _parse_date(start)
        count = _parse_count(n)
        try:
            end = calendar().nth_workday(first, count)
        except UnknownCalendarYear as exc:
            raise CommandError(
                f"{exc}。No holiday arrangement is known for {exc.year}.", returncode=BAD_INPUT
            ) from None
        self.stdout.write(end.isoformat())


def _parse_date(text: str) -> date:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"起始日期 {text!r} 不是 YYYY-MM-DD 格式的有效日期。START {text!r} is not a YYYY-MM-DD date.",
            returncode=BAD_INPUT,
        ) from None


def _parse_count(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise CommandError(
            f"N 应为不小于 1 的整数，实为 {text!r}。N must be an integer of at least 1, got {text!r}.",
            returncode=BAD_INPUT,
        )
    return int(text)
