"""Scheduled work: one registry of idempotent jobs that `manage.py run_schedule` runs when they are due.

Each app registers its own work in its AppConfig.ready():

    @scheduled("deadlines", every_minutes=5)
    def deadlines(now: datetime) -> str:   # returns a one-line Chinese summary for the log
        ...

Every function must be idempotent: cron, the worker's loop and an operator may all call it, twice in a
minute or after a day's outage, and a second run changes nothing. `run_schedule` calls each function whose
interval has passed since its last recorded run (a ScheduleRun row, so that cron, the loop and several
machines agree; with no record it runs). A run that failed is due again after at most 5 minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError

logger = logging.getLogger(__name__)
RETRY_FAILED_MINUTES = 5


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    every_minutes: int
    function: Callable[[datetime], str]
    description: str


SCHEDULE: dict[str, ScheduledJob] = {}


def scheduled(name: str, *, every_minutes: int, description: str = ""):
    def decorate(function: Callable[[datetime], str]):
        SCHEDULE[name] = ScheduledJob(name, every_minutes, function,
                                      description or (function.__doc__ or "").strip().splitlines()[0])
        return function

    return decorate


@dataclass(frozen=True)
class Outcome:
    name: str
    ran: bool
    ok: bool
    summary: str


def _claim(job: ScheduledJob, now: datetime) -> bool:
    """Take this run if it is due; a concurrent runner (cron beside the loop) that lost the race gets False."""
    from tqr.core.models import ScheduleRun

    last = ScheduleRun.objects.filter(name=job.name).first()
    if last is None:
        try:
            ScheduleRun.objects.create(name=job.name, started_at=now)
            return True
        except IntegrityError:
            return False
    wait = job.every_minutes if last.ok else min(job.every_minutes, RETRY_FAILED_MINUTES)
    if now < last.started_at + timedelta(minutes=wait):
        return False
    return bool(ScheduleRun.objects.filter(name=job.name, started_at=last.started_at)
                .update(started_at=now, finished_at=None))


def run_due(now: datetime, *, only: str | None = None, force: bool = False) -> list[Outcome]:
    """Run what is due at `now` (or only `only`; `force` ignores the interval). One failure stops nothing."""
    from django.utils import timezone

    from tqr.core.models import ScheduleRun

    outcomes = []
    for job in sorted(SCHEDULE.values(), key=lambda j: j.name):
        if only and job.name != only:
            continue
        if not _claim(job, now) and not force:
            outcomes.append(Outcome(job.name, ran=False, ok=True, summary="未到时间"))  # i18n: data (run_schedule console log)
            continue
        try:
            summary, ok = str(job.function(now) or ""), True
        except Exception as exc:  # logged with its traceback; the others still run
            logger.exception("scheduled %s failed", job.name)
            summary, ok = f"{type(exc).__name__}: {exc}"[:500], False
        ScheduleRun.objects.update_or_create(name=job.name, defaults={
            "finished_at": timezone.now(), "ok": ok, "summary": summary}, create_defaults={
            "started_at": now, "finished_at": timezone.now(), "ok": ok, "summary": summary})
        outcomes.append(Outcome(job.name, ran=True, ok=ok, summary=summary))
    return outcomes
