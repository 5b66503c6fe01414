"""The core's scheduled work (tqr.core.schedule): jobs whose worker died, and the retention of personal files."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from tqr.core.jobs import recover_stale_jobs
from tqr.core.schedule import scheduled


@scheduled("jobs.recover", every_minutes=5)
def recover_jobs(now: datetime) -> str:
    """中断的后台任务重新排队（工作进程被终止后）"""
    return recover_stale_jobs(now)


@scheduled("retention", every_minutes=24 * 60)
def retention(now: datetime) -> str:
    """按保留期删除已归档年度的照片和生成文件（apply_retention）"""
    from tqr.core.management.commands.apply_retention import due_rounds, plan, purge

    years = settings.TQR_PHOTO_RETENTION_YEARS
    lines = []
    for round_, started in due_rounds(timezone.localdate(now), years):
        p = plan(round_, started)
        if not p.empty:
            purge(p, years=years)
            lines.append(f"{round_.title}：照片 {p.counts['photos']}、生成文件 {p.counts['job_files']}、"
                         f"遗留文件 {p.counts['orphan_files']}")
    return "已删除 " + "；".join(lines) if lines else "没有到期需要删除的文件"
