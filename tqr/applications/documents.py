"""From an application to the plain data its documents print (no ORM inside the builders)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tqr.applications.models import Application
from tqr.documents.application_form import ApplicationFormData, build_application_form
from tqr.documents.assessment_form import (
    DEFAULT_ETHICS_STATEMENT,
    DEFAULT_HEALTH_STATEMENT,
    AssessmentFormData,
)
from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS
from tqr.teachers.models import AssessmentGrade, CertificateType, Gender, Interruption, PostLevel

GRADES = dict(AssessmentGrade.choices)
APPROVALS = dict(Interruption.Approved.choices)


def application_form_data(app: Application, *, conclusion: str | None = None) -> ApplicationFormData:
    evaluation = app.evaluation or {}
    photo = None
    if app.photo:
        with app.photo.open("rb") as f:
            photo = f.read()
    spans = []
    for i in app.interruptions:
        start, end = date.fromisoformat(i["start"]), date.fromisoformat(i["end"])
        spans.append((start, end, (end - start).days + 1, str(APPROVALS.get(i.get("approved") or "", "未经批准"))))
    years = range(app.round.year - 5, app.round.year)
    return ApplicationFormData(
        application_number=app.number,
        round_title=app.round.title,
        round_year=app.round.year,
        registration_kind=KIND_LABELS.get(evaluation.get("kind") or "", "—"),
        name=app.name,
        gender=str(dict(Gender.choices).get(app.gender, "")),
        ethnicity=app.ethnicity,
        birth_date=app.birth_date,
        id_type=app.get_id_type_display(),
        id_number=app.id_number,  # the teacher's own form carries the full number
        certificate_number=app.certificate_number,
        qualification_type=str(dict(CertificateType.choices).get(app.cert_type, "")),
        certificate_subject=app.cert_subject,
        certifying_body=app.certifying_body,
        certificate_issue_date=app.cert_issue_date,
        registration_body=app.registration_body.name if app.registration_body_id else "",
        confirmation_point=app.confirmation_point.name if app.confirmation_point_id else "",
        unit_name=app.unit.name if app.unit_id else "",
        post_level=str(dict(PostLevel.choices).get(app.post_level, "")),
        subject=app.subject,
        title=app.title,
        hire_date=app.hire_date,
        phone=app.phone,
        email=app.teacher.user.email if app.teacher.user_id else app.teacher.email,
        printed_at=timezone.localtime(),
        assessments=tuple((y, str(GRADES.get(app.assessments.get(str(y), ""), "未考核"))) for y in years),
        training_hours=app.training_hours,
        training_hours_required=app.round.required_training_hours,
        interruptions=tuple(spans),
        proposal_label=OUTCOME_LABELS.get(evaluation.get("proposal") or "", ""),
        proposal_reasons=tuple(r["message"] for r in evaluation.get("reasons", [])),
        photo_jpeg=photo,
        submitted_at=timezone.localtime(app.submitted_at) if app.submitted_at else None,
        conclusion=conclusion,
    )


# What the school writes in the 考核鉴定表 for the teacher's recorded 师德 and 身心健康 (材料6、7). The statements
# are personal data seen only by the school and the reviewers: the 考核鉴定表 is served to them alone
# (school_proof_pdf, the school batch, the archive), never to the teacher or the public.
ETHICS_STATEMENTS = {
    "good": DEFAULT_ETHICS_STATEMENT,
    "violation": "该同志在本注册周期内有违反《中小学教师职业道德规范》的行为，已由学校核实处理，详见师德考核记录。",
    "serious_violation": "该同志在本注册周期内有严重违反师德的行为，影响恶劣，详见处理决定。",
}
HEALTH_STATEMENTS = {
    "fit": DEFAULT_HEALTH_STATEMENT,
    "unfit": "经学校核实，该同志目前身心健康状况不能胜任教育教学工作。",
}


def assessment_form_data(app: Application) -> AssessmentFormData:
    """附件2 考核鉴定表 of one teacher, from the facts the school confirmed (or the teacher entered)."""
    evaluation = app.evaluation or {}
    facts = app.confirmed_facts or {}
    assessments = facts.get("assessments", app.assessments)
    interruptions = facts.get("interruptions", app.interruptions)
    kind = evaluation.get("kind") or ""
    if kind == "first" and app.teacher.new_teacher:
        years: tuple = (("试用期", "合格" if app.teacher.probation_passed else "未考核"),)
    elif kind == "first":
        years = ((app.round.year - 1, str(GRADES.get(assessments.get(str(app.round.year - 1), ""), "未考核"))),)
    else:
        years = tuple((y, str(GRADES.get(assessments.get(str(y), ""), "未考核")))
                      for y in range(app.round.year - 5, app.round.year))
    spans = []
    for i in interruptions:
        start, end = date.fromisoformat(i["start"]), date.fromisoformat(i["end"])
        spans.append((start, end, (end - start).days + 1, str(APPROVALS.get(i.get("approved") or "", "未经批准"))))
    return AssessmentFormData(
        round_title=app.round.title, round_year=app.round.year,
        unit_name=app.confirmation_point.name if app.confirmation_point_id else app.teacher.unit.name,
        name=app.name, gender=str(dict(Gender.choices).get(app.gender, "")), birth_date=app.birth_date,
        id_number=app.teacher.id_masked, certificate_number=app.certificate_number,
        qualification_type=str(dict(CertificateType.choices).get(app.cert_type, "")),
        post_level=str(dict(PostLevel.choices).get(app.post_level, "")), subject=app.subject, title=app.title,
        hire_date=app.hire_date, registration_kind=KIND_LABELS.get(kind, "—"), printed_at=timezone.localtime(),
        assessments=years, training_hours=facts.get("training_hours", app.training_hours),
        training_hours_required=app.round.required_training_hours, interruptions=tuple(spans),
        ethics_statement=ETHICS_STATEMENTS.get(app.teacher.ethics, DEFAULT_ETHICS_STATEMENT),
        health_statement=HEALTH_STATEMENTS.get(app.teacher.health, DEFAULT_HEALTH_STATEMENT),
    )


def application_form_pdf(app: Application) -> bytes:
    """The 申请表; after the final review it is re-issued with the conclusion in the registration body's box."""
    conclusion = None
    if app.state == "final":
        registration = app.teacher.registrations.filter(year=app.round.year).first()
        on = registration.valid_from if registration and registration.valid_from else timezone.localdate()
        conclusion = f"注册结论：{app.get_conclusion_display()}  {on.year}年{on.month}月{on.day}日"
    return build_application_form(application_form_data(app, conclusion=conclusion))
