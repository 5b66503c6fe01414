"""The school's part as JSON: roster, checklist, confirm/return/undo (single and bulk), reminders, the batch
of 考核鉴定表 as a job, and the hand-over — over the same services and permissions as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tqr.accounts.permissions import get_visible_or_404, require, visible_applications, visible_rounds
from tqr.api.applications import ApplicationOut, application_out
from tqr.api.openapi import examples
from tqr.api.schemas import ErrorOut, Id, page_bounds
from tqr.applications import school, services
from tqr.applications.models import HandOver
from tqr.applications.roster import FILTERS, roster
from tqr.applications.roster import SORTS as ROSTER_SORTS
from tqr.applications.services import ApplicationError
from tqr.applications.statistics import unit_statistics
from tqr.core.models import Job
from tqr.core.rules_text import label

router = Router(tags=["学校：现场确认"])


class RosterRowOut(Schema):
    teacher_id: int
    name: str
    id_masked: str
    post_level: str
    subject: str
    due: bool
    scope: str
    kind: str
    proposal: str
    application_id: int | None
    state: str
    state_label: str


class TimeLeftOut(Schema):
    closes_at: datetime
    workdays: int | None
    hours: int
    last_day: date


class RosterOut(Schema):
    counts: dict[str, int]
    count: int  # rows matching show and q; `rows` is the page of them
    time_left: TimeLeftOut | None = None  # until the confirmation window closes; null once it has
    rows: list[RosterRowOut]


class CheckIn(Schema):
    model_config = examples({"version": 6, "checklist": {"1": True, "2": True, "3": True, "4": True, "5": True, "6": True, "7": True}, "note": "原件已核对", "choices": {}})
    version: int | None = None
    checklist: dict[str, bool]
    note: str = ""
    choices: dict[str, str] = {}


class ActionIn(Schema):
    model_config = examples({"version": 6, "reason": ""}, {"version": 6, "reason": "聘用合同复印件缺页，请补交"})
    version: int | None = None
    reason: str = ""


class RemindIn(Schema):
    model_config = examples({"teachers": []})
    teachers: list[Id] = []  # empty: everyone due who has not submitted


class BulkIn(Schema):
    model_config = examples({"applications": [101, 102, 103]})
    applications: list[Id]


class BulkItemOut(Schema):
    application_id: int
    number: str
    ok: bool
    message: str


class DifferenceOut(Schema):
    field: str
    label: str
    teacher: Any
    school: Any


class CheckOut(Schema):
    application: ApplicationOut
    required_items: list[int]
    unchecked_items: list[int]
    differences: list[DifferenceOut]


class JobOut(Schema):
    id: str
    label: str
    status: str
    done: int
    total: int
    error: str
    download_url: str | None


class HandOverIn(Schema):
    model_config = examples({"filled_by": "陈老师", "phone": "13812345678"})
    filled_by: str
    phone: str = ""


class HandOverOut(Schema):
    submitted_at: Any
    filled_by: str
    phone: str
    received_at: Any
    statistics: dict[str, Any]


def _school_round(request, round_id: int):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "round.school_work", round_)
    return round_


def _school_app(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "application.confirm", app)
    return app


def job_out(job: Job) -> dict:
    from django.urls import reverse

    return {"id": str(job.pk), "label": job.label, "status": job.status, "done": job.done, "total": job.total,
            "error": job.error,
            "download_url": reverse("job_download", args=[job.pk]) if job.status == Job.Status.DONE else None}


def check_out(app, user) -> dict:
    return {"application": application_out(app, user), "required_items": school.required_items(app),
            "unchecked_items": school.unchecked_items(app),
            "differences": [{"field": d.field, "label": d.label, "teacher": d.teacher, "school": d.school}
                            for d in school.differences(app)]}


@router.get("/school/rounds/{round_id}/roster", response={200: RosterOut, 403: ErrorOut, 404: ErrorOut},
            summary="本校名单（与页面相同的筛选 show、搜索 q、排序 sort；limit/offset 分页）",
            # API documentation (Chinese); the labels are FILTERS' and ROSTER_SORTS' msgids, not forced at import.
            description="show：all=全部、due=本年度应注册、not_applied=应注册未提交、submitted=待现场确认、returned=已退回、"
                        "confirmed=已确认、abandoned=视为放弃、out=不在注册范围（默认 due，与页面相同）。"
                        "sort：name=姓名、state=状态、submitted=提交时间。")
def school_roster(request, round_id: int, show: str = "due", q: str = "", sort: str = "name", limit: int = 100,
                  offset: int = 0):
    round_ = _school_round(request, round_id)
    rows, counts = roster(round_, request.user.organisation, key=show if show in FILTERS else "due", q=q.strip()[:30],
                          sort=sort if sort in ROSTER_SORTS else "name")
    limit, offset = page_bounds(limit, offset, 500)
    return {"counts": dict(counts), "time_left": school.time_left(round_), "count": len(rows), "rows": [
        {"teacher_id": r.teacher.pk, "name": r.teacher.name, "id_masked": r.teacher.id_masked,
         "post_level": r.teacher.post_level, "subject": r.teacher.subject, "due": r.due, "scope": r.scope_text,
         "kind": r.evaluation.kind if r.evaluation else "", "proposal": r.evaluation.proposal if r.evaluation else "",
         "application_id": r.application.pk if r.application else None, "state": r.state,
         "state_label": label(r.state_label)} for r in rows[offset:offset + limit]]}


@router.post("/school/rounds/{round_id}/remind", response={200: dict, 403: ErrorOut, 404: ErrorOut},
             summary="提醒应注册未提交的教师（同一人一天内不重复）")
def school_remind(request, round_id: int, body: RemindIn):
    round_ = _school_round(request, round_id)
    rows, _counts = roster(round_, request.user.organisation, key="not_applied")
    chosen = [r.teacher for r in rows if not body.teachers or r.teacher.pk in body.teachers]
    sent, skipped = school.send_reminders(round_=round_, teachers=chosen, actor=request.user)
    return {"sent": sent, "skipped": skipped}


@router.get("/school/applications/{application_id}/check", response={200: CheckOut, 403: ErrorOut, 404: ErrorOut},
            summary="材料核验：应核验项目与信息差异")
def school_check(request, application_id: int):
    return check_out(_school_app(request, application_id), request.user)


@router.put("/school/applications/{application_id}/check",
            response={200: CheckOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="保存材料核验情况")
def school_check_save(request, application_id: int, body: CheckIn):
    app = _school_app(request, application_id)
    try:
        app = school.application_check(application=app, checklist={str(k): v for k, v in body.checklist.items()},
                                       note=body.note[:2000], choices=body.choices, actor=request.user,
                                       version=body.version)
    except ApplicationError as exc:
        return Status(exc.status, {"detail": exc.message})
    return check_out(app, request.user)


def _act(request, application_id: int, action: str, body: ActionIn):
    app = _school_app(request, application_id)
    try:
        app = services.application_transition(application=app, action=action, actor=request.user,
                                              note=body.reason, version=body.version)
    except ApplicationError as exc:
        return Status(exc.status, {"detail": exc.message})
    return application_out(app, request.user)


@router.post("/school/applications/{application_id}/confirm",
             response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="现场确认")
def school_confirm(request, application_id: int, body: ActionIn):
    return _act(request, application_id, "confirm", body)


@router.post("/school/applications/{application_id}/return",
             response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="退回修改（reason 必填，一次性告知）")
def school_return(request, application_id: int, body: ActionIn):
    return _act(request, application_id, "return", body)


@router.post("/school/applications/{application_id}/undo",
             response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="撤销确认（现场确认截止前）")
def school_undo(request, application_id: int, body: ActionIn):
    return _act(request, application_id, "undo_confirm", body)


@router.post("/school/rounds/{round_id}/confirm", response={200: list[BulkItemOut], 403: ErrorOut, 404: ErrorOut},
             summary="批量确认（逐项报告结果）")
def school_bulk_confirm(request, round_id: int, body: BulkIn):
    round_ = _school_round(request, round_id)
    apps = list(visible_applications(request.user).filter(round=round_, pk__in=body.applications[:500],
                                                          confirmation_point=request.user.organisation))
    results = school.bulk_transition(applications=apps, action="confirm", actor=request.user)
    found = {r.application.pk for r in results}
    return [{"application_id": r.application.pk, "number": r.application.number, "ok": r.ok, "message": r.message}
            for r in results] + [{"application_id": i, "number": "", "ok": False, "message": _("不存在或不在本校范围")}
                                 for i in body.applications[:500] if i not in found]


@router.post("/school/rounds/{round_id}/proofs", response={202: JobOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="批量生成本校考核鉴定表（后台任务）")
def school_proofs(request, round_id: int):
    from tqr.applications.tasks import school_proof_applications
    from tqr.core.jobs import job_start

    round_ = _school_round(request, round_id)
    unit = request.user.organisation
    if not school_proof_applications(round_.pk, unit.pk).exists():
        return Status(400, {"detail": _("本校还没有已提交或已确认的申请")})
    job = job_start(kind="school_proofs", label=_("%(unit)s 考核鉴定表（批量）") % {"unit": unit.display_name},
                    owner=request.user, params={"round": round_.pk, "unit": unit.pk},
                    filename=f"考核鉴定表-{unit.display_name}-{round_.year}.pdf")  # i18n: data (the official form's name)
    return Status(202, job_out(job))


def _own_job(request, job_id: str) -> Job | None:
    import uuid

    try:
        uuid.UUID(job_id)
    except ValueError:
        return None
    return get_visible_or_404(request, Job.objects.filter(owner=request.user), pk=job_id)


@router.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut}, summary="后台任务进度")
def job(request, job_id: str):
    found = _own_job(request, job_id)
    return job_out(found) if found else Status(404, {"detail": _("任务不存在")})


@router.post("/jobs/{job_id}/retry", response={202: JobOut, 404: ErrorOut, 409: ErrorOut}, url_name="job_retry",
             summary="重试失败的后台任务（与任务页的“重试”按钮相同）")
def job_retry(request, job_id: str):
    from tqr.core.jobs import job_retry as job_retry_service

    found = _own_job(request, job_id)
    if found is None:
        return Status(404, {"detail": _("任务不存在")})
    if not job_retry_service(job=found, actor=request.user):
        return Status(409, {"detail": _("只有失败的任务可以重试")})
    found.refresh_from_db()
    return Status(202, job_out(found))


@router.get("/school/rounds/{round_id}/handover", response={200: HandOverOut, 403: ErrorOut, 404: ErrorOut},
            summary="本校统计表（附件3）与报送情况")
def school_handover(request, round_id: int):
    round_ = _school_round(request, round_id)
    unit = request.user.organisation
    h = HandOver.objects.filter(round=round_, unit=unit).first()
    stats = unit_statistics(round_, [unit])[unit.pk]
    if h is None:
        return {"submitted_at": None, "filled_by": "", "phone": "", "received_at": None, "statistics": stats}
    return {"submitted_at": h.submitted_at, "filled_by": h.filled_by, "phone": h.phone,
            "received_at": h.received_at, "statistics": h.statistics}


@router.post("/school/rounds/{round_id}/handover", response={201: HandOverOut, 403: ErrorOut, 404: ErrorOut,
                                                            409: ErrorOut}, summary="报送区继教中心")
def school_handover_submit(request, round_id: int, body: HandOverIn):
    round_ = _school_round(request, round_id)
    unit = request.user.organisation
    try:
        h = school.handover_submit(round_=round_, unit=unit, statistics=unit_statistics(round_, [unit])[unit.pk],
                                   filled_by=body.filled_by[:30], phone=body.phone[:20], actor=request.user)
    except ApplicationError as exc:
        return Status(exc.status, {"detail": exc.message})
    return Status(201, {"submitted_at": h.submitted_at, "filled_by": h.filled_by, "phone": h.phone,
                        "received_at": h.received_at, "statistics": h.statistics})
