"""python manage.py run_deadlines [--now ISO_TIME] — handle every phase deadline that has passed.

Idempotent: a scheduler (cron, or the worker's periodic loop) may call it every few minutes; a second run
changes nothing. Today it closes the on-site confirmation: applications not confirmed in the window are
abandoned (视为自动放弃, 黔江教办〔2023〕155号 三（三）) and the teachers and schools are told.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from tqr.applications.school import process_deadlines
from tqr.core.commands import iso_moment


class Command(BaseCommand):
    help = "处理已到期的各环节截止（现场确认截止后未确认的申请视为自动放弃）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时间处理（ISO 格式，如 2026-12-11T00:00+08:00），用于补跑和测试")

    def handle(self, *args, now: str | None = None, **options):
        moment = timezone.now()
        if now:
            moment = iso_moment("--now", now)
        done = process_deadlines(now=moment)
        if not done:
            self.stdout.write("没有需要处理的截止事项。")
        for title, count in done.items():
            self.stdout.write(f"{title}：{count} 份申请逾期未现场确认，视为自动放弃。")
