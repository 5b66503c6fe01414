"""Reads for the help pages: which page a visitor gets, which round's dates it shows, and the filled-in text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from tqr.accounts.models import Role
from tqr.campaigns.models import PhaseWindow, Round
from tqr.campaigns.selectors import current_round, today
from tqr.core.rules_text import label
from tqr.documents.photos import MIN_SIZE
from tqr.help import content
from tqr.rules.phases import PHASE_LABELS, PHASE_ORDER, Phase

ROLE_GUIDE = {
    Role.TEACHER: "teacher",
    Role.SCHOOL_ADMIN: "school",
    Role.DISTRICT_REVIEWER: "district",
    Role.CITY_REVIEWER: "city",
    Role.CITY_APPROVER: "city",
}
# The photo limits the upload really applies (tqr.documents.photos.process_photo's defaults).
PHOTO_LIMITS = {"max_mb": 10, "max_kb": 200, "min_w": MIN_SIZE[0], "min_h": MIN_SIZE[1], "out_w": 295, "out_h": 413}


def guide_for(user) -> str:
    """The help page a visitor lands on: their role's, or the general one (anonymous, auditor, sysadmin)."""
    if not user.is_authenticated:
        return "public"
    return ROLE_GUIDE.get(user.role, "public")


def help_round(user) -> Round | None:
    """The round whose dates the page shows: the user's current round; the latest round for anyone else.

    Phase windows are not secret (the district publishes them in its notice), so a visitor without a round
    of their own sees the most recent one.
    """
    if user.is_authenticated:
        round_ = current_round(user)
        if round_ is not None:
            return round_
    return (
        Round.objects.select_related("district")
        .prefetch_related(Prefetch("phase_windows", queryset=PhaseWindow.objects.order_by("start_date")))
        .order_by("-year", "district__code")
        .first()
    )


@dataclass(frozen=True)
class Step:
    number: int
    phase: Phase
    label: str
    who: str
    duty: str
    start: date | None
    end: date | None
    open_ended: bool
    place: str
    state: str  # "now", "done", "" (upcoming or no dates)


def _numbers(round_: Round | None) -> dict:
    year = round_.year if round_ else today().year
    return {
        "hours": round_.required_training_hours if round_ else 360,
        "semester_days": round_.semester_days if round_ else 140,
        "notice_days": round_.notice_workdays if round_ else 5,
        "year": year, "first_year": year - 5, "last_year": year - 1,
        **PHOTO_LIMITS,
    }


def steps(round_: Round | None, guide: str, numbers: dict, day: date) -> list[Step]:
    windows = {Phase(w.phase): w for w in round_.phase_windows.all()} if round_ else {}
    status = round_.status(day) if round_ else None
    result = []
    for number, phase in enumerate(PHASE_ORDER, start=1):
        w = windows.get(phase)
        duty = content.DUTIES[phase].get(guide) or content.NOTHING_TO_DO
        state = ""
        if status is not None and w is not None:
            if phase in status.open_phases:
                state = "now"
            elif w.end_date is not None and w.end_date < day:
                state = "done"
        result.append(Step(
            number, phase, label(PHASE_LABELS[phase]), str(content.PHASE_WHO[phase]), str(duty) % numbers,
            w.start_date if w else None, w.end_date if w else None, bool(w and w.end_date is None),
            w.place if w else "", state,
        ))
    return result


def help_context(user, guide: str, *, day: date | None = None) -> dict:
    """Everything a help page shows for `guide` (a slug of content.GUIDES), as plain values."""
    day = day or today()
    round_ = help_round(user)
    numbers = _numbers(round_)

    def fill(text) -> str:
        return str(text) % numbers

    step_list = steps(round_, guide, numbers, day)
    return {
        "guide": content.GUIDES[guide],
        "guides": list(content.GUIDES.values()),
        "round": round_,
        "day": day,
        "numbers": numbers,
        "steps": step_list,
        "has_dates": any(s.start for s in step_list),
        "materials": [
            {"number": m.number, "title": str(m.title), "detail": fill(m.detail), "issued_by_school": m.issued_by_school}
            for m in content.MATERIALS
        ],
        "materials_note": fill(content.MATERIALS_NOTE),
        "rules": [
            {"key": s.key, "title": str(s.title), "intro": fill(s.intro) if s.intro else "",
             "points": [fill(p) for p in s.points]}
            for s in content.RULES
        ],
        "rule_codes": [(code, str(text)) for code, text in content.RULE_CODES] if guide in ("district", "city") else [],
        "photo_rules": [fill(p) for p in content.PHOTO_RULES],
        "photo_examples": [
            {"file": e.file, "good": e.good, "title": str(e.title), "why": fill(e.why)} for e in content.PHOTO_EXAMPLES
        ],
        "faq": [
            {"key": q.key, "question": fill(q.question), "answer": fill(q.answer)}
            for q in content.FAQ if guide in q.roles
        ],
    }
