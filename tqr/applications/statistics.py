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
APPLIED = (State.SUBMITTED, State.RETURNED, State.CONFIRMED, State.ABANDONED)


def unit_statistics(round_: Round, units) -> dict[int, dict]:
    """{unit id: counts}. A teacher counts at the unit where they register (the lending unit if seconded)."""
    unit_ids = [u.pk for u in units]
    rows: dict[int, Counter] = defaultdict(Counter)
    not_applied: dict[int, list] = defaultdict(list)
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
        if app.state == State.CONFIRMED:
            c["confirmed"] += 1
        if app.state == State.ABANDONED:
            c["abandoned"] += 1
        if app.state == State.CONFIRMED:
            c[f"type:{app.cert_type}"] += 1
            c[f"kind:{(app.evaluation or {}).get('kind') or 'first'}"] += 1
            c["conclusion:pending"] += 1  # the district's initial review gives the conclusion (issue 6)
    out = {}
    for uid in unit_ids:
        c = rows[uid]
        out[uid] = {
            "in_scope": c["in_scope"], "applied": c["applied"], "confirmed": c["confirmed"],
            "abandoned": c["abandoned"], "not_applied": c["not_applied"],
            "by_type": {t: c[f"type:{t}"] for t in CERT_TYPES},
            "by_kind": {k: c[f"kind:{k}"] for k in KINDS},
            "by_conclusion": {k: c[f"conclusion:{k}"] for k in CONCLUSIONS},
            "not_applied_list": not_applied[uid],
        }
    return out
