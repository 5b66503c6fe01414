"""The audit log as Excel: in the request when small, as a background job above TQR_EXPORT_SYNC_ROWS rows.

The job exports the rows that matched when it was asked for (ids up to `until_id`), not the ones written
while it waits in the queue, and asks again whether its owner may still read the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from tqr.accounts.permissions import can
from tqr.audit import chain
from tqr.audit.models import AuditEvent
from tqr.core import jobs
from tqr.documents.xlsx import build_xlsx

XLSX_HEADERS = ["编号", "时间", "账号", "角色", "机构", "IP", "操作", "对象类型", "对象", "对象名称", "结果", "请求编号",
                "详情", "本条哈希"]
PROGRESS_EVERY = 500


def filename() -> str:
    return f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"


def audit_xlsx(events: QuerySet[AuditEvent], progress: Callable[[int, int], None] | None = None,
               total: int = 0) -> bytes:
    def rows() -> Iterator[list]:
        for n, row in enumerate(chain.stream(events), start=1):
            yield [row["id"], timezone.localtime(row["ts"]), row["username"], row["role"], row["org_id"], row["ip"],
                   row["action"], row["object_type"], row["object_id"], row["object_label"], row["result"],
                   row["request_id"], json.dumps(row["data"], ensure_ascii=False, sort_keys=True), row["row_hash"]]
            if progress and n % PROGRESS_EVERY == 0:
                progress(n, total)
        if progress:
            progress(total, total)

    return build_xlsx("审计日志", XLSX_HEADERS, rows(), title="审计日志")


@jobs.register("audit_xlsx")
def build_audit_xlsx_job(job, out, progress) -> None:
    from tqr.audit.views import AuditFilter

    if not can(job.owner, "audit.read"):
        raise PermissionDenied("无权导出审计日志")
    events = AuditFilter(job.params.get("filters") or None).events().filter(id__lte=job.params["until_id"])
    total = events.count()
    progress(0, total)
    out.write(audit_xlsx(events, progress, total))
