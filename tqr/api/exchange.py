"""API: data exchange (see tqr/exchange) — the same services and permissions as the pages.

Sources of the caller's district, upload → preview → commit of a source's file, and the export of a
round's conclusions (full resident IDs, district staff only, audited)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from tqr.accounts.permissions import deny, get_visible_or_404, require, visible_data_sources, visible_rounds
from tqr.api.openapi import body_example, examples
from tqr.api.schemas import ErrorOut, FieldErrorsOut
from tqr.core.downloads import attachment_response
from tqr.exchange import exporting, importing
from tqr.exchange.forms import SourceForm
from tqr.exchange.models import DataSource
from tqr.exchange.services import source_save
from tqr.teachers import imports

router = Router(tags=["数据交换"])


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    file_format: str
    sheet_name: str
    header_row: int
    id_column: str
    name_column: str
    year_column: str
    value_column: str
    grade_values: dict[str, str]


class SourceIn(Schema):
    """The same fields as the source page; grade_values maps a spelling in the file to 优秀/合格/基本合格/不合格."""

    model_config = examples({"name": "人事系统年度考核", "kind": "assessment", "file_format": "auto", "sheet_name": "",
                             "header_row": 1, "id_column": "公民身份号码", "name_column": "姓名", "year_column": "考核年度",
                             "value_column": "考核结果", "grade_values": {"称职": "合格"}})
    name: str
    kind: str
    file_format: str = "auto"
    sheet_name: str = ""
    header_row: int = 1
    id_column: str = "身份证号码"
    name_column: str = "姓名"
    year_column: str = "年度"
    value_column: str
    grade_values: dict[str, str] = {}


class ExchangeProblemOut(Schema):
    row: int | None
    column: str | None
    message: str
    text: str


class CountsOut(Schema):
    rows: int
    created: int
    changed: int
    unchanged: int


class PreviewOut(Schema):
    ok: bool
    token: str | None
    run_id: int
    counts: CountsOut
    problems: list[ExchangeProblemOut]


class CommitOut(Schema):
    run_id: int
    result: str
    rows: int
    created: int
    changed: int
    unchanged: int
    job_id: str | None


class RejectedOut(Schema):
    detail: str
    problems: list[ExchangeProblemOut]


def _problems(preview) -> list[dict]:
    return [{"row": p.row, "column": p.column, "message": p.message, "text": str(p)} for p in preview.problems]


def _source(request, source_id: int):
    require(request, "exchange.manage", request.user.organisation)
    return get_visible_or_404(request, visible_data_sources(request.user), pk=source_id)


def source_out(s) -> dict:
    return {"id": s.pk, "name": s.name, "kind": s.kind, "kind_label": s.get_kind_display(),
            "file_format": s.file_format, "sheet_name": s.sheet_name, "header_row": s.header_row,
            "id_column": s.id_column, "name_column": s.name_column, "year_column": s.year_column,
            "value_column": s.value_column, "grade_values": s.grade_values or {}}


@router.get("/exchange/sources", response={200: list[SourceOut], 403: ErrorOut}, summary="本区县的数据来源及列对照")
def exchange_sources(request):
    require(request, "exchange.manage", request.user.organisation)
    return [source_out(s) for s in visible_data_sources(request.user)]


def _source_form(request, body: SourceIn, instance: DataSource) -> SourceForm:
    data = body.dict()
    # A grade is its stored value (qualified) or its label in any language: the form accepts them all.
    data["grade_text"] = "\n".join(f"{k} = {v}" for k, v in data.pop("grade_values").items())
    return SourceForm(data=data, instance=instance)


def _saved(request, form: SourceForm, status: int):
    if not form.is_valid():
        return Status(400, {"detail": _("数据来源设置有误，请按各字段的提示修改"),
                            "errors": {k: [str(m) for m in v] for k, v in form.errors.items()}})
    source = form.save(commit=False)
    source.district = request.user.organisation
    return Status(status, source_out(source_save(source=source, actor=request.user)))


@router.post("/exchange/sources", response={201: SourceOut, 400: FieldErrorsOut, 403: ErrorOut},
             url_name="exchange_source_create", summary="新建数据来源（列对照按来源保存，各省格式不同）")
def exchange_source_create(request, body: SourceIn):
    require(request, "exchange.manage", request.user.organisation)
    return _saved(request, _source_form(request, body, DataSource(district=request.user.organisation)), 201)


@router.put("/exchange/sources/{source_id}", response={200: SourceOut, 400: FieldErrorsOut, 403: ErrorOut,
                                                        404: ErrorOut},
            url_name="exchange_source_update", summary="修改数据来源的列对照")
def exchange_source_update(request, source_id: int, body: SourceIn):
    source = _source(request, source_id)
    return _saved(request, _source_form(request, body, source), 200)


@router.post("/exchange/sources/{source_id}/imports",
             response={200: PreviewOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="上传培训学时或年度考核文件（CSV/XLSX）并预览（逐行检查，不写入；无问题时返回 token）",
             openapi_extra=body_example({"file": "继续教育学时.csv"}, "multipart/form-data"))
def exchange_import(request, source_id: int, file: File[UploadedFile] = None):
    source = _source(request, source_id)
    if file is None:
        return Status(400, {"detail": _("请上传 CSV 或 Excel 文件（字段名 file）")})
    try:
        preview, token, run = importing.exchange_upload(source=source, upload=file, actor=request.user)
    except imports.ImportRefused as exc:
        return Status(400, {"detail": exc.message})
    return {"ok": preview.ok, "token": token, "run_id": run.pk, "counts": preview.counts,
            "problems": _problems(preview)}


@router.post("/exchange/sources/{source_id}/imports/{token}/commit",
             response={200: CommitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: RejectedOut},
             summary="确认导入预览过的文件（全部导入或全部不导入；大文件转后台任务，返回 job_id）")
def exchange_import_commit(request, source_id: int, token: str):
    source = _source(request, source_id)
    try:
        run, job = importing.exchange_commit_upload(source=source, token=token, actor=request.user)
    except imports.UploadNotFound as exc:
        if exc.foreign:
            deny(request.user, "exchange.manage", None, request.path, 404)
        raise Http404 from exc
    except importing.ExchangeRejected as exc:
        return Status(409, {"detail": exc.message, "problems": _problems(exc.preview)})
    except imports.ImportRefused as exc:
        return Status(400, {"detail": exc.message})
    return {"run_id": run.pk, "result": run.result, "rows": run.rows, "created": run.created, "changed": run.changed,
            "unchanged": run.unchanged, "job_id": str(job.pk) if job else None}


EXPORT_DOCUMENT = {"responses": {200: {"description": "注册结论（按本区县导出列设置）", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                     "format": "binary"}},
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/rounds/{round_id}/exchange/export", response={400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="按本区县导出列设置导出注册结论（xlsx 或 csv，含完整身份证号码，记入审计日志）",
            openapi_extra=EXPORT_DOCUMENT)
def exchange_export(request, round_id: int, format: str = "xlsx"):  # noqa: A002 - the query parameter's name
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "exchange.export", round_)
    if format not in ("xlsx", "csv"):
        return Status(400, {"detail": _("format 只能是 xlsx 或 csv")})
    body, filename, content_type = exporting.export_conclusions(round_=round_, actor=request.user, fmt=format)
    response = attachment_response(HttpResponse(body, content_type=content_type), filename)
    response["Cache-Control"] = "no-store, private"
    return response
