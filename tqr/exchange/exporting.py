"""Exporting a round's conclusions for the national system's bulk upload (全国教师资格管理信息系统).

The district chooses the columns (header text + a field key from FIELDS) and the date format in its
`ExportLayout`; without one, DEFAULT_LAYOUT applies. Both are documented in docs/exchange.md — keep them
in step. The export carries the full resident ID (the national system matches on it), so only the round's
district staff may make it, and each one is audited as a full-ID export (`pii.export_full_id`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tqr.audit.services import record
from tqr.documents.xlsx import XLSX_TYPE, build_xlsx, safe_cell
from tqr.exchange.models import ExportLayout

# Every field a column can show, with the header it gets by default (the documented list).
FIELDS: dict[str, str] = {
    "id_type": "证件类型",  # i18n: data (national format heading)
    "id_number": "证件号码",  # i18n: data (national format heading)
    "name": "姓名",  # i18n: data (national format heading)
    "gender": "性别",  # i18n: data (national format heading)
    "birth_date": "出生日期",  # i18n: data (national format heading)
    "certificate_number": "教师资格证书号码",  # i18n: data (national format heading)
    "cert_type": "资格种类",  # i18n: data (national format heading)
    "cert_subject": "证书任教学科",  # i18n: data (national format heading)
    "certifying_body": "认定机构",  # i18n: data (national format heading)
    "registration_kind": "注册类型",  # i18n: data (national format heading)
    "conclusion": "注册结论",  # i18n: data (national format heading)
    "conclusion_reason": "结论理由",  # i18n: data (national format heading)
    "valid_from": "注册有效期起",  # i18n: data (national format heading)
    "valid_until": "注册有效期止",  # i18n: data (national format heading)
    "school": "任教学校",  # i18n: data (national format heading)
    "school_code": "学校机构代码",  # i18n: data (national format heading)
    "post_level": "任教学段",  # i18n: data (national format heading)
    "subject": "任教学科",  # i18n: data (national format heading)
    "registration_body": "注册机构",  # i18n: data (national format heading)
    "application_number": "申请编号",  # i18n: data (national format heading)
    "round_year": "注册年度",  # i18n: data (national format heading)
    "state": "办理状态",  # i18n: data (national format heading)
    "training_hours": "培训学时",  # i18n: data (national format heading)
}
DATE_FIELDS = {"birth_date", "valid_from", "valid_until"}
DEFAULT_LAYOUT: tuple[tuple[str, str], ...] = (
    ("证件类型", "id_type"), ("证件号码", "id_number"), ("姓名", "name"), ("性别", "gender"),  # i18n: data (national format heading)
    ("出生日期", "birth_date"), ("教师资格证书号码", "certificate_number"), ("资格种类", "cert_type"),  # i18n: data (national format heading)
    ("注册类型", "registration_kind"), ("注册结论", "conclusion"), ("注册有效期起", "valid_from"),  # i18n: data (national format heading)
    ("注册有效期止", "valid_until"), ("任教学校", "school"), ("注册机构", "registration_body"),  # i18n: data (national format heading)
)
MAX_COLUMNS = 60
# The language of the exported file: the national system reads its headings and values in Chinese, whatever
# language the page that made it was shown in.
FILE_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Layout:
    columns: tuple[tuple[str, str], ...]  # (header, field key)
    date_format: str = ExportLayout.DateFormat.ISO
    csv_encoding: str = ExportLayout.Encoding.UTF8
    is_default: bool = False


def layout_for(district) -> Layout:
    saved = ExportLayout.objects.filter(district=district).first()
    if saved is None or not saved.columns:
        return Layout(DEFAULT_LAYOUT, is_default=True)
    return Layout(tuple((c["header"], c["field"]) for c in saved.columns), saved.date_format, saved.csv_encoding)


def parse_columns(text: str) -> list[tuple[str, str]]:
    """The editor's text, one column a line as `表头 = field_key` (or just a field key), in order."""
    columns, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        header, _sep, key = line.rpartition("=") if "=" in line else ("", "", line)
        header, key = header.strip(), key.strip()
        if key not in FIELDS:
            errors.append(_("第%(line)s行：“%(key)s”不是可用的字段代码（见下方字段表）") % {"line": number, "key": key[:30]})
            continue
        if len(header) > 60:
            errors.append(_("第%(line)s行：表头不能超过 60 个字") % {"line": number})
            continue
        columns.append((header or FIELDS[key], key))
    if not columns and not errors:
        errors.append(_("至少需要一列"))
    if len(columns) > MAX_COLUMNS:
        errors.append(_("最多 %(count)s 列") % {"count": MAX_COLUMNS})
    if errors:
        raise ValidationError(errors)
    return columns


def columns_text(layout: Layout) -> str:
    return "\n".join(f"{header} = {key}" for header, key in layout.columns)


@transaction.atomic
def layout_save(*, district, columns: list[tuple[str, str]], date_format: str, csv_encoding: str, actor) -> ExportLayout:
    unknown = [key for _, key in columns if key not in FIELDS]
    if unknown or not columns:
        raise ValidationError(_("导出列设置有误"))
    layout, _created = ExportLayout.objects.update_or_create(district=district, defaults={
        "columns": [{"header": h, "field": k} for h, k in columns], "date_format": date_format,
        "csv_encoding": csv_encoding, "updated_by": actor})
    record("exchange.layout_save", actor=actor, obj=layout,
           data={"columns": [k for _, k in columns], "date_format": date_format, "csv_encoding": csv_encoding})
    return layout


@transaction.atomic
def layout_reset(*, district, actor) -> None:
    deleted, _by_model = ExportLayout.objects.filter(district=district).delete()
    if deleted:
        record("exchange.layout_reset", actor=actor, obj=district)


# --- The rows: plain data, one dict of FIELDS per application with a conclusion ---------------------------


def conclusion_count(round_) -> int:
    return round_.applications.exclude(conclusion="").count()


def conclusion_rows(round_) -> list[dict]:
    from tqr.applications.models import Application
    from tqr.teachers.models import RegistrationRecord

    apps = (Application.objects.filter(round=round_).exclude(conclusion="")
            .select_related("unit", "registration_body", "round").order_by("unit__code", "name", "pk"))
    registrations = {r.teacher_id: r for r in RegistrationRecord.objects.filter(round=round_)}
    rows = []
    for app in apps:
        reg = registrations.get(app.teacher_id)
        kind = reg.kind if reg else (app.evaluation or {}).get("kind", "")
        rows.append({
            "id_type": app.get_id_type_display(), "id_number": app.id_number, "name": app.name,
            "gender": app.get_gender_display(), "birth_date": app.birth_date,
            "certificate_number": app.certificate_number, "cert_type": app.get_cert_type_display(),
            "cert_subject": app.cert_subject, "certifying_body": app.certifying_body,
            "registration_kind": _kind_label(kind), "conclusion": app.get_conclusion_display(),
            "conclusion_reason": app.conclusion_reason, "valid_from": reg.valid_from if reg else None,
            "valid_until": reg.valid_until if reg else None, "school": app.unit.name if app.unit else "",
            "school_code": app.unit.code if app.unit else "", "post_level": app.get_post_level_display(),
            "subject": app.subject, "registration_body": app.registration_body.name if app.registration_body else "",
            "application_number": app.number, "round_year": round_.year, "state": app.state_label,
            "training_hours": app.training_hours,
        })
    return rows


def _kind_label(kind: str) -> str:
    from tqr.teachers.models import RegistrationKind

    return RegistrationKind(kind).label if kind in RegistrationKind.values else ""


def _cell(key: str, value, date_format: str):
    if value is None:
        return ""
    if key in DATE_FIELDS and isinstance(value, date):
        return value.strftime(date_format)  # text: the national template expects the date as typed
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)  # identifiers stay text, never numbers


def table(rows: list[dict], layout: Layout) -> tuple[list[str], list[list]]:
    headers = [h for h, _ in layout.columns]
    return headers, [[_cell(k, row.get(k), layout.date_format) for _, k in layout.columns] for row in rows]


def build_csv(headers: list[str], rows: list[list], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode(encoding, errors="replace")


CSV_TYPE = "text/csv"


def export_conclusions(*, round_, actor, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, filename, content type) of the round's conclusions in the district's layout; audited as a
    full-ID export. The caller has checked `exchange.export` on the round."""
    if fmt not in ("xlsx", "csv"):
        raise ValidationError(_("导出格式只能是 xlsx 或 csv"))
    layout = layout_for(round_.district)
    with translation.override(FILE_LANGUAGE):  # the values (性别, 注册结论, …) as the national system reads them
        rows = conclusion_rows(round_)
        headers, cells = table(rows, layout)
        if fmt == "xlsx":
            body, content_type = build_xlsx("注册结论", headers, cells), XLSX_TYPE  # i18n: data (the sheet's name)
        else:
            body, content_type = build_csv(headers, cells, layout.csv_encoding), f"{CSV_TYPE}; charset={layout.csv_encoding}"
    record("pii.export_full_id", actor=actor, obj=round_, data={
        "what": "exchange.conclusions", "format": fmt, "rows": len(rows),
        "full_id": any(k == "id_number" for _h, k in layout.columns), "columns": [k for _h, k in layout.columns]})
    name = _("%(year)s年注册结论（%(district)s）") % {"year": round_.year, "district": round_.district.name}
    return body, f"{name}.{fmt}", content_type
