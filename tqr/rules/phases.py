"""The phases of a registration round and which one a given day falls in (pure, no Django).

黔江教办〔2023〕155号 三、工作流程: training → online application → on-site confirmation → initial review →
public notice → secondary review → final review → recording → archiving. Windows are inclusive dates
and belong to each round; a window without an end (recording, archiving) stays open once started.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .i18n import Text, gettext_noop


class Phase(StrEnum):
    TRAINING = "training"
    APPLICATION = "application"
    CONFIRMATION = "confirmation"
    INITIAL_REVIEW = "initial_review"
    NOTICE = "notice"
    SECONDARY_REVIEW = "secondary_review"
    FINAL_REVIEW = "final_review"
    RECORDING = "recording"
    ARCHIVING = "archiving"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)

PHASE_LABELS: dict[Phase, str] = {
    Phase.TRAINING: gettext_noop("注册管理员培训"),
    Phase.APPLICATION: gettext_noop("网上报名"),
    Phase.CONFIRMATION: gettext_noop("现场确认"),
    Phase.INITIAL_REVIEW: gettext_noop("初审"),
    Phase.NOTICE: gettext_noop("公示"),
    Phase.SECONDARY_REVIEW: gettext_noop("复审（随机抽查）"),
    Phase.FINAL_REVIEW: gettext_noop("终审"),
    Phase.RECORDING: gettext_noop("登记注册结论"),
    Phase.ARCHIVING: gettext_noop("资料归档"),
}

PHASE_ACTORS: dict[Phase, str] = {
    Phase.TRAINING: gettext_noop("区县"),
    Phase.APPLICATION: gettext_noop("教师"),
    Phase.CONFIRMATION: gettext_noop("学校"),
    Phase.INITIAL_REVIEW: gettext_noop("区县"),
    Phase.NOTICE: gettext_noop("区县"),
    Phase.SECONDARY_REVIEW: gettext_noop("市级"),
    Phase.FINAL_REVIEW: gettext_noop("市级"),
    Phase.RECORDING: gettext_noop("区县"),
    Phase.ARCHIVING: gettext_noop("区县"),
}


@dataclass(frozen=True)
class Window:
    phase: Phase
    start: date
    end: date | None  # inclusive; None = open-ended once started

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"{self.phase}: window ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class PhaseStatus:
    """Where a round stands on a day.

    `current` is the latest-ordered phase whose window contains the day (windows may overlap, e.g.
    training on the first day of the application window); `upcoming` the next phase to start after the
    day; `before_start` / `finished` say the day is before the first or after the last window.
    """

    day: date
    current: Phase | None
    open_phases: tuple[Phase, ...]
    upcoming: Phase | None
    last_closed: Phase | None
    before_start: bool
    finished: bool

    @property
    def upcoming_label(self) -> str:
        return PHASE_LABELS[self.upcoming] if self.upcoming else ""

    @property
    def text(self) -> Text:
        """The label as a ``Text`` (see ``tqr.rules.i18n``): translated where it is shown."""
        if self.current is not None:
            return Text(PHASE_LABELS[self.current])
        if self.before_start:
            return Text(gettext_noop("尚未开始"))
        if self.finished:
            return Text(gettext_noop("已结束"))
        if self.last_closed and self.upcoming:
            return Text(
                gettext_noop("%(closed)s已结束，等待%(upcoming)s"),
                {"closed": PHASE_LABELS[self.last_closed], "upcoming": PHASE_LABELS[self.upcoming]},
            )
        return Text(gettext_noop("进行中"))

    @property
    def label(self) -> str:
        return self.text.render()


def phase_status(windows: Iterable[Window], day: date) -> PhaseStatus:
    ordered = sorted(windows, key=lambda w: PHASE_ORDER.index(w.phase))
    if not ordered:
        return PhaseStatus(day, None, (), None, None, True, False)
    open_phases = tuple(w.phase for w in ordered if w.contains(day))
    current = open_phases[-1] if open_phases else None
    future = [w for w in ordered if w.start > day]
    upcoming = min(future, key=lambda w: (w.start, PHASE_ORDER.index(w.phase))).phase if future else None
    closed = [w for w in ordered if w.end is not None and w.end < day]
    last_closed = max(closed, key=lambda w: (w.end, PHASE_ORDER.index(w.phase))).phase if closed else None
    before_start = all(w.start > day for w in ordered)
    finished = not future and not open_phases
    return PhaseStatus(day, current, open_phases, upcoming, last_closed, before_start, finished)


def is_open(windows: Iterable[Window], phase: Phase, day: date) -> bool:
    return any(w.phase == phase and w.contains(day) for w in windows)


def check_order(windows: Iterable[Window]) -> list[str]:
    """Problems with a round's windows, in Chinese: each phase may not start before the previous one."""
    return [text.render() for text in order_problems(windows)]


def order_problems(windows: Iterable[Window]) -> list[Text]:
    """``check_order`` as ``Text`` (see ``tqr.rules.i18n``), to be translated where it is shown."""
    problems = []
    ordered = sorted(windows, key=lambda w: PHASE_ORDER.index(w.phase))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.start:
            problems.append(
                Text(
                    gettext_noop("%(phase)s的开始日期（%(start)s）早于%(previous)s的开始日期（%(previous_start)s）"),
                    {
                        "phase": PHASE_LABELS[after.phase],
                        "start": str(after.start),
                        "previous": PHASE_LABELS[before.phase],
                        "previous_start": str(before.start),
                    },
                )
            )
    return problems
