"""Importing training hours (培训学时) and annual assessments (年度考核) from outside systems' files.

The same two steps and the same rules as the roster import (tqr/teachers/imports.py), whose cell checks,
duplicate check, container checks and upload stash this module reuses: `exchange_upload` reads the file
through the source's column mapping, checks every row and lists every problem by row and column, writing
nothing; `exchange_commit_upload` checks again inside one transaction and writes every row or nothing.
Rows are upserted by (teacher, year), so importing the same file again changes nothing.

A file is CSV (UTF-8 with or without BOM, or GB18030 — detected) or XLSX (checked by `check_container`
before calamine reads it). A commit of more than TQR_IMPORT_SYNC_ROWS rows runs as a background job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from python_calamine import CalamineWorkbook

from tqr.audit.models import AuditEvent
from tqr.audit.services import record
from tqr.core.downloads import safe_filename
from tqr.exchange.models import DataSource, ImportRun
from tqr.teachers import imports
from tqr.teachers.imports import Column, ImportRefused, Problem, UploadNotFound
from tqr.teachers.models import AnnualAssessment, AssessmentGrade, TeacherProfile, TrainingRecord

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")

# Spellings of the grades seen in HR files, beyond the labels 优秀/合格/基本合格/不合格 (a source adds its own).
DEFAULT_GRADE_VARIANTS = {
    "优": AssessmentGrade.EXCELLENT, "优秀等次": AssessmentGrade.EXCELLENT,  # i18n: data (what HR files write)
    "称职": AssessmentGrade.QUALIFIED, "合格等次": AssessmentGrade.QUALIFIED,  # i18n: data (what HR files write)
    "基本称职": AssessmentGrade.BASIC, "基本合格等次": AssessmentGrade.BASIC,  # i18n: data (what HR files write)
    "不称职": AssessmentGrade.UNQUALIFIED, "不合格等次": AssessmentGrade.UNQUALIFIED,  # i18n: data (what HR files write)
}
# The grades as the files spell them (Chinese), whatever language the page is shown in.
GRADES_SHOWN = tuple(imports.file_label(label) for _value, label in AssessmentGrade.choices)

_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")


class ExchangeRejected(ImportRefused):
    """A commit refused because of row problems; nothing was written."""

    def __init__(self, preview: ExchangePreview):
        super().__init__(ngettext_lazy("有 %(count)s 个问题，未导入任何数据。请修改后重新上传",
                                       "有 %(count)s 个问题，未导入任何数据。请修改后重新上传", "count"),
                         params={"count": len(preview.problems)}, code="problems")
        self.preview = preview


@dataclass
class _Row:
    row: int
    id_number: str
    digest: str
    year: int
    value: Any
    name: str | None = None


@dataclass
class ExchangePreview:
    """What a file holds and what importing it would do. `ok` → it may be committed."""

    sha256: str
    rows: list[_Row] = field(default_factory=list)
    row_count: int = 0
    file_problems: list[Problem] = field(default_factory=list)
    scope_problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"rows": 0, "created": 0, "changed": 0, "unchanged": 0})
    checked: bool = False
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    affected: dict[int, TeacherProfile] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.file_problems + self.scope_problems, key=lambda p: (p.row or 0, p.column or ""))

    @property
    def ok(self) -> bool:
        return self.checked and not self.problems and self.row_count > 0


# --- Reading the file ---------------------------------------------------------------------------------


def detect_format(data: bytes, source: DataSource) -> str:
    """xlsx or csv, from the bytes (a ZIP is a workbook); refused when the source expects the other."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportRefused(gettext_lazy("这是旧版 .xls 文件或加密的工作簿。请另存为 .xlsx 或 CSV 后上传"), code="type")
    found = "xlsx" if data[:4] == b"PK\x03\x04" else "csv"
    if source.file_format not in (DataSource.FileFormat.AUTO, found):
        expected = DataSource.FileFormat(source.file_format).label
        raise ImportRefused(gettext_lazy("该数据来源设置为只接受%(expected)s，上传的文件不是这种格式"),
                            params={"expected": expected}, code="type")
    return found


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (which covers GBK and GB2312, what Excel saves in China)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(gettext_lazy("不支持 UTF-16 编码的文件，请另存为“CSV UTF-8（逗号分隔）”后上传"), code="encoding")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportRefused(gettext_lazy("无法识别文件编码，请另存为 UTF-8 或 GB18030（GBK）编码的 CSV 后上传"),
                            code="encoding") from exc


def _csv_rows(text: str, header_row: int) -> list[list]:
    lines = text.splitlines()
    if len(lines) > imports.MAX_ROWS + header_row:
        raise ImportRefused(gettext_lazy("文件超过 %(count)s 行，请分批导入"), params={"count": imports.MAX_ROWS},
                            code="too_many_rows")
    header_line = lines[header_row - 1] if len(lines) >= header_row else ""
    delimiter = max((",", "\t", ";"), key=header_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportRefused(gettext_lazy("CSV 文件格式有误（引号不成对等），请用 Excel 重新另存为 CSV 后上传"),
                            code="corrupt") from exc


def _xlsx_rows(data: bytes, source: DataSource) -> list[list]:
    imports.check_container(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = {name.strip(): name for name in book.sheet_names}
        wanted = source.sheet_name.strip()
        if wanted and wanted not in names:
            raise ImportRefused(gettext_lazy("工作簿中没有名为「%(sheet)s」的工作表（有：%(sheets)s）。"
                                             "请检查文件，或在数据来源设置中修改工作表名称"),
                                params={"sheet": wanted, "sheets": "、".join(names)}, code="sheet")
        ws = book.get_sheet_by_name(names[wanted]) if wanted else book.get_sheet_by_index(0)
        if ws.total_height > imports.MAX_ROWS + source.header_row:
            raise ImportRefused(gettext_lazy("工作表超过 %(count)s 行，请分批导入"), params={"count": imports.MAX_ROWS},
                                code="too_many_rows")
        return ws.to_python(skip_empty_area=False)  # row 1 of the list is row 1 of the sheet
    except ImportRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise ImportRefused(imports.UNREADABLE, code="unreadable") from exc


def read_rows(data: bytes, source: DataSource) -> list[list]:
    if len(data) > imports.MAX_UPLOAD_BYTES:
        raise imports.too_large()
    if detect_format(data, source) == "xlsx":
        return _xlsx_rows(data, source)
    return _csv_rows(decode_csv(data), source.header_row)


# --- Checking the cells: the mapping, then the roster import's own cell checks ---------------------------


def grade_choices(source: DataSource) -> tuple[dict[str, str], tuple[str, ...]]:
    mapping = dict(imports.GRADES[0])
    mapping.update({imports.fold(k): str(v) for k, v in DEFAULT_GRADE_VARIANTS.items()})
    mapping.update({imports.fold(k): str(v) for k, v in (source.grade_values or {}).items()})
    return mapping, GRADES_SHOWN


def source_columns(source: DataSource) -> list[Column]:
    """The mapped columns, as roster-import Columns so that the same cell checks apply."""
    columns = [Column(source.id_column, "id_number", "id", True)]
    if source.name_column:
        columns.append(Column(source.name_column, "name", "text", True, 50))
    columns.append(Column(source.year_column, "year", "year", True))
    if source.kind == DataSource.Kind.TRAINING:
        columns.append(Column(source.value_column, "hours", "hours", True))
    else:
        columns.append(Column(source.value_column, "grade", "enum", True, choices=grade_choices(source)))
    return columns


def _convert(column: Column, value, today: date):
    if column.kind == "id" and isinstance(value, str) and _SCIENTIFIC.fullmatch(value.strip()):
        # A CSV saved from Excel after the ID became a number: 5.00114E+17, the last digits are gone.
        raise imports.CellError(imports.numeric_identifier(float(value), "身份证号码"))  # i18n: data (the heading it means)
    try:
        return imports.convert_cell(column, value, today)
    except imports.CellError as exc:
        if column.key == "grade":
            raise imports.CellError(_("%(problem)s；如是该来源的另一种写法，请在数据来源的“考核等次对照”中添加")
                                    % {"problem": exc}) from exc
        raise


def parse_file(data: bytes, source: DataSource, *, today: date | None = None) -> ExchangePreview:
    """Every cell checked against the mapping; no database access. Raises ImportRefused for a refused file."""
    today = today or timezone.localdate()
    preview = ExchangePreview(sha256=hashlib.sha256(data).hexdigest())
    rows = read_rows(data, source)
    h = source.header_row
    header = rows[h - 1] if len(rows) >= h else []
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = imports.header_name(cell)
        if name and name not in positions:
            positions[name] = index
    columns = source_columns(source)
    missing = [c for c in columns if imports.header_name(c.header) not in positions]
    for column in missing:
        preview.file_problems.append(Problem("", h, column.header, _("第%(row)s行的表头中找不到此列。请检查文件表头，"
                                                                     "或在数据来源设置中修改列名和表头所在行") % {"row": h}))
    if missing:
        return preview
    present = [(c, positions[imports.header_name(c.header)]) for c in columns]
    duplicates = imports.DuplicateRows()
    for number, cells in enumerate(rows[h:], start=h + 1):
        if all(imports.is_blank(v) for v in cells):
            continue
        preview.row_count += 1
        values: dict[str, Any] = {}
        problems = []
        for column, index in present:
            value = cells[index] if index < len(cells) else None
            if imports.is_blank(value):
                problems.append(Problem("", number, column.header, _("必填，不能为空")))
                continue
            try:
                values[column.key] = _convert(column, value, today)
            except imports.CellError as exc:
                problems.append(Problem("", number, column.header, str(exc)))
        id_number = values.get("id_number")
        if id_number is not None:
            message = duplicates.check((id_number, values.get("year")), number, imports.SAME_TEACHER_YEAR)
            if message:
                problems.append(Problem("", number, source.id_column, message))
        preview.file_problems += problems
        if not problems:
            value_key = "hours" if source.kind == DataSource.Kind.TRAINING else "grade"
            preview.rows.append(_Row(number, id_number, imports.digest(id_number), values["year"], values[value_key],
                                     values.get("name")))
    preview.counts["rows"] = preview.row_count
    if preview.row_count == 0 and not preview.file_problems:
        preview.file_problems.append(Problem("", None, None, _("文件第%(row)s行表头以下没有数据行") % {"row": h}))
    return preview


# --- Checking against the database: who the teachers are, what a commit would write ------------------------


def _model(source: DataSource):
    return (TrainingRecord, "hours") if source.kind == DataSource.Kind.TRAINING else (AnnualAssessment, "grade")


def check_preview(preview: ExchangePreview, source: DataSource, *, actor) -> ExchangePreview:
    """Find each row's teacher among the district's, check the name, count what would be created/changed."""
    from tqr.accounts.permissions import visible_units

    scope = set(visible_units(actor).filter(parent_id=source.district_id).values_list("pk", flat=True))
    digests = sorted({r.digest for r in preview.rows})
    teachers = {
        t.id_digest: t for chunk in imports._chunks(digests)
        for t in TeacherProfile.objects.filter(id_digest__in=chunk).only("pk", "name", "unit_id", "id_digest")
    }
    model, field_name = _model(source)
    ids = sorted({t.pk for t in teachers.values()})
    known = {(o.teacher_id, o.year): o for chunk in imports._chunks(ids)
             for o in model.objects.filter(teacher_id__in=chunk)}
    problems = []
    counts = {"rows": preview.row_count, "created": 0, "changed": 0, "unchanged": 0}
    preview.creates, preview.updates, preview.affected = [], [], {}
    for r in preview.rows:
        teacher = teachers.get(r.digest)
        if teacher is None or teacher.unit_id not in scope:
            problems.append(Problem("", r.row, source.id_column,
                                    _("本区县没有该身份证号码的教师。请核对号码；新教师请先通过“导入教师数据”登记")))
            continue
        if r.name is not None and imports.fold(r.name) != imports.fold(teacher.name):
            message = _("姓名“%(name)s”与系统中该身份证号码的教师（%(teacher)s）不一致，请核对身份证号码和姓名") % {
                "name": r.name, "teacher": teacher.name}
            problems.append(Problem("", r.row, source.name_column, message))
            continue
        current = known.get((teacher.pk, r.year))
        if current is None:
            preview.creates.append(model(teacher_id=teacher.pk, year=r.year, **{field_name: r.value}))
            counts["created"] += 1
        elif getattr(current, field_name) != r.value:
            setattr(current, field_name, r.value)
            preview.updates.append(current)
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
            continue
        preview.affected[teacher.pk] = teacher
    preview.scope_problems = problems
    preview.counts = counts
    preview.checked = True
    return preview


def exchange_preview(data: bytes, source: DataSource, *, actor) -> ExchangePreview:
    return check_preview(parse_file(data, source), source, actor=actor)


# --- The commit ---------------------------------------------------------------------------------------------


def _evaluate(preview: ExchangePreview, source: DataSource) -> dict[str, int]:
    """The rules' view of the affected teachers in the district's latest round (as the roster import does)."""
    plan = imports._Plan(affected={str(pk): t for pk, t in preview.affected.items()}, districts={source.district_id})
    return imports._evaluate(plan)


def exchange_commit(*, data: bytes, source: DataSource, actor, filename: str = "",
                    run: ImportRun | None = None) -> ImportRun:
    """Write every row in one transaction, or nothing (ExchangeRejected). Audited `exchange.import`."""
    preview = parse_file(data, source)
    audit = {"source": source.pk, "kind": source.kind, "sha256": preview.sha256, "filename": filename}
    try:
        with transaction.atomic():
            check_preview(preview, source, actor=actor)
            if not preview.ok:
                raise ExchangeRejected(preview)
            model, field_name = _model(source)
            model.objects.bulk_create(preview.creates, batch_size=500)
            model.objects.bulk_update(preview.updates, [field_name], batch_size=500)
            evaluations = _evaluate(preview, source)
            record("exchange.import", actor=actor, obj=source, data={**audit, **preview.counts,
                                                                     "evaluations": evaluations})
            run = _run(run, source=source, actor=actor, filename=filename, preview=preview,
                       result=ImportRun.Result.COMMITTED)
    except ExchangeRejected:
        record("exchange.import", actor=actor, obj=source, result=AuditEvent.Result.FAIL,
               data={**audit, "rows": preview.row_count, "problems": len(preview.problems)})
        _run(run, source=source, actor=actor, filename=filename, preview=preview, result=ImportRun.Result.PROBLEMS,
             message=_stored(gettext_lazy("确认导入时发现问题，未导入任何数据")))
        raise
    except IntegrityError as exc:  # someone else wrote the same teacher's year between our check and our write
        record("exchange.import", actor=actor, obj=source, result=AuditEvent.Result.CONFLICT, data=audit)
        _run(run, source=source, actor=actor, filename=filename, preview=preview, result=ImportRun.Result.FAILED,
             message=_stored(gettext_lazy("数据已被同时修改")))
        raise ImportRefused(gettext_lazy("导入时数据已被他人同时修改，未导入任何数据。请重新上传"), code="conflict") from exc
    return run


def _stored(text) -> str:
    """Text kept on an ImportRun for every reader of the import history: the system's language, whoever acted."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _run(run: ImportRun | None, *, source, actor, filename, preview: ExchangePreview, result, message="") -> ImportRun:
    values = {"source": source, "actor": actor, "filename": filename[:200], "sha256": preview.sha256,
              "rows": preview.row_count, "created": preview.counts.get("created", 0),
              "changed": preview.counts.get("changed", 0), "unchanged": preview.counts.get("unchanged", 0),
              "problems": len(preview.problems), "result": result, "message": message[:300]}
    if run is None:
        return ImportRun.objects.create(**values)
    for name, value in values.items():
        setattr(run, name, value)
    run.save()
    return run


# --- What the page and the API call -------------------------------------------------------------------------


def check_filename(filename: str) -> None:
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise ImportRefused(gettext_lazy("不能导入含宏的工作簿（.xlsm）。请另存为 .xlsx 或 CSV 后上传"), code="macro")
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportRefused(gettext_lazy("请上传 CSV（.csv）或 Excel 工作簿（.xlsx）文件"), code="type")


def exchange_upload(*, source: DataSource, upload, actor) -> tuple[ExchangePreview, str | None, ImportRun]:
    """Step 1: check and preview an uploaded file; a token to commit it with when it has no problem."""
    name = safe_filename(upload.name or "")
    try:
        check_filename(upload.name or "")
        if upload.size is not None and upload.size > imports.MAX_UPLOAD_BYTES:
            raise imports.too_large()
        data = upload.read(imports.MAX_UPLOAD_BYTES + 1)
        preview = exchange_preview(data, source, actor=actor)
    except ImportRefused as exc:
        record("exchange.refused", actor=actor, obj=source, result=AuditEvent.Result.DENIED,
               data={"reason": exc.code, "filename": name, "bytes": upload.size})
        ImportRun.objects.create(source=source, actor=actor, filename=name[:200], result=ImportRun.Result.REFUSED,
                                 message=_stored(exc)[:300])
        raise
    token = imports.stash_upload(data, user=actor, filename=name) if preview.ok else None
    record("exchange.preview", actor=actor, obj=source, data={"sha256": preview.sha256, "filename": name,
                                                              "problems": len(preview.problems), **preview.counts})
    run = _run(None, source=source, actor=actor, filename=name, preview=preview,
               result=ImportRun.Result.PREVIEWED if preview.ok else ImportRun.Result.PROBLEMS)
    return preview, token, run


def exchange_commit_upload(*, source: DataSource, token: str, actor):
    """Step 2: commit the previewed bytes (this user's only). Returns (ImportRun, Job or None): a large file
    is committed by a background job, whose page shows the progress. Raises UploadNotFound, ExchangeRejected
    or ImportRefused."""
    from tqr.core.jobs import job_start

    data = imports.load_upload(token, user=actor)
    filename = _upload_filename(token)
    preview = parse_file(data, source)
    if preview.row_count > settings.TQR_IMPORT_SYNC_ROWS and not preview.file_problems:
        run = _run(None, source=source, actor=actor, filename=filename, preview=preview,
                   result=ImportRun.Result.QUEUED)
        with translation.override(settings.LANGUAGE_CODE):  # kept on the job for every reader
            label = ngettext("导入%(source)s（%(count)s 行）", "导入%(source)s（%(count)s 行）", preview.row_count) % {
                "source": source.name, "count": preview.row_count}
            filename = _("导入结果.txt")
        job = job_start(kind="exchange_import", label=label, owner=actor,
                        params={"source": source.pk, "token": token, "run": run.pk}, filename=filename)
        ImportRun.objects.filter(pk=run.pk).update(job=job)
        run.refresh_from_db()
        return run, job
    try:
        return exchange_commit(data=data, source=source, actor=actor, filename=filename), None
    finally:
        imports.discard_upload(token)


def _upload_filename(token: str) -> str:
    """The uploaded file's (sanitised) name, kept in the stash's sidecar by `imports.stash_upload`."""
    return str(imports.upload_meta(token).get("filename", ""))[:200]


__all__ = ["ExchangePreview", "ExchangeRejected", "ImportRefused", "UploadNotFound", "exchange_commit",
           "exchange_commit_upload", "exchange_preview", "exchange_upload", "parse_file"]
