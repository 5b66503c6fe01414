"""The teacher's application as JSON: the same step forms, services and flow as the wizard pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tqr.accounts.permissions import get_visible_or_404, require, visible_applications, visible_rounds
from tqr.api.campaigns import form_errors
from tqr.api.openapi import binary_response, body_example, examples
from tqr.api.schemas import ErrorOut, FieldErrorsOut, page_bounds
from tqr.applications import services
from tqr.applications.documents import application_form_pdf
from tqr.applications.forms import (
    ApplicationDataForm,
    CertificateForm,
    IdentityForm,
    InterruptionFormSet,
    TermsForm,
    identity_derived,
    interruptions_data,
)
from tqr.applications.overview import teacher_overview
from tqr.applications.services import ApplicationError
from tqr.audit.services import record
from tqr.campaigns.selectors import today
from tqr.core.downloads import attachment_response
from tqr.core.rules_text import label, rule_text
from tqr.documents.photos import PhotoError
from tqr.rules import flow
from tqr.rules.flow import State

router = Router(tags=["网上报名"])


class ApplicationOut(Schema):
    id: int
    number: str
    round_id: int
    state: str
    state_label: str
    version: int
    step: int
    terms_accepted: bool
    id_number_masked: str
    certificate_number: str
    name: str
    gender: str
    ethnicity: str
    birth_date: str | None
    cert_type: str
    cert_subject: str
    certifying_body: str
    cert_issue_date: str | None
    registration_body_id: int | None
    confirmation_point_id: int | None
    unit_id: int | None
    post_level: str
    subject: str
    title: str
    hire_date: str | None
    phone: str
    assessments: dict[str, str]
    training_hours: int | None
    interruptions: list[dict[str, Any]]
    has_photo: bool
    evaluation: dict[str, Any]
    missing: list[str]
    actions: list[str]
    editable: bool
    edit_refusal: str | None
    return_reason: str
    submitted_at: str | None


class StepIn(Schema):
    """One wizard step: 2 terms ({"accept": true}), 3 identity, 4 certificate, 5 notices, 6 application data."""

    model_config = examples(
        {"step": 2, "version": 1, "data": {"accept": True}},
        {"step": 3, "version": 2, "data": {"id_type": "resident_id", "id_number": "500114198503150021",
                                           "certificate_number": "20085011420000001"}},
        {"step": 4, "version": 3, "data": {"name": "张三", "gender": "female", "ethnicity": "汉族",
                                           "cert_type": "senior", "cert_subject": "数学",
                                           "certifying_body": "重庆市黔江区教育委员会", "cert_issue_date": "2008-07-01",
                                           "registration_body": 2, "confirmation_point": 5}},
        {"step": 6, "version": 5, "data": {"unit": 5, "post_level": "senior", "subject": "数学", "title": "一级教师",
                                           "hire_date": "2008-09-01", "phone": "13812345678", "training_hours": 372,
                                           "assessments": {"2021": "qualified", "2022": "excellent"},
                                           "interruptions": []}},
    )
    step: int
    version: int
    data: dict[str, Any] = {}


class TransitionIn(Schema):
    model_config = examples({"version": 5})
    version: int | None = None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def application_out(app, user) -> dict:
    day = today()
    refusal = flow.can_edit(State(app.state), app.round.windows(), day)
    actor = services.actor_kind(user, app)
    return {
        "id": app.pk, "number": app.number, "round_id": app.round_id, "state": app.state,
        "state_label": label(app.state_label), "version": app.version, "step": app.step,
        "terms_accepted": app.terms_accepted_at is not None,
        "id_number_masked": app.teacher.id_masked, "certificate_number": app.certificate_number,
        "name": app.name, "gender": app.gender, "ethnicity": app.ethnicity, "birth_date": _iso(app.birth_date),
        "cert_type": app.cert_type, "cert_subject": app.cert_subject, "certifying_body": app.certifying_body,
        "cert_issue_date": _iso(app.cert_issue_date), "registration_body_id": app.registration_body_id,
        "confirmation_point_id": app.confirmation_point_id, "unit_id": app.unit_id, "post_level": app.post_level,
        "subject": app.subject, "title": app.title, "hire_date": _iso(app.hire_date), "phone": app.phone,
        "assessments": app.assessments, "training_hours": app.training_hours, "interruptions": app.interruptions,
        "has_photo": bool(app.photo), "evaluation": app.evaluation or {},
        "missing": services.missing_items(app),
        "actions": [t.action for t in flow.available(State(app.state), actor, app.round.windows(), day)] if actor else [],
        "editable": refusal is None, "edit_refusal": rule_text(refusal) if refusal else None,
        "return_reason": app.return_reason, "submitted_at": _iso(app.submitted_at),
    }


class TimelineEventOut(Schema):
    code: str
    label: str
    at: str


class TimelineEntryOut(Schema):
    phase: str
    label: str
    start: str | None
    end: str | None
    status: str = Field(description="done / current / upcoming；视为自动放弃后 missed / skipped")
    status_label: str
    events: list[TimelineEventOut]


class NextStepOut(Schema):
    text: str
    when: str
    phase: str | None
    deadline: str | None
    workdays_left: int | None = Field(description="从今天到截止日的工作日数（含两端，调休已计入）；日历未知时为 null")
    teacher_acts: bool = Field(description="true：需要教师本人办理；false：等待学校、区县或市级")
    overdue: bool


class MissingOut(Schema):
    text: str
    kind: str = Field(description="step / photo / email")
    step: int | None


class MaterialOut(Schema):
    number: int
    title: str
    detail: str
    issued_by_school: bool
    checked: bool = Field(description="学校现场确认时已核验")


class RegistrationOut(Schema):
    year: int
    kind: str
    kind_label: str
    conclusion: str
    conclusion_label: str
    valid_from: str | None
    valid_until: str | None
    certificate_number: str
    valid_now: bool


class ApplicationStatusOut(Schema):
    application: ApplicationOut
    day: str
    timeline: list[TimelineEntryOut]
    next_step: NextStepOut
    missing: list[MissingOut]
    materials_due: bool
    materials: list[MaterialOut]
    history: list[RegistrationOut]


def status_out(app, user) -> dict:
    """The teacher's page as JSON, from the same selector (tqr.applications.overview.teacher_overview)."""
    o = teacher_overview(app, today())
    n = o.next
    return {
        "application": application_out(app, user), "day": o.day.isoformat(),
        "timeline": [{"phase": e.phase.value, "label": e.label, "start": _iso(e.start), "end": _iso(e.end),
                      "status": e.status, "status_label": e.status_label,
                      "events": [{"code": ev.code, "label": ev.label, "at": ev.at.isoformat()} for ev in e.events]}
                     for e in o.timeline],
        "next_step": {"text": n.text, "when": n.when, "phase": n.phase.value if n.phase else None,
                      "deadline": _iso(n.deadline), "workdays_left": n.workdays_left, "teacher_acts": n.teacher_acts,
                      "overdue": n.overdue},
        "missing": [{"text": m.text, "kind": m.kind, "step": m.step} for m in o.missing],
        "materials_due": o.materials_due,
        "materials": [{"number": m.material.number, "title": m.material.title, "detail": m.material.detail,
                       "issued_by_school": m.material.issued_by_school, "checked": m.checked} for m in o.materials],
        "history": [{"year": r.year, "kind": r.kind, "kind_label": r.kind_label, "conclusion": r.conclusion,
                     "conclusion_label": r.conclusion_label, "valid_from": _iso(r.valid_from),
                     "valid_until": _iso(r.valid_until), "certificate_number": r.certificate_number,
                     "valid_now": r.valid_now} for r in o.history],
    }


def _error(exc: ApplicationError):
    return Status(exc.status, {"detail": exc.message})


class ApplicationPage(Schema):
    count: int
    items: list[ApplicationOut]


@router.get("/applications", response=ApplicationPage, summary="权限范围内的注册申请（分页）")
def applications(request, round_id: int | None = None, state: str | None = None, limit: int = 50, offset: int = 0):
    qs = visible_applications(request.user).select_related("round", "teacher", "teacher__user").order_by("-id")
    if round_id:
        qs = qs.filter(round_id=round_id)
    if state:
        qs = qs.filter(state=state)
    limit, offset = page_bounds(limit, offset, 100)
    page = qs.prefetch_related("round__phase_windows")[offset:offset + limit]
    return {"count": qs.count(), "items": [application_out(a, request.user) for a in page]}


@router.post("/rounds/{round_id}/application", response={201: ApplicationOut, 404: ErrorOut},
             summary="开始网上报名（已有申请则返回该申请）")
def application_start(request, round_id: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "round.apply", round_)
    app = services.application_start(round_=round_, teacher=request.user.teacher, actor=request.user)
    return Status(201, application_out(app, request.user))


@router.get("/applications/{application_id}", response={200: ApplicationOut, 404: ErrorOut}, summary="注册申请")
def application(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    return application_out(app, request.user)


@router.get("/applications/{application_id}/status", response={200: ApplicationStatusOut, 404: ErrorOut},
            summary="申请进度：时间线、下一步（截止日与剩余工作日）、缺少的内容、材料、注册记录（与教师页面相同）")
def application_status(request, application_id: int):
    applications = visible_applications(request.user).select_related(
        "round", "teacher__user", "unit", "confirmation_point", "registration_body").prefetch_related(
        "round__phase_windows")
    app = get_visible_or_404(request, applications, pk=application_id)
    return status_out(app, request.user)


STEP_FORMS = {2: TermsForm, 3: IdentityForm, 4: CertificateForm}


@router.post("/applications/{application_id}/steps", summary="保存一步（与网页向导相同的校验）",
             response={200: ApplicationOut, 400: FieldErrorsOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def application_step(request, application_id: int, body: StepIn):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "application.edit", app)
    if body.step not in (2, 3, 4, 5, 6):
        message = _("步骤应为 2、3、4、5 或 6")
        return Status(400, {"detail": message, "errors": {"step": [message]}})
    data, accept = {}, False
    if body.step == 6:
        form, formset = _data_forms(app, body.data)
        if not (form.is_valid() and formset.is_valid()):
            errors = form_errors(form)
            for i, f in enumerate(formset.forms):
                for field, messages in f.errors.items():
                    errors["errors"][f"interruptions.{i}.{field}"] = list(messages)
            return Status(400, errors)
        data = dict(form.cleaned_data)
        data["interruptions"] = interruptions_data(formset)
    elif body.step in STEP_FORMS:
        form = STEP_FORMS[body.step](body.data, application=app)
        if not form.is_valid():
            return Status(400, form_errors(form))
        data = dict(form.cleaned_data)
        accept = data.pop("accept", False)
        if body.step == 3:
            data["birth_date"] = identity_derived(data["id_number"])["birth_date"]
    try:
        app = services.application_save(application=app, data=data, actor=request.user, step=body.step,
                                        accept_terms=accept, version=body.version)
    except ApplicationError as exc:
        return _error(exc)
    return application_out(app, request.user)


def _data_forms(app, data: dict):
    flat = {k: v for k, v in data.items() if k not in ("assessments", "interruptions")}
    for year, grade in (data.get("assessments") or {}).items():
        flat[f"assess_{year}"] = grade
    rows = data.get("interruptions") or []
    flat.update({"int-TOTAL_FORMS": str(len(rows)), "int-INITIAL_FORMS": "0", "int-MIN_NUM_FORMS": "0",
                 "int-MAX_NUM_FORMS": "20"})
    for i, row in enumerate(rows):
        for key in ("start", "end", "approved", "note"):
            flat[f"int-{i}-{key}"] = row.get(key) or ""
    return ApplicationDataForm(flat, application=app), InterruptionFormSet(flat, prefix="int")


@router.post("/applications/{application_id}/photo", summary="上传照片（自动裁剪为 295×413、≤200 KB）",
             openapi_extra=body_example({"photo": "photo.jpg", "version": 4}, "multipart/form-data"),
             response={200: ApplicationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def application_photo(request, application_id: int, photo: File[UploadedFile], version: Form[int | None] = None,
                      crop_x: Form[float | None] = None, crop_y: Form[float | None] = None,
                      crop_w: Form[float | None] = None, crop_h: Form[float | None] = None):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "application.edit", app)
    crop = (crop_x, crop_y, crop_w, crop_h)
    try:
        app = services.application_set_photo(application=app, upload=photo.read(), actor=request.user,
                                             crop=crop if None not in crop else None, version=version)
    except PhotoError as exc:
        return Status(400, {"detail": exc.message})
    except ApplicationError as exc:
        return _error(exc)
    return application_out(app, request.user)


def _transition(request, application_id: int, action: str, body: TransitionIn):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    try:
        app = services.application_transition(application=app, action=action, actor=request.user,
                                              version=body.version)
    except ApplicationError as exc:
        return _error(exc)
    return application_out(app, request.user)


@router.post("/applications/{application_id}/submit", summary="提交申请",
             response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def application_submit(request, application_id: int, body: TransitionIn):
    return _transition(request, application_id, "submit", body)


@router.post("/applications/{application_id}/resubmit", summary="退回后重新提交",
             response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def application_resubmit(request, application_id: int, body: TransitionIn):
    return _transition(request, application_id, "resubmit", body)


@router.get("/applications/{application_id}/form.pdf", summary="下载《申请表》PDF（按当前数据生成）",
            openapi_extra=binary_response("application/pdf", "《申请表》PDF"),
            response={200: None, 403: ErrorOut, 404: ErrorOut})
def application_form(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "application.edit", app)
    record("application.form_pdf", obj=app)
    return attachment_response(HttpResponse(application_form_pdf(app), content_type="application/pdf"),
                               f"教师资格定期注册申请表-{app.number}.pdf")  # i18n: data (the official form's name)
