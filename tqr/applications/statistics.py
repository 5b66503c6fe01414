"""附件3 统计表: counts per unit, from the applications and the rules' evaluations.

The same function serves a school's row (hand-over) and the district's table (every unit, then totals):
every number here is a count of rows a query of the applications gives, and the database counts them
(GROUP BY over the covering index `application_statistics`): no model objects, no decryption, four queries
whatever the size of the round (bench finding 4).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.utils.translation import gettext_noop

from tqr.applications.models import Application
from tqr.campaigns.models import Round, TeacherEvaluation
from tqr.rules.flow import State

CERT_TYPES = ("kindergarten", "primary", "junior", "senior", "vocational", "vocational_practice")
KINDS = ("first", "periodic", "reapply")
CONCLUSIONS = ("qualified", "deferred", "unqualified", "pending")
CONFIRMED_OR_LATER = (State.CONFIRMED, State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED,
                      State.FINAL)
APPLIED = (State.SUBMITTED, State.RETURNED, State.ABANDONED, *CONFIRMED_OR_LATER)
# An evaluation without a kind (none yet, or the rules could not tell) counts as 首次注册. `evaluation_kind` is
# the text of evaluation["kind"]: NULL on PostgreSQL and "null" on SQLite when the value is JSON null.
NO_KIND = (None, "", "null")


def unit_statistics(round_: Round, units) -> dict[int, dict]:
    """{unit id: counts}. A teacher counts at the unit where they register (the lending unit if seconded).

    Applications count at their confirmation point; a teacher in scope whose application is not at one of
    `units` (or is still a draft) counts as not applied there. The list of those teachers is in the
    evaluations' order (by id).
    """
    unit_ids = [u.pk for u in units]
    rows: dict[int, Counter] = defaultdict(Counter)
    not_applied: dict[int, list] = defaultdict(list)
    reasons: dict[int, Counter] = defaultdict(Counter)
    applications = Application.objects.filter(round=round_, confirmation_point_id__in=unit_ids).order_by()
    evaluations = TeacherEvaluation.objects.filter(round=round_, in_scope=True, register_at_id__in=unit_ids).order_by()

    for unit_id, n in evaluations.values("register_at_id").annotate(n=Count("*")).values_list("register_at_id", "n"):
        rows[unit_id]["in_scope"] += n

    # Those without an application at one of the units past the draft: the draft (if any) joined in, not
    # asked per row (an EXISTS per row made PostgreSQL plan, and JIT-compile, for thousands of them).
    applied = applications.filter(teacher_id=OuterRef("teacher_id")).exclude(state=State.DRAFT)
    draft = FilteredRelation("teacher__applications", condition=Q(
        teacher__applications__round=round_, teacher__applications__confirmation_point_id__in=unit_ids,
        teacher__applications__state=State.DRAFT))
    for unit_id, name, draft_id in (evaluations.filter(~Exists(applied)).annotate(draft=draft).order_by("pk")
                                    .values_list("register_at_id", "teacher__name", "draft__id")):
        rows[unit_id]["not_applied"] += 1
        # Chinese in the official 统计表 (and in the hand-over's stored statistics); a page shows it translated.
        reason = gettext_noop("未报名") if draft_id is None else gettext_noop("未提交申请")
        not_applied[unit_id].append({"name": name, "reason": reason})

    # The round's applications counted by everything the table shows. Filtering units and states here, in
    # Python over a few hundred groups, rather than in SQL: on PostgreSQL the IN lists on the index's second
    # and third columns made the index-only scan twice as slow as reading the round's range whole.
    wanted = set(unit_ids)
    groups = (Application.objects.filter(round=round_).order_by()
              .values("confirmation_point_id", "state", "cert_type", "conclusion", "evaluation_kind")
              .annotate(n=Count("*"))
              .values_list("confirmation_point_id", "state", "cert_type", "conclusion", "evaluation_kind", "n"))
    for unit_id, state, cert_type, conclusion, kind, n in groups:
        if unit_id not in wanted or state not in APPLIED:
            continue
        c = rows[unit_id]
        c["applied"] += n
        if state == State.ABANDONED:
            c["abandoned"] += n
        if state in CONFIRMED_OR_LATER:
            c["confirmed"] += n
            c[f"type:{cert_type}"] += n
            c[f"kind:{'first' if kind in NO_KIND else kind}"] += n
            c[f"conclusion:{conclusion or 'pending'}"] += n

    # The reasons: the rule codes of the deferred and unqualified applications (index application_reasons),
    # counted per list of codes — a round has a handful of different lists — and the lists unpacked here.
    deferred = (applications.filter(state__in=CONFIRMED_OR_LATER, conclusion__in=("deferred", "unqualified"))
                .values("confirmation_point_id", "conclusion_codes").annotate(n=Count("*"))
                .values_list("confirmation_point_id", "conclusion_codes", "n"))
    for unit_id, codes, n in deferred:
        for code in codes:
            reasons[unit_id][code] += n

    out = {}
    for uid in unit_ids:
        c = rows[uid]
        out[uid] = {
            "in_scope": c["in_scope"], "applied": c["applied"], "confirmed": c["confirmed"],
            "abandoned": c["abandoned"], "not_applied": c["not_applied"],
            "by_type": {t: c[f"type:{t}"] for t in CERT_TYPES},
            "by_kind": {k: c[f"kind:{k}"] for k in KINDS},
            "by_conclusion": {k: c[f"conclusion:{k}"] for k in CONCLUSIONS},
            "reasons": dict(sorted(reasons[uid].items())),
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
