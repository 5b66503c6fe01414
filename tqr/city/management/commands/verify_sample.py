"""python manage.py verify_sample SAMPLE_ID — recompute a 复审 sample from its recorded population and seed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tqr.city.models import Sample
from tqr.city.services import sample_verify


class Command(BaseCommand):
    help = "复算核验复审抽查样本：用记录的总体和种子重新抽取，比对哈希与名单。"

    def add_arguments(self, parser):
        parser.add_argument("sample_id", type=int)

    def handle(self, *args, sample_id: int, **options):
        sample = Sample.objects.filter(pk=sample_id).select_related("round").first()
        if sample is None:
            raise CommandError(f"没有编号为 {sample_id} 的抽查样本", returncode=2)
        check = sample_verify(sample)
        self.stdout.write(f"{sample.round.title}：总体 {len(sample.population)} 人，抽中 {len(sample.chosen)} 份")
        self.stdout.write(f"总体哈希 {sample.population_hash}")
        self.stdout.write(f"种子 {sample.seed}（哈希 {sample.seed_hash}）")
        for problem in check.problems:
            self.stdout.write(problem)
        if not check.ok:
            raise CommandError("核验不通过：样本与记录不一致", returncode=1)
        self.stdout.write(self.style.SUCCESS("核验通过：按记录的种子和总体重新抽取，结果与记录一致。"))
