"""python manage.py run_schedule [--now ISO] [--loop SECONDS] [--only NAME] — run the scheduled work that is due.

Every function registered with tqr.core.schedule.scheduled (deadlines, retention, recovery of jobs whose
worker died, the notifications' reminders …) runs when its interval has passed since its last recorded run.
From cron every few minutes, or `--loop 60` beside the worker (`make run` does that): both read the same
records, so a second call within the interval does nothing. One line per function; a failure is logged and
the others still run; the exit status is 1 when any failed (with --loop the loop carries on).
"""

from __future__ import annotations

import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from tqr.core.commands import iso_moment
from tqr.core.schedule import SCHEDULE, run_due


class Command(BaseCommand):
    help = "运行到期的定时任务（各环节截止、提醒、保留期删除、中断任务恢复）。可由 cron 调用或 --loop 常驻。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时间判断与执行（ISO 格式，如 2026-12-11T00:00+08:00），用于补跑和测试")
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="常驻运行，每隔 SECONDS 秒检查一次")
        parser.add_argument("--only", metavar="NAME", help="只运行这一项（仍按间隔判断，加 --force 立即运行）")
        parser.add_argument("--force", action="store_true", help="不论间隔，立即运行")

    def handle(self, *args, now: str | None = None, loop: int | None = None, only: str | None = None,
               force: bool = False, **options):
        if only and only not in SCHEDULE:
            raise CommandError(f"没有名为 {only!r} 的定时任务；已登记：{', '.join(sorted(SCHEDULE))}", returncode=2)
        moment = None
        if now:
            moment = iso_moment("--now", now)
        if loop:
            self.stdout.write(f"定时任务常驻运行，每 {loop} 秒检查一次：{', '.join(sorted(SCHEDULE))}")
            while True:
                close_old_connections()  # a database restart must not end the loop
                try:
                    self.run_once(moment or timezone.now(), only, force, quiet=True)
                except Exception as exc:  # e.g. the database is down for a minute: try again next time
                    self.stderr.write(f"定时任务检查失败：{type(exc).__name__}: {exc}")
                time.sleep(loop)
        if not self.run_once(moment or timezone.now(), only, force):
            raise CommandError("有定时任务失败，见上方日志", returncode=1)

    def run_once(self, moment: datetime, only: str | None, force: bool, quiet: bool = False) -> bool:
        outcomes = run_due(moment, only=only, force=force)
        stamp = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
        for o in outcomes:
            if not o.ran:
                if not quiet:  # the loop would say it every minute
                    self.stdout.write(f"{stamp} {o.name}：未到时间，跳过")
                continue
            line = f"{stamp} {o.name}：{'完成' if o.ok else '失败'}，{o.summary}"
            (self.stdout if o.ok else self.stderr).write(line)
        return all(o.ok for o in outcomes)
