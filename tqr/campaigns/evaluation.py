"""Wires the rules engine into the product: for each teacher of a district, what the rules say this round.

`build_case` turns the database's facts into the engine's input (rules.md); `evaluate_round` and
`evaluate_teacher` store the output in TeacherEvaluation, recomputing only when the input changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_noop

from tqr.campaigns.models import Round, TeacherEvaluation
from tqr.rules.engine import certificate_covers, evaluate_dict
from tqr.teachers.models import Certificate, RegistrationRecord, TeacherProfile

PERIOD_YEARS = 5  # the 5-year validity period (教师〔2013〕9号 第四条)
FACT_RELATIONS = ("certificates", "registrations", "assessments", "training", "interruptions")
CHUNK = 2000  # teachers read, evaluated and written at a time


@dataclass
class TeacherRecords:
    """A teacher's records that the rules read (FACT_RELATIONS), each list in its model's default order."""

    certificates: list = field(default_factory=list)
    registrations: list = field(default_factory=list)
    assessments: list = field(default_factory=list)
    training: list = field(default_factory=list)
    interruptions: list = field(default_factory=list)


def load_records(teacher_ids: Sequence[int]) -> dict[int, TeacherRecords]:
    """The records of many teachers: the queries prefetch_related would make (one per relation, same order),
    without the queryset it builds per teacher and relation — most of its time for thousands of teachers."""
    records = {pk: TeacherRecords() for pk in teacher_ids}
    for name in FACT_RELATIONS:
        model = TeacherProfile._meta.get_field(name).related_model
        for obj in model.objects.filter(teacher_id__in=teacher_ids):
            getattr(records[obj.teacher_id], name).append(obj)
    return records


def _records(teacher: TeacherProfile, records: TeacherRecords | None, name: str):
    return getattr(records, name) if records is not None else getattr(teacher, name).all()


def choose_certificate(teacher: TeacherProfile, certificates: Iterable[Certificate] | None = None) -> Certificate | None:
    """One certificate per person per round: the one matching the post, else one covering it, else the newest."""
    every = list(teacher.certificates.all() if certificates is None else certificates)
    certs = [c for c in every if c.cert_type != "higher"] or every
    if not certs:
        return None

    def rank(c: Certificate):
        return (c.cert_type == teacher.post_level, certificate_covers(c.cert_type, teacher.post_level), c.issue_date)

    return max(certs, key=rank)


def _last_registration(registrations: Iterable[RegistrationRecord], round_: Round) -> RegistrationRecord | None:
    earlier = [r for r in registrations if r.year < round_.year and r.round_id != round_.pk]
    return max(earlier, key=lambda r: r.year) if earlier else None


def _overlap_days(start: date, end: date, lo: date, hi: date) -> int:
    first, last = max(start, lo), min(end, hi)
    return (last - first).days + 1 if last >= first else 0


def build_case(round_: Round, teacher: TeacherProfile, application=None, *,
               records: TeacherRecords | None = None) -> dict | None:
    """The engine's input for this teacher (None when no certificate is known at all). `records`: the
    teacher's records when the caller has read them already (load_records), else the teacher's relations.

    With an application (prefilled from the records when it starts), what the teacher entered in it
    (identity, certificate, post, unit, the period's assessments, hours and interruptions) takes the place
    of the school's records; status facts
    the teacher does not declare (payroll, special post, probation, secondment, ethics, health, history)
    always come from the records.
    """
    cert = choose_certificate(teacher, _records(teacher, records, "certificates"))
    app = application
    if app is not None and app.certificate_number:
        cert_number, cert_type = app.certificate_number, app.cert_type or (cert.cert_type if cert else None)
    elif cert is not None:
        cert_number, cert_type = cert.number, cert.cert_type
    else:
        return None
    opens = round_.application_opens
    period_start = date(round_.year - PERIOD_YEARS, 1, 1)
    years = range(round_.year - PERIOD_YEARS, round_.year)
    last = _last_registration(_records(teacher, records, "registrations"), round_)
    unit = (app.unit if app is not None and app.unit_id else None) or teacher.unit
    facts = (app.confirmed_facts or {}) if app is not None else {}
    if facts:  # the school confirmed these facts at on-site confirmation: they are what counts
        assessments = {y: g for y, g in facts.get("assessments", {}).items() if g and int(y) in years}
    elif app is not None:
        assessments = {y: g for y, g in app.assessments.items() if g and int(y) in years}
    else:
        assessments = {str(a.year): a.grade for a in _records(teacher, records, "assessments") if a.year in years}
    if facts.get("training_hours") is not None:
        hours = facts["training_hours"]
    elif app is not None and app.training_hours is not None:
        hours = app.training_hours
    else:
        hours = sum(t.hours for t in _records(teacher, records, "training") if t.year in years)
    if app is not None:
        spans = [(date.fromisoformat(i["start"]), date.fromisoformat(i["end"]), i.get("approved") or "")
                 for i in (facts["interruptions"] if "interruptions" in facts else app.interruptions)]
    else:
        spans = [(i.start_date, i.end_date, i.approved) for i in _records(teacher, records, "interruptions")]
    case: dict = {
        "case": f"teacher:{teacher.pk}",
        "round": {"year": round_.year, "application_opens": opens.isoformat()},
        "teacher": {
            "name": (app.name if app is not None and app.name else teacher.name),
            "id_number": (app.id_number if app is not None and app.id_number else teacher.id_number),
            "certificate_number": cert_number,
            "certificate_type": cert_type,
            "post_level": (app.post_level if app is not None and app.post_level else teacher.post_level),
            "unit": {"code": unit.code, "kind": unit.rules_kind, "ownership": unit.ownership},
            "on_payroll": teacher.on_payroll,
            "in_post": teacher.in_post,
            "teacher_post_title": teacher.teacher_post_title,
            "special_post": teacher.special_post,
            "new_teacher": (
                {"probation_passed": teacher.probation_passed,
                 "pre_service_training_done": teacher.pre_service_training_done}
                if teacher.new_teacher else None
            ),
            "seconded_from": teacher.seconded_from.code if teacher.seconded_from_id else None,
        },
        "last_registration": (
            {"conclusion": last.conclusion, "valid_until": (last.valid_until or date(last.year + 5, 12, 31)).isoformat()}
            if last else None
        ),
        "period": {
            "annual_assessments": assessments,
            "training_hours": hours,
            "ethics": teacher.ethics,
            "interruptions": [
                {"days": days, "approved": approved or None}
                for start, end, approved in spans
                if (days := _overlap_days(start, end, period_start, opens)) > 0
            ],
            "health": teacher.health,
            "qualification_status": teacher.qualification_status,
        },
    }
    return case


def _no_certificate_result(teacher: TeacherProfile) -> dict:
    return {
        "case": f"teacher:{teacher.pk}", "valid": False,
        "errors": [{"field": "teacher.certificate_number", "code": "CERT_MISSING",
                    # kept in Chinese with the rules' own messages; translated where it is shown
                    "message": gettext_noop("没有教师资格证书信息，请补充证书号码")}],
        "warnings": [], "in_scope": None, "scope_reason": None, "kind": None, "register_at": None,
        "proposal": None, "reasons": [],
    }


def _digest(case: dict | None, settings: dict) -> str:
    payload = {"case": case, "settings": settings}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _apply(evaluation: TeacherEvaluation, result: dict, digest: str, unit_ids: dict[str, int]) -> None:
    evaluation.valid = result["valid"]
    evaluation.in_scope = result["in_scope"]
    evaluation.scope_reason = result["scope_reason"] or ""
    evaluation.kind = result["kind"] or ""
    evaluation.register_at_id = unit_ids.get(result["register_at"]) if result["register_at"] else None
    evaluation.proposal = result["proposal"] or ""
    evaluation.result = result
    evaluation.input_digest = digest


def _teachers_with_facts():
    return TeacherProfile.objects.select_related("unit", "seconded_from").prefetch_related(*FACT_RELATIONS)


def _covered(round_: Round) -> Q:
    """The teachers a round covers: those of the district's units, and those lent by them (借调)."""
    return Q(unit__parent_id=round_.district_id) | Q(seconded_from__parent_id=round_.district_id)


def district_teachers(round_: Round):
    """The teachers a round covers, with their records prefetched."""
    return _teachers_with_facts().filter(_covered(round_))


@transaction.atomic
def evaluate_round(round_: Round, teachers=None, *, teacher_ids: Iterable[int] | None = None) -> Counter:
    """(Re)compute the evaluation of the round's teachers; returns counts (created/updated/unchanged).

    Every teacher the round covers, or only some: `teacher_ids` (those of them the round covers — what an
    import touched), or `teachers` (profiles, e.g. one after an edit of their facts). Teachers are read,
    evaluated and written CHUNK at a time.
    """
    round_ = Round.objects.prefetch_related(Prefetch("phase_windows")).get(pk=round_.pk)
    counts: Counter = Counter()
    if teachers is not None:
        _evaluate(round_, list(teachers), None, counts)
        return counts
    covered = TeacherProfile.objects.filter(_covered(round_))
    ids = list(covered.values_list("pk", flat=True)) if teacher_ids is None else list(teacher_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        chunk_teachers = list(covered.select_related("unit", "seconded_from").filter(pk__in=chunk))
        _evaluate(round_, chunk_teachers, load_records([t.pk for t in chunk_teachers]), counts)
    return counts


def _evaluate(round_: Round, teachers: list[TeacherProfile], records: dict[int, TeacherRecords] | None,
              counts: Counter) -> None:
    from tqr.accounts.models import Organisation

    existing = {e.teacher_id: e for e in TeacherEvaluation.objects.filter(round=round_, teacher__in=teachers)}
    codes = {t.seconded_from.code for t in teachers if t.seconded_from_id} | {t.unit.code for t in teachers}
    unit_ids = dict(Organisation.objects.filter(code__in=codes).values_list("code", "pk"))
    rule_settings = round_.rule_settings
    settings = asdict(rule_settings)
    to_create, to_update = [], []
    for teacher in teachers:
        case = build_case(round_, teacher, records=records[teacher.pk] if records is not None else None)
        digest = _digest(case, settings)
        evaluation = existing.get(teacher.pk)
        if evaluation is not None and evaluation.input_digest == digest:
            counts["unchanged"] += 1
            continue
        result = _no_certificate_result(teacher) if case is None else evaluate_dict(case, rule_settings)
        if evaluation is None:
            evaluation = TeacherEvaluation(round=round_, teacher=teacher)
            to_create.append(evaluation)
            counts["created"] += 1
        else:
            to_update.append(evaluation)
            counts["updated"] += 1
        _apply(evaluation, result, digest, unit_ids)
    TeacherEvaluation.objects.bulk_create(to_create, batch_size=500)
    TeacherEvaluation.objects.bulk_update(
        to_update,
        ["valid", "in_scope", "scope_reason", "kind", "register_at", "proposal", "result", "input_digest"],
        batch_size=500,
    )


def evaluate_teacher(round_: Round, teacher: TeacherProfile) -> TeacherEvaluation:
    """Recompute one teacher (after an edit of their facts) and return the stored evaluation."""
    evaluate_round(round_, teachers=[_teachers_with_facts().get(pk=teacher.pk)])
    return TeacherEvaluation.objects.get(round=round_, teacher=teacher)


def rounds_for_teacher(teacher: TeacherProfile) -> list[Round]:
    """The rounds whose evaluation depends on this teacher: the latest round of the unit's district and of
    the lending unit's district. Earlier rounds keep the evaluation they had when they ran."""
    districts = {teacher.unit.parent_id}
    if teacher.seconded_from_id:
        districts.add(teacher.seconded_from.parent_id)
    latest = [Round.objects.filter(district_id=d).order_by("-year").first() for d in districts]
    return [r for r in latest if r is not None]


def reevaluate_teacher(teacher: TeacherProfile) -> None:
    """Called by every service (and the admin) that changes a teacher's facts."""
    for round_ in rounds_for_teacher(teacher):
        evaluate_teacher(round_, teacher)
