"""The city's part as JSON: the sample (draw, verify, items, check, widen), the district's answers, the final
review and the stickers — over the same services and permissions as the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tqr.accounts.permissions import get_visible_or_404, require, visible_applications, visible_rounds
from tqr.api.openapi import binary_response, examples
from tqr.api.schemas import ErrorOut, Id
from tqr.applications.models import Application
from tqr.city import services
from tqr.city.models import FinalApproval, Sample, SampleItem, Sticker
from tqr.rules.flow import State

router = Router(tags=["市级：复审、终审与登记"])


class SampleIn(Schema):
    model_config = examples({"by_qualification": False})
    by_qualification: bool = False


class SampleOut(Schema):
    id: int
    population_size: int
    population_hash: str
    seed: str
    seed_hash: str
    rate: float
    by_qualification: bool
    include_non_qualified: bool
    chosen: list[int]
    widened: list[str]
    drawn_at: Any


class SampleItemOut(Schema):
    id: int
    application_id: int
    name: str
    stratum: str
    reason: str
    result: str
    note: str


class ItemCheckIn(Schema):
    model_config = examples({"result": "conforms", "note": ""})
    result: str
    note: str = ""


class VerifyOut(Schema):
    ok: bool
    problems: list[str]
    population_changed: bool


class AnswerIn(Schema):
    model_config = examples({"conclusion": "qualified", "reason": "已补充培训证明，学时满足要求"})
    conclusion: str
    reason: str = ""


class WidenIn(Schema):
    model_config = examples({"stratum": "高级中学教师资格"})
    stratum: str


class FinalOut(Schema):
    approved_at: Any
    valid_from: Any
    valid_until: Any
    counts: dict[str, int]


class StickerOut(Schema):
    id: int
    application_id: int
    name: str
    conclusion: str
    valid_until: Any
    code: str
    printed_at: Any
    affixed_at: Any
    personnel_file_at: Any
    district_archive_at: Any


class MarkIn(Schema):
    model_config = examples({"stickers": [11, 12], "field": "affixed_at"})
    stickers: list[Id]
    field: str  # printed_at | affixed_at | personnel_file_at | district_archive_at


def _round(request, round_id: int, action: str = "round.view_review"):
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, action, round_)
    return round_


def _invalid(exc: ValidationError):
    return Status(409, {"detail": "；".join(exc.messages)})


def sample_out(s: Sample) -> dict:
    return {"id": s.pk, "population_size": len(s.population), "population_hash": s.population_hash, "seed": s.seed,
            "seed_hash": s.seed_hash, "rate": float(s.rate), "by_qualification": s.by_qualification,
            "include_non_qualified": s.include_non_qualified, "chosen": s.chosen, "widened": s.widened,
            "drawn_at": s.drawn_at}


@router.get("/city/rounds/{round_id}/sample", response={200: SampleOut, 403: ErrorOut, 404: ErrorOut},
            summary="复审样本（总体哈希、种子、抽中名单）")
def sample(request, round_id: int):
    s = Sample.objects.filter(round=_round(request, round_id)).first()
    return sample_out(s) if s else Status(404, {"detail": _("尚未抽取样本")})


@router.post("/city/rounds/{round_id}/sample", response={201: SampleOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="抽取复审样本（每批次一次）")
def sample_draw(request, round_id: int, body: SampleIn):
    round_ = _round(request, round_id, "city.sample")
    try:
        return Status(201, sample_out(services.sample_draw(round_=round_, actor=request.user,
                                                           by_qualification=body.by_qualification)))
    except ValidationError as exc:
        return _invalid(exc)


@router.get("/city/rounds/{round_id}/sample/verify", response={200: VerifyOut, 403: ErrorOut, 404: ErrorOut},
            summary="复算核验样本")
def sample_verify(request, round_id: int):
    s = Sample.objects.filter(round=_round(request, round_id)).first()
    if s is None:
        return Status(404, {"detail": _("尚未抽取样本")})
    check = services.sample_verify(s)
    return {"ok": check.ok, "problems": check.problems, "population_changed": check.population_changed}


@router.get("/city/rounds/{round_id}/sample/items", response={200: list[SampleItemOut], 403: ErrorOut, 404: ErrorOut},
            summary="样本各项及核查结果")
def sample_items(request, round_id: int):
    s = Sample.objects.filter(round=_round(request, round_id)).first()
    items = s.items.select_related("application") if s else []
    return [{"id": i.pk, "application_id": i.application_id, "name": i.application.name, "stratum": i.stratum,
             "reason": i.reason, "result": i.result, "note": i.note} for i in items]


@router.post("/city/items/{item_id}/check", response={200: SampleItemOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="记录核查结果（不符即退回区县核实）")
def item_check(request, item_id: int, body: ItemCheckIn):
    item = get_visible_or_404(request, SampleItem.objects.filter(sample__round__in=visible_rounds(request.user))
                              .select_related("sample__round", "application"), pk=item_id)
    require(request, "city.sample", item.sample.round)
    try:
        i = services.item_check(item=item, result=body.result, note=body.note[:2000], actor=request.user)
    except ValidationError as exc:
        return _invalid(exc)
    return {"id": i.pk, "application_id": i.application_id, "name": i.application.name, "stratum": i.stratum,
            "reason": i.reason, "result": i.result, "note": i.note}


@router.post("/city/rounds/{round_id}/sample/widen", response={200: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="不符率达标时扩大到全层")
def sample_widen(request, round_id: int, body: WidenIn):
    round_ = _round(request, round_id, "city.sample")
    s = Sample.objects.filter(round=round_).first()
    if s is None:
        return Status(404, {"detail": _("尚未抽取样本")})
    try:
        return {"added": services.sample_widen(sample=s, stratum=body.stratum, actor=request.user)}
    except ValidationError as exc:
        return _invalid(exc)


@router.post("/city/applications/{application_id}/answer", response={200: dict, 403: ErrorOut, 404: ErrorOut,
                                                                   409: ErrorOut}, summary="区县核实后重新上报")
def district_answer(request, application_id: int, body: AnswerIn):
    app = get_visible_or_404(request, visible_applications(request.user), pk=application_id)
    require(request, "application.review", app)
    try:
        app = services.district_answer(application=app, conclusion=body.conclusion, reason=body.reason[:2000],
                                       actor=request.user)
    except ValidationError as exc:
        return _invalid(exc)
    return {"id": app.pk, "state": app.state, "conclusion": app.conclusion}


@router.post("/city/rounds/{round_id}/final", response={201: FinalOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="终审（结论生效、给出注册有效期）")
def final_approve(request, round_id: int):
    round_ = _round(request, round_id, "city.approve")
    try:
        a = services.final_approve(round_=round_, actor=request.user)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, {"approved_at": a.approved_at, "valid_from": a.valid_from, "valid_until": a.valid_until,
                        "counts": a.counts})


@router.get("/city/rounds/{round_id}/final", response={200: FinalOut, 403: ErrorOut, 404: ErrorOut}, summary="终审情况")
def final(request, round_id: int):
    a = FinalApproval.objects.filter(round=_round(request, round_id)).first()
    if a is None:
        return Status(404, {"detail": _("尚未终审")})
    return {"approved_at": a.approved_at, "valid_from": a.valid_from, "valid_until": a.valid_until, "counts": a.counts}


@router.get("/reviews/rounds/{round_id}/stickers", response={200: list[StickerOut], 403: ErrorOut, 404: ErrorOut},
            summary="注册贴与归档登记")
def stickers(request, round_id: int):
    rows = Sticker.objects.filter(application__round=_round(request, round_id)).select_related("application",
                                                                                                "registration")
    return [{"id": s.pk, "application_id": s.application_id, "name": s.application.name,
             "conclusion": s.registration.conclusion, "valid_until": s.registration.valid_until, "code": s.code,
             "printed_at": s.printed_at, "affixed_at": s.affixed_at, "personnel_file_at": s.personnel_file_at,
             "district_archive_at": s.district_archive_at} for s in rows]


@router.post("/reviews/rounds/{round_id}/stickers/mark", response={200: dict, 400: ErrorOut, 403: ErrorOut,
                                                                   404: ErrorOut}, summary="登记注册贴粘贴或申请表归档")
def stickers_mark(request, round_id: int, body: MarkIn):
    round_ = _round(request, round_id, "round.review")
    chosen = list(Sticker.objects.filter(application__round=round_, pk__in=body.stickers[:2000]))
    try:
        return {"marked": services.stickers_mark(stickers=chosen, actor=request.user, field=body.field)}
    except ValueError:
        return Status(400, {"detail": _("field 应为 printed_at、affixed_at、personnel_file_at 或 district_archive_at")})


@router.get("/city/rounds/{round_id}/sample/record.pdf", response={200: None, 403: ErrorOut, 404: ErrorOut},
            summary="抽查记录（PDF）", openapi_extra=binary_response("application/pdf", "复审抽查记录 PDF"))
def sample_record(request, round_id: int):
    from django.http import HttpResponse

    from tqr.city.documents import sampling_record_pdf
    from tqr.core.downloads import attachment_response

    round_ = _round(request, round_id)
    s = Sample.objects.filter(round=round_).first()
    if s is None:
        return Status(404, {"detail": _("尚未抽取样本")})
    return attachment_response(HttpResponse(sampling_record_pdf(s), content_type="application/pdf"),
                               f"复审抽查记录-{round_.year}.pdf")  # i18n: data (file name of the official Chinese record)


@router.get("/reviews/rounds/{round_id}/stickers.pdf", response={200: None, 403: ErrorOut, 404: ErrorOut},
            summary="注册贴（PDF，打印即登记为已打印）",
            openapi_extra=binary_response("application/pdf", "注册贴 PDF"))
def stickers_pdf(request, round_id: int, unit: int | None = None):
    from django.http import HttpResponse

    from tqr.city.documents import sticker_sheet_pdf
    from tqr.core.downloads import attachment_response

    round_ = _round(request, round_id, "round.review")
    rows = Sticker.objects.filter(application__round=round_).select_related("application", "registration")
    if unit:
        rows = rows.filter(application__confirmation_point_id=unit)
    rows = list(rows)
    if not rows:
        return Status(404, {"detail": _("没有可打印的注册贴")})
    body = sticker_sheet_pdf(rows, request)
    services.stickers_mark(stickers=rows, actor=request.user, field="printed_at")
    return attachment_response(HttpResponse(body, content_type="application/pdf"),
                               f"注册贴-{round_.year}.pdf")  # i18n: data (file name of the official Chinese sheet)


class ArchiveIn(Schema):
    model_config = examples({"unit": None})
    unit: int | None = None


@router.post("/reviews/rounds/{round_id}/archive", response={202: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="生成归档包（ZIP，后台任务；进度见 /jobs/{id}）")
def archive(request, round_id: int, body: ArchiveIn):
    from tqr.api.school import job_out
    from tqr.city.archive import archive_applications
    from tqr.core.jobs import job_start

    round_ = _round(request, round_id, "round.review")
    if not archive_applications(round_.pk, body.unit).exists():
        return Status(409, {"detail": _("没有终审完成的申请，暂无可归档的材料")})
    with translation.override(settings.LANGUAGE_CODE):  # stored with the job, like the archive's Chinese content
        job_label = _("归档包 %(name)s") % {"name": round_.title}
        filename = _("归档包-%(name)s-%(year)s.zip") % {"name": round_.district.name, "year": round_.year}
    job = job_start(kind="archive", label=job_label, owner=request.user,
                    params={"round": round_.pk, "unit": body.unit}, filename=filename)
    return Status(202, job_out(job))


class ReturnedOut(Schema):
    application_id: int
    number: str
    name: str
    unit: str
    conclusion: str
    conclusion_reason: str
    item_result: str
    item_note: str


class ReturnsOut(Schema):
    count: int
    items: list[ReturnedOut]


@router.get("/city/rounds/{round_id}/returns", response={200: ReturnsOut, 403: ErrorOut, 404: ErrorOut},
            summary="市级退回区县核实的申请（区县核实后用 /city/applications/{id}/answer 重新上报）")
def returns(request, round_id: int):
    round_ = _round(request, round_id)
    rows = Application.objects.filter(round=round_, state=State.CITY_RETURNED).select_related(
        "sample_item", "confirmation_point").order_by("confirmation_point__code", "id")
    items = [{"application_id": a.pk, "number": a.number, "name": a.name, "unit": a.confirmation_point.name if a.confirmation_point else "",
              "conclusion": a.conclusion, "conclusion_reason": a.conclusion_reason,
              "item_result": getattr(getattr(a, "sample_item", None), "result", ""),
              "item_note": getattr(getattr(a, "sample_item", None), "note", "")} for a in rows]
    return {"count": services.open_returns(round_), "items": items}
