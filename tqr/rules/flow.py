"""The application's lifecycle, declared once (pure, no Django).

Each transition names its source states, its target, who may take it and in which phase windows. State
is never assigned anywhere else: `tqr.applications.services.application_transition` asks `check()` and
writes the result. The same `available()` renders the buttons and re-checks the POST. Denied by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from .i18n import Join, Text, gettext_noop
from .phases import PHASE_LABELS, Phase, Window, is_open


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    CONFIRMED = "confirmed"
    ABANDONED = "abandoned"
    REVIEWED = "reviewed"
    PUBLISHED = "published"
    REPORTED = "reported"
    CITY_RETURNED = "city_returned"
    FINAL = "final"


STATE_LABELS: dict[State, str] = {
    State.DRAFT: gettext_noop("草稿（未提交）"),
    State.SUBMITTED: gettext_noop("已提交，待学校现场确认"),
    State.RETURNED: gettext_noop("已退回，待修改"),
    State.CONFIRMED: gettext_noop("学校已现场确认"),
    State.ABANDONED: gettext_noop("视为自动放弃"),
    State.REVIEWED: gettext_noop("区县初审已完成，待公示"),
    State.PUBLISHED: gettext_noop("初审结论公示中"),
    State.REPORTED: gettext_noop("已上报市级，待复审"),
    State.CITY_RETURNED: gettext_noop("复审发现问题，已退回区县核实"),
    State.FINAL: gettext_noop("终审完成，注册结论已生效"),
}


class Actor(StrEnum):
    TEACHER = "teacher"  # the applicant, on their own application
    SCHOOL = "school"  # the registration administrator of the unit where the teacher registers
    DISTRICT = "district"  # a reviewer of the round's district
    CITY = "city"  # the city's reviewers (复审) and approvers (终审)
    SYSTEM = "system"  # deadlines


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[State]
    target: State
    actor: Actor
    phases: tuple[Phase, ...]  # open when any of these windows contains the day; () = any day
    after: Phase | None = None  # instead of windows: open on every day from this phase's start on


def _t(action, label, sources, target, actor, phases=(), after=None) -> Transition:
    return Transition(action, label, frozenset(sources), target, actor, tuple(phases), after)


# 黔江教办〔2023〕155号 三（二）（三）: teachers apply in the online window; the school confirms during it
# ("教师网报期间，学校须安排专人同时进行现场确认") and in the confirmation window; a returned application is
# corrected and submitted again while the school can still confirm it.
TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", gettext_noop("提交申请"), {State.DRAFT}, State.SUBMITTED, Actor.TEACHER, [Phase.APPLICATION]),
    _t("resubmit", gettext_noop("修改后重新提交"), {State.RETURNED}, State.SUBMITTED, Actor.TEACHER,
       [Phase.APPLICATION, Phase.CONFIRMATION]),
    _t("confirm", gettext_noop("现场确认通过"), {State.SUBMITTED}, State.CONFIRMED, Actor.SCHOOL,
       [Phase.APPLICATION, Phase.CONFIRMATION]),
    _t("return", gettext_noop("退回修改"), {State.SUBMITTED}, State.RETURNED, Actor.SCHOOL,
       [Phase.APPLICATION, Phase.CONFIRMATION]),
    _t("undo_confirm", gettext_noop("撤销确认"), {State.CONFIRMED}, State.SUBMITTED, Actor.SCHOOL,
       [Phase.APPLICATION, Phase.CONFIRMATION]),
    # 逾期未进行现场确认的学校或教师，视为自动放弃 — run by the deadline job once confirmation closes.
    _t("abandon", gettext_noop("视为自动放弃"), {State.DRAFT, State.SUBMITTED, State.RETURNED}, State.ABANDONED, Actor.SYSTEM),
    # 三（四）初审: the district records a conclusion once the initial review has begun, and may change it
    # until the notice is published (publishing moves the application on).
    _t("review", gettext_noop("记录初审结论"), {State.CONFIRMED}, State.REVIEWED, Actor.DISTRICT, after=Phase.INITIAL_REVIEW),
    _t("revise", gettext_noop("修改初审结论"), {State.REVIEWED}, State.REVIEWED, Actor.DISTRICT, after=Phase.INITIAL_REVIEW),
    _t("publish", gettext_noop("公示"), {State.REVIEWED}, State.PUBLISHED, Actor.DISTRICT, after=Phase.INITIAL_REVIEW),
    # An objection during the notice may change a conclusion; it is noted in the history.
    _t("objection_revise", gettext_noop("根据异议修改结论"), {State.PUBLISHED}, State.PUBLISHED, Actor.DISTRICT,
       after=Phase.INITIAL_REVIEW),
    # 公示期满，上报初审数据 — the notice service checks the period has ended and objections are handled.
    _t("report", gettext_noop("上报市级"), {State.PUBLISHED}, State.REPORTED, Actor.DISTRICT, after=Phase.NOTICE),
    # 三（五）复审: a sampled application whose evidence does not hold goes back to the district, which
    # corrects it (possibly changing the conclusion) and sends it up again.
    _t("city_return", gettext_noop("退回区县核实"), {State.REPORTED}, State.CITY_RETURNED, Actor.CITY, after=Phase.NOTICE),
    _t("city_resubmit", gettext_noop("核实后重新上报"), {State.CITY_RETURNED}, State.REPORTED, Actor.DISTRICT, after=Phase.NOTICE),
    # 三（六）终审: the city approves the district's batch; the conclusions take effect.
    _t("finalise", gettext_noop("终审通过"), {State.REPORTED}, State.FINAL, Actor.CITY, after=Phase.FINAL_REVIEW),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}

# The teacher may change the data while the application is theirs to change.
EDITABLE: dict[State, tuple[Phase, ...]] = {
    State.DRAFT: (Phase.APPLICATION,),
    State.SUBMITTED: (Phase.APPLICATION,),
    State.RETURNED: (Phase.APPLICATION, Phase.CONFIRMATION),
}


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: ``message`` in Chinese; ``template`` and ``params`` to translate it where it is
    shown (``tqr.rules.i18n``; a refusal built from a message alone translates that message as it is)."""

    code: str
    message: str
    template: str = field(default="", compare=False, repr=False)
    params: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> Text:
        return Text(self.template or self.message, self.params if self.template else {})

    @classmethod
    def of(cls, code: str, text: Text) -> Refusal:
        return cls(code, text.render(), text.template, dict(text.params))


def check(action: str, state: State, actor: Actor, windows: list[Window], day: date) -> Refusal | None:
    """None when `actor` may take `action` from `state` on `day`, else why not (in Chinese)."""
    t = BY_ACTION.get(action)
    if t is None:
        return Refusal.of("unknown_action", Text(gettext_noop("没有这个操作")))
    if t.actor != actor:
        return Refusal.of("wrong_actor", Text(gettext_noop("您无权执行此操作")))
    if state not in t.sources:
        return Refusal.of(
            "wrong_state",
            Text(gettext_noop("申请当前状态为「%(state)s」，不能%(action)s"), {"state": STATE_LABELS[state], "action": t.label}),
        )
    if t.phases and not any(is_open(windows, p, day) for p in t.phases):
        return Refusal.of("window_closed", window_text(t.phases, windows, day, t.label))
    if t.after is not None:
        start = next((w.start for w in windows if w.phase == t.after), None)
        if start is None or day < start:
            params = {"phase": PHASE_LABELS[t.after], "action": t.label}
            if start:
                text = Text(gettext_noop("%(phase)s将于 %(date)s 开始，届时才能%(action)s"), {**params, "date": start})
            else:
                text = Text(gettext_noop("%(phase)s尚未设置时间，届时才能%(action)s"), params)
            return Refusal.of("window_closed", text)
    return None


def available(state: State, actor: Actor, windows: list[Window], day: date) -> list[Transition]:
    return [t for t in TRANSITIONS if check(t.action, state, actor, windows, day) is None]


def can_edit(state: State, windows: list[Window], day: date) -> Refusal | None:
    phases = EDITABLE.get(state)
    if phases is None:
        return Refusal.of(
            "wrong_state", Text(gettext_noop("申请当前状态为「%(state)s」，不能修改"), {"state": STATE_LABELS[state]})
        )
    if not any(is_open(windows, p, day) for p in phases):
        return Refusal.of("window_closed", window_text(phases, windows, day, gettext_noop("修改申请")))
    return None


def window_message(phases: tuple[Phase, ...], windows: list[Window], day: date, what: str) -> str:
    """"网上报名将于 2023年11月6日 开始" / "网上报名已于 2023年11月16日 截止" — says when, not just no."""
    return window_text(phases, windows, day, what).render()


def window_text(phases: tuple[Phase, ...], windows: list[Window], day: date, what: str) -> Text:
    """``window_message`` as a ``Text`` (``tqr.rules.i18n``); ``what`` is a label marked with gettext_noop."""
    relevant = [w for w in windows if w.phase in phases]
    if not relevant:
        return Text(
            gettext_noop("本年度未设置%(phases)s时间，暂不能%(action)s"),
            {"phases": Join([PHASE_LABELS[p] for p in phases]), "action": what},
        )
    upcoming = sorted((w for w in relevant if w.start > day), key=lambda w: w.start)
    if upcoming:
        w = upcoming[0]
        return Text(
            gettext_noop("%(phase)s将于 %(date)s 开始，届时才能%(action)s"),
            {"phase": PHASE_LABELS[w.phase], "date": w.start, "action": what},
        )
    last = max(relevant, key=lambda w: w.end or w.start)
    return Text(
        gettext_noop("%(phase)s已于 %(date)s 截止，不能再%(action)s"),
        {"phase": PHASE_LABELS[last.phase], "date": last.end or last.start, "action": what},
    )
