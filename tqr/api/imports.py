"""The Excel import as JSON: the same two steps and services as the page (upload → preview → commit)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from tqr.accounts.permissions import deny, require
from tqr.api.openapi import binary_response, body_example
from tqr.api.schemas import ErrorOut
from tqr.api.school import JobOut, job_out
from tqr.core.downloads import attachment_response
from tqr.core.models import Job
from tqr.documents.xlsx import XLSX_TYPE
from tqr.teachers import imports
from tqr.teachers.import_template import TEMPLATE_FILENAME

router = Router(tags=["数据导入"])


class ProblemOut(Schema):
    sheet: str
    row: int | None
    column: str | None
    message: str
    text: str


class CountOut(Schema):
    rows: int
    created: int
    changed: int
    unchanged: int


class ImportPreviewOut(Schema):
    ok: bool
    token: str | None
    rows: int
    counts: dict[str, CountOut]
    problems: list[ProblemOut]


class ImportResultOut(Schema):
    created: int
    changed: int
    unchanged: int
    counts: dict[str, CountOut]
    evaluations: dict[str, int]


class ImportRejectedOut(Schema):
    detail: str
    problems: list[ProblemOut]


def preview_out(preview: imports.ImportPreview, token: str | None) -> dict:
    return {"ok": preview.ok, "token": token, "rows": preview.row_count, "counts": preview.counts,
            "problems": [p.as_dict() for p in preview.problems]}


@router.post("/imports/teachers", response={200: ImportPreviewOut, 400: ErrorOut, 403: ErrorOut},
             summary="上传教师数据 Excel 并预览（逐行检查，不写入；无问题时返回 token）",
             openapi_extra=body_example({"file": "教师数据.xlsx"}, "multipart/form-data"))
def teacher_import(request, file: File[UploadedFile] = None):
    require(request, "teacher.import")
    if file is None:
        return Status(400, {"detail": _("请上传 Excel 文件（字段名 file）")})
    try:
        preview, token = imports.import_upload(upload=file, actor=request.user)
    except imports.ImportRefused as exc:
        return Status(400, {"detail": exc.message})
    return preview_out(preview, token)


@router.post("/imports/teachers/{token}/commit",
             response={200: ImportResultOut, 202: JobOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       409: ImportRejectedOut},
             summary="确认导入预览过的文件（全部导入或全部不导入；超过 TQR_IMPORT_SYNC_ROWS 行转后台任务，返回 202 和任务）")
def teacher_import_commit(request, token: str):
    require(request, "teacher.import")
    try:
        result = imports.import_commit_or_queue(token=token, actor=request.user)
    except imports.UploadNotFound as exc:
        if exc.foreign:  # another user's upload: as if it did not exist, and audited
            deny(request.user, "teacher.import", None, request.path, 404)
        raise Http404 from exc
    except imports.ImportRejected as exc:
        return Status(409, {"detail": exc.message, "problems": [p.as_dict() for p in exc.preview.problems]})
    except imports.ImportRefused as exc:
        return Status(400, {"detail": exc.message})
    if isinstance(result, Job):
        return Status(202, job_out(result))
    return result.as_dict()


@router.get("/imports/teachers/template.xlsx", response={200: None, 403: ErrorOut}, summary="下载导入模板",
            openapi_extra=binary_response(XLSX_TYPE, "导入模板（Excel）"))
def teacher_import_template(request):
    require(request, "teacher.import")
    return attachment_response(
        HttpResponse(imports.import_template_for(request.user), content_type=XLSX_TYPE), TEMPLATE_FILENAME
    )
