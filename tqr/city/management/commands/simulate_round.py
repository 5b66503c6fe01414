"""python manage.py simulate_round --teachers N --seed S [--json] — a complete round of a generated district.

Teachers apply, schools confirm or miss the deadline, the district reviews and publishes, objections come
and are handled, the city samples, checks, approves; stickers and filing are recorded. Every step goes
through the same services as the pages. Same seed, same output (the dates follow today)."""

from __future__ import annotations

import json
import time
from collections import Counter

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from tqr.applications.models import Application
from tqr.campaigns.models import Round
from tqr.demo.progress import advance
from tqr.rules.phases import Phase


class Command(BaseCommand):
    help = "生成一个区县并模拟完整的注册年度（报名、确认、初审、公示、异议、复审、终审、登记、归档），输出各环节统计。"

    def add_arguments(self, parser):
        parser.add_argument("--teachers", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, teachers: int, seed: int, json: bool = False, **options):
        import io

        if teachers < 50:
            raise CommandError("--teachers 至少 50", returncode=2)
        started = time.monotonic()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            call_command("load_demo", "--teachers", str(teachers), "--units", str(units(teachers)),
                         "--seed", str(seed), stdout=io.StringIO())
            round_ = Round.objects.filter(district__code="500114").order_by("-year").first()
            advance(round_, Phase.ARCHIVING, seed=seed)
        round_.refresh_from_db()
        out = summary(round_)
        out["seconds"] = round(time.monotonic() - started, 1)
        if json:
            self.stdout.write(_dumps(out))
            return
        self.stdout.write(f"{out['round']}（{out['teachers']} 名教师，{out['seconds']} 秒）")
        for key, label in (("in_scope", "本年度应注册"), ("states", "申请状态"), ("conclusions", "注册结论"),
                           ("notice", "公示"), ("sample", "复审抽查"), ("validity", "注册有效期")):
            self.stdout.write(f"  {label}：{_dumps(out[key])}")


def units(teachers: int) -> int:
    """About 35 teachers a unit, between 15 and the 160 units the demo's 黔江区 has names for (load_demo
    refuses more than 163): 50,000 teachers make 160 units of ~310."""
    return min(160, max(15, teachers // 35))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def summary(round_: Round) -> dict:
    apps = Application.objects.filter(round=round_)
    notice = getattr(round_, "notice", None)
    sample = getattr(round_, "sample", None)
    approval = getattr(round_, "final_approval", None)
    return {
        "round": round_.title,
        "teachers": round_.evaluations.count(),
        "in_scope": round_.evaluations.filter(in_scope=True).count(),
        "states": dict(sorted(Counter(apps.values_list("state", flat=True)).items())),
        "conclusions": dict(sorted(Counter(apps.exclude(conclusion="").values_list("conclusion", flat=True)).items())),
        "notice": {"start": notice.start_date, "end": notice.end_date, "workdays": notice.workdays,
                   "entries": notice.entries.count(), "objections": notice.objections.count()} if notice else None,
        "sample": {"population": len(sample.population), "drawn": sample.items.count(),
                   "discrepancies": sample.items.filter(result="discrepancy").count(),
                   "population_hash": sample.population_hash} if sample else None,
        "validity": {"from": approval.valid_from, "until": approval.valid_until} if approval else None,
    }
