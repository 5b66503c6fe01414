"""注册状态查询 as JSON: the public lookup (no login, the page's rate limit) and the employer's batch.

Same services as the pages (`tqr.lookup.services`), so the answers cannot disagree: an unknown number and a
wrong name give the same body."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema, Status

from tqr.accounts.permissions import require
from tqr.api.openapi import body_example, examples
from tqr.api.schemas import ErrorOut
from tqr.core.middleware import client_ip
from tqr.core.rules_text import rule_text
from tqr.lookup import services
from tqr.rules.identifiers import validate_certificate_number

router = Router(tags=["注册状态查询"])

THROTTLED = gettext_lazy("访问过于频繁，请稍后再试")


class LookupIn(Schema):
    model_config = examples({"certificate_number": "20085011420000001", "name": "张三"})
    certificate_number: str = Field(max_length=services.MAX_NUMBER_LENGTH, description="教师资格证书号码")
    name: str = Field(max_length=services.MAX_NAME_LENGTH, description="持证人姓名")


class LookupOut(Schema):
    found: bool
    status: str = Field(description="已注册（合格）/ 合格（注册有效期已届满）/ 暂缓注册 / 不合格 / 未查询到注册信息")
    registered: bool
    conclusion: str | None
    conclusion_label: str | None
    year: int | None
    valid_until: date | None


class BatchLineOut(LookupOut):
    row: int
    certificate_number: str
    name: str
    outcome: str = Field(description="registered / expired / deferred / unqualified / not_found / invalid")
    problem: str


def not_found() -> dict:
    """The answer for anything not found, in the request's language."""
    return {"found": False, "status": str(services.NOT_FOUND_TEXT), "registered": False, "conclusion": None,
            "conclusion_label": None, "year": None, "valid_until": None}


@router.post("/lookup", auth=None, response={200: LookupOut, 400: ErrorOut, 429: ErrorOut}, url_name="lookup",
             summary="查询注册状态（公开，无需登录；按来源地址限流）")
def lookup(request, response: HttpResponse, body: LookupIn):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    if not services.public_lookup_allowed(client_ip(request)):
        response["Retry-After"] = str(services.PUBLIC_LIMITS[0][1])
        return Status(429, {"detail": str(THROTTLED)})
    issues = validate_certificate_number(body.certificate_number, field=None)
    if issues:
        return Status(400, {"detail": rule_text(issues[0])})
    result = services.lookup(body.certificate_number, body.name)
    return not_found() if result is None else {"found": True, **result.as_dict()}


@router.post("/lookup/batch", response={200: list[BatchLineOut], 400: ErrorOut, 403: ErrorOut, 429: ErrorOut},
             url_name="lookup_batch", summary=f"批量查询注册状态（学校、区县、市级；一次最多 {services.MAX_BATCH_ROWS} 人）",
             openapi_extra=body_example([{"certificate_number": "20085011420000001", "name": "张三"}]))
def lookup_batch(request, response: HttpResponse, rows: list[LookupIn]):
    require(request, "lookup.batch")
    if not services.batch_allowed(request.user):
        response["Retry-After"] = str(services.BATCH_LIMIT[1])
        return Status(429, {"detail": str(THROTTLED)})
    asked = [services.BatchRow(i, r.certificate_number, r.name) for i, r in enumerate(rows, start=1)]
    try:
        lines = services.lookup_batch(rows=asked, actor=request.user, source="api")
    except services.BatchRefused as exc:
        return Status(400, {"detail": exc.message})
    blank = not_found()
    return [{**blank, **line.as_dict()} for line in lines]
