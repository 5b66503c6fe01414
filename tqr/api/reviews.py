"""The district's part as JSON: the review queue, conclusions (single and bulk), statistics, the notice,
objections and the report to the city — over the same services and permissions as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tqr.accounts.permissions import get_visible_or_404, require, visible_applications, visible_rounds
from tqr.api.applications import ApplicationOut, application_out
from tqr.api.openapi import examples
from tqr.api.schemas import ErrorOut, Id, page_bounds
from tqr.applications import school
from tqr.applications.models import HandOver
from tqr.applications.services import ApplicationError, application_transition
from tqr.applications.statistics import total_statistics, unit_statistics
from tqr.campaigns.selectors import units_for_administrators
from tqr.core.middleware import client_ip
from tqr.core.ratelimit import allow
from tqr.reviews import services
from tqr.reviews.models import Notice, Objection
from tqr.reviews.queue import QueueFilter, queue, queue_counts
from tqr.rules.flow import State

router = Router(tags=["区县：初审、公示与上报"])


class QueueIn(Schema):
    unit: int | None = None
    unit_kind: str = ""
    cert_type: str = ""
    kind: str = ""
    proposal: str = ""
    reviewed: str = ""
    disagreement: bool = False
    q: str = ""
    sort: str = "unit"
    limit: int = 50
    offset: int = 0


class QueueItemOut(Schema):
    id: int
    number: str
    name: str
    unit: str
    cert_type: str
    kind: str | None
    proposal: str | None
    reason_codes: list[str]
    conclusion: str
    conclusion_reason: str
    state: str


class QueueOut(Schema):
    counts: dict[str, int]
    count: int
    items: list[QueueItemOut]


class ConclusionIn(Schema):
    model_config = examples({"conclusion": "qualified", "reason": "", "codes": [], "version": 7}, {"conclusion": "deferred", "reason": "培训学时不足360学时", "codes": ["D1"], "version": 7})
    conclusion: str
    reason: str = ""
    codes: list[str] = []
    version: int | None = None


class IdsIn(Schema):
    model_config = examples({"applications": [101, 102, 103]})
    applications: list[Id]


class AcceptItemOut(Schema):
    application_id: int
    ok: bool
    message: str


class NoticeIn(Schema):
    model_config = examples({"title": "黔江区2026年中小学教师资格定期注册初审结果公示", "issuing_body": "重庆市黔江区教育委员会", "start_date": "2026-11-27", "workdays": 5, "objection_contact": "区继教中心，023-79222222", "document_number": ""})
    title: str
    issuing_body: str
    start_date: date
    workdays: int = 5
    objection_contact: str
    document_number: str = ""


class NoticeOut(Schema):
    title: str
    issuing_body: str
    start_date: date
    end_date: date
    workdays: int
    published_at: Any
    closed_at: Any
    public_url: str
    entries: int
    open_objections: int


class ObjectionOut(Schema):
    id: int
    entry_number: int
    entry_name: str
    name: str
    contact: str
    content: str
    filed_at: Any
    handled_at: Any
    outcome: str
    handling: str


class HandleIn(Schema):
    model_config = examples({"outcome": "rejected", "handling": "经核实，该教师离岗期间为批准的进修，异议不成立。", "conclusion": None})
    outcome: str
    handling: str
    conclusion: str | None = None


def _round(request, round_id: int, action: str = "round.view_review"):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, action, round_)
    return round_


def _invalid(exc: ValidationError):
    return Status(409, {"detail": "；".join(exc.messages)})


@router.get("/reviews/rounds/{round_id}/queue", response={200: QueueOut, 403: ErrorOut, 404: ErrorOut},
            summary="初审队列（筛选、排序、分页）")
def review_queue(request, round_id: int, filters: Query[QueueIn]):
    round_ = _round(request, round_id)
    f = QueueFilter(unit=filters.unit, unit_kind=filters.unit_kind, cert_type=filters.cert_type, kind=filters.kind,
                    proposal=filters.proposal, reviewed=filters.reviewed, disagreement=filters.disagreement,
                    q=filters.q[:30], sort=filters.sort if filters.sort in ("unit", "name", "proposal", "reviewed",
                                                                            "confirmed") else "unit")
    qs = queue(request.user, round_, f)
    limit, offset = page_bounds(filters.limit, filters.offset, 200)
    return {"counts": queue_counts(request.user, round_), "count": qs.count(), "items": [
        {"id": a.pk, "number": a.number, "name": a.name, "unit": a.confirmation_point.name, "cert_type": a.cert_type,
         "kind": a.kind, "proposal": a.proposal,
         "reason_codes": [r["code"] for r in (a.evaluation or {}).get("reasons", [])],
         "conclusion": a.conclusion, "conclusion_reason": a.conclusion_reason, "state": a.state}
        for a in qs[offset:offset + limit]]}


@router.post("/reviews/applications/{application_id}/conclusion",
             response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="记录或修改初审结论（暂缓注册、不合格须填理由）")
def review_conclusion(request, application_id: int, body: ConclusionIn):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "round.view_review", app.round)
    require(request, "application.review", app)
    action = "revise" if app.state == State.REVIEWED else "review"
    codes = [c for c in body.codes if c in services.default_codes(app)]  # as the page: only the rules' codes
    try:
        app = application_transition(application=app, action=action, actor=request.user, conclusion=body.conclusion,
                                     note=body.reason[:2000], codes=codes or None, version=body.version)
    except ApplicationError as exc:
        return Status(exc.status, {"detail": exc.message})
    return application_out(app, request.user)


@router.post("/reviews/rounds/{round_id}/accept", response={200: list[AcceptItemOut], 403: ErrorOut, 404: ErrorOut},
             summary="批量记录“合格”（仅规则建议为合格的）")
def review_bulk_accept(request, round_id: int, body: IdsIn):
    round_ = _round(request, round_id, "round.review")
    apps = list(visible_applications(request.user).filter(round=round_, pk__in=body.applications[:500]))
    results = services.bulk_accept(applications=apps, actor=request.user)
    return [{"application_id": r.application.pk, "ok": r.ok, "message": r.message} for r in results]


@router.get("/reviews/rounds/{round_id}/statistics", response={200: dict, 403: ErrorOut, 404: ErrorOut},
            summary="统计表（附件3）：各单位与合计")
def review_statistics(request, round_id: int):
    round_ = _round(request, round_id)
    units = sorted((u for u, _admin in units_for_administrators(round_)), key=lambda u: u.code)
    stats = unit_statistics(round_, units)
    return {"units": [{"unit_id": u.pk, "code": u.code, "name": u.name, **stats[u.pk]} for u in units],
            "total": total_statistics(list(stats.values()))}


def notice_out(request, notice: Notice) -> dict:
    return {"title": notice.title, "issuing_body": notice.issuing_body, "start_date": notice.start_date,
            "end_date": notice.end_date, "workdays": notice.workdays, "published_at": notice.published_at,
            "closed_at": notice.closed_at, "public_url": request.build_absolute_uri(f"/notices/{notice.slug}/"),
            "entries": notice.entries.count(), "open_objections": notice.objections.filter(handled_at=None).count()}


def _notice(round_) -> Notice | None:
    return Notice.objects.filter(round=round_).first()


@router.get("/reviews/rounds/{round_id}/notice", response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut},
            summary="公示")
def notice(request, round_id: int):
    n = _notice(_round(request, round_id))
    return notice_out(request, n) if n else Status(404, {"detail": _("尚未设置公示")})


@router.put("/reviews/rounds/{round_id}/notice", response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
            summary="设置公示（结束日期按工作日计算）")
def notice_save(request, round_id: int, body: NoticeIn):
    round_ = _round(request, round_id, "round.review")
    try:
        n = services.notice_save(round_=round_, title=body.title[:200], issuing_body=body.issuing_body[:100],
                                 start_date=body.start_date, workdays=body.workdays,
                                 objection_contact=body.objection_contact[:1000],
                                 document_number=body.document_number[:60], actor=request.user)
    except ValidationError as exc:
        return _invalid(exc)
    return notice_out(request, n)


def _notice_step(request, round_id: int, step):
    round_ = _round(request, round_id, "round.review")
    n = _notice(round_)
    if n is None:
        return Status(404, {"detail": _("尚未设置公示")})
    try:
        step(round_, n)
    except ValidationError as exc:
        return _invalid(exc)
    return notice_out(request, Notice.objects.get(pk=n.pk))


@router.post("/reviews/rounds/{round_id}/notice/publish",
             response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="发布公示")
def notice_publish(request, round_id: int):
    return _notice_step(request, round_id, lambda r, n: services.notice_publish(notice=n, actor=request.user))


@router.post("/reviews/rounds/{round_id}/notice/close",
             response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="结束公示")
def notice_close(request, round_id: int):
    return _notice_step(request, round_id, lambda r, n: services.notice_close(notice=n, actor=request.user))


@router.post("/reviews/rounds/{round_id}/report",
             response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="上报市级")
def round_report(request, round_id: int):
    return _notice_step(request, round_id, lambda r, n: services.report_to_city(round_=r, actor=request.user))


@router.get("/reviews/rounds/{round_id}/objections", response={200: list[ObjectionOut], 403: ErrorOut, 404: ErrorOut},
            summary="异议")
def objections(request, round_id: int):
    n = _notice(_round(request, round_id))
    rows = n.objections.select_related("entry") if n else []
    return [{"id": o.pk, "entry_number": o.entry.number, "entry_name": o.entry.name, "name": o.name,
             "contact": o.contact, "content": o.content, "filed_at": o.filed_at, "handled_at": o.handled_at,
             "outcome": o.outcome, "handling": o.handling} for o in rows]


@router.post("/reviews/objections/{objection_id}/handle",
             response={200: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="处理异议")
def objection_handle(request, objection_id: int, body: HandleIn):
    rounds = visible_rounds(request.user)
    o = get_visible_or_404(request, Objection.objects.filter(notice__round__in=rounds).select_related("notice__round"),
                           pk=objection_id)
    require(request, "round.review", o.notice.round)
    try:
        o = services.objection_handle(objection=o, outcome=body.outcome, handling=body.handling[:2000],
                                      conclusion=body.conclusion, actor=request.user)
    except ValidationError as exc:
        return _invalid(exc)
    return {"id": o.pk, "outcome": o.outcome, "handled_at": o.handled_at}


# --- Review detail (the page's pre-filled reason and codes) ------------------------------------------


class ReviewOut(Schema):
    application: ApplicationOut
    default_reason: str = Field(description="规则给出的理由，作为“暂缓注册”“不合格”理由的初稿")
    default_codes: list[str] = Field(description="规则给出的理由代码；记录结论时 codes 只接受其中的代码")


@router.get("/reviews/applications/{application_id}", response={200: ReviewOut, 403: ErrorOut, 404: ErrorOut},
            summary="初审：一份申请及规则给出的理由")
def review_application(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "round.view_review", app.round)
    return {"application": application_out(app, request.user), "default_reason": services.default_reason(app),
            "default_codes": services.default_codes(app)}


# --- Hand-overs (学校报送) -------------------------------------------------------------------------


class HandOverRowOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    handover_id: int | None
    submitted_at: datetime | None
    filled_by: str
    phone: str
    received_at: datetime | None
    statistics: dict[str, Any]


class HandOversOut(Schema):
    total: int
    arrived: int
    rows: list[HandOverRowOut]


def handover_row(unit, h: HandOver | None) -> dict:
    return {"unit_id": unit.pk, "unit_code": unit.code, "unit_name": unit.name,
            "handover_id": h.pk if h else None, "submitted_at": h.submitted_at if h else None,
            "filled_by": h.filled_by if h else "", "phone": h.phone if h else "",
            "received_at": h.received_at if h else None, "statistics": h.statistics if h else {}}


@router.get("/reviews/rounds/{round_id}/handovers", response={200: HandOversOut, 403: ErrorOut, 404: ErrorOut},
            summary="各校报送情况（未报送的在前）")
def handovers(request, round_id: int):
    round_ = _round(request, round_id, "round.view_handovers")
    arrived = {h.unit_id: h for h in HandOver.objects.filter(round=round_)}
    rows = sorted(((u, arrived.get(u.pk)) for u, _admin in units_for_administrators(round_)),
                  key=lambda r: (r[1] is not None, r[0].code))
    return {"total": len(rows), "arrived": len(arrived), "rows": [handover_row(u, h) for u, h in rows]}


@router.post("/reviews/rounds/{round_id}/handovers/{handover_id}/receive",
             response={200: HandOverRowOut, 403: ErrorOut, 404: ErrorOut}, summary="登记收到学校报送的材料")
def handover_receive(request, round_id: int, handover_id: int):
    round_ = _round(request, round_id, "round.review")
    h = HandOver.objects.filter(round=round_, pk=handover_id).select_related("unit").first()
    if h is None:
        return Status(404, {"detail": _("该校尚未报送")})
    h = school.handover_receive(handover=h, actor=request.user)
    return handover_row(h.unit, h)


# --- The public notice (公示) and objections: no login, rate-limited per address like the page ------------


class PublicEntryOut(Schema):
    number: int
    name: str
    unit: str
    qualification_type: str
    registration_kind: str
    conclusion: str
    distinguisher: str


class PublicNoticeOut(Schema):
    title: str
    issuing_body: str
    start_date: date
    end_date: date
    open: bool = Field(description="公示期内可提出异议")
    objection_contact: str
    count: int
    items: list[PublicEntryOut]


class ObjectionIn(Schema):
    model_config = examples({"entry": 1, "name": "李明", "contact": "13800000000",
                             "content": "该教师在本年度曾长期离岗，未见批准材料。"})
    entry: int = Field(description="公示名单中的序号", examples=[1])
    name: str = Field(max_length=50, examples=["李明"])
    contact: str = Field(max_length=100, examples=["13800000000"])
    content: str = Field(max_length=2000, examples=["该教师在本年度曾长期离岗，未见批准材料。"])


class ProblemsOut(Schema):
    detail: str
    problems: list[str]


def _public_notice(slug: str) -> Notice | None:
    return Notice.objects.filter(slug=slug, published_at__isnull=False).first()


def _throttled(request, response: HttpResponse, kind: str, limit: tuple[int, int]):
    if allow(f"{kind}:{client_ip(request)}", limit=limit[0], seconds=limit[1]):
        return None
    response["Retry-After"] = str(limit[1])
    return Status(429, {"detail": _("访问过于频繁，请稍后再试")})


@router.get("/public/notices/{slug}", auth=None, tags=["公示（公开）"],
            response={200: PublicNoticeOut, 404: ErrorOut, 410: ErrorOut, 429: ErrorOut},
            summary="公示名单（公开，无需登录；q 按姓名或学校筛选；按来源地址限流）")
def public_notice(request, response: HttpResponse, slug: str, q: str = "", limit: int = 100, offset: int = 0):
    from tqr.reviews.public_views import PAGE_LIMIT

    response["X-Robots-Tag"] = "noindex, nofollow"
    if (throttled := _throttled(request, response, "notice", PAGE_LIMIT)) is not None:
        return throttled
    n = _public_notice(slug)
    if n is None:
        return Status(404, {"detail": _("公示不存在")})
    if timezone.localdate() > n.end_date:
        return Status(410, {"detail": _("公示已结束")})
    entries = n.entries.all()
    if q := q.strip()[:20]:
        entries = entries.filter(Q(name__contains=q) | Q(unit__contains=q))
    limit, offset = page_bounds(limit, offset, 100)
    return {"title": n.title, "issuing_body": n.issuing_body, "start_date": n.start_date, "end_date": n.end_date,
            "open": services.notice_is_open(n), "objection_contact": n.objection_contact, "count": entries.count(),
            "items": [{f: getattr(e, f) for f in PublicEntryOut.model_fields} for e in entries[offset:offset + limit]]}


@router.post("/public/notices/{slug}/objections", auth=None, tags=["公示（公开）"],
             response={201: dict, 400: ProblemsOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
             summary="对公示名单中的一人提出异议（公开，无需登录；按来源地址限流）")
def public_objection(request, response: HttpResponse, slug: str, body: ObjectionIn):
    from tqr.reviews.public_views import OBJECTION_LIMIT

    if (throttled := _throttled(request, response, "objection", OBJECTION_LIMIT)) is not None:
        return throttled
    n = _public_notice(slug)
    if n is None:
        return Status(404, {"detail": _("公示不存在")})
    entry = n.entries.filter(number=body.entry).first() if 0 < body.entry < 2**31 else None
    name, contact, content = body.name.strip(), body.contact.strip(), body.content.strip()
    problems = services.objection_problems(entry=entry, name=name, contact=contact, content=content)
    if problems:
        return Status(400, {"detail": problems[0], "problems": problems})
    try:
        services.objection_file(notice=n, entry=entry, name=name, contact=contact, content=content,
                                ip=client_ip(request))
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, {"filed": True})
