"""The batch lookup's files: the upload read (XLSX or CSV, two columns, ≤ 500 rows) and the result workbook.

An XLSX passes the import's container checks (`tqr.teachers.imports.check_container`: size, ZIP bomb,
macros, encryption, DTDs) before python-calamine reads it; a certificate number stored as a number is
refused with the import's own wording, since Excel has already dropped its last digits.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from tqr.documents.xlsx import build_xlsx
from tqr.lookup.services import (
    MAX_BATCH_ROWS,
    BatchLine,
    BatchRefused,
    BatchRow,
    lookup_batch,
    refuse_batch,
    too_many_rows_message,
)
from tqr.teachers import imports

NUMBER_HEADER = "教师资格证书号码"
NAME_HEADER = "姓名"
_NUMBER_HEADERS = {NUMBER_HEADER, "证书号码", "教师资格证号码"}
MAX_CSV_BYTES = 1024 * 1024  # 500 rows of two short columns are a few dozen KB
MAX_SHEET_HEIGHT = 10 * MAX_BATCH_ROWS  # blank rows included; taller sheets are not read at all
SHOWN_NUMERIC_ROWS = 10
# What a spreadsheet writes into a CSV for a long number it has already rounded: 2.00851E+16.
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[Ee]\+?[0-9]+")

RESULT_HEADERS = ("行号", NAME_HEADER, NUMBER_HEADER, "查询结果", "注册年度", "有效期至")
RESULT_FILENAME = "注册状态查询结果.xlsx"


def lookup_upload(*, upload, actor) -> list[BatchLine]:
    """Read an uploaded list (a Django UploadedFile) and look it up; a refused file is audited and raises
    BatchRefused."""
    try:
        if upload.size is not None and upload.size > imports.MAX_UPLOAD_BYTES:
            raise BatchRefused(f"文件超过 {imports.MAX_UPLOAD_BYTES // 1024 // 1024} MB", code="too_large")
        rows = read_batch_file(upload.name or "", upload.read(imports.MAX_UPLOAD_BYTES + 1))
    except BatchRefused as exc:
        refuse_batch(actor=actor, source="upload", code=exc.code)
        raise
    return lookup_batch(rows=rows, actor=actor, source="upload")


def read_batch_file(filename: str, data: bytes) -> list[BatchRow]:
    """The data rows of an uploaded XLSX or CSV (header row first); BatchRefused when the file is refused."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".csv":
        table = _csv_rows(data)
    elif suffix == ".xlsx":
        table = _xlsx_rows(data)
    else:
        raise BatchRefused("请上传 Excel 工作簿（.xlsx）或 CSV 文件", code="type")
    return _rows(table)


def _xlsx_rows(data: bytes) -> list[list]:
    try:
        imports.check_container(data)
    except imports.ImportRefused as exc:
        raise BatchRefused(exc.message, code=exc.code) from exc
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        if sheet.total_height > MAX_SHEET_HEIGHT:
            raise BatchRefused(too_many_rows_message(sheet.total_height - 1), code="too_many_rows")
        # skip_empty_area=False: row 1 of the list is row 1 of the sheet, so row numbers match Excel.
        return sheet.to_python(skip_empty_area=False)
    except BatchRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise BatchRefused("无法读取该 Excel 文件，请确认文件未损坏并另存为 .xlsx 后重试", code="unreadable") from exc


def _csv_rows(data: bytes) -> list[list]:
    if len(data) > MAX_CSV_BYTES:
        raise BatchRefused(f"CSV 文件超过 {MAX_CSV_BYTES // 1024} KB，请拆分后分批查询", code="too_large")
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GBK unless told UTF-8
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise BatchRefused("无法识别 CSV 文件的编码，请另存为 UTF-8 编码的 CSV", code="encoding")
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise BatchRefused("CSV 文件格式有误，请用 Excel 另存为 CSV 后重试", code="corrupt") from exc


def _header_name(value) -> str:
    text = "".join(ch for ch in unicodedata.normalize("NFKC", _text(value)) if not ch.isspace()).rstrip("*")
    return re.split(r"[(（]", text, maxsplit=1)[0]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value) -> str:
    if value is None:
        return ""
    if _is_number(value):
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip()


def _rows(table: Sequence[Sequence]) -> list[BatchRow]:
    header = [_header_name(cell) for cell in (table[0] if table else [])]
    number_col = next((i for i, h in enumerate(header) if h in _NUMBER_HEADERS), None)
    name_col = next((i for i, h in enumerate(header) if h == NAME_HEADER), None)
    if number_col is None or name_col is None:
        raise BatchRefused(f"第一行须为表头「{NUMBER_HEADER}」「{NAME_HEADER}」，请按模板填写", code="header")
    rows, numeric = [], []
    for row_no, cells in enumerate(table[1:], start=2):
        number = cells[number_col] if number_col < len(cells) else None
        name = cells[name_col] if name_col < len(cells) else None
        if not _text(number) and not _text(name):
            continue
        if _is_number(number) or isinstance(number, str) and _SCIENTIFIC.fullmatch(number.strip()):
            numeric.append((row_no, number))
        rows.append(BatchRow(row_no, _text(number), _text(name)))
    if len(rows) > MAX_BATCH_ROWS:
        raise BatchRefused(too_many_rows_message(len(rows)), code="too_many_rows")
    if numeric:
        raise BatchRefused(_numeric_message(numeric), code="numeric")
    if not rows:
        raise BatchRefused("文件中没有要查询的行（第一行为表头，从第二行起每行一人）", code="empty")
    return rows


def _numeric_message(numeric: list[tuple[int, object]]) -> str:
    row_list = "、".join(str(row) for row, _ in numeric[:SHOWN_NUMERIC_ROWS])
    more = f"等 {len(numeric)} 行" if len(numeric) > SHOWN_NUMERIC_ROWS else ""
    value = numeric[0][1]
    # The import's wording (security-tests §59); "2.00851E+16" in a CSV is the same rounded number.
    detail = imports._numeric_identifier(float(value), NUMBER_HEADER)
    return f"第 {row_list} 行{more}：{detail}"


def results_xlsx(lines: Sequence[BatchLine], *, asked_at: datetime) -> bytes:
    """The results as a workbook: one row per row asked, in the order asked."""
    rows = [(line.row, line.name, line.certificate_number, line.status_text,
             line.result.year if line.result else None, line.result.valid_until if line.result else None)
            for line in lines]
    return build_xlsx("查询结果", RESULT_HEADERS, rows,
                      title=f"教师资格定期注册状态查询结果（{asked_at:%Y-%m-%d %H:%M} 查询）")

