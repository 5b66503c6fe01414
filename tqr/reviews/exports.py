"""初审名单 (the district's review queue) as Excel: in the request when small, as a background job when it has
more than TQR_EXPORT_SYNC_ROWS rows. Both build the same rows from the same queue() and its filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from tqr.accounts.permissions import can, visible_rounds
from tqr.campaigns.models import Round
from tqr.core import jobs
from tqr.documents.xlsx import build_xlsx
from tqr.reviews.queue import QueueFilter, queue
from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS

HEADERS = ["申请编号", "姓名", "单位", "资格种类", "注册类型", "规则建议", "初审结论", "理由", "状态"]
PROGRESS_EVERY = 200


def filename(round_: Round) -> str:
    return f"初审名单-{round_.year}.xlsx"


def review_queue_xlsx(round_: Round, qs: QuerySet, progress: Callable[[int, int], None] | None = None,
                      total: int = 0) -> bytes:
    def rows() -> Iterator[list]:
        for n, a in enumerate(qs.iterator(chunk_size=500), start=1):
            yield [a.number, a.name, a.confirmation_point.name, a.get_cert_type_display(),
                   KIND_LABELS.get(a.kind or "", ""), OUTCOME_LABELS.get(a.proposal or "", ""),
                   a.get_conclusion_display(), a.conclusion_reason, a.state_label]
            if progress and n % PROGRESS_EVERY == 0:
                progress(n, total)
        if progress:
            progress(total, total)

    return build_xlsx("初审", HEADERS, rows(), title=f"{round_.title} 初审名单")


@jobs.register("review_queue_xlsx")
def build_review_queue_job(job, out, progress) -> None:
    # The owner's scope is asked again when the job runs: a reviewer moved away meanwhile exports nothing.
    round_ = visible_rounds(job.owner).filter(pk=job.params["round"]).first()
    if round_ is None or not can(job.owner, "round.view_review", round_):
        raise PermissionDenied("无权导出该注册年度的初审名单")
    qs = queue(job.owner, round_, QueueFilter.from_query(job.params.get("filters", {})))
    total = qs.count()
    progress(0, total)
    out.write(review_queue_xlsx(round_, qs, progress, total))
