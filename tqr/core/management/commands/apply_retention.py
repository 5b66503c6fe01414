"""python manage.py apply_retention [--now ISO] [--dry-run] — delete personal files past their retention.

PIPL Art. 19 and 47 (storage no longer than necessary; ASVS 14.1.2): TQR_PHOTO_RETENTION_YEARS (default 3)
after a round's archiving (归档) began, its teachers' photos are deleted, and so are the files generated
from the round (申请表 PDFs and archive ZIPs of its jobs, which carry the photos). Files left in the round's
photo folder without a reference (a replaced photo whose deletion was interrupted) go too. The references
are cleared and one audit row per round (`retention.delete`) records the counts, never a name, in one
transaction; the files are deleted right after. Idempotent: a second run finds nothing and writes nothing.

Not deleted: announcement attachments (public documents, not personal data), and the audit log, which
nothing in the app ever deletes; it is kept at least TQR_AUDIT_RETENTION_DAYS (≥ 186) days, by the log
server, which receives it through export_audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tqr.applications.models import Application
from tqr.audit.services import command_username, record
from tqr.campaigns.models import PhaseWindow, Round
from tqr.core.commands import iso_moment
from tqr.core.models import Job
from tqr.rules.phases import Phase


@dataclass
class Purge:
    """What is due in one round: ids whose reference is cleared, and the stored names to delete."""

    round: Round
    archiving_started: date
    application_ids: list[int] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"photos": len(self.application_ids), "job_files": len(self.job_ids),
                "orphan_files": len(self.orphans)}

    @property
    def empty(self) -> bool:
        return not (self.application_ids or self.job_ids or self.orphans)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due_rounds(today: date, years: int) -> list[tuple[Round, date]]:
    """Rounds whose archiving window started more than `years` years before `today`."""
    windows = (PhaseWindow.objects.filter(phase=Phase.ARCHIVING, start_date__lt=years_before(today, years))
               .select_related("round").order_by("start_date", "round_id"))
    return [(w.round, w.start_date) for w in windows]


def plan(round_: Round, archiving_started: date, storage=default_storage) -> Purge:
    purge = Purge(round=round_, archiving_started=archiving_started)
    for pk, name in Application.objects.filter(round=round_).exclude(photo="").values_list("pk", "photo"):
        purge.application_ids.append(pk)
        purge.names.append(name)
    for pk, name in Job.objects.filter(params__round=round_.pk).exclude(file="").values_list("pk", "file"):
        purge.job_ids.append(pk)
        purge.names.append(name)
    folder = f"photos/{round_.pk}"  # tqr.applications.models.photo_path
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        files = []
    referenced = set(purge.names)
    purge.orphans = sorted(f"{folder}/{f}" for f in files if f"{folder}/{f}" not in referenced)
    return purge


def purge(p: Purge, *, years: int, storage=default_storage) -> None:
    with transaction.atomic():
        Application.objects.filter(pk__in=p.application_ids).update(photo="")
        Job.objects.filter(pk__in=p.job_ids).update(file="")
        record("retention.delete", obj=p.round, username=command_username(), data={
            **p.counts, "retention_years": years, "archiving_started": p.archiving_started.isoformat(),
        })
    # After the references are gone: a crash here leaves files nobody points to, which the next run
    # finds in the round's folder (photos) and deletes as orphans.
    for name in [*p.names, *p.orphans]:
        storage.delete(name)


class Command(BaseCommand):
    help = "按保留期删除已归档注册年度的教师照片及其生成文件，并写入审计日志。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此日期计算（ISO 格式，如 2030-01-01），用于补跑和测试")
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的数量，不删除")

    def handle(self, *args, now: str | None = None, dry_run: bool = False, **options):
        today = timezone.localdate()
        if now:
            today = timezone.localdate(iso_moment("--now", now))
        years = settings.TQR_PHOTO_RETENTION_YEARS
        self.stdout.write(f"照片保留期：归档开始后 {years} 年（TQR_PHOTO_RETENTION_YEARS），"
                          f"早于 {years_before(today, years)} 开始归档的年度到期。")
        done = 0
        for round_, started in due_rounds(today, years):
            p = plan(round_, started)
            if p.empty:
                continue
            c = p.counts
            verb = "将删除" if dry_run else "已删除"
            self.stdout.write(f"{round_.title}（{started} 开始归档）：{verb}照片 {c['photos']} 张、"
                              f"生成文件 {c['job_files']} 个、遗留文件 {c['orphan_files']} 个。")
            if not dry_run:
                purge(p, years=years)
            done += 1
        if not done:
            self.stdout.write("没有到期需要删除的文件。")
        elif dry_run:
            self.stdout.write("试运行：未删除任何文件，未写审计日志。")
        self.stdout.write(f"审计日志：本命令从不删除；至少保留 {settings.TQR_AUDIT_RETENTION_DAYS} 天"
                          "（TQR_AUDIT_RETENTION_DAYS），由日志服务器按此期限保存 export_audit 的导出。")
