"""《重庆市2023年教师资格定期注册情况统计表》(附件3): counts per school or per district, as PDF and XLSX.

Seed 三（四）1: each school brings this table to the initial review; the district sums its schools into the
same table for the city. A row counts who was in scope (应注册), who applied, who was confirmed on site, who
missed the confirmation window (视为放弃, seed 三（三）) and who did not apply; the confirmed applicants are
then counted by qualification type, registration kind and initial conclusion, and the reasons behind
暂缓注册 and 不合格 are counted by rule code (D1 …, U1 …, see ``tqr.rules.codes``). Who did not apply is listed
by name on request.

The columns are declared once in ``COLUMN_GROUPS``; the PDF (A4 landscape, header rows repeated on every
page) and the XLSX (two merged header rows) are both drawn from it. Plain data in, bytes out: no ORM.

The Chongqing layout of 附件3 is not available (domain §8); this one is designed from the fields above.

Render a sample: ``python -m tqr.documents.statistics /tmp/x.pdf|/tmp/x.xlsx [--schools N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import partial
from types import MappingProxyType
from typing import NamedTuple

import xlsxwriter
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)

from tqr.rules.codes import OUTCOME_LABELS, REASONS

from .fonts import BOLD, REGULAR, markup, register_fonts
from .layout import (
    CELL_PADDING,
    FRAME,
    GRID,
    LABEL_BACKGROUND,
    MUTED,
    PAGE_MARGIN,
    SMALL_SIZE,
    Styles,
    cn_date,
    draw_seal,
    para,
    style,
)
from .xlsx import safe_cell

__all__ = [
    "COLUMN_GROUPS",
    "CONCLUSIONS",
    "QUALIFICATION_TYPES",
    "REGISTRATION_KINDS",
    "Column",
    "ColumnGroup",
    "NotAppliedTeacher",
    "StatisticsRow",
    "StatisticsTable",
    "build_statistics_pdf",
    "build_statistics_xlsx",
    "sample_statistics",
]

# Keys are the values of the model choices (PostLevel, RegistrationKind, Conclusion), labels as printed.
QUALIFICATION_TYPES = (
    ("kindergarten", "幼儿园"),
    ("primary", "小学"),
    ("junior", "初级中学"),
    ("senior", "高级中学"),
    ("vocational", "中职"),
    ("vocational_practice", "中职实习指导"),
)
REGISTRATION_KINDS = (("first", "首次注册"), ("periodic", "定期注册"), ("reapply", "暂缓后再次申请"))
CONCLUSIONS = (("qualified", "合格"), ("deferred", "暂缓注册"), ("unqualified", "不合格"), ("pending", "未定"))
_BREAKDOWNS = {
    "by_qualification": QUALIFICATION_TYPES,
    "by_kind": REGISTRATION_KINDS,
    "by_conclusion": CONCLUSIONS,
}


@dataclass(frozen=True)
class StatisticsRow:
    """One line of the table: a school (in a district's table) or a district (in the city's)."""

    label: str  # the school's or district's name
    in_scope: int = 0  # 应注册
    applied: int = 0  # 已报名
    confirmed: int = 0  # 已确认 (on-site confirmation done)
    abandoned: int = 0  # 视为放弃: applied, not confirmed in the window
    not_applied: int = 0  # 未报名
    # Counts among the confirmed, keyed like QUALIFICATION_TYPES / REGISTRATION_KINDS / CONCLUSIONS;
    # a missing key counts 0, an unknown key is refused.
    by_qualification: Mapping[str, int] = field(default_factory=dict)
    by_kind: Mapping[str, int] = field(default_factory=dict)
    by_conclusion: Mapping[str, int] = field(default_factory=dict)
    # Reasons behind 暂缓注册 and 不合格, by rule code (D1: 3); one teacher may count under several.
    reasons: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, known in _BREAKDOWNS.items():
            counts = getattr(self, name)
            unknown = set(counts) - {key for key, _ in known}
            if unknown:
                raise ValueError(f"{self.label}: unknown {name} keys {sorted(unknown)}")
            object.__setattr__(self, name, MappingProxyType(dict(counts)))  # frozen all the way down
        object.__setattr__(self, "reasons", MappingProxyType(dict(self.reasons)))
        for f in fields(self):
            value = getattr(self, f.name)
            counts = value.values() if isinstance(value, Mapping) else [value] if f.name != "label" else []
            if any(not isinstance(n, int) or n < 0 for n in counts):
                raise ValueError(f"{self.label}: {f.name} must be counts (int ≥ 0), got {value!r}")

    @classmethod
    def sum(cls, rows: tuple[StatisticsRow, ...] | list[StatisticsRow], label: str = "合计") -> StatisticsRow:
        """The row that adds up ``rows``, column by column and reason by reason."""

        def add(name: str) -> dict[str, int]:
            out: dict[str, int] = {}
            for row in rows:
                for key, n in getattr(row, name).items():
                    out[key] = out.get(key, 0) + n
            return out

        return cls(
            label=label,
            in_scope=sum(r.in_scope for r in rows),
            applied=sum(r.applied for r in rows),
            confirmed=sum(r.confirmed for r in rows),
            abandoned=sum(r.abandoned for r in rows),
            not_applied=sum(r.not_applied for r in rows),
            by_qualification=add("by_qualification"),
            by_kind=add("by_kind"),
            by_conclusion=add("by_conclusion"),
            reasons=add("reasons"),
        )


class NotAppliedTeacher(NamedTuple):
    """One teacher in scope who did not apply (未报名); a plain (name, unit, reason) tuple does as well."""

    name: str
    unit: str
    reason: str


@dataclass(frozen=True)
class StatisticsTable:
    title: str  # e.g. 重庆市2023年教师资格定期注册情况统计表
    subtitle: str  # e.g. 填报单位：重庆市黔江区中小学教师继续教育中心
    rows: tuple[StatisticsRow, ...]
    total: StatisticsRow | None = None  # None: the sum of ``rows``
    label_header: str = "学校（单位）"  # the first column's heading; 区县 in the city's table
    filled_by: str = ""  # 填表人
    phone: str = ""  # 联系电话
    filled_on: dt.date | None = None  # 日期 of the sign-off
    note: str = ""  # printed under the table
    not_applied_teachers: tuple[NotAppliedTeacher | tuple[str, str, str], ...] = ()  # 未报名名单
    # Labels of the reason codes; defaults to the rule engine's titles.
    reason_labels: Mapping[str, str] = field(default_factory=lambda: {c: r.title for c, r in REASONS.items()})

    @property
    def total_row(self) -> StatisticsRow:
        return self.total if self.total is not None else StatisticsRow.sum(self.rows)

    def reason_codes(self) -> list[str]:
        """The codes counted anywhere in the table, in the rule table's order (unknown codes last)."""
        seen = {code for row in (*self.rows, self.total_row) for code, n in row.reasons.items() if n}
        order = list(REASONS)
        return sorted(seen, key=lambda c: (order.index(c) if c in order else len(order), c))

    def reason_label(self, code: str) -> str:
        return self.reason_labels.get(code, code)


# --- the columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str  # "\n" where the narrow PDF column breaks the heading; the XLSX joins the lines
    attribute: str  # a count field of StatisticsRow, or one of its breakdowns with ``key``
    key: str | None = None

    def value(self, row: StatisticsRow) -> int:
        value = getattr(row, self.attribute)
        return value.get(self.key, 0) if self.key is not None else value

    @property
    def flat_label(self) -> str:
        return self.label.replace("\n", "")


@dataclass(frozen=True)
class ColumnGroup:
    title: str
    columns: tuple[Column, ...]


def _breakdown(attribute: str, pairs: tuple[tuple[str, str], ...], breaks: dict[str, str]) -> tuple[Column, ...]:
    return tuple(Column(breaks.get(label, label), attribute, key) for key, label in pairs)


COLUMN_GROUPS = (
    ColumnGroup("报名情况", (
        Column("应注册", "in_scope"),
        Column("已报名", "applied"),
        Column("已确认", "confirmed"),
        Column("视为\n放弃", "abandoned"),
        Column("未报名", "not_applied"),
    )),
    ColumnGroup("资格种类", _breakdown("by_qualification", QUALIFICATION_TYPES, {
        "幼儿园": "幼儿园", "初级中学": "初级\n中学", "高级中学": "高级\n中学", "中职实习指导": "中职\n实习\n指导"})),
    ColumnGroup("注册类型", _breakdown("by_kind", REGISTRATION_KINDS, {
        "首次注册": "首次\n注册", "定期注册": "定期\n注册", "暂缓后再次申请": "暂缓后\n再次\n申请"})),
    ColumnGroup("初审结论", _breakdown("by_conclusion", CONCLUSIONS, {"暂缓注册": "暂缓\n注册"})),
)
COLUMNS = tuple(c for g in COLUMN_GROUPS for c in g.columns)


def row_values(row: StatisticsRow) -> list[int]:
    """The row's counts in column order."""
    return [c.value(row) for c in COLUMNS]


# --- PDF --------------------------------------------------------------------------------------------

PAGE = landscape(A4)
CONTENT_WIDTH = PAGE[0] - 2 * PAGE_MARGIN
FOOT_SPACE = 8 * mm
NUMBER_SIZE = 9
INDEX_WIDTH = 9 * mm
NUMBER_WIDTH = 11.5 * mm
LABEL_WIDTH = CONTENT_WIDTH - INDEX_WIDTH - NUMBER_WIDTH * len(COLUMNS)
TOTAL_BACKGROUND = colors.HexColor("#E6E6E6")
MAX_UNITS_PER_REASON = 30
ZERO = colors.HexColor("#9A9A9A")  # zeros stay readable but let the real counts stand out


class _TableStyles(Styles):
    def __init__(self) -> None:
        super().__init__()
        self.head = style("head", fontName=BOLD, fontSize=SMALL_SIZE, leading=10.5, alignment=TA_CENTER)
        self.cell = style("cell", fontSize=NUMBER_SIZE, leading=11.5)
        self.cell_bold = style("cell_bold", fontName=BOLD, fontSize=NUMBER_SIZE, leading=11.5)
        self.section = style("section", fontName=BOLD, fontSize=11, leading=15, alignment=TA_LEFT)
        self.note = style("note", fontSize=SMALL_SIZE, textColor=MUTED)
        self.subtitle_left = style("subtitle_left", fontSize=10, alignment=TA_LEFT)


def _head_rows(t: StatisticsTable, s: _TableStyles) -> tuple[list[list[object]], list[tuple]]:
    top: list[object] = [para("序号", s.head), para(t.label_header, s.head)]
    bottom: list[object] = ["", ""]
    commands: list[tuple] = [("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1))]
    col = 2
    for group in COLUMN_GROUPS:
        n = len(group.columns)
        top += [para(group.title, s.head)] + [""] * (n - 1)
        commands.append(("SPAN", (col, 0), (col + n - 1, 0)))
        # A thick rule between groups, so the eye finds them in a long table.
        commands.append(("LINEBEFORE", (col, 0), (col, -1), FRAME * 0.75, colors.black))
        bottom += [Paragraph("<br/>".join(markup(x, bold=True) for x in c.label.split("\n")), s.head)
                   for c in group.columns]
        col += n
    return [top, bottom], commands


def _statistics_table(t: StatisticsTable, s: _TableStyles) -> LongTable:
    head, commands = _head_rows(t, s)
    data: list[list[object]] = list(head)
    for i, row in enumerate(t.rows, 1):
        data.append([str(i), para(row.label, s.cell), *map(str, row_values(row))])
    total = t.total_row
    data.append(["", para(total.label, s.cell_bold), *map(str, row_values(total))])
    last = len(data) - 1
    commands += [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # empty cells too, or Helvetica (never embedded) creeps in
        ("FONTSIZE", (0, 0), (-1, -1), NUMBER_SIZE),
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME, colors.black),
        ("LINEBELOW", (0, 1), (-1, 1), FRAME * 0.75, colors.black),
        ("BACKGROUND", (0, 0), (-1, 1), LABEL_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 2), (0, -1), "CENTER"),
        ("ALIGN", (2, 2), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (2, 2), (-1, -1), 4),
        ("LEFTPADDING", (1, 2), (1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("FONTNAME", (0, last), (-1, last), BOLD),
        ("BACKGROUND", (0, last), (-1, last), TOTAL_BACKGROUND),
        ("LINEABOVE", (0, last), (-1, last), FRAME * 0.75, colors.black),
    ]
    # Zeros in grey (the total row keeps black: its zeros are facts about the whole table).
    for r, row in enumerate(t.rows, 2):
        commands += [("TEXTCOLOR", (2 + c, r), (2 + c, r), ZERO) for c, n in enumerate(row_values(row)) if n == 0]
    table = LongTable(data, colWidths=[INDEX_WIDTH, LABEL_WIDTH] + [NUMBER_WIDTH] * len(COLUMNS), repeatRows=2)
    table.setStyle(TableStyle(commands))
    return table


def _simple_table(rows: list[list[object]], widths: list[float], *, numeric: tuple[int, ...] = ()) -> LongTable:
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), NUMBER_SIZE),
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        *[("ALIGN", (c, 1), (c, -1), "RIGHT") for c in numeric],
        ("LEFTPADDING", (0, 0), (0, -1), 2),
        ("RIGHTPADDING", (0, 0), (0, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _reasons(t: StatisticsTable, s: _TableStyles) -> list[Flowable]:
    codes = t.reason_codes()
    if not codes:
        return []
    total = t.total_row
    head = [para(h, s.head) for h in ("代码", "原因", "对应结论", "人次", "涉及单位（人次）")]
    rows: list[list[object]] = [head]
    for code in codes:
        units = [f"{row.label} {row.reasons[code]}" for row in t.rows if row.reasons.get(code)]
        if len(units) > MAX_UNITS_PER_REASON:  # a table row cannot run over a page: name the first ones
            units = units[:MAX_UNITS_PER_REASON] + [f"等 {len(units)} 个单位"]
        outcome = REASONS[code].outcome if code in REASONS else None
        rows.append([code, para(t.reason_label(code), s.cell), para(OUTCOME_LABELS.get(outcome or "", ""), s.cell),
                     str(total.reasons.get(code, 0)), para("、".join(units), s.cell)])
    widths = [14 * mm, 62 * mm, 24 * mm, 14 * mm]
    table = _simple_table(rows, [*widths, CONTENT_WIDTH - sum(widths)], numeric=(3,))
    return [CondPageBreak(30 * mm), Spacer(1, 5 * mm), para("暂缓注册、不合格原因", s.section), Spacer(1, 2 * mm),
            table]


class _SignOff(Flowable):
    """填表人 ____ 联系电话 ____ 单位（盖章）(seal) 日期 ____, on one line with room for the seal."""

    HEIGHT = 26 * mm

    def __init__(self, t: StatisticsTable):
        super().__init__()
        self.t = t

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.HEIGHT

    def draw(self):
        c: Canvas = self.canv
        size = 10
        baseline = self.HEIGHT / 2 - 1
        fields = [("填表人：", self.t.filled_by, 45 * mm), ("联系电话：", self.t.phone, 50 * mm),
                  ("单位（盖章）：", "", 55 * mm), ("日期：", cn_date(self.t.filled_on), 45 * mm)]
        gap = (self.width - sum(w for *_, w in fields)) / (len(fields) - 1)
        x = 0.0
        for label, value, width in fields:
            c.setFont(REGULAR, size)
            c.setFillColor(colors.black)
            c.drawString(x, baseline, label)
            start = x + c.stringWidth(label, REGULAR, size) + 1
            if label.startswith("单位"):
                draw_seal(c, start + 14 * mm, baseline + 3, "单位公章", r=10 * mm)
            else:
                c.setLineWidth(0.5)
                c.line(start, baseline - 2, x + width, baseline - 2)
                p = Paragraph(markup(value), style("v", fontSize=size, leading=size * 1.2))
                p.wrapOn(c, x + width - start - 2, 20)
                p.drawOn(c, start + 2, baseline - 2.2)
            x += width + gap


def _not_applied(t: StatisticsTable, s: _TableStyles) -> list[Flowable]:
    if not t.not_applied_teachers:
        return []
    rows: list[list[object]] = [[para(h, s.head) for h in ("序号", "姓名", "单位", "未报名原因")]]
    for i, (name, unit, reason) in enumerate(t.not_applied_teachers, 1):
        rows.append([str(i), para(name, s.cell), para(unit, s.cell), para(reason, s.cell)])
    widths = [INDEX_WIDTH, 40 * mm, 100 * mm]
    return [
        CondPageBreak(40 * mm), Spacer(1, 6 * mm),
        para(f"未报名人员名单（共 {len(t.not_applied_teachers)} 人）", s.section), Spacer(1, 2 * mm),
        _simple_table(rows, [*widths, CONTENT_WIDTH - sum(widths)]),
    ]


class _NumberedCanvas(Canvas):
    """Holds every page back until the end, so each can say 第 N 页 共 M 页."""

    def __init__(self, *args, running_title: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._running_title = running_title
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setFont(REGULAR, SMALL_SIZE)
        self.setFillColor(MUTED)
        y = PAGE_MARGIN - 2 * mm
        self.drawString(PAGE_MARGIN, y, self._running_title)
        self.setFillColor(colors.black)
        self.drawRightString(PAGE[0] - PAGE_MARGIN, y, f"第 {self._pageNumber} 页 共 {total} 页")
        self.restoreState()


def build_statistics_pdf(table: StatisticsTable) -> bytes:
    """The table on A4 landscape: grouped headers repeated on every page, totals, reasons, sign-off."""
    register_fonts()
    s = _TableStyles()
    story: list[Flowable] = [
        para(table.title, s.title),
        Spacer(1, 1.5 * mm),
        para(table.subtitle, s.subtitle_left),
        Spacer(1, 3 * mm),
        _statistics_table(table, s),
    ]
    story += _reasons(table, s)
    sign_off: list[Flowable] = [Spacer(1, 4 * mm)]
    if table.note:
        sign_off.append(para(table.note, s.note))
    sign_off.append(_SignOff(table))
    story.append(KeepTogether(sign_off))
    story += _not_applied(table, s)

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        title=table.title,
        author="TQR 教师资格定期注册管理系统",
        subject=table.subtitle,
        initialFontName=REGULAR,  # else the page preamble names Helvetica, a font that is never embedded
        invariant=True,  # same data, same bytes
    )
    frame = Frame(PAGE_MARGIN, PAGE_MARGIN + FOOT_SPACE - 4 * mm, CONTENT_WIDTH,
                  PAGE[1] - 2 * PAGE_MARGIN - FOOT_SPACE + 4 * mm,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("table", [frame])])
    running = f"{table.title}　{table.subtitle}"
    doc.build(story, canvasmaker=partial(_NumberedCanvas, running_title=running))
    return buffer.getvalue()


# --- XLSX -------------------------------------------------------------------------------------------

HEADER_ROWS = 2


def build_statistics_xlsx(table: StatisticsTable) -> bytes:
    """The same table as a workbook: two merged header rows, counts as numbers, totals as values.

    Sheet 「统计表」 holds the table (reason codes as extra columns when any), the note and the sign-off
    under it; sheet 「未报名名单」 lists who did not apply. The title goes to the print header and the
    document properties, so that the first two rows are the header (frozen).
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": table.title, "subject": table.subtitle,
                         "author": "TQR 教师资格定期注册管理系统"})
    border = {"border": 1, "valign": "vcenter"}
    head = book.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "align": "center", "text_wrap": True})
    text = book.add_format({**border})
    count = book.add_format({**border, "num_format": "0"})
    total_text = book.add_format({**border, "bold": True, "bg_color": "#E6E6E6"})
    total_count = book.add_format({**border, "bold": True, "bg_color": "#E6E6E6", "num_format": "0"})

    ws = book.add_worksheet("统计表")
    codes = table.reason_codes()
    groups = [(g.title, [c.flat_label for c in g.columns]) for g in COLUMN_GROUPS]
    if codes:
        groups.append(("暂缓注册、不合格原因", [f"{c} {table.reason_label(c)}" for c in codes]))
    ws.merge_range(0, 0, 1, 0, "序号", head)
    ws.merge_range(0, 1, 1, 1, str(safe_cell(table.label_header)), head)
    col = 2
    for title, labels in groups:
        if len(labels) > 1:
            ws.merge_range(0, col, 0, col + len(labels) - 1, title, head)
        else:  # one reason code only: XlsxWriter refuses to merge a single cell
            ws.write_string(0, col, title, head)
        for label in labels:
            ws.write_string(1, col, str(safe_cell(label)), head)
            col += 1
    ws.set_row(1, 32)

    def write(r: int, index: object, row: StatisticsRow, text_format, count_format) -> None:
        if index is None:
            ws.write_blank(r, 0, None, text_format)
        else:
            ws.write_number(r, 0, index, count_format)
        ws.write_string(r, 1, str(safe_cell(row.label)), text_format)
        values = row_values(row) + [row.reasons.get(code, 0) for code in codes]
        for c, n in enumerate(values, 2):
            ws.write_number(r, c, n, count_format)

    r = HEADER_ROWS
    for i, row in enumerate(table.rows, 1):
        write(r, i, row, text, count)
        r += 1
    write(r, None, table.total_row, total_text, total_count)

    r += 2
    for line in (table.title, table.subtitle, table.note,
                 f"填表人：{table.filled_by}　联系电话：{table.phone}　日期：{cn_date(table.filled_on)}"):
        if line:
            ws.write_string(r, 0, str(safe_cell(line)))
            r += 1

    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, max([14] + [min(48, len(x.label) * 2 + 2) for x in table.rows]))
    ws.set_column(2, col - 1, 8)
    ws.freeze_panes(HEADER_ROWS, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(0, HEADER_ROWS - 1)
    ws.fit_to_pages(1, 0)
    ws.set_header(f"&C&14&B{_header_text(table.title)}")
    ws.set_footer("&C第 &P 页 共 &N 页")

    names = book.add_worksheet("未报名名单")
    for c, h in enumerate(("序号", "姓名", "单位", "未报名原因")):
        names.write_string(0, c, h, head)
    for i, (name, unit, reason) in enumerate(table.not_applied_teachers, 1):
        names.write_number(i, 0, i, count)
        for c, value in enumerate((name, unit, reason), 1):
            names.write_string(i, c, str(safe_cell(value)), text)
    names.set_column(0, 0, 6)
    names.set_column(1, 1, 14)
    names.set_column(2, 2, 40)
    names.set_column(3, 3, 36)
    names.freeze_panes(1, 0)

    book.close()
    return buffer.getvalue()


def _header_text(text: str) -> str:
    return text.replace("&", "&&")  # & starts a control code in Excel headers


# --- demo data and the command line ------------------------------------------------------------------

_TOWNS = ("城东", "城西", "城南", "正阳", "舟白", "冯家", "阿蓬江", "濯水", "石会", "黑溪", "黎水", "金溪", "马喇",
          "沙坝", "白石", "鹅池", "水市", "新华", "小南海", "邻鄂", "蓬东", "中塘", "五里", "水田", "白土", "金洞",
          "太极", "石家", "杉岭", "两河")
_KINDS = ("中学校", "小学校", "幼儿园", "中心小学校", "初级中学校")
_NOT_APPLIED_REASONS = ("长期病休，本人放弃本次注册", "已办理调离手续", "即将退休，本人不再申请", "借调外区，在借出单位报名",
                        "本人未按时登录网上报名")
_NAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"


def sample_statistics(*, schools: int = 12) -> StatisticsTable:
    """A district's table with ``schools`` schools of made-up but consistent counts (same each call)."""
    rng = random.Random(2023)  # noqa: S311 - demo data, not security
    rows: list[StatisticsRow] = []
    absent: list[NotAppliedTeacher] = []
    for i in range(schools):
        town = _TOWNS[i % len(_TOWNS)]
        kind = _KINDS[(i // len(_TOWNS) + i) % len(_KINDS)]
        label = f"重庆市黔江区{town}{kind}" if i else "重庆市黔江区民族职业教育中心"
        confirmed = rng.randint(4, 40)
        abandoned = rng.choice((0, 0, 0, 1, 2))
        not_applied = rng.choice((0, 0, 0, 0, 1, 2))
        quals = _split(rng, confirmed, [key for key, _ in QUALIFICATION_TYPES],
                       weights=(1, 0, 0, 0, 6, 2) if i == 0 else (2, 5, 4, 2, 0, 0))
        kinds = _split(rng, confirmed, [key for key, _ in REGISTRATION_KINDS], weights=(2, 12, 1))
        deferred = rng.choice((0, 0, 1, 1, 2))
        unqualified = rng.choice((0,) * 9 + (1,))
        pending = rng.choice((0, 0, 0, 1))
        qualified = max(0, confirmed - deferred - unqualified - pending)
        reasons: dict[str, int] = {}
        for _ in range(deferred):
            code = rng.choice(("D1", "D1", "D2", "D3"))
            reasons[code] = reasons.get(code, 0) + 1
        for _ in range(unqualified):
            code = rng.choice(("U1", "U2"))
            reasons[code] = reasons.get(code, 0) + 1
        rows.append(StatisticsRow(
            label=label,
            in_scope=confirmed + abandoned + not_applied,
            applied=confirmed + abandoned,
            confirmed=confirmed,
            abandoned=abandoned,
            not_applied=not_applied,
            by_qualification=quals,
            by_kind=kinds,
            by_conclusion={"qualified": qualified, "deferred": deferred, "unqualified": unqualified,
                           "pending": pending},
            reasons=reasons,
        ))
        for k in range(not_applied):
            absent.append(NotAppliedTeacher(_NAMES[(i + k) % len(_NAMES)] + ("晓燕", "建国", "丽")[k % 3], label,
                                            _NOT_APPLIED_REASONS[(i + k) % len(_NOT_APPLIED_REASONS)]))
    return StatisticsTable(
        title="重庆市2023年教师资格定期注册情况统计表",
        subtitle="填报单位：重庆市黔江区中小学教师继续教育中心",
        rows=tuple(rows),
        filled_by="兰菊秋",
        phone="13452208820",
        filled_on=dt.date(2023, 11, 24),
        note="注：资格种类、注册类型、初审结论按已确认人数统计；视为放弃指已报名但逾期未现场确认"
        "（黔江教办〔2023〕155号 三（三））；原因按人次统计，一人可有多项。",
        not_applied_teachers=tuple(absent),
    )


def _split(rng: random.Random, total: int, keys: list[str], *, weights: tuple[int, ...]) -> dict[str, int]:
    counts = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=weights, k=total):
        counts[key] += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a sample 统计表 (PDF or XLSX by the file's extension).")
    parser.add_argument("output", help="where to write: *.pdf or *.xlsx")
    parser.add_argument("--schools", type=int, default=12, help="how many school rows (default 12)")
    args = parser.parse_args(argv)
    table = sample_statistics(schools=args.schools)
    if args.output.lower().endswith(".xlsx"):
        data = build_statistics_xlsx(table)
    elif args.output.lower().endswith(".pdf"):
        data = build_statistics_pdf(table)
    else:
        parser.error("the output must end in .pdf or .xlsx")
    with open(args.output, "wb") as out:
        out.write(data)


if __name__ == "__main__":
    main()
