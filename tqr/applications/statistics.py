"""附件3 统计表: counts per unit, from the applications and the rules' evaluations (one pass, no N+1).

The same function serves a school's row (hand-over) and the district's table (every unit, then totals):
every number here is a count of rows a query of the applications gives.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Q

from tqr.applications.models import Application
from tqr.campaigns.models import Round, TeacherEvaluation
from tqr.rules.flow import State

CERT_TYPES = ("kindergarten", "primary", "junior", "senior", "vocational", "vocational_practice")
KINDS = ("first", "periodic", "reapply")
CONCLUSIONS = ("qualified", "deferred", "unqualified", "pending")
CONFIRMED_OR_LATER = (State.CONFIRMED, State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED,
                      State.FINAL)
APPLIED = (State.SUBMITTED, State.RETURNED, State.ABANDONED, *CONFIRMED_OR_LATER)


def unit_statistics(round_: Round, units) -> dict[int, dict]:
    """{unit id: counts}. A teacher counts at the unit where they register (the lending unit if seconded)."""
    unit_ids = [u.pk for u in units]
    rows: dict[int, Counter] = defaultdict(Counter)
    not_applied: dict[int, list] = defaultdict(list)
    reasons: dict[int, Counter] = defaultdict(Counter)
    evaluations = TeacherEvaluation.objects.filter(round=round_, in_scope=True).filter(
        Q(register_at_id__in=unit_ids)).select_related("teacher")
    applications = {a.teacher_id: a for a in Application.objects.filter(round=round_, confirmation_point_id__in=unit_ids)}
    for ev in evaluations:
        c = rows[ev.register_at_id]
        c["in_scope"] += 1
        app = applications.get(ev.teacher_id)
        if app is None or app.state == State.DRAFT:
            c["not_applied"] += 1
            not_applied[ev.register_at_id].append(
                {"name": ev.teacher.name, "reason": "未提交申请" if app else "未报名"})
    for app in applications.values():
        c = rows[app.confirmation_point_id]
        if app.state not in APPLIED:
            continue
        c["applied"] += 1
        if app.state == State.ABANDONED:
            c["abandoned"] += 1
        if app.state in CONFIRMED_OR_LATER:
            c["confirmed"] += 1
            c[f"type:{app.cert_type}"] += 1
            c[f"kind:{(app.evaluation or {}).get('kind') or 'first'}"] += 1
            c[f"conclusion:{app.conclusion or 'pending'}"] += 1
            if app.conclusion in ("deferred", "unqualified"):
                for code in app.conclusion_codes:
                    reasons[app.confirmation_point_id][code] += 1
    out = {}
    for uid in unit_ids:
        c = rows[uid]
        out[uid] = {
            "in_scope": c["in_scope"], "applied": c["applied"], "confirmed": c["confirmed"],
            "abandoned": c["abandoned"], "not_applied": c["not_applied"],
            "by_type": {t: c[f"type:{t}"] for t in CERT_TYPES},
            "by_kind": {k: c[f"kind:{k}"] for k in KINDS},
            "by_conclusion": {k: c[f"conclusion:{k}"] for k in CONCLUSIONS},
            "reasons": dict(reasons[uid]),
            "not_applied_list": not_applied[uid],
        }
    return out


def total_statistics(rows: list[dict]) -> dict:
    """The 合计 row: every count and every breakdown summed, in the same shape as a unit's row."""
    total: dict = {k: sum(r[k] for r in rows) for k in ("in_scope", "applied", "confirmed", "abandoned", "not_applied")}
    for group, keys in (("by_type", CERT_TYPES), ("by_kind", KINDS), ("by_conclusion", CONCLUSIONS)):
        total[group] = {k: sum(r[group][k] for r in rows) for k in keys}
    reasons: Counter = Counter()
    for r in rows:
        reasons.update(r.get("reasons", {}))
    total["reasons"] = dict(sorted(reasons.items()))
    total["not_applied_list"] = [p for r in rows for p in r["not_applied_list"]]
    return total
