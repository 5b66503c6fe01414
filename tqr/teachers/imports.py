"""Excel import of teachers and the facts of their period (教师、年度考核、培训学时、中断教学).

Two steps (security-tests 58). `preview_import` reads every cell, checks every row against the importer's
scope and lists every problem by sheet, row and column, writing nothing. `import_commit` checks the same
rows again inside one transaction and writes all of them, or nothing when there is any problem at all.
Rows are upserted — teachers by resident-ID digest, certificates by number, assessments and training by
(teacher, year), interruptions by (teacher, start, end) — so importing the same file twice changes nothing.

Between the steps the uploaded bytes wait under MEDIA_ROOT/imports/ with a JSON sidecar naming their owner
(`import_upload`, `import_commit_upload`): what is committed is exactly what was previewed.

Before the workbook is opened, `check_container` inspects the ZIP itself — file size, entry count, the real
uncompressed size, macros, encryption and DTDs (security-tests 35–37). The workbook is read with
python-calamine, never openpyxl.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import time
import unicodedata
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from python_calamine import CalamineWorkbook

from tqr.accounts.models import Organisation
from tqr.audit.models import AuditEvent
from tqr.audit.services import record
from tqr.core.downloads import safe_filename
from tqr.core.fields import digest
from tqr.rules.identifiers import (
    decode_certificate,
    normalise,
    resident_id_birth_date,
    resident_id_gender,
    validate_certificate_number,
    validate_resident_id,
)
from tqr.teachers.models import (
    AnnualAssessment,
    AssessmentGrade,
    Certificate,
    CertificateType,
    Ethics,
    Health,
    Interruption,
    PostLevel,
    SpecialPost,
    TeacherProfile,
    TrainingRecord,
)

# --- Limits ----------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the file as uploaded
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # all entries of the ZIP, decompressed
MAX_ENTRIES = 1000  # a workbook has a few dozen; thousands are an attack on the parser (ASVS 5.2.3)
MAX_ROWS = 20_000  # data rows per sheet: a district's teachers fit many times over
MAX_HOURS_PER_YEAR = 1000
EARLIEST_DATE = date(1950, 1, 1)
EARLIEST_YEAR = 1980
UPLOAD_TTL = timedelta(hours=24)  # an upload not committed within a day is deleted
_CHUNK = 2000  # ids per `__in` query


class ImportRefused(Exception):
    """The import cannot go on: the file is refused, or (ImportRejected) its rows have problems.

    The refusal is a (lazy) msgid and its values, rendered where `message` is read: in the reader's language
    on a page, in the system's where it is kept for everyone (the exchange's ImportRun.message)."""

    def __init__(self, message, *, code: str = "refused", params: Mapping[str, Any] | None = None):
        super().__init__(message)
        self._text, self._params, self.code = message, params, code

    @property
    def message(self) -> str:
        return self._text % self._params if self._params else str(self._text)

    def __str__(self) -> str:
        return self.message


class ImportRejected(ImportRefused):
    """A commit refused because of row problems; nothing was written. `preview` lists them."""

    def __init__(self, preview: ImportPreview):
        super().__init__(ngettext_lazy("有 %(count)s 个问题，未导入任何数据。请修改后重新上传",
                                       "有 %(count)s 个问题，未导入任何数据。请修改后重新上传", "count"),
                         params={"count": len(preview.problems)}, code="problems")
        self.preview = preview


class UploadNotFound(Exception):
    """No commit token like this for this user (`foreign`: it exists, but belongs to someone else)."""

    def __init__(self, *, foreign: bool = False):
        super().__init__("upload not found")
        self.foreign = foreign


# --- The container: checked before any parser sees the file -----------------------------------------

_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!doctype", "<!entity") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_MACRO_TYPE = b"macroenabled"


def check_filename(filename: str) -> None:
    """Only .xlsx: a macro-enabled workbook (.xlsm) is refused by its name as well as by its content."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise ImportRefused(gettext_lazy("不能导入含宏的工作簿（.xlsm）。请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后上传"),
                            code="macro")
    if suffix != ".xlsx":
        raise ImportRefused(gettext_lazy("请上传 Excel 工作簿（.xlsx）文件，可先下载导入模板填写"), code="type")


def check_container(data: bytes, *, filename: str | None = None) -> None:
    """Refuse anything but a plain .xlsx of sane size before it is parsed (security-tests 35–37).

    The declared sizes are checked first (a zip bomb stops here without decompressing anything), then every
    entry is decompressed once with a running budget, so that a ZIP lying about its sizes cannot get past
    either (zipfile verifies each entry's CRC against the declared size).

    DTDs: calamine parses the sheets' XML in Rust (quick-xml), which never expands DTD entities nor fetches
    external ones, so billion-laughs and `file:///etc/passwd` are harmless to it. An Excel file never has a
    DTD, so one is refused anyway, as defence in depth and so that the refusal is explicit.
    """
    if filename is not None:
        check_filename(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large()
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportRefused(gettext_lazy("这是旧版 .xls 文件或加密的工作簿。请取消密码，另存为 .xlsx 后上传"), code="type")
    if data[:4] != b"PK\x03\x04":
        raise ImportRefused(gettext_lazy("不是有效的 Excel 工作簿（.xlsx）文件"), code="type")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_entries(archive)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, OSError) as exc:
        raise ImportRefused(gettext_lazy("文件已损坏或不是有效的 Excel 工作簿（.xlsx）"), code="corrupt") from exc


def too_large() -> ImportRefused:
    return ImportRefused(gettext_lazy("文件超过 %(mb)s MB，请分批导入"), params={"mb": MAX_UPLOAD_BYTES // 1024 // 1024},
                         code="too_large")


_ZIP_BOMB = gettext_lazy("文件解压后过大（可能是恶意构造的压缩文件），拒绝导入")
_MACRO = gettext_lazy("工作簿含有宏（VBA），不能导入。请另存为不含宏的 .xlsx 后上传")


def _check_entries(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ImportRefused(gettext_lazy("文件结构异常（包含的部件过多），拒绝导入"), code="entries")
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise ImportRefused(_ZIP_BOMB, code="zip_bomb")
    for info in infos:
        name = info.filename.lower()
        if name.endswith("vbaproject.bin") or name.endswith(".bin") and "vba" in name:
            raise ImportRefused(_MACRO, code="macro")
        if info.flag_bits & 0x1:
            raise ImportRefused(gettext_lazy("工作簿已加密，请取消密码后上传"), code="encrypted")
    budget = MAX_UNCOMPRESSED_BYTES
    for info in infos:
        name = info.filename.lower()
        is_xml = name.endswith(_XML_SUFFIXES)
        tail = b""
        with archive.open(info) as entry:
            while chunk := entry.read(64 * 1024):
                budget -= len(chunk)
                if budget < 0:
                    raise ImportRefused(_ZIP_BOMB, code="zip_bomb")
                if is_xml:
                    window = (tail + chunk).lower()
                    if any(marker in window for marker in _DTD_MARKERS):
                        raise ImportRefused(gettext_lazy("工作簿中含有不允许的 XML 声明（DOCTYPE/ENTITY），拒绝导入"),
                                            code="dtd")
                    if name == "[content_types].xml" and _MACRO_TYPE in window:
                        raise ImportRefused(_MACRO, code="macro")
                    tail = chunk[-32:]


# --- What the sheets look like ----------------------------------------------------------------------


def _fold(text: str) -> str:
    """Compare what people type loosely: full-width → ASCII, no spaces."""
    folded = unicodedata.normalize("NFKC", text)
    # Most cells have no space at all (isalnum): no need to look at each character.
    return folded if folded.isalnum() else "".join(ch for ch in folded if not ch.isspace())


# The language of the files: the template's headings and the values typed in its cells are Chinese whatever
# language the page is shown in (tqr/teachers/import_template.py), so labels are compared in Chinese.
FILE_LANGUAGE = "zh-hans"


def file_label(label) -> str:
    """A choice's label as the files spell it (Chinese), whatever language is active."""
    with translation.override(FILE_LANGUAGE):
        return str(label)


def _choices(text_choices, shown: Sequence[str] | None = None, aliases: Mapping[str, str] | None = None):
    """(label → value map, the labels to show). Every TextChoices label is accepted, plus short aliases."""
    mapping = {_fold(file_label(label)): str(value) for value, label in text_choices.choices}
    mapping.update({_fold(k): str(v) for k, v in (aliases or {}).items()})
    return mapping, tuple(shown or (file_label(label) for _value, label in text_choices.choices))


YES_NO = ({"是": True, "否": False}, ("是", "否"))  # i18n: data (what people type in the file's cells)
POST_LEVELS = _choices(PostLevel, aliases={"初中": "junior", "高中": "senior", "中职": "vocational"})  # i18n: data (what people type in the file's cells)
CERT_TYPE_CHOICES = _choices(CertificateType, aliases={
    file_label(label).removesuffix("教师资格"): value for value, label in CertificateType.choices  # i18n: data (what people type in the file's cells)
})
SPECIAL_POSTS = _choices(SpecialPost, shown=("否", "未转正", "已转正"),  # i18n: data (what people type in the file's cells)
                         aliases={"未转正": SpecialPost.UNCONVERTED, "已转正": SpecialPost.CONVERTED})  # i18n: data (what people type in the file's cells)
ETHICS = _choices(Ethics, shown=("良好", "有违反师德行为", "严重违反师德"),  # i18n: data (what people type in the file's cells)
                  aliases={"严重违反师德": Ethics.SERIOUS_VIOLATION})  # i18n: data (what people type in the file's cells)
HEALTH = _choices(Health, shown=("合格", "不合格"), aliases={"合格": Health.FIT, "不合格": Health.UNFIT})  # i18n: data (what people type in the file's cells)
GRADES = _choices(AssessmentGrade)
APPROVED = _choices(
    Interruption.Approved, shown=("进修", "培训", "学术交流", "病假", "产假", "其他经批准"),  # i18n: data (what people type in the file's cells)
    aliases={"进修": "study", "培训": "training", "其他经批准": "other_approved", "未经批准": ""},  # i18n: data (what people type in the file's cells)
)


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str  # id, cert, text, code, enum, bool, date, year, hours, phone, email
    required: bool = False
    max_length: int | None = None
    choices: tuple[Mapping[str, Any], tuple[str, ...]] | None = None
    hint: str = ""
    text_format: bool = False  # the template formats the column as text (@)


TEACHER_SHEET = "教师"  # i18n: data (a sheet name of the import file)
ASSESSMENT_SHEET = "年度考核"  # i18n: data (a sheet name of the import file)
TRAINING_SHEET = "培训学时"  # i18n: data (a sheet name of the import file)
INTERRUPTION_SHEET = "中断教学"  # i18n: data (a sheet name of the import file)

_ID = Column("身份证号码", "id_number", "id", True, hint="18 位居民身份证号码，最后一位可为 X。必须是文本格式，不能是数字",  # i18n: data (import template heading, hint)
             text_format=True)

SHEETS: dict[str, tuple[Column, ...]] = {
    TEACHER_SHEET: (
        _ID,
        Column("姓名", "name", "text", True, 50, hint="与身份证一致"),  # i18n: data (import template heading, hint)
        Column("任教单位代码", "unit_code", "code", True, hint="本系统的机构代码；只能是您管理范围内的单位", text_format=True),  # i18n: data (import template heading, hint)
        Column("任教学段", "post_level", "enum", True, choices=POST_LEVELS),  # i18n: data (import template heading, hint)
        Column("任教学科", "subject", "text", True, 30, hint="如 语文、数学"),  # i18n: data (import template heading, hint)
        Column("职称", "title", "text", max_length=30, hint="如 一级教师"),  # i18n: data (import template heading, hint)
        Column("手机号码", "phone", "phone", hint="11 位手机号码", text_format=True),  # i18n: data (import template heading, hint)
        Column("电子邮箱", "email", "email", hint="用于找回密码，须真实有效"),  # i18n: data (import template heading, hint)
        Column("在编", "on_payroll", "bool", choices=YES_NO, hint="留空时新教师按“是”"),  # i18n: data (import template heading, hint)
        Column("在岗", "in_post", "bool", choices=YES_NO, hint="留空时新教师按“是”"),  # i18n: data (import template heading, hint)
        Column("参加工作日期", "hire_date", "date", hint="Excel 日期或 YYYY-MM-DD 文本"),  # i18n: data (import template heading, hint)
        Column("新入职教师", "new_teacher", "bool", choices=YES_NO, hint="首次注册前的新教师填“是”；留空按“否”"),  # i18n: data (import template heading, hint)
        Column("试用期满考核合格", "probation_passed", "bool", choices=YES_NO, hint="新入职教师填写；留空按“否”"),  # i18n: data (import template heading, hint)
        Column("已完成岗前培训", "pre_service_training_done", "bool", choices=YES_NO, hint="新入职教师填写；留空按“否”"),  # i18n: data (import template heading, hint)
        Column("特岗教师", "special_post", "enum", choices=SPECIAL_POSTS, hint="留空按“否”"),  # i18n: data (import template heading, hint)
        Column("借出单位代码", "seconded_code", "code", hint="借调教师填写借出单位的机构代码（在借出单位注册）；填“无”可清除",  # i18n: data (import template heading, hint)
               text_format=True),
        Column("教师资格证书号码", "cert_number", "cert", hint="17 位数字（旧版 15 位）。必须是文本格式", text_format=True),  # i18n: data (import template heading, hint)
        Column("资格种类", "cert_type", "enum", choices=CERT_TYPE_CHOICES, hint="留空时按证书号码第 10 位确定"),  # i18n: data (import template heading, hint)
        Column("证书任教学科", "cert_subject", "text", max_length=30, hint="填写证书号码时必填"),  # i18n: data (import template heading, hint)
        Column("认定机构", "certifying_body", "text", max_length=60, hint="填写证书号码时必填"),  # i18n: data (import template heading, hint)
        Column("证书签发日期", "cert_issue_date", "date", hint="填写证书号码时必填"),  # i18n: data (import template heading, hint)
        Column("师德表现", "ethics", "enum", choices=ETHICS, hint="留空时新教师按“良好”"),  # i18n: data (import template heading, hint)
        Column("身心健康", "health", "enum", choices=HEALTH, hint="留空时新教师按“合格”"),  # i18n: data (import template heading, hint)
    ),
    ASSESSMENT_SHEET: (
        _ID,
        Column("年度", "year", "year", True, hint="四位年份，如 2023"),  # i18n: data (import template heading, hint)
        Column("考核等次", "grade", "enum", True, choices=GRADES),  # i18n: data (import template heading, hint)
    ),
    TRAINING_SHEET: (
        _ID,
        Column("年度", "year", "year", True, hint="四位年份，如 2023"),  # i18n: data (import template heading, hint)
        Column("学时", "hours", "hours", True, hint=f"该年度培训学时，0–{MAX_HOURS_PER_YEAR} 的整数"),  # i18n: data (import template heading, hint)
    ),
    INTERRUPTION_SHEET: (
        _ID,
        Column("开始日期", "start_date", "date", True, hint="Excel 日期或 YYYY-MM-DD 文本"),  # i18n: data (import template heading, hint)
        Column("结束日期", "end_date", "date", True, hint="Excel 日期或 YYYY-MM-DD 文本"),  # i18n: data (import template heading, hint)
        Column("批准事由", "approved", "enum", choices=APPROVED, hint="经批准的填写事由；未经批准请留空"),  # i18n: data (import template heading, hint)
        Column("说明", "note", "text", max_length=200),  # i18n: data (import template heading, hint)
    ),
}
SHEET_ORDER = tuple(SHEETS)

# Fields of TeacherProfile an import writes, and the value a new teacher gets when the cell is blank.
TEACHER_FIELDS = ("name", "gender", "birth_date", "unit_id", "post_level", "subject", "title", "phone", "email",
                  "on_payroll", "in_post", "hire_date", "new_teacher", "probation_passed",
                  "pre_service_training_done", "special_post", "seconded_from_id", "ethics", "health")
CERT_FIELDS = ("cert_type", "subject", "certifying_body", "issue_date")


# --- What a parse gives ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem, where Excel shows it: sheet, row number (1 = the header) and column header."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    @property
    def where(self) -> str:
        if self.row is None:
            return f"「{self.sheet}」" if self.sheet else ""
        if self.column:
            return _("第%(row)s行「%(column)s」列") % {"row": self.row, "column": self.column}
        return _("第%(row)s行") % {"row": self.row}

    @property
    def location(self) -> str:
        """「教师」第1999行「身份证号码」列 (or 「教师」, or nothing for the whole workbook)."""
        if not self.sheet or self.row is None:
            return self.where
        values = {"sheet": self.sheet, "row": self.row, "column": self.column}
        if self.column:
            return _("「%(sheet)s」第%(row)s行「%(column)s」列") % values
        return _("「%(sheet)s」第%(row)s行") % values

    def __str__(self) -> str:
        location = self.location
        return _("%(location)s：%(message)s") % {"location": location, "message": self.message} if location else self.message

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message,
                "text": str(self)}

    def sort_key(self):
        sheet = SHEET_ORDER.index(self.sheet) if self.sheet in SHEETS else -1
        headers = [c.header for c in SHEETS.get(self.sheet, ())]
        column = headers.index(self.column) if self.column in headers else len(headers)
        return (sheet, self.row or 0, column)


@dataclass
class TeacherRow:
    row: int
    digest: str
    id_number: str
    values: dict[str, Any]  # the non-blank cells, by Column.key
    ok: bool  # no problem in any cell of the row


@dataclass
class FactRow:
    sheet: str
    row: int
    digest: str
    values: dict[str, Any]
    ok: bool

    def key(self) -> tuple:
        """What identifies the row's fact for its teacher: (year,) or (start_date, end_date)."""
        return _fact_key(self.sheet, self.values)


@dataclass
class ImportPreview:
    """What a workbook holds and what importing it would do. `problems` empty (and rows) → it may be committed."""

    sha256: str
    teachers: list[TeacherRow] = field(default_factory=list)
    facts: dict[str, list[FactRow]] = field(default_factory=dict)
    # Data rows per sheet (blank rows not counted) and every unit code with its row, valid ID or not.
    sheet_rows: dict[str, int] = field(default_factory=dict)
    unit_refs: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column key, code)
    file_problems: list[Problem] = field(default_factory=list)  # from the cells alone (parse_workbook)
    scope_problems: list[Problem] = field(default_factory=list)  # against the database and the scope
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per kind: rows/created/changed/unchanged
    checked: bool = False

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.file_problems + self.scope_problems, key=Problem.sort_key)

    @property
    def row_count(self) -> int:
        return sum(self.sheet_rows.values())

    @property
    def ok(self) -> bool:
        return self.checked and not self.problems and self.row_count > 0


@dataclass(frozen=True)
class ImportResult:
    counts: dict[str, dict[str, int]]
    evaluations: dict[str, int]

    @property
    def created(self) -> int:
        return sum(c["created"] for c in self.counts.values())

    @property
    def changed(self) -> int:
        return sum(c["changed"] for c in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(c["unchanged"] for c in self.counts.values())

    def as_dict(self) -> dict:
        return {"created": self.created, "changed": self.changed, "unchanged": self.unchanged,
                "counts": self.counts, "evaluations": self.evaluations}


COUNT_LABELS = {"teachers": gettext_lazy("教师"), "certificates": gettext_lazy("教师资格证书"),
                "assessments": gettext_lazy("年度考核"), "training": gettext_lazy("培训学时"),
                "interruptions": gettext_lazy("中断教学")}
_FACT_KINDS = {ASSESSMENT_SHEET: "assessments", TRAINING_SHEET: "training", INTERRUPTION_SHEET: "interruptions"}


# --- Cells -------------------------------------------------------------------------------------------


class _CellError(Exception):
    pass


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _excel_general(number: float) -> str:
    """A big number as Excel's General format shows it: 5.00114E+17."""
    mantissa, exponent = f"{number:.5E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


def _text(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"  # i18n: data (what people type in the file's cells)
    if _is_number(value):
        return str(int(value)) if float(value).is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _numeric_identifier(value, label: str) -> str:
    """The security-tests §59 wording; `label` is the column's heading in the file, e.g. 身份证号码."""
    column = label.removesuffix("码")  # i18n: data (身份证号码 → the 身份证号 column)
    return _("%(label)s被存成了数字（如 %(number)s），会丢失末几位。请将%(column)s列设置为文本格式后重新填写") % {
        "label": label, "number": _excel_general(float(value)), "column": column}


_DATE_TEXT = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_CODE = re.compile(r"[0-9A-Za-z]{1,20}")
_PHONE = re.compile(r"1[0-9]{10}|[0-9]{3,4}-?[0-9]{7,8}(-[0-9]{1,6})?")


def _convert(column: Column, value, today: date):
    """The cell's value for the model, or _CellError with the message to show."""
    kind = column.kind
    if kind == "id":
        if _is_number(value):
            raise _CellError(_numeric_identifier(value, "身份证号码"))  # i18n: data (the import file's heading)
        number = normalise(_text(value))
        issues = validate_resident_id(number, not_after=today)
        if issues:
            raise _CellError("；".join(i.message for i in issues))
        return number
    if kind == "cert":
        if _is_number(value):
            raise _CellError(_numeric_identifier(value, "教师资格证书号码"))  # i18n: data (the import file's heading)
        number = normalise(_text(value))
        issues = validate_certificate_number(number, round_year=today.year)
        if issues:
            raise _CellError("；".join(i.message for i in issues))
        return number
    if kind == "text":
        text = _text(value)
        if column.max_length and len(text) > column.max_length:
            raise _CellError(ngettext("不能超过 %(count)s 个字", "不能超过 %(count)s 个字", column.max_length)
                             % {"count": column.max_length})
        return text
    if kind == "code":
        text = _fold(_text(value))
        if column.key == "seconded_code" and text == "无":  # i18n: data (what people type in the file's cells)
            return ""
        if not _CODE.fullmatch(text):
            raise _CellError(_("机构代码应为数字或字母"))
        return text
    if kind == "phone":
        text = _fold(_text(value))
        if not _PHONE.fullmatch(text):
            raise _CellError(_("应为 11 位手机号码（固定电话写作 023-12345678）"))
        return text
    if kind == "email":
        text = _fold(_text(value))
        try:
            validate_email(text)
        except ValidationError as exc:
            raise _CellError(_("电子邮箱格式不正确")) from exc
        if len(text) > 254:
            raise _CellError(_("电子邮箱过长"))
        return text
    if kind in ("enum", "bool"):
        mapping, shown = column.choices
        if kind == "bool" and isinstance(value, bool):
            return value
        folded = _fold(_text(value))
        if folded not in mapping:
            raise _CellError(_("“%(value)s”不是可选值，应为：%(choices)s") % {"value": _text(value)[:20],
                                                                       "choices": "、".join(shown)})
        return mapping[folded]
    if kind == "date":
        return _date(value, today)
    if kind == "year":
        year = _integer(value, strip="年")  # i18n: data (what people type in the file's cells)
        if year is None or not EARLIEST_YEAR <= year <= today.year:
            raise _CellError(_("年度应为 %(first)s–%(last)s 之间的四位年份") % {"first": EARLIEST_YEAR, "last": today.year})
        return year
    if kind == "hours":
        hours = _integer(value, strip="学时")  # i18n: data (what people type in the file's cells)
        if hours is None or not 0 <= hours <= MAX_HOURS_PER_YEAR:
            raise _CellError(_("学时应为 0–%(max)s 之间的整数") % {"max": MAX_HOURS_PER_YEAR})
        return hours
    raise AssertionError(kind)  # pragma: no cover - a typo in SHEETS


def _integer(value, *, strip: str) -> int | None:
    if _is_number(value):
        return int(value) if float(value).is_integer() else None
    text = _fold(_text(value)).removesuffix(strip)
    return int(text) if text.isdigit() and len(text) <= 6 else None


def _date(value, today: date) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        match = _DATE_TEXT.fullmatch(_fold(_text(value))) if isinstance(value, str) else None
        if match is None:
            raise _CellError(_("应为日期：Excel 日期，或 YYYY-MM-DD 格式的文本（如 2015-09-01）"))
        try:
            value = date(*(int(part) for part in match.groups()))
        except ValueError as exc:
            raise _CellError(_("“%(value)s”不是有效日期") % {"value": _text(value)}) from exc
    if value < EARLIEST_DATE:
        raise _CellError(_("日期不能早于 %(year)s 年") % {"year": EARLIEST_DATE.year})
    if value > today:
        raise _CellError(_("日期不能晚于今天"))
    return value


# --- Reading a workbook ------------------------------------------------------------------------------


UNREADABLE = gettext_lazy("无法读取该 Excel 文件，请确认文件未损坏并另存为 .xlsx 后重试")


def parse_workbook(data: bytes, *, today: date | None = None) -> ImportPreview:
    """Check the container, read the four sheets and every cell; no database access but the ID digest key.

    Raises ImportRefused when the file itself is refused; row problems are collected, all of them.
    """
    check_container(data)
    today = today or timezone.localdate()
    preview = ImportPreview(sha256=hashlib.sha256(data).hexdigest(), facts={s: [] for s in SHEETS if s != TEACHER_SHEET})
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        found = {name.strip(): name for name in book.sheet_names}
        tables = {}
        for sheet in SHEETS:
            if sheet not in found:
                continue
            ws = book.get_sheet_by_name(found[sheet])
            if ws.total_height > MAX_ROWS + 1:
                raise ImportRefused(gettext_lazy("「%(sheet)s」超过 %(count)s 行，请分批导入"),
                                    params={"sheet": sheet, "count": MAX_ROWS}, code="too_many_rows")
            # skip_empty_area=False: row 1 of the list is row 1 of the sheet, so row numbers match Excel.
            tables[sheet] = ws.to_python(skip_empty_area=False)
    except ImportRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise ImportRefused(UNREADABLE, code="unreadable") from exc
    if not tables:
        preview.file_problems.append(Problem("", None, None, _("没有找到「教师」「年度考核」「培训学时」「中断教学」中的任何一个工作表，"
                                                              "请使用导入模板")))
        return preview
    for sheet, rows in tables.items():
        _parse_sheet(preview, sheet, rows, today)
    if preview.row_count == 0 and not preview.file_problems:
        preview.file_problems.append(Problem("", None, None, _("工作簿中没有可导入的数据行")))
    return preview


def _header_name(value) -> str:
    text = _fold(_text(value)).rstrip("*")
    return re.split(r"[(（]", text, maxsplit=1)[0]


# The cell checks, shared with the data-exchange import (tqr/exchange): same rules, same messages.
CellError = _CellError
convert_cell = _convert
numeric_identifier = _numeric_identifier
is_blank = _is_blank
fold = _fold
header_name = _header_name


def _parse_sheet(preview: ImportPreview, sheet: str, rows: list[list], today: date) -> None:
    columns = SHEETS[sheet]
    header = rows[0] if rows else []
    positions = {}
    for index, cell in enumerate(header):
        name = _header_name(cell)
        if name and name not in positions:
            positions[name] = index
    missing = [c for c in columns if c.required and c.header not in positions]
    for column in missing:
        preview.file_problems.append(Problem(sheet, 1, column.header, _("缺少此列，请使用导入模板的表头")))
    if missing:
        return
    present = [(c, positions[c.header]) for c in columns if c.header in positions]
    duplicates = DuplicateRows()
    for offset, cells in enumerate(rows[1:], start=2):
        if all(_is_blank(v) for v in cells):
            continue
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for column, index in present:
            value = cells[index] if index < len(cells) else None
            if _is_blank(value):
                if column.required:
                    problems.append(Problem(sheet, offset, column.header, _("必填，不能为空")))
                continue
            try:
                values[column.key] = _convert(column, value, today)
            except _CellError as exc:
                problems.append(Problem(sheet, offset, column.header, str(exc)))
        if sheet == TEACHER_SHEET:
            problems += _teacher_row_problems(sheet, offset, values)
        elif sheet == INTERRUPTION_SHEET:
            start, end = values.get("start_date"), values.get("end_date")
            if start and end and end < start:
                problems.append(Problem(sheet, offset, "结束日期", _("结束日期早于开始日期")))  # i18n: data (the import file's heading)
        id_number = values.get("id_number")
        if id_number is not None:
            key = (id_number,) if sheet == TEACHER_SHEET else (id_number, *_fact_key(sheet, values))
            if message := duplicates.check(key, offset, _DUPLICATE_ROW[sheet]):
                problems.append(Problem(sheet, offset, "身份证号码", message))  # i18n: data (the import file's heading)
        preview.file_problems += problems
        preview.sheet_rows[sheet] = preview.sheet_rows.get(sheet, 0) + 1
        if sheet == TEACHER_SHEET:
            preview.unit_refs += [(offset, key, values[key]) for key in ("unit_code", "seconded_code") if values.get(key)]
        if id_number is None:
            continue
        ok = not problems
        if sheet == TEACHER_SHEET:
            preview.teachers.append(TeacherRow(offset, digest(id_number), id_number, values, ok))
        else:
            preview.facts[sheet].append(FactRow(sheet, offset, digest(id_number), values, ok))
    if sheet == TEACHER_SHEET:
        _check_duplicate_certificates(preview, sheet)


SAME_TEACHER_YEAR = gettext_lazy("与第%(row)s行重复（同一教师、同一年度只能有一行）")
_DUPLICATE_ROW = {
    TEACHER_SHEET: gettext_lazy("与第%(row)s行重复（身份证号码只能有一行）"),
    ASSESSMENT_SHEET: SAME_TEACHER_YEAR,
    TRAINING_SHEET: SAME_TEACHER_YEAR,
    INTERRUPTION_SHEET: gettext_lazy("与第%(row)s行重复（同一教师、同一起止日期只能有一行）"),
}


class DuplicateRows:
    """The duplicate-row check shared by every import: the first row of each key wins, a later row with the
    same key is a problem naming that first row. Keys with a None in them (a cell that failed) are skipped."""

    def __init__(self) -> None:
        self.first_row: dict[tuple, int] = {}

    def check(self, key: tuple, row: int, message) -> str | None:
        """None for a new key; else the message for `row`: `message` (a msgid with a %(row)s placeholder for the
        first row, e.g. SAME_TEACHER_YEAR) → 与第3行重复（同一教师、同一年度只能有一行）."""
        if key in self.first_row:
            return message % {"row": self.first_row[key]}
        if None not in key:
            self.first_row[key] = row
        return None


def _fact_key(sheet: str, values: dict) -> tuple:
    if sheet == INTERRUPTION_SHEET:
        return (values.get("start_date"), values.get("end_date"))
    return (values.get("year"),)


def _teacher_row_problems(sheet: str, row: int, values: dict) -> list[Problem]:
    """Cross-cell rules of a 教师 row: the certificate's columns go together and agree with its number."""
    problems = []
    cert_columns = {"cert_subject": "证书任教学科", "certifying_body": "认定机构", "cert_issue_date": "证书签发日期"}  # i18n: data (the import file's heading)
    number = values.get("cert_number")
    if number is None:
        if any(k in values for k in (*cert_columns, "cert_type")):
            problems.append(Problem(sheet, row, "教师资格证书号码", _("填写了证书信息，但没有填写证书号码")))  # i18n: data (the import file's heading)
        return problems
    for key, header in cert_columns.items():
        if key not in values:
            problems.append(Problem(sheet, row, header, _("填写证书号码时必填")))
    info = decode_certificate(number)
    if info.legacy:
        if "cert_type" not in values:
            problems.append(Problem(sheet, row, "资格种类", _("旧版 15 位证书号码须填写资格种类")))  # i18n: data (the import file's heading)
    elif "cert_type" in values and values["cert_type"] != info.type:
        label = CertificateType(info.type).label if info.type else info.type_digit
        message = _("与证书号码第 10 位（%(digit)s：%(label)s）不一致") % {"digit": info.type_digit, "label": label}
        problems.append(Problem(sheet, row, "资格种类", message))  # i18n: data (the import file's heading)
    return problems


def _check_duplicate_certificates(preview: ImportPreview, sheet: str) -> None:
    first: dict[str, int] = {}
    for row in preview.teachers:
        number = row.values.get("cert_number")
        if number is None:
            continue
        if number in first:
            preview.file_problems.append(
                Problem(sheet, row.row, "教师资格证书号码", _("证书号码与第%(row)s行重复") % {"row": first[number]}))  # i18n: data (the import file's heading)
            row.ok = False
        else:
            first[number] = row.row


# --- Checking against the database and the scope: what a commit would write -------------------------


@dataclass
class _Plan:
    new_teachers: list[TeacherProfile] = field(default_factory=list)
    changed_teachers: dict[int, TeacherProfile] = field(default_factory=dict)
    changed_teacher_fields: set[str] = field(default_factory=set)
    creates: dict[str, list] = field(default_factory=lambda: {k: [] for k in ("certificates", *_FACT_KINDS.values())})
    updates: dict[str, list] = field(default_factory=lambda: {k: [] for k in ("certificates", *_FACT_KINDS.values())})
    affected: dict[str, TeacherProfile] = field(default_factory=dict)  # by digest
    districts: set[int] = field(default_factory=set)


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _by_chunks(queryset_for, values: Iterable) -> list:
    values = sorted(set(values), key=str)
    return [obj for chunk in _chunks(values) for obj in queryset_for(chunk)]


def check_preview(preview: ImportPreview, *, scope_units) -> ImportPreview:
    """Add what only the database can tell — scope, teachers and certificates already known elsewhere — and
    the counts of what a commit would create and change. Reads only."""
    _plan(preview, scope_units)
    return preview


def preview_import(data: bytes, *, scope_units, filename: str | None = None) -> ImportPreview:
    """Step 1: every check, nothing written."""
    if filename is not None:
        check_filename(filename)
    return check_preview(parse_workbook(data), scope_units=scope_units)


_OPTIONAL_TEACHER_KEYS = ("title", "phone", "email", "on_payroll", "in_post", "hire_date", "new_teacher",
                          "probation_passed", "pre_service_training_done", "special_post", "ethics", "health")


def _teacher_target(row: TeacherRow, by_code: dict[str, Organisation]) -> dict[str, Any]:
    """The row as TeacherProfile field values. A blank optional cell is left out: a new teacher gets the
    model's default, an existing one keeps what it has."""
    v = row.values
    target = {
        "name": v["name"], "gender": resident_id_gender(row.id_number),
        "birth_date": resident_id_birth_date(row.id_number), "unit_id": by_code[v["unit_code"]].pk,
        "post_level": v["post_level"], "subject": v["subject"],
    }
    target.update({k: v[k] for k in _OPTIONAL_TEACHER_KEYS if k in v})
    if "seconded_code" in v:
        target["seconded_from_id"] = by_code[v["seconded_code"]].pk if v["seconded_code"] else None
    return target


def _changes(obj, target: Mapping[str, Any]) -> list[str]:
    return [name for name, value in target.items() if getattr(obj, name) != value]


def _plan(preview: ImportPreview, scope_units) -> _Plan:
    """What a commit writes, with the problems only the database can tell. Sets the preview's scope problems
    and counts. A handful of queries whatever the number of rows (one per kind of row, in chunks)."""
    scope = {u.pk: u for u in scope_units}
    by_code = {u.code: u for u in scope.values()}
    plan, problems = _Plan(), []
    counts = {kind: Counter(rows=0, created=0, changed=0, unchanged=0) for kind in COUNT_LABELS}
    counts["teachers"]["rows"] = preview.sheet_rows.get(TEACHER_SHEET, 0)
    counts["certificates"]["rows"] = sum(1 for r in preview.teachers if "cert_number" in r.values)
    for sheet, kind in _FACT_KINDS.items():
        counts[kind]["rows"] = preview.sheet_rows.get(sheet, 0)

    # Unit codes: only units in the importer's scope (both the post's unit and a lending unit).
    unknown = sorted({code for _row, _key, code in preview.unit_refs} - by_code.keys())
    known_elsewhere = set(Organisation.objects.filter(code__in=unknown).values_list("code", flat=True)) if unknown else set()
    headers = {"unit_code": "任教单位代码", "seconded_code": "借出单位代码"}  # i18n: data (the import file's heading)
    blocked_rows = set()
    for row, key, code in preview.unit_refs:
        if code not in by_code:
            message = (_("机构代码 %(code)s 不在您的管理范围") if code in known_elsewhere
                       else _("机构代码 %(code)s 不存在，请核对")) % {"code": code}
            problems.append(Problem(TEACHER_SHEET, row, headers[key], message))
            blocked_rows.add(row)

    # Teachers: one lookup by digest for the 教师 rows and the other sheets' rows together.
    digests = {r.digest for r in preview.teachers} | {f.digest for rows in preview.facts.values() for f in rows}
    existing = {t.id_digest: t for t in _by_chunks(
        lambda chunk: TeacherProfile.objects.filter(id_digest__in=chunk).defer("id_number"), digests)}
    old_seconded: set[int] = set()
    planned: dict[str, TeacherProfile] = {}
    planned_rows: list[tuple[TeacherRow, TeacherProfile]] = []
    for r in preview.teachers:
        current = existing.get(r.digest)
        if current is not None and current.unit_id not in scope:
            # Never silently moved: a transfer between schools outside the importer's scope is the district's.
            problems.append(Problem(TEACHER_SHEET, r.row, "身份证号码",  # i18n: data (the import file's heading)
                                    _("该教师已在您管理范围以外的单位登记，不能导入或调入。如系教师调动，请联系区县教委处理")))
            continue
        if not r.ok or r.row in blocked_rows:
            continue
        target = _teacher_target(r, by_code)
        if current is None:
            teacher = TeacherProfile(**target)
            teacher.set_id_number(r.id_number)
            plan.new_teachers.append(teacher)
            counts["teachers"]["created"] += 1
            plan.affected[r.digest] = teacher
        else:
            teacher, changed = current, _changes(current, target)
            if changed:
                plan.districts.add(scope[current.unit_id].parent_id)
                if current.seconded_from_id:
                    old_seconded.add(current.seconded_from_id)
                for name in changed:
                    setattr(teacher, name, target[name])
                plan.changed_teachers[teacher.pk] = teacher
                plan.changed_teacher_fields.update(changed)
                counts["teachers"]["changed"] += 1
                plan.affected[r.digest] = teacher
            else:
                counts["teachers"]["unchanged"] += 1
        planned[r.digest] = teacher
        planned_rows.append((r, teacher))

    _plan_certificates(plan, planned_rows, counts, problems)
    _plan_facts(plan, preview, planned, existing, scope, counts, problems)

    for teacher in plan.affected.values():
        plan.districts.add(scope[teacher.unit_id].parent_id)
        if teacher.seconded_from_id in scope:
            plan.districts.add(scope[teacher.seconded_from_id].parent_id)
        elif teacher.seconded_from_id:
            old_seconded.add(teacher.seconded_from_id)
    if old_seconded:
        plan.districts.update(Organisation.objects.filter(pk__in=old_seconded).values_list("parent_id", flat=True))
    plan.districts.discard(None)

    preview.scope_problems = problems
    preview.counts = {kind: dict(c) for kind, c in counts.items()}
    preview.checked = True
    return plan


def _plan_certificates(plan: _Plan, planned_rows, counts, problems) -> None:
    numbers = [r.values["cert_number"] for r, _teacher in planned_rows if "cert_number" in r.values]
    existing = {c.number: c for c in _by_chunks(lambda chunk: Certificate.objects.filter(number__in=chunk), numbers)}
    for r, teacher in planned_rows:
        number = r.values.get("cert_number")
        if number is None:
            continue
        target = {"cert_type": r.values.get("cert_type") or decode_certificate(number).type,
                  "subject": r.values["cert_subject"], "certifying_body": r.values["certifying_body"],
                  "issue_date": r.values["cert_issue_date"]}
        cert = existing.get(number)
        if cert is not None and (teacher.pk is None or cert.teacher_id != teacher.pk):
            problems.append(Problem(TEACHER_SHEET, r.row, "教师资格证书号码", _("该证书号码已登记在另一位教师名下，请核对")))  # i18n: data (the import file's heading)
            continue
        if cert is None:
            plan.creates["certificates"].append(Certificate(teacher=teacher, number=number, **target))
            counts["certificates"]["created"] += 1
        elif changed := _changes(cert, target):
            for name in changed:
                setattr(cert, name, target[name])
            plan.updates["certificates"].append(cert)
            counts["certificates"]["changed"] += 1
        else:
            counts["certificates"]["unchanged"] += 1
            continue
        plan.affected.setdefault(r.digest, teacher)


_FACT_MODELS = {
    ASSESSMENT_SHEET: (AnnualAssessment, ("grade",)),
    TRAINING_SHEET: (TrainingRecord, ("hours",)),
    INTERRUPTION_SHEET: (Interruption, ("approved", "note")),
}


def _fact_target(row: FactRow) -> dict[str, Any]:
    if row.sheet == INTERRUPTION_SHEET:
        # The row is the whole truth about the interruption: blank 批准事由 means 未经批准.
        return {"approved": row.values.get("approved", ""), "note": row.values.get("note", "")}
    field_name = _FACT_MODELS[row.sheet][1][0]
    return {field_name: row.values[field_name]}


def _plan_facts(plan: _Plan, preview: ImportPreview, planned, existing, scope, counts, problems) -> None:
    sheet_digests = {r.digest for r in preview.teachers}
    teachers = dict(planned)
    for rows in preview.facts.values():
        for f in rows:
            if f.digest in sheet_digests:
                continue  # its 教师 row decides; a problem there is already listed
            current = existing.get(f.digest)
            if current is None or current.unit_id not in scope:
                problems.append(Problem(f.sheet, f.row, "身份证号码",  # i18n: data (the import file's heading)
                                        _("该身份证号码既不在「教师」工作表中，也不是您管理范围内已登记的教师")))
            else:
                teachers.setdefault(f.digest, current)
    teacher_ids = [t.pk for t in teachers.values() if t.pk is not None]
    for sheet, (model, _fields) in _FACT_MODELS.items():
        kind = _FACT_KINDS[sheet]
        known = {}
        for obj in _by_chunks(lambda chunk, m=model: m.objects.filter(teacher_id__in=chunk).order_by("pk"), teacher_ids):
            key = (obj.teacher_id, obj.start_date, obj.end_date) if sheet == INTERRUPTION_SHEET else (obj.teacher_id, obj.year)
            known.setdefault(key, obj)
        for f in preview.facts.get(sheet, []):
            teacher = teachers.get(f.digest)
            if teacher is None or not f.ok:
                continue
            target = _fact_target(f)
            current = known.get((teacher.pk, *f.key())) if teacher.pk is not None else None
            if current is None:
                plan.creates[kind].append(model(teacher=teacher, **dict(zip(_fact_fields(sheet), f.key(), strict=True)),
                                                **target))
                counts[kind]["created"] += 1
            elif changed := _changes(current, target):
                for name in changed:
                    setattr(current, name, target[name])
                plan.updates[kind].append(current)
                counts[kind]["changed"] += 1
            else:
                counts[kind]["unchanged"] += 1
                continue
            plan.affected.setdefault(f.digest, teacher)


def _fact_fields(sheet: str) -> tuple[str, ...]:
    return ("start_date", "end_date") if sheet == INTERRUPTION_SHEET else ("year",)


# --- Step 2: the commit ------------------------------------------------------------------------------


def _write(plan: _Plan) -> None:
    TeacherProfile.objects.bulk_create(plan.new_teachers, batch_size=500)
    if plan.changed_teachers:
        now = timezone.now()
        for teacher in plan.changed_teachers.values():
            teacher.updated_at = now
        TeacherProfile.objects.bulk_update(list(plan.changed_teachers.values()),
                                           sorted(plan.changed_teacher_fields | {"updated_at"}), batch_size=500)
    models = {"certificates": (Certificate, CERT_FIELDS)} | {
        _FACT_KINDS[sheet]: spec for sheet, spec in _FACT_MODELS.items()}
    for kind, (model, fields) in models.items():
        # Facts of new teachers point at unsaved instances; bulk_create takes their new ids.
        model.objects.bulk_create(plan.creates[kind], batch_size=500)
        if plan.updates[kind]:
            model.objects.bulk_update(plan.updates[kind], list(fields), batch_size=500)


def _evaluate(plan: _Plan) -> dict[str, int]:
    """The rules' view of the affected teachers (and only them) in the latest round of each district they
    belong to."""
    from tqr.campaigns.evaluation import evaluate_round
    from tqr.campaigns.models import Round

    totals: Counter = Counter()
    ids = [t.pk for t in plan.affected.values()]
    if not ids:
        return {}
    for district_id in sorted(plan.districts):
        round_ = Round.objects.filter(district_id=district_id).order_by("-year").first()
        if round_ is not None:
            totals.update(evaluate_round(round_, teacher_ids=ids))
    return dict(totals)


def import_commit(*, preview_or_data: ImportPreview | bytes, scope_units, actor) -> ImportResult:
    """Step 2: write every row in one transaction, or nothing (ImportRejected) when any row has a problem.

    The checks against the database run again inside the transaction, so a preview made earlier cannot
    commit what has since become a problem. Audited as `import.teachers` with the counts.
    """
    if isinstance(preview_or_data, bytes | bytearray):
        preview = parse_workbook(bytes(preview_or_data))
    else:
        preview = preview_or_data
    try:
        with transaction.atomic():
            plan = _plan(preview, scope_units)
            if not preview.ok:
                raise ImportRejected(preview)
            _write(plan)
            evaluations = _evaluate(plan)
            result = ImportResult(counts=preview.counts, evaluations=evaluations)
            record("import.teachers", actor=actor, data={
                "sha256": preview.sha256, "created": result.created, "changed": result.changed,
                "unchanged": result.unchanged, "counts": result.counts, "evaluations": evaluations,
            })
    except ImportRejected:
        record("import.teachers", actor=actor, result=AuditEvent.Result.FAIL,
               data={"sha256": preview.sha256, "problems": len(preview.problems), "rows": preview.row_count})
        raise
    except IntegrityError as exc:
        # Someone else imported the same teacher or certificate between our check and our write.
        record("import.teachers", actor=actor, result=AuditEvent.Result.CONFLICT, data={"sha256": preview.sha256})
        raise ImportRefused(gettext_lazy("导入时数据已被他人同时修改（例如同时导入了相同的教师），未导入任何数据。请重新上传"),
                            code="conflict") from exc
    return result


# --- Between the steps: the uploaded bytes, kept for their owner --------------------------------------

_TOKEN = re.compile(r"[0-9a-f]{32}")


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _sweep(directory: Path) -> None:
    """Delete uploads nobody committed within UPLOAD_TTL."""
    limit = time.time() - UPLOAD_TTL.total_seconds()
    for path in directory.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                discard_upload(path.stem)
        except OSError:
            continue


def _fernet() -> Fernet:
    # The workbook holds resident IDs in clear: encrypted at rest like the ID column (PIPL Art. 51), with a
    # key of its own derived from the field key.
    key = hashlib.sha256(b"tqr-import-upload:" + settings.FIELD_ENCRYPTION_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def stash_upload(data: bytes, *, user, filename: str = "", rows: int = 0) -> str:
    """Keep the bytes (encrypted) for the commit; returns the token that names them (a UUID, no path in it)."""
    directory = _upload_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(directory)
    token = uuid.uuid4().hex
    path = directory / f"{token}.xlsx"
    path.write_bytes(_fernet().encrypt(data))
    path.chmod(0o600)
    meta = {"user": user.pk, "created": time.time(), "sha256": hashlib.sha256(data).hexdigest(),
            "filename": safe_filename(filename) if filename else "", "rows": rows}
    (directory / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def upload_meta(token: str) -> dict:
    """What was recorded beside the bytes (owner, time, digest, file name, data rows); {} when unknown."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return {}
    try:
        meta = json.loads((_upload_dir() / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def load_upload(token: str, *, user) -> bytes:
    """The bytes behind a token of this user; UploadNotFound otherwise (foreign=True: another user's)."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise UploadNotFound
    directory = _upload_dir()
    try:
        meta = json.loads((directory / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UploadNotFound from exc
    if meta.get("user") != user.pk:
        raise UploadNotFound(foreign=True)
    if time.time() - meta.get("created", 0) > UPLOAD_TTL.total_seconds():
        discard_upload(token)
        raise UploadNotFound
    try:
        data = _fernet().decrypt((directory / f"{token}.xlsx").read_bytes())
    except (OSError, InvalidToken) as exc:
        raise UploadNotFound from exc
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise UploadNotFound
    return data


def discard_upload(token: str) -> None:
    if _TOKEN.fullmatch(token):
        for suffix in (".xlsx", ".json"):
            (_upload_dir() / f"{token}{suffix}").unlink(missing_ok=True)


# --- What the page and the API call --------------------------------------------------------------------


def import_upload(*, upload, actor) -> tuple[ImportPreview, str | None]:
    """Step 1 for the page and the API: check and preview an uploaded file (a Django UploadedFile).

    Returns the preview and, when it can be committed, the token to commit it with. A refused file is
    audited (`import.refused`) and raises ImportRefused.
    """
    from tqr.accounts.permissions import visible_units

    name = safe_filename(upload.name or "")
    try:
        check_filename(upload.name or "")
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise too_large()
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        preview = preview_import(data, scope_units=visible_units(actor))
    except ImportRefused as exc:
        record("import.refused", actor=actor, result=AuditEvent.Result.DENIED,
               data={"reason": exc.code, "filename": name, "bytes": upload.size})
        raise
    token = stash_upload(data, user=actor, filename=name, rows=preview.row_count) if preview.ok else None
    record("import.preview", actor=actor, data={"sha256": preview.sha256, "filename": name, "rows": preview.row_count,
                                                "problems": len(preview.problems), "counts": preview.counts})
    return preview, token


def import_commit_upload(*, token: str, actor) -> ImportResult:
    """Step 2 for the page and the API: commit the bytes kept under `token` (this user's only), then
    delete them. Raises UploadNotFound, ImportRejected or ImportRefused."""
    from tqr.accounts.permissions import visible_units

    data = load_upload(token, user=actor)
    try:
        return import_commit(preview_or_data=data, scope_units=visible_units(actor), actor=actor)
    finally:
        discard_upload(token)


def import_commit_or_queue(*, token: str, actor):
    """Step 2 as the page and the API call it: a file of up to TQR_IMPORT_SYNC_ROWS rows is committed now
    and its ImportResult returned; a larger one becomes a background job (kind `teacher_import`) whose page
    shows the progress, and the Job is returned. Raises what import_commit_upload raises."""
    from tqr.core.jobs import job_start

    rows = int(upload_meta(token).get("rows") or 0)
    if rows <= settings.TQR_IMPORT_SYNC_ROWS:
        return import_commit_upload(token=token, actor=actor)
    load_upload(token, user=actor)  # this user's upload, still there (UploadNotFound otherwise)
    with translation.override(settings.LANGUAGE_CODE):  # kept on the job for every reader: the system's language
        label = ngettext("导入教师数据（%(count)s 行）", "导入教师数据（%(count)s 行）", rows) % {"count": rows}
        filename = _("导入结果.txt")
    return job_start(kind="teacher_import", label=label, owner=actor, params={"token": token}, filename=filename)


def import_template_for(actor) -> bytes:
    """The template with the importer's first unit in the example row, so that it imports as it is."""
    from tqr.accounts.permissions import visible_units
    from tqr.teachers.import_template import EXAMPLE_UNIT_CODE, template_xlsx

    unit = visible_units(actor).order_by("code").first()
    record("file.download", actor=actor, data={"file": "teacher_import_template"})
    return template_xlsx(unit.code if unit else EXAMPLE_UNIT_CODE)
