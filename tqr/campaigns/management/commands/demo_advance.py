"""python manage.py demo_advance --to PHASE — move the demo's current round forward with real data."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from tqr.campaigns.models import Round
from tqr.demo.progress import advance
from tqr.rules.flow import STATE_LABELS, State
from tqr.rules.phases import PHASE_LABELS, Phase


class Command(BaseCommand):
    help = "把演示区县本年度的注册工作推进到指定环节（教师报名、学校确认、区县初审、公示、上报），用真实的业务流程生成数据。"

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=[p.value for p in Phase], help="推进到的环节")
        parser.add_argument("--district", default="500114", help="区县代码（默认黔江区 500114）")
        parser.add_argument("--seed", type=int, default=2023)

    def handle(self, *args, to: str, district: str, seed: int, **options):
        round_ = Round.objects.filter(district__code=district).order_by("-year").first()
        if round_ is None:
            raise CommandError("没有找到演示区县的注册年度，请先运行 load_demo", returncode=2)
        started = time.monotonic()
        # The demo's e-mails (returns, abandonments …) go nowhere: the addresses are made up.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            counts = advance(round_, Phase(to), seed=seed, spread_times=True)
        self.stdout.write(f"{round_.title} 已推进到「{PHASE_LABELS[Phase(to)]}」（{time.monotonic() - started:.1f} 秒）：")
        for state, n in sorted(counts.items()):
            self.stdout.write(f"  {STATE_LABELS[State(state)]}：{n}")
