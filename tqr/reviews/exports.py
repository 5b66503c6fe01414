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
from tqr.rules.flow import STATE_LABELS, State
from tqr.teachers.models import CertificateType, Conclusion

HEADERS = ["申请编号", "姓名", "单位", "资格种类", "注册类型", "规则建议", "初审结论", "理由", "状态"]
# Only the printed columns are read, as tuples: no model objects, no decrypted ID number, no JSON column
# parsed (the read was the cost of an export, not the XLSX writer: finding 9).
COLUMNS = ("number", "name", "confirmation_point__name", "cert_type", "kind", "proposal", "conclusion",
           "conclusion_reason", "state")
PROGRESS_EVERY = 200


def filename(round_: Round) -> str:
    return f"初审名单-{round_.year}.xlsx"


def review_queue_xlsx(round_: Round, qs: QuerySet, progress: Callable[[int, int], None] | None = None,
                      total: int = 0) -> bytes:
    cert_types, conclusions = dict(CertificateType.choices), dict(Conclusion.choices)

    def rows() -> Iterator[list]:
        for n, (number, name, unit, cert_type, kind, proposal, conclusion, reason, state) in enumerate(
                qs.values_list(*COLUMNS).iterator(chunk_size=500), start=1):
            yield [number, name, unit, str(cert_types.get(cert_type, cert_type)), KIND_LABELS.get(kind or "", ""),
                   OUTCOME_LABELS.get(proposal or "", ""), str(conclusions.get(conclusion, conclusion)), reason,
                   STATE_LABELS[State(state)]]
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
