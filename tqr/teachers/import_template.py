"""The import template (导入模板): the four sheets with their headers and one made-up example row each, the
identifier columns formatted as text, drop-down lists for the choice columns, and a 「说明」 sheet.

Built from `tqr.teachers.imports.SHEETS`, the same column list the import reads, so the two cannot drift.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import xlsxwriter
from django.utils import timezone

from tqr.rules.identifiers import make_certificate_number, make_resident_id
from tqr.teachers.imports import (
    ASSESSMENT_SHEET,
    INTERRUPTION_SHEET,
    MAX_ROWS,
    SHEETS,
    TEACHER_SHEET,
    TRAINING_SHEET,
)

EXAMPLE_UNIT_CODE = "500114001"
TEMPLATE_FILENAME = "教师数据导入模板.xlsx"

NOTES = (
    "一个工作簿包含「教师」「年度考核」「培训学时」「中断教学」四个工作表，可只填写需要的工作表；请勿修改表头和工作表名称。",
    "每个工作表的第 2 行是示例（虚构的教师），请删除后再填写。",
    "身份证号码、教师资格证书号码、机构代码、手机号码列已设置为文本格式。从其他表格粘贴时请选择“只粘贴值”；"
    "这些号码一旦存成数字，18 位号码会丢失末几位（显示为 5.00114E+17），系统将拒绝导入。",
    "红色表头为必填列。「教师」工作表中选填的格子留空时：新登记的教师取默认值，已登记的教师保持原值。",
    "再次导入时按身份证号码更新教师，按证书号码更新证书，按“身份证号码＋年度”更新年度考核和培训学时，"
    "按“身份证号码＋起止日期”更新中断教学，不会重复新增。表中没有的记录不会被删除。",
    "导入分两步：上传后系统逐行检查并列出所有问题（第几行、哪一列）；没有任何问题时才能确认导入，"
    "且要么全部导入，要么全部不导入。",
)


def example_rows(unit_code: str = EXAMPLE_UNIT_CODE, *, today: date | None = None) -> dict[str, dict]:
    """One valid, made-up row per sheet, by column key (cell values as a person would type them)."""
    today = today or timezone.localdate()
    id_number = make_resident_id("500114", date(1990, 9, 10), 201)  # a made-up man born 1990-09-10
    last_year = today.year - 1
    return {
        TEACHER_SHEET: {
            "id_number": id_number, "name": "王示例", "unit_code": unit_code, "post_level": "小学", "subject": "语文",
            "title": "一级教师", "phone": "13800000000", "email": "wang.shili@example.cn", "on_payroll": "是",
            "in_post": "是", "hire_date": date(2013, 9, 1), "new_teacher": "否", "probation_passed": "是",
            "pre_service_training_done": "是", "special_post": "否", "seconded_code": "",
            "cert_number": make_certificate_number(2013, "50", "114", 2, 1, 123), "cert_type": "小学教师资格",
            "cert_subject": "语文", "certifying_body": "重庆市黔江区教育委员会", "cert_issue_date": date(2013, 6, 30),
            "ethics": "良好", "health": "合格",
        },
        ASSESSMENT_SHEET: {"id_number": id_number, "year": last_year, "grade": "合格"},
        TRAINING_SHEET: {"id_number": id_number, "year": last_year, "hours": 72},
        INTERRUPTION_SHEET: {"id_number": id_number, "start_date": date(last_year, 3, 1),
                             "end_date": date(last_year, 4, 30), "approved": "病假", "note": "住院治疗"},
    }


def _width(column) -> int:
    if column.kind in ("id", "cert"):
        return 22
    if column.kind in ("date", "email") or column.key == "certifying_body":
        return 16 if column.kind == "date" else 24
    return max(10, len(column.header) * 2 + 4)


def template_xlsx(unit_code: str = EXAMPLE_UNIT_CODE, *, today: date | None = None) -> bytes:
    """The template as XLSX bytes; `unit_code` goes into the example row (the importer's own unit)."""
    examples = example_rows(unit_code, today=today)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    text = book.add_format({"num_format": 49})  # the built-in text format "@"
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    head = {"bold": True, "bg_color": "#F0F3F6", "border": 1, "num_format": 49}
    header = book.add_format(head)
    header_required = book.add_format({**head, "font_color": "#A4161A"})
    for sheet, columns in SHEETS.items():
        ws = book.add_worksheet(sheet)
        example = examples[sheet]
        for col, column in enumerate(columns):
            fmt = text if column.text_format else day if column.kind == "date" else None
            ws.set_column(col, col, _width(column), fmt)
            ws.write_string(0, col, column.header, header_required if column.required else header)
            value = example.get(column.key, "")
            if isinstance(value, date):
                ws.write_datetime(1, col, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, int):
                ws.write_number(1, col, value)
            elif value:
                ws.write_string(1, col, value, text if column.text_format else None)
            if column.choices is not None:
                ws.data_validation(1, col, MAX_ROWS, col, {
                    "validate": "list", "source": list(column.choices[1]), "error_type": "warning",
                    "error_title": column.header, "error_message": "请从下拉列表中选择",
                })
        ws.freeze_panes(1, 0)
    _notes_sheet(book)
    book.close()
    return buffer.getvalue()


def _notes_sheet(book) -> None:
    ws = book.add_worksheet("说明")
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True, "bg_color": "#F0F3F6", "border": 1})
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 8)
    ws.set_column(3, 3, 70, wrap)
    ws.write_string(0, 0, "教师数据导入说明", book.add_format({"bold": True, "font_size": 14}))
    row = 2
    for number, note in enumerate(NOTES, start=1):
        ws.merge_range(row, 0, row, 3, f"{number}. {note}", wrap)
        ws.set_row(row, 36)
        row += 1
    row += 1
    ws.write_row(row, 0, ["工作表", "列", "必填", "可填写的值 / 说明"], bold)
    for sheet, columns in SHEETS.items():
        for column in columns:
            row += 1
            allowed = "、".join(column.choices[1]) if column.choices is not None else ""
            explanation = "；".join(part for part in (f"可选：{allowed}" if allowed else "", column.hint) if part)
            ws.write_row(row, 0, [sheet, column.header, "是" if column.required else "", explanation])
