"""The school's roster for a round: every teacher of the unit (and those it lent), what the rules say and
where their application stands. One query for teachers, one for evaluations, one for applications."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tqr.applications.models import Application
from tqr.campaigns.models import Round, TeacherEvaluation
from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS, SCOPE_REASONS
from tqr.rules.flow import STATE_LABELS, State
from tqr.teachers.models import PostLevel, TeacherProfile

FILTERS: dict[str, str] = {
    "all": gettext_lazy("全部"),
    "due": gettext_lazy("本年度应注册"),
    "not_applied": gettext_lazy("应注册未提交"),
    "submitted": gettext_lazy("待现场确认"),
    "returned": gettext_lazy("已退回"),
    "confirmed": gettext_lazy("已确认"),
    "abandoned": gettext_lazy("视为放弃"),
    "out": gettext_lazy("不在注册范围"),
}
SORTS = {"name": gettext_lazy("姓名"), "state": gettext_lazy("状态"), "submitted": gettext_lazy("提交时间")}
STATE_FILTERS = frozenset(FILTERS) - {"all", "due", "not_applied", "out"}  # the filters that are a state


class RosterTeacher(NamedTuple):
    pk: int
    name: str
    id_masked: str
    post_level: str
    subject: str
    unit_id: int | None
    seconded_from_id: int | None
    post_level_label: str


class RosterEvaluation(NamedTuple):
    valid: bool
    in_scope: bool | None
    scope_reason: str
    kind: str
    proposal: str


class RosterApplication(NamedTuple):
    pk: int
    state: str
    submitted_at: datetime | None


@dataclass(slots=True)
class RosterRow:
    teacher: RosterTeacher
    evaluation: RosterEvaluation | None
    application: RosterApplication | None

    @property
    def due(self) -> bool:
        return bool(self.evaluation and self.evaluation.in_scope)

    @property
    def scope_text(self) -> str:
        if self.evaluation is None:
            return _("未评估")
        if not self.evaluation.valid:
            return _("信息有误")
        if self.due:
            return _("应注册")
        reason = SCOPE_REASONS.get(self.evaluation.scope_reason)
        return reason.title if reason else _("不在范围")

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
        return STATE_LABELS[State(self.application.state)] if self.application else _("未报名")

    def tabs(self) -> list[str]:
        """The roster's filters (FILTERS) that show this row."""
        state, due = self.state, self.due
        tabs = ["all", "due" if due else "out"]
        if due and state in ("none", State.DRAFT):
            tabs.append("not_applied")
        if state in STATE_FILTERS:
            tabs.append(state)
        return tabs

    def matches(self, key: str) -> bool:
        return key in self.tabs()


def roster(round_: Round, unit, *, key: str = "all", q: str = "", sort: str = "name") -> tuple[list[RosterRow], Counter]:
    """The rows carry only what the roster shows (page, export, API), read as tuples: no model objects, so
    neither the encrypted ID number (shown masked), the evaluations' full results nor the applications' JSON
    columns are read and decoded for each teacher (finding 3). Reminders read the addresses themselves."""
    post_levels = {value: str(label) for value, label in PostLevel.choices}
    school = TeacherProfile.objects.filter(Q(unit=unit) | Q(seconded_from=unit))
    teachers = [RosterTeacher(*t, post_levels.get(t[3], t[3])) for t in school.order_by("name", "id").values_list(
        "id", "name", "id_masked", "post_level", "subject", "unit_id", "seconded_from_id")]
    ids = [t.pk for t in teachers]  # a list, not a subquery: PostgreSQL then reads (round, teacher) by index
    evaluations = {e[0]: RosterEvaluation(*e[1:]) for e in TeacherEvaluation.objects.filter(
        round=round_, teacher_id__in=ids).values_list("teacher_id", "valid", "in_scope", "scope_reason", "kind",
                                                      "proposal")}
    applications = {a[0]: RosterApplication(*a[1:]) for a in Application.objects.filter(
        round=round_, teacher_id__in=ids).values_list("teacher_id", "id", "state", "submitted_at")}
    rows = [RosterRow(t, evaluations.get(t.pk), applications.get(t.pk)) for t in teachers]
    counts = Counter(dict.fromkeys(FILTERS, 0))
    for r in rows:
        counts.update(r.tabs())
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
