"""Reads for the teacher's page: the application's timeline through the round, the next step with its deadline
and working days left, what is missing, the registration history and the inbox.

One selector, `teacher_overview`, serves the status page and the JSON API (tqr.api.applications), so the two
cannot disagree. It only reads, and its number of queries does not grow with the application's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

from tqr.applications.models import Application
from tqr.applications.selectors import next_step
from tqr.applications.services import MissingItem, missing
from tqr.campaigns.workdays import UnknownCalendarYear, calendar
from tqr.rules.flow import State
from tqr.rules.materials import Material, materials_for
from tqr.rules.phases import PHASE_LABELS, Phase

# The phases a teacher's application goes through (注册管理员培训 concerns the schools' administrators only).
TEACHER_PHASES: tuple[Phase, ...] = (
    Phase.APPLICATION, Phase.CONFIRMATION, Phase.INITIAL_REVIEW, Phase.NOTICE, Phase.SECONDARY_REVIEW,
    Phase.FINAL_REVIEW, Phase.RECORDING, Phase.ARCHIVING,
)

# The application's own events (ApplicationEvent.action) shown on the timeline, under the phase they belong to.
# Edits and photo uploads stay in the detailed history below the timeline.
EVENT_PHASES: dict[str, Phase] = {
    "create": Phase.APPLICATION, "submit": Phase.APPLICATION,
    "return": Phase.CONFIRMATION, "resubmit": Phase.CONFIRMATION, "confirm": Phase.CONFIRMATION,
    "undo_confirm": Phase.CONFIRMATION, "abandon": Phase.CONFIRMATION,
    "review": Phase.INITIAL_REVIEW, "revise": Phase.INITIAL_REVIEW,
    "publish": Phase.NOTICE, "objection_revise": Phase.NOTICE, "report": Phase.NOTICE,
    "city_return": Phase.SECONDARY_REVIEW, "city_resubmit": Phase.SECONDARY_REVIEW,
    "finalise": Phase.FINAL_REVIEW,
}


def _event_labels() -> dict[str, str]:
    return {
        "create": _("开始填报"), "submit": _("提交申请"), "return": _("学校退回修改"), "resubmit": _("修改后重新提交"),
        "confirm": _("学校现场确认通过"), "undo_confirm": _("学校撤销确认"), "abandon": _("视为自动放弃"),
        "review": _("区县初审完成"), "revise": _("初审结论修改"), "publish": _("列入公示"),
        "objection_revise": _("根据异议修改结论"), "report": _("公示期满，上报市级"),
        "city_return": _("复审退回区县核实"), "city_resubmit": _("区县核实后重新上报"), "finalise": _("终审通过"),
        "sampled": _("被抽中复审"), "affixed": _("注册结论已登记（粘贴注册贴）"), "archived": _("申请表已归档"),
    }


# Where the application stands → the phase it is in for the teacher (the rest of the round is before or after).
STATE_PHASES: dict[State, Phase] = {
    State.DRAFT: Phase.APPLICATION,
    State.SUBMITTED: Phase.CONFIRMATION, State.RETURNED: Phase.CONFIRMATION, State.ABANDONED: Phase.CONFIRMATION,
    State.CONFIRMED: Phase.INITIAL_REVIEW,
    State.REVIEWED: Phase.NOTICE, State.PUBLISHED: Phase.NOTICE,
    State.REPORTED: Phase.SECONDARY_REVIEW, State.CITY_RETURNED: Phase.SECONDARY_REVIEW,
    State.FINAL: Phase.RECORDING,
}

# The deadline that matters in each state: the end of this phase's window (the teacher's own, or the one
# they wait for).
DEADLINE_PHASES: dict[State, Phase] = {
    State.DRAFT: Phase.APPLICATION, State.SUBMITTED: Phase.CONFIRMATION, State.RETURNED: Phase.CONFIRMATION,
    State.CONFIRMED: Phase.INITIAL_REVIEW, State.REVIEWED: Phase.NOTICE, State.PUBLISHED: Phase.NOTICE,
    State.REPORTED: Phase.FINAL_REVIEW, State.CITY_RETURNED: Phase.FINAL_REVIEW,
}
TEACHER_ACTS = frozenset({State.DRAFT, State.SUBMITTED, State.RETURNED})


@dataclass(frozen=True)
class TimelineEvent:
    code: str
    label: str
    at: datetime | date
    note: str = ""


@dataclass
class TimelineEntry:
    phase: Phase
    label: str
    start: date | None
    end: date | None
    status: str  # done / current / upcoming; missed / skipped after 视为自动放弃
    events: list[TimelineEvent] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return {"done": _("已完成"), "current": _("当前"), "upcoming": _("未开始"), "missed": _("未完成"),
                "skipped": _("不再进行")}[self.status]


@dataclass(frozen=True)
class Next:
    text: str
    when: str
    phase: Phase | None
    deadline: date | None
    workdays_left: int | None  # working days from today to the deadline, both included; None = unknown calendar
    teacher_acts: bool  # the teacher has something to do (else: waiting for the school, district or city)
    overdue: bool


@dataclass(frozen=True)
class MaterialItem:
    material: Material
    checked: bool  # ticked by the school at on-site confirmation

    @property
    def teacher_brings(self) -> bool:
        return not self.material.issued_by_school


@dataclass(frozen=True)
class HistoryRow:
    year: int
    kind: str
    kind_label: str
    conclusion: str
    conclusion_label: str
    valid_from: date | None
    valid_until: date | None
    certificate_number: str
    valid_now: bool


@dataclass
class Overview:
    day: date
    timeline: list[TimelineEntry]
    next: Next
    missing: list[MissingItem]
    materials: list[MaterialItem]
    materials_due: bool  # still to be brought to the school (not confirmed yet)
    history: list[HistoryRow]
    notifications: list = field(default_factory=list)
    unread: int = 0


def _timeline(app: Application, day: date, sample_item, sticker) -> list[TimelineEntry]:
    labels = _event_labels()
    windows = {w.phase: w for w in app.round.windows()}
    events: dict[Phase, list[TimelineEvent]] = {p: [] for p in TEACHER_PHASES}
    for e in app.events.filter(action__in=EVENT_PHASES).order_by("ts", "id"):
        note = e.note if e.action in ("return", "city_return", "abandon") else ""
        events[EVENT_PHASES[e.action]].append(TimelineEvent(e.action, labels[e.action], e.ts, note))
    if sample_item is not None:
        events[Phase.SECONDARY_REVIEW].append(TimelineEvent("sampled", labels["sampled"], sample_item.sample.drawn_at))
        events[Phase.SECONDARY_REVIEW].sort(key=lambda ev: ev.at)
    if sticker is not None and sticker.affixed_at:
        events[Phase.RECORDING].append(TimelineEvent("affixed", labels["affixed"], sticker.affixed_at))
    if sticker is not None and sticker.district_archive_at:
        events[Phase.ARCHIVING].append(TimelineEvent("archived", labels["archived"], sticker.district_archive_at))

    state = State(app.state)
    current = STATE_PHASES[state]
    if state in (State.REPORTED,) and (w := windows.get(Phase.FINAL_REVIEW)) and day >= w.start:
        current = Phase.FINAL_REVIEW
    if state == State.FINAL and sticker is not None and sticker.affixed_at:
        current = Phase.ARCHIVING if not sticker.district_archive_at else None
    at = TEACHER_PHASES.index(current) if current is not None else len(TEACHER_PHASES)
    entries = []
    for i, phase in enumerate(TEACHER_PHASES):
        if state == State.ABANDONED:
            status = "done" if i < at else "missed" if i == at else "skipped"
        else:
            status = "done" if i < at else "current" if i == at else "upcoming"
        w = windows.get(phase)
        entries.append(TimelineEntry(phase, PHASE_LABELS[phase], w.start if w else None, w.end if w else None,
                                     status, events[phase]))
    return entries


def _next(app: Application, day: date, cal) -> Next:
    state = State(app.state)
    step = next_step(app, day)
    phase = DEADLINE_PHASES.get(state)
    window = next((w for w in app.round.windows() if w.phase == phase), None) if phase else None
    deadline = window.end if window else None
    left = None
    if deadline is not None:
        try:
            left = cal.workdays_between(day, deadline)
        except UnknownCalendarYear:
            left = None
    return Next(step.text, step.when, phase, deadline, left, state in TEACHER_ACTS,
                bool(deadline and deadline < day))


def _missing(app: Application) -> list[MissingItem]:
    if State(app.state) not in (State.DRAFT, State.RETURNED):
        return []
    return missing(app)

def _history(app: Application, day: date) -> list[HistoryRow]:
    """Newest first. `valid_now` marks the one registration in force today: the newest qualified one whose
    validity holds today (an older one still in its dates has been taken over by the newer)."""
    rows, found = [], False
    for r in app.teacher.registrations.select_related("certificate").order_by("-year"):
        valid = (not found and r.conclusion == "qualified" and r.valid_until is not None and r.valid_until >= day
                 and (r.valid_from is None or r.valid_from <= day))
        found = found or valid
        rows.append(HistoryRow(
            r.year, r.kind, r.get_kind_display(), r.conclusion, r.get_conclusion_display(), r.valid_from, r.valid_until,
            r.certificate.number if r.certificate else "", valid))
    return rows


def teacher_overview(app: Application, day: date, *, user=None, inbox: int = 0) -> Overview:
    """Everything the teacher's page shows about `app` on `day`. `inbox`: how many latest notifications of `user`.

    Expects `app` with its round and the round's windows loaded (prefetch `round__phase_windows`) and
    `teacher__user` selected; then the queries are a fixed handful whatever the history holds.
    """
    from tqr.city.models import SampleItem, Sticker

    sample_item = SampleItem.objects.filter(application=app).select_related("sample").first()
    sticker = Sticker.objects.filter(application=app).first()
    evaluation = app.evaluation or {}
    checklist = app.checklist or {}
    confirmed = State(app.state) not in (State.DRAFT, State.SUBMITTED, State.RETURNED, State.ABANDONED)
    materials = [MaterialItem(m, bool(checklist.get(str(m.number)))) for m in
                 materials_for(evaluation.get("kind"), new_teacher=app.teacher.new_teacher)]
    overview = Overview(
        day=day, timeline=_timeline(app, day, sample_item, sticker), next=_next(app, day, calendar()),
        missing=_missing(app), materials=materials, materials_due=not confirmed and app.state != State.ABANDONED,
        history=_history(app, day),
    )
    if user is not None and inbox:
        from tqr.notifications.models import Notification
        from tqr.notifications.selectors import unread_count

        mine = Notification.objects.filter(recipient=user)
        overview.notifications = list(mine[:inbox])
        overview.unread = unread_count(user)
    return overview
