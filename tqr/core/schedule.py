"""Scheduled work: one registry of idempotent jobs that `manage.py run_schedule` runs when they are due.

Each app registers its own work in its AppConfig.ready():

    @scheduled("deadlines", every_minutes=5)
    def deadlines(now: datetime) -> str:   # returns a one-line Chinese summary for the log
        ...

Every function must be idempotent: cron, the worker's loop and an operator may all call it, twice in a
minute or after a day's outage, and a second run changes nothing. `run_schedule` calls each function whose
interval has passed since its last recorded run (kept in the cache; with no record it runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


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
