"""The school's roster for a round: every teacher of the unit (and those it lent), what the rules say and
where their application stands. One query for teachers, one for evaluations, one for applications."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Q

from tqr.applications.models import Application
from tqr.campaigns.models import Round, TeacherEvaluation
from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS, SCOPE_REASONS
from tqr.rules.flow import STATE_LABELS, State
from tqr.teachers.models import TeacherProfile

FILTERS: dict[str, str] = {
    "all": "全部",
    "due": "本年度应注册",
    "not_applied": "应注册未提交",
    "submitted": "待现场确认",
    "returned": "已退回",
    "confirmed": "已确认",
    "abandoned": "视为放弃",
    "out": "不在注册范围",
}
SORTS = {"name": "姓名", "state": "状态", "submitted": "提交时间"}


@dataclass
class RosterRow:
    teacher: TeacherProfile
    evaluation: TeacherEvaluation | None
    application: Application | None

    @property
    def due(self) -> bool:
        return bool(self.evaluation and self.evaluation.in_scope)

    @property
    def scope_text(self) -> str:
        if self.evaluation is None:
            return "未评估"
        if not self.evaluation.valid:
            return "信息有误"
        if self.due:
            return "应注册"
        reason = SCOPE_REASONS.get(self.evaluation.scope_reason)
        return reason.title if reason else "不在范围"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.evaluation.kind, "") if self.evaluation else ""

    @property
    def proposal_label(self) -> str:
        return OUTCOME_LABELS.get(self.evaluation.proposal, "") if self.evaluation else ""

    @property
    def state(self) -> str:
        return self.application.state if self.application else "none"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.application.state)] if self.application else "未报名"

    def matches(self, key: str) -> bool:
        if key == "all":
            return True
        if key == "due":
            return self.due
        if key == "not_applied":
            return self.due and self.state in ("none", State.DRAFT)
        if key == "out":
            return not self.due
        return self.state == key


def roster(round_: Round, unit, *, key: str = "all", q: str = "", sort: str = "name") -> tuple[list[RosterRow], Counter]:
    teachers = list(
        TeacherProfile.objects.filter(Q(unit=unit) | Q(seconded_from=unit)).select_related("unit", "user")
        .order_by("name")
    )
    evaluations = {e.teacher_id: e for e in TeacherEvaluation.objects.filter(round=round_, teacher__in=teachers)}
    applications = {a.teacher_id: a for a in Application.objects.filter(round=round_, teacher__in=teachers)}
    rows = [RosterRow(t, evaluations.get(t.pk), applications.get(t.pk)) for t in teachers]
    counts = Counter({k: sum(r.matches(k) for r in rows) for k in FILTERS})
    if key in FILTERS:
        rows = [r for r in rows if r.matches(key)]
    if q:
        rows = [r for r in rows if q in r.teacher.name or q in r.teacher.subject]
    if sort == "state":
        rows.sort(key=lambda r: (r.state, r.teacher.name))
    elif sort == "submitted":
        rows.sort(key=lambda r: (r.application is None or r.application.submitted_at is None,
                                 r.application.submitted_at if r.application and r.application.submitted_at else 0))
    return rows, counts
