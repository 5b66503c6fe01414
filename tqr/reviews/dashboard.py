"""Dashboards (read only): where a round stands, for the district, the city and a school.

Every function takes a round (or rounds) the caller already got through `tqr.accounts.permissions`
(`visible_rounds` + `require`), and returns plain dicts and lists, so that the pages, the charts
(`tqr.core.charts`) and the JSON API show the same numbers. The database does the counting (GROUP BY over
the round's applications): the number of queries does not grow with the number of schools or applications.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tqr.accounts.models import Organisation
from tqr.accounts.permissions import visible_rounds
from tqr.applications.models import Application, ApplicationEvent, HandOver
from tqr.applications.roster import roster
from tqr.campaigns.models import PhaseWindow, RegistrationAdministrator, Round
from tqr.campaigns.workdays import UnknownCalendarYear, calendar
from tqr.city.models import SampleItem
from tqr.core.rules_text import rule_text
from tqr.rules.flow import State
from tqr.rules.phases import PHASE_LABELS, Phase
from tqr.teachers.models import CertificateType, Conclusion
from tqr.visits.models import VisitBooking

CONFIRMED_OR_LATER = (State.CONFIRMED, State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED,
                      State.FINAL)
REVIEWED_OR_LATER = (State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED, State.FINAL)
PENDING_CONFIRMATION = (State.SUBMITTED, State.RETURNED)
CONCLUSIONS = (Conclusion.QUALIFIED, Conclusion.DEFERRED, Conclusion.UNQUALIFIED)

# The progress measures, in the order of the round (keys of every progress row).
PROGRESS = {
    "applied": gettext_lazy("已提交"),
    "confirmed": gettext_lazy("已现场确认"),
    "reviewed": gettext_lazy("已初审"),
    "concluded": gettext_lazy("已终审"),
}

# Short state names for a school's chart (the flow's labels are sentences).
STATE_SHORT = {
    "none": gettext_lazy("应注册未报名"),
    State.DRAFT: gettext_lazy("草稿未提交"),
    State.SUBMITTED: gettext_lazy("待现场确认"),
    State.RETURNED: gettext_lazy("已退回待修改"),
    State.CONFIRMED: gettext_lazy("已现场确认"),
    State.REVIEWED: gettext_lazy("已初审"),
    State.PUBLISHED: gettext_lazy("公示中"),
    State.REPORTED: gettext_lazy("已上报市级"),
    State.CITY_RETURNED: gettext_lazy("复审退回核实"),
    State.FINAL: gettext_lazy("已终审"),
    State.ABANDONED: gettext_lazy("视为自动放弃"),
}

# Stages of an application and the timestamps that bound them (time spent in each stage).
STAGES = (
    ("confirmation", gettext_lazy("提交→现场确认"), "submitted_at", "confirmed_at"),
    ("review", gettext_lazy("现场确认→初审"), "confirmed_at", "reviewed_at"),
    ("city", gettext_lazy("初审→终审"), "reviewed_at", "final_at"),
)
SLOWEST = 5  # schools listed as the slowest of each stage
CHART_SCHOOLS = 12  # schools in the by-school chart (all of them are in the table)


def rounds_with_windows(user):
    """The rounds in the user's scope, each with its phase windows read in the same go."""
    return visible_rounds(user).prefetch_related(
        Prefetch("phase_windows", queryset=PhaseWindow.objects.order_by("start_date")))


def risk_workdays() -> int:
    return settings.TQR_DASHBOARD_RISK_WORKDAYS


# --- Pieces shared by the three dashboards ----------------------------------------------------------


def _calendar():
    """The working-day calendar (two queries), read once per dashboard."""
    return calendar()


def _workdays_left(cal, day: date, end: date | None) -> int | None:
    """Working days from `day` to `end`, both counted; None when the window has no end, is over, or the year's
    holidays are not entered yet (never a guess)."""
    if end is None or day > end:
        return None
    try:
        return cal.workdays_between(day, end)
    except UnknownCalendarYear:
        return None


def deadlines(round_: Round, day: date, cal) -> list[dict]:
    """Each phase window: its dates, where today is, and the working days left until it closes."""
    out = []
    for w in round_.timeline():
        status = "done" if w.end_date and w.end_date < day else "open" if w.start_date <= day else "upcoming"
        out.append({
            "phase": w.phase, "label": _(PHASE_LABELS[Phase(w.phase)]), "start_date": w.start_date,
            "end_date": w.end_date, "status": status,
            "status_label": {"done": _("已结束"), "open": _("进行中"), "upcoming": _("未开始")}[status],
            "workdays_left": _workdays_left(cal, day, w.end_date) if status != "done" else None,
        })
    return out


def unit_names(rows) -> dict[int, str]:
    """{unit id: the name to show}: the short name, unless two units share it (民族中学 in two towns)."""
    rows = list(rows)
    shorts = Counter(short for _pk, _name, short in rows if short)
    return {pk: short if short and shorts[short] == 1 else name for pk, name, short in rows}


def _progress_rows(applications) -> dict[tuple, dict]:
    """{(round id, unit id): counts} in one GROUP BY over the applications given."""
    rows = (applications.order_by().values("round_id", "confirmation_point_id").annotate(
        applied=Count("pk", filter=Q(submitted_at__isnull=False)),
        pending=Count("pk", filter=Q(state__in=PENDING_CONFIRMATION)),
        confirmed=Count("pk", filter=Q(state__in=CONFIRMED_OR_LATER)),
        reviewed=Count("pk", filter=Q(state__in=REVIEWED_OR_LATER)),
        concluded=Count("pk", filter=Q(state=State.FINAL)),
        abandoned=Count("pk", filter=Q(state=State.ABANDONED)),
    ))
    return {(r.pop("round_id"), r.pop("confirmation_point_id")): r for r in rows}


def _at_risk(row: dict, confirmation, day: date, left: int | None, threshold: int) -> str:
    """Why a school may miss the confirmation window (empty when it will not, as far as we can tell)."""
    if confirmation is None or confirmation.end_date is None or day > confirmation.end_date or not row["pending"]:
        return ""
    if left is not None and left <= threshold:
        return _("现场确认还剩 %(left)s 个工作日，仍有申请未确认") % {"left": left}
    if confirmation.start_date <= day and not row["confirmed"]:
        return _("现场确认已开始，尚未确认任何申请")
    return ""


def _sample(rounds) -> dict[int, dict]:
    """{round id: the city's sample (复审抽查) in numbers}: sampled, checked, discrepancies and their rate."""
    rows = (SampleItem.objects.filter(sample__round__in=rounds).order_by().values("sample__round_id").annotate(
        sampled=Count("pk"), checked=Count("pk", filter=~Q(result="")),
        discrepancies=Count("pk", filter=Q(result=SampleItem.Result.DISCREPANCY))))
    out = {}
    for r in rows:
        out[r["sample__round_id"]] = {
            "sampled": r["sampled"], "checked": r["checked"], "discrepancies": r["discrepancies"],
            "rate": round(r["discrepancies"] / r["sampled"], 4) if r["sampled"] else None,
            "rate_percent": round(100 * r["discrepancies"] / r["sampled"], 1) if r["sampled"] else None,
        }
    return out


def _empty_sample() -> dict:
    return {"sampled": 0, "checked": 0, "discrepancies": 0, "rate": None, "rate_percent": None}


def conclusions_by_type(applications) -> list[dict]:
    """Conclusions (initial, then final) per qualification type (资格种类), types with none left out."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for cert_type, conclusion, n in (applications.filter(state__in=REVIEWED_OR_LATER).exclude(conclusion="")
                                     .order_by().values("cert_type", "conclusion").annotate(n=Count("pk"))
                                     .values_list("cert_type", "conclusion", "n")):
        counts[cert_type][conclusion] += n
    labels = dict(CertificateType.choices)
    out = []
    for value in [*labels, *sorted(set(counts) - set(labels))]:
        if value in counts:
            c = counts[value]
            out.append({"cert_type": value, "label": str(labels.get(value, value or _("未填写"))),
                        **{k: c[k] for k in CONCLUSIONS}, "total": sum(c[k] for k in CONCLUSIONS)})
    return out


def stage_times(round_: Round, names: dict[int, str]) -> list[dict]:
    """Days spent in each stage (median over the applications that passed it) and the slowest schools (by
    their own median). Two queries: the applications' timestamps and the final-review events."""
    return _stage_times([round_], names, group="confirmation_point_id")


def _stage_times(rounds: list[Round], names: dict[int, str], *, group: str) -> list[dict]:
    """`stage_times` over several rounds, the slowest listed by `group` (a school for a district, a district's
    round for the city); `names` names the groups."""
    final = dict(ApplicationEvent.objects.filter(application__round__in=rounds, to_state=State.FINAL).order_by()
                 .values_list("application_id", "ts"))
    per_stage: dict[str, list[float]] = defaultdict(list)
    per_school: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for pk, unit_id, *stamps in (Application.objects.filter(round__in=rounds, submitted_at__isnull=False).order_by()
                                 .values_list("pk", group, "submitted_at", "confirmed_at", "reviewed_at")):
        at = dict(zip(("submitted_at", "confirmed_at", "reviewed_at"), stamps, strict=True), final_at=final.get(pk))
        for key, _label, start, end in STAGES:
            a, b = at[start], at[end]
            if isinstance(a, datetime) and isinstance(b, datetime) and b >= a:
                days = (b - a).total_seconds() / 86400
                per_stage[key].append(days)
                per_school[key][unit_id].append(days)
    out = []
    for key, label, _start, _end in STAGES:
        schools = sorted(((statistics.median(v), len(v), uid) for uid, v in per_school[key].items()),
                         key=lambda t: (-t[0], names.get(t[2], "")))
        out.append({
            "stage": key, "label": str(label), "count": len(per_stage[key]),
            "median_days": round(statistics.median(per_stage[key]), 1) if per_stage[key] else None,
            "slowest": [{"unit_id": uid, "name": names.get(uid, "—"), "median_days": round(m, 1), "count": n}
                        for m, n, uid in schools[:SLOWEST]],
        })
    return out


# --- The district's dashboard -----------------------------------------------------------------------


def district_dashboard(round_: Round, *, day: date, threshold: int | None = None) -> dict:
    """A district's round: progress by school, deadlines, schools at risk, conclusions by type, stage times,
    the city's sample."""
    threshold = risk_workdays() if threshold is None else threshold
    cal = _calendar()
    applications = Application.objects.filter(round=round_)
    units = unit_names(Organisation.objects.filter(parent_id=round_.district_id, kind__in=Organisation.UNIT_KINDS)
                       .values_list("pk", "name", "short_name"))
    progress = _progress_rows(applications)
    dates = deadlines(round_, day, cal)
    confirmation = round_.window(Phase.CONFIRMATION)
    left = _workdays_left(cal, day, confirmation.end_date) if confirmation else None
    schools = []
    for (_round_id, unit_id), row in progress.items():
        if not row["applied"] and not row["pending"]:
            continue  # drafts only: nothing for the school to do yet
        risk = _at_risk(row, confirmation, day, left, threshold)
        schools.append({"unit_id": unit_id, "name": units.get(unit_id, _("未选择确认点")), **row, "risk": risk})
    schools.sort(key=lambda s: (-s["applied"], s["name"]))
    totals = {k: sum(s[k] for s in schools) for k in ("applied", "pending", "confirmed", "reviewed", "concluded",
                                                      "abandoned")}
    return {
        "round": {"id": round_.pk, "title": round_.title, "year": round_.year, "district_id": round_.district_id,
                  "district_name": round_.district.name},
        "day": day, "risk_workdays": threshold,
        "totals": totals, "schools": schools,
        "deadlines": dates,
        "confirmation_workdays_left": left,
        "at_risk": sorted((s for s in schools if s["risk"]), key=lambda s: (s["confirmed"] > 0, -s["pending"], s["name"])),
        "conclusions_by_type": conclusions_by_type(applications),
        "stage_times": stage_times(round_, units),
        "sample": _sample([round_]).get(round_.pk, _empty_sample()),
        "discrepancy_threshold": float(round_.discrepancy_threshold),
        "discrepancy_threshold_percent": round(100 * float(round_.discrepancy_threshold), 1),
    }


# --- The city's dashboard ---------------------------------------------------------------------------


def city_rounds(rounds_qs) -> list[Round]:
    """The rounds of the latest year among those given (one per district), windows prefetched."""
    latest = rounds_qs.order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        return []
    return list(rounds_qs.filter(year=latest).select_related("district").prefetch_related("phase_windows")
                .order_by("district__code"))


def city_dashboard(rounds: list[Round], *, day: date, threshold: int | None = None) -> dict:
    """Every district's round of the year side by side: progress, the phase and its deadline, schools at risk,
    the sample's discrepancy rate; conclusions by type over the city."""
    threshold = risk_workdays() if threshold is None else threshold
    cal = _calendar()
    applications = Application.objects.filter(round__in=rounds)
    progress = _progress_rows(applications)
    samples = _sample(rounds)
    by_round: dict[int, list[dict]] = defaultdict(list)
    for (round_id, _unit_id), row in progress.items():
        by_round[round_id].append(row)
    districts = []
    for r in rounds:
        rows = by_round.get(r.pk, [])
        confirmation = r.window(Phase.CONFIRMATION)
        left = _workdays_left(cal, day, confirmation.end_date) if confirmation else None
        status = r.status(day)
        current = r.window(status.current) if status.current else None
        districts.append({
            "round_id": r.pk, "district_id": r.district_id, "name": r.district.display_name, "title": r.title,
            **{k: sum(row[k] for row in rows) for k in ("applied", "pending", "confirmed", "reviewed", "concluded",
                                                        "abandoned")},
            "phase_label": rule_text(status),
            "phase_end": current.end_date if current else None,
            "phase_workdays_left": _workdays_left(cal, day, current.end_date) if current else None,
            "at_risk": sum(1 for row in rows if _at_risk(row, confirmation, day, left, threshold)),
            "sample": samples.get(r.pk, _empty_sample()),
            "url": reverse("district_dashboard", args=(r.pk,)),
        })
    totals = {k: sum(d[k] for d in districts) for k in ("applied", "pending", "confirmed", "reviewed", "concluded",
                                                        "abandoned", "at_risk")}
    sampled = sum(d["sample"]["sampled"] for d in districts)
    found = sum(d["sample"]["discrepancies"] for d in districts)
    return {
        "year": rounds[0].year if rounds else None, "day": day, "risk_workdays": threshold,
        "districts": districts, "totals": totals,
        "stage_times": _stage_times(rounds, {r.pk: r.district.display_name for r in rounds}, group="round_id"),
        "sample": {"sampled": sampled, "checked": sum(d["sample"]["checked"] for d in districts),
                   "discrepancies": found, "rate": round(found / sampled, 4) if sampled else None,
                   "rate_percent": round(100 * found / sampled, 1) if sampled else None},
        "conclusions_by_type": conclusions_by_type(applications),
    }


# --- A school's dashboard ---------------------------------------------------------------------------


def school_dashboard(round_: Round, unit: Organisation, *, day: date) -> dict:
    """A school's teachers by state and what is due next, with dates and working days left."""
    cal = _calendar()
    rows, counts = roster(round_, unit)
    states = Counter(r.state for r in rows if r.application is not None or r.due)
    by_state = [{"state": s, "label": str(label), "count": states[s]} for s, label in STATE_SHORT.items()
                if states[s]]
    administrator = RegistrationAdministrator.objects.filter(round=round_, unit=unit).first()
    handover = HandOver.objects.filter(round=round_, unit=unit).first()
    booking = VisitBooking.objects.select_related("slot").filter(round=round_, unit=unit).first()
    windows = {w.phase: w for w in round_.timeline()}

    def item(key, label, phase, *, count=None, done=False, done_label="", url="", until_start=False):
        w = windows.get(phase)
        if w is None:
            return None
        when = w.start_date if until_start else w.end_date
        closed = w.end_date is not None and w.end_date < day
        return {
            "key": key, "label": str(label), "phase": phase, "phase_label": _(PHASE_LABELS[Phase(phase)]),
            "start_date": w.start_date, "end_date": w.end_date, "date": when,
            "workdays_left": None if done or closed else _workdays_left(cal, day, when),
            "count": count, "done": done, "closed": closed and not done, "status_label": str(done_label) if done else
            (_("已截止") if closed else _("待办")), "url": url,
        }

    pending = counts["submitted"] + counts["returned"]
    items = [
        item("administrator", _("报送本校注册管理员"), Phase.TRAINING, done=administrator is not None,
             done_label=_("已报送：%(name)s") % {"name": administrator.name} if administrator else "",
             url=reverse("name_administrator", args=(round_.pk,))),
        item("apply", _("应注册教师完成网上报名"), Phase.APPLICATION, count=counts["not_applied"],
             done=counts["not_applied"] == 0, done_label=_("全部已报名"),
             url=reverse("school_roster", args=(round_.pk,)) + "?show=not_applied"),
        item("confirm", _("现场确认（核验材料并确认）"), Phase.CONFIRMATION, count=pending,
             done=pending == 0 and any(states[x] for x in CONFIRMED_OR_LATER), done_label=_("无待确认的申请"),
             url=reverse("school_roster", args=(round_.pk,)) + "?show=submitted"),
        item("handover", _("统计表（附件3）与材料报送区县"), Phase.CONFIRMATION, done=handover is not None,
             done_label=_("已报送"), url=reverse("school_handover", args=(round_.pk,))),
        item("visit", _("预约初审送审时间"), Phase.INITIAL_REVIEW, done=booking is not None,
             done_label=_("已预约：%(slot)s") % {"slot": booking.slot} if booking else "",
             url=reverse("visit_book", args=(round_.pk,)), until_start=True),
    ]
    items = [i for i in items if i is not None]
    upcoming = sorted((i for i in items if not i["done"] and not i["closed"]),
                      key=lambda i: (i["date"] or date.max, i["key"]))
    return {
        "round": {"id": round_.pk, "title": round_.title, "year": round_.year},
        "unit": {"id": unit.pk, "name": unit.name}, "day": day,
        "teachers": len(rows), "due": sum(1 for r in rows if r.due),
        "by_state": by_state,
        "next": upcoming[0] if upcoming else None,
        "todo": items,
        "deadlines": deadlines(round_, day, cal),
    }
