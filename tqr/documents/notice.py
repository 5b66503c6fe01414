"""公示: the public notice of the initial review results, laid out as a Chinese official document.

Domain §8: the notice names each teacher with the school, the qualification type, the registration kind
and the initial conclusion, and says how long the notice runs and where to object. It never prints a full
ID number or a phone number of a teacher: only when two entries share name and unit does a masked ID
(500114********123X, ``tqr.rules.identifiers.mask_resident_id``) tell them apart, in a 备注 column that
exists only then. ``NoticeEntry`` refuses text that holds a full ID or a mobile number, so a slip upstream
fails loudly instead of being published.

The page follows GB/T 9704—2012 《党政机关公文格式》: A4, 天头 37 mm, 订口 28 mm, a 156 × 225 mm type area
of 22 lines (4.2); the issuing body in red 35 mm below the top of the type area, the document number two
lines under it and the red rule 4 mm under that (7.2.4, 7.2.5, 7.2.7); the title in 二号 two lines below the
rule, broken into balanced lines (7.3.1); the body in 三号 with a two-character indent (7.3.3); the issuing
body centred over the date, the date four characters in from the right, room for the seal above them
(7.3.5.1); page numbers as "— 1 —" in 四号 7 mm below the type area (7.5). The standard's 仿宋 and 小标宋
are not shipped with the project; the bundled Kurinto Sans (``fonts``) stands in for both.

After the body comes the list, a table whose header row repeats on every page, then the sign-off. The
sign-off never stands alone on a page (GB/T 9704 7.3.5.5 wants body text above it): when it would, the
last rows of the table go over with it.

Plain data in, bytes out: no ORM. Render a sample: ``python -m tqr.documents.notice /tmp/x.pdf [--entries N]``.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache

from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from tqr.rules.identifiers import make_resident_id, mask_resident_id

from .fonts import BOLD, REGULAR, has_glyph, markup, register_fonts
from .layout import FRAME, GRID, cn_date, para, style

__all__ = ["NoticeDocument", "NoticeEntry", "balanced_lines", "build_notice_pdf", "sample_notice", "title_lines"]

# --- the data ---------------------------------------------------------------------------------------

FULL_ID = re.compile(r"\d{17}[\dXx]|(?<!\d)\d{15}(?!\d)")  # 18-digit and first-generation 15-digit IDs
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass(frozen=True)
class NoticeEntry:
    """One line of the list. Labels as printed (小学教师资格, 定期注册, 暂缓注册)."""

    number: int  # 序号
    name: str
    unit: str  # the school's full legal name (任教学校)
    qualification_type: str  # 资格种类
    registration_kind: str  # 注册类型: 首次注册 / 定期注册 / 暂缓后再次申请
    conclusion: str  # 初审结论: 合格 / 暂缓注册 / 不合格
    distinguisher: str = ""  # the masked ID, only when another entry has the same name and unit

    def __post_init__(self) -> None:
        # Domain §8: nothing public carries a full ID number or a phone number.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and (FULL_ID.search(value) or MOBILE.search(value)):
                raise ValueError(f"entry {self.number}: {f.name} holds an ID or phone number; mask it first")


@dataclass(frozen=True)
class NoticeDocument:
    title: str  # 关于2026年黔江区中小学教师资格定期注册初审结果的公示; "\n" forces the title's line break
    issuing_body: str  # 重庆市黔江区教育委员会: the red header and the sign-off
    body: tuple[str, ...]  # paragraphs: introduction, 公示时间, where to object, reasons not published
    entries: tuple[NoticeEntry, ...]
    issued_on: date
    document_number: str = ""  # 黔江教办〔2026〕160号, under the red header when given
    public_url: str = ""  # printed small at the foot of the last page: 网上公示：…


# --- measures (GB/T 9704—2012) -----------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
TOP_MARGIN, LEFT_MARGIN, RIGHT_MARGIN, BOTTOM_MARGIN = 37 * mm, 28 * mm, 26 * mm, 35 * mm  # 4.2.1
TYPE_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN  # 156 mm
TYPE_HEIGHT = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN  # 225 mm
LINE = TYPE_HEIGHT / 22  # 4.2.3: 22 lines a page; "空二行" means two of these

TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
CHAR = BODY_SIZE  # 一字: the width of one character of the body
PAGE_NUMBER_SIZE = 14  # 四号
TABLE_SIZE = 10.5  # 五号
NOTE_SIZE = 8.5  # the masked ID in the 备注 column
FOOT_SIZE = 10.5  # 网上公示：…
TABLE_PADDING = 2.5

RED = colors.CMYKColor(0, 0.8, 0.8, 0)  # 5.2: red ink at Y80% M80%
MASTHEAD_TOP = 35 * mm  # 7.2.4: the issuing body's top edge below the type area's top
MASTHEAD_MAX_CHAR = 15 * mm  # the usual cap on the width of one character of the issuing body
MASTHEAD_MAX_SIZE = 20 * mm
RULE_GAP = 4 * mm  # 7.2.7: the red rule 4 mm under the document number
RULE_WIDTH = 1.5
PAGE_NUMBER_DROP = 7 * mm  # 7.5: the dashes 7 mm under the type area
SEAL_ROOM = 2 * LINE  # 7.3.5.1: the seal's top within a line of the text, pressing on name and date


@dataclass(frozen=True)
class _Column:
    header: str
    attribute: str
    least: float  # the narrowest the column may get
    most: float  # the widest it is worth making it


# Bounds in 五号 characters of 3.7 mm: 资格种类 holds 初级中学教师资格 on one line; 姓名, 注册类型 and 初审结论
# hold four characters, the rare longer names and labels wrap. The school gets the rest: 16 characters,
# or 11 with the 备注 column.
_COLUMNS = (
    _Column("序号", "number", 10 * mm, 12 * mm),
    _Column("姓名", "name", 16 * mm, 18 * mm),
    _Column("任教学校", "unit", 40 * mm, TYPE_WIDTH),  # takes what the others leave
    _Column("资格种类", "qualification_type", 24 * mm, 32 * mm),
    _Column("注册类型", "registration_kind", 18 * mm, 18 * mm),
    _Column("初审结论", "conclusion", 17 * mm, 18 * mm),
)
# The masked ID in two lines of 9 pt: 500114**** / ****123X. Only when an entry needs telling apart.
_NOTE = _Column("备注", "distinguisher", 18 * mm, 18 * mm)


class _Styles:
    def __init__(self) -> None:
        register_fonts()
        self.title = style("title", fontName=BOLD, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.45,
                           alignment=TA_CENTER)
        self.body = style("body", fontSize=BODY_SIZE, leading=LINE, firstLineIndent=2 * CHAR, alignment=TA_JUSTIFY)
        self.caption = style("caption", fontName=BOLD, fontSize=BODY_SIZE, leading=LINE, alignment=TA_CENTER)
        self.head = style("head", fontName=BOLD, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)
        self.cell = style("cell", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)
        self.note = style("note", fontSize=NOTE_SIZE, leading=NOTE_SIZE * 1.25, alignment=TA_CENTER)
        self.foot = style("foot", fontSize=FOOT_SIZE, leading=FOOT_SIZE * 1.35, alignment=TA_LEFT)


# --- the header and the title ------------------------------------------------------------------------


class _Masthead(Flowable):
    """发文机关标志 in red, the document number, the red rule; then the two blank lines before the title.

    Drawn straight on the canvas (to condense it), so without per-character font fallback: the names of
    issuing bodies are in GB 2312, which the main face covers."""

    def __init__(self, issuing_body: str, document_number: str):
        super().__init__()
        self.issuing_body, self.document_number = issuing_body, document_number
        # Condensed, as the 小标宋 of printed headers: at most 15 mm a character, and never wider than the page.
        n = max(len(issuing_body), 1)
        char_width = min(MASTHEAD_MAX_CHAR, 0.95 * TYPE_WIDTH / n)
        self.size = min(MASTHEAD_MAX_SIZE, char_width * 1.4)
        natural = stringWidth(issuing_body, BOLD, self.size)
        self.scale = min(1.0, char_width * n / natural) if natural else 1.0
        number_block = 2 * LINE + BODY_SIZE if document_number else LINE
        self.rule_from_top = MASTHEAD_TOP + self.size + number_block + RULE_GAP
        self.height = self.rule_from_top + 2 * LINE

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.height

    def draw(self):
        c: Canvas = self.canv
        top = self.height
        baseline = top - MASTHEAD_TOP - 0.88 * self.size  # the glyphs' top edge sits at MASTHEAD_TOP
        c.saveState()
        c.setFillColor(RED)
        c.setStrokeColor(RED)
        text = c.beginText()
        text.setFont(BOLD, self.size)
        text.setHorizScale(self.scale * 100)
        text.setTextOrigin((self.width - stringWidth(self.issuing_body, BOLD, self.size) * self.scale) / 2,
                           baseline)
        text.textOut(self.issuing_body)
        c.drawText(text)
        c.setLineWidth(RULE_WIDTH)
        rule = top - self.rule_from_top
        c.line(0, rule, self.width, rule)
        c.restoreState()
        if self.document_number:
            c.setFont(REGULAR, BODY_SIZE)
            c.drawCentredString(self.width / 2, rule + RULE_GAP + 0.12 * BODY_SIZE, self.document_number)


_NO_LINE_START = set("，。、；：？！）》」』〕】’”%…—·,.;:?!)]")
_NO_LINE_END = set("（《「『〔【‘“([")


def _tokens(text: str) -> list[str]:
    """Units a title may not be broken inside: a run of Latin letters or digits, or one CJK character,
    with closing punctuation kept on the unit before it and opening punctuation on the unit after."""
    raw = re.findall(r"[0-9A-Za-z]+|.", text)
    out: list[str] = []
    carry = ""
    for token in raw:
        if token in _NO_LINE_END:
            carry += token
        elif token in _NO_LINE_START and out and not carry:
            out[-1] += token
        else:
            out.append(carry + token)
            carry = ""
    if carry:
        out.append(carry)
    return out


def _break(tokens: list[str], width: float, size: float, font: str) -> list[str]:
    lines, line = [], ""
    for token in tokens:
        if line and stringWidth(line + token, font, size) > width:
            lines.append(line)
            line = token
        else:
            line += token
    return [*lines, line] if line else lines


def title_lines(title: str, width: float = TYPE_WIDTH, size: float = TITLE_SIZE) -> tuple[str, ...]:
    """The title's lines: as given where it holds "\\n", else as few as fit, made as even as they can be.

    GB/T 9704 7.3.1 wants a broken title symmetric (梯形或菱形), not a full line over a stub.
    """
    if "\n" in title:
        return tuple(line.strip() for line in title.split("\n") if line.strip())
    return balanced_lines(title, width, size, BOLD)


@lru_cache(maxsize=4096)  # a school's name comes back on every row of its teachers
def balanced_lines(text: str, width: float, size: float, font: str) -> tuple[str, ...]:
    """``text`` in as few lines as fit ``width``, the lines as even as they can be (a line may still run
    over when one unbreakable run of letters or digits is wider than ``width``)."""
    register_fonts()
    tokens = _tokens(text)
    count = len(_break(tokens, width, size, font))
    low, high = 0.0, width  # the narrowest width that still needs no more lines
    for _ in range(16):
        middle = (low + high) / 2
        if len(_break(tokens, middle, size, font)) > count:
            low = middle
        else:
            high = middle
    return tuple(_break(tokens, high, size, font))


# --- the list -----------------------------------------------------------------------------------------


def _columns(entries: tuple[NoticeEntry, ...]) -> list[_Column]:
    return [*_COLUMNS, _NOTE] if any(e.distinguisher for e in entries) else list(_COLUMNS)


def _widths(columns: list[_Column], entries: tuple[NoticeEntry, ...]) -> list[float]:
    """Each column as wide as its longest text (within its bounds); the school gets the rest."""

    def natural(column: _Column) -> float:
        texts = {str(getattr(e, column.attribute)) for e in entries}
        widest = max([stringWidth(column.header, BOLD, TABLE_SIZE),
                      *(stringWidth(t, REGULAR, TABLE_SIZE) for t in texts)])
        return min(max(widest + 2 * TABLE_PADDING + 1, column.least), column.most)

    widths = [0.0 if c.attribute == "unit" else natural(c) for c in columns]
    school = columns.index(next(c for c in columns if c.attribute == "unit"))
    spare = TYPE_WIDTH - sum(widths)
    least = columns[school].least
    if spare < least:  # narrow the others towards their least, in proportion to what each can give
        give = [w - c.least if i != school else 0 for i, (w, c) in enumerate(zip(widths, columns, strict=True))]
        ratio = min(1.0, (least - spare) / sum(give)) if sum(give) else 0
        widths = [w - g * ratio for w, g in zip(widths, give, strict=True)]
        spare = TYPE_WIDTH - sum(widths)
    widths[school] = spare
    return widths


class _CellMaker:
    """Plain strings where the text fits on one line in the main font (fast: 1,000 entries are 7,000
    cells); a Paragraph, with per-character font fallback, where it wraps or needs another face. Wrapped
    text is broken into even lines (重庆市黔江区民 / 族职业教育中心), not a full line over one character."""

    def __init__(self) -> None:
        self.covered: dict[str, bool] = {}

    def simple(self, text: str, room: float) -> bool:
        for char in text:
            if char not in self.covered:
                self.covered[char] = has_glyph(REGULAR, char)
            if not self.covered[char]:
                return False
        return stringWidth(text, REGULAR, TABLE_SIZE) <= room

    def __call__(self, text: str, width: float, st: ParagraphStyle) -> str | Paragraph:
        room = width - 2 * TABLE_PADDING
        if st.fontSize == TABLE_SIZE and self.simple(text, room):
            return text
        lines = balanced_lines(text, room, st.fontSize, REGULAR)
        if any(stringWidth(line, REGULAR, st.fontSize) > room for line in lines):
            return para(text, st)  # a long run of letters: let ReportLab break inside it
        return Paragraph("<br/>".join(markup(line) for line in lines), st)


def _entry_table(entries: tuple[NoticeEntry, ...], columns: list[_Column], widths: list[float],
                 s: _Styles, cell: _CellMaker) -> LongTable:
    data: list[list[object]] = [[para(c.header, s.head) for c in columns]]
    for entry in entries:
        row: list[object] = []
        for column, width in zip(columns, widths, strict=True):
            value = str(getattr(entry, column.attribute))
            row.append(cell(value, width, s.note if column is _NOTE else s.cell) if value else "")
        data.append(row)
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # empty cells too, or Helvetica (never embedded) creeps in
        ("FONTSIZE", (0, 0), (-1, -1), TABLE_SIZE),
        ("LEADING", (0, 0), (-1, -1), TABLE_SIZE * 1.3),
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME * 0.75, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), FRAME * 0.75, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, 0), 5),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
    ]))
    return table


# --- the sign-off and the page ------------------------------------------------------------------------


class _SignOff(Flowable):
    """Room for the seal, the issuing body centred over the date, the date four characters in from the
    right (GB/T 9704 7.3.5.1). With a public URL it takes the rest of the page and prints the URL at the
    foot, under a thin rule, as 版记 sits at the foot of the last page (7.4)."""

    def __init__(self, issuing_body: str, issued_on: date, public_url: str, s: _Styles):
        super().__init__()
        self.issuing_body, self.date_text = issuing_body, cn_date(issued_on)
        self.foot = para(f"网上公示：{public_url}", s.foot) if public_url else None
        self.content_height = SEAL_ROOM + 2 * LINE

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.foot_height = 0.0
        if self.foot is not None:
            self.foot_height = self.foot.wrap(available_width, available_height)[1] + 3 * mm
        need = self.content_height + self.foot_height
        self.height = max(need, available_height) if self.foot is not None else need
        return available_width, self.height

    def draw(self):
        c: Canvas = self.canv
        c.setFont(REGULAR, BODY_SIZE)
        date_width = stringWidth(self.date_text, REGULAR, BODY_SIZE)
        name_width = stringWidth(self.issuing_body, REGULAR, BODY_SIZE)
        date_right = self.width - 4 * CHAR
        centre = date_right - date_width / 2
        shift = max(0.0, centre + name_width / 2 - self.width)  # a long name keeps inside the type area
        sign_baseline = self.height - SEAL_ROOM - 0.8 * LINE
        c.drawCentredString(centre - shift, sign_baseline, self.issuing_body)
        c.drawRightString(date_right - shift, sign_baseline - LINE, self.date_text)
        if self.foot is not None:
            _, h = self.foot.wrap(self.width, self.height)
            self.foot.drawOn(c, 0, 0)
            c.setLineWidth(0.5)
            c.line(0, h + 1.5 * mm, self.width, h + 1.5 * mm)


def _page_number(canvas: Canvas, doc) -> None:
    """— 1 —, centred 7 mm under the type area (GB/T 9704 7.5, 四号 Arabic numerals between dashes)."""
    canvas.saveState()
    canvas.setFont(REGULAR, PAGE_NUMBER_SIZE)
    canvas.setFillColor(colors.black)
    # The dash sits about a third of the size above the baseline: put its top 7 mm under the type area.
    baseline = BOTTOM_MARGIN - PAGE_NUMBER_DROP - 0.36 * PAGE_NUMBER_SIZE
    # An en space (half-width, as the 宋体 space) each side; poppler reads it as a space, a narrower one not.
    canvas.drawCentredString(LEFT_MARGIN + TYPE_WIDTH / 2, baseline, f"—\u2002{doc.page}\u2002—")
    canvas.restoreState()


class _NoticeTemplate(BaseDocTemplate):
    """Remembers on which page the last text and the sign-off landed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_text_page = 0
        self.sign_off_page = 0

    def afterFlowable(self, flowable):  # noqa: N802 - ReportLab's name
        if isinstance(flowable, _SignOff):
            self.sign_off_page = self.page
        elif isinstance(flowable, Paragraph | Table | _Masthead):
            self.last_text_page = self.page


CARRIED_ROWS = 3  # rows of the list taken over to the sign-off's page when it would stand alone
LIST_START = 45 * mm  # the caption, the header row and a few rows


def _story(doc: NoticeDocument, s: _Styles, carry: int) -> list[Flowable]:
    """The flowables; ``carry`` > 0 starts a new page before the last ``carry`` rows (or the last paragraph
    when there is no list), so that the sign-off has text above it."""
    story: list[Flowable] = [_Masthead(doc.issuing_body, doc.document_number)]
    story.append(Paragraph("<br/>".join(markup(line, bold=True) for line in title_lines(doc.title)), s.title))
    story.append(Spacer(1, LINE * 0.6))
    paragraphs = [para(text, s.body) for text in doc.body]
    if carry and not doc.entries and paragraphs:
        paragraphs.insert(len(paragraphs) - 1, PageBreak())
    story += paragraphs
    if doc.entries:
        columns = _columns(doc.entries)
        widths = _widths(columns, doc.entries)
        cell = _CellMaker()
        head, tail = (doc.entries[:-carry], doc.entries[-carry:]) if carry else (doc.entries, ())
        # The caption never ends a page alone: it goes over with the header row and the first rows.
        story += [PageBreak() if not head else CondPageBreak(LIST_START), Spacer(1, LINE * 0.4),
                  para(f"公示名单（共{len(doc.entries)}人）", s.caption), Spacer(1, 2 * mm)]
        if head:
            story += [_entry_table(head, columns, widths, s, cell), PageBreak()] if tail else \
                [_entry_table(head, columns, widths, s, cell)]
        if tail:
            story.append(_entry_table(tail, columns, widths, s, cell))
    story.append(_SignOff(doc.issuing_body, doc.issued_on, doc.public_url, s))
    return story


def _render(doc: NoticeDocument, s: _Styles, carry: int) -> tuple[bytes, bool]:
    """The PDF, and whether the sign-off stood alone on its page."""
    buffer = io.BytesIO()
    template = _NoticeTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN, rightMargin=RIGHT_MARGIN, topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN,
        title=doc.title.replace("\n", ""),
        author=doc.issuing_body,
        subject=doc.document_number or doc.title.replace("\n", ""),
        creator="TQR 教师资格定期注册管理系统",
        initialFontName=REGULAR,  # else the page preamble names Helvetica, a font that is never embedded
        invariant=True,  # same data, same bytes
    )
    frame = Frame(LEFT_MARGIN, BOTTOM_MARGIN, TYPE_WIDTH, TYPE_HEIGHT,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate("notice", [frame], onPage=_page_number)])
    template.build(_story(doc, s, carry))
    return buffer.getvalue(), template.sign_off_page > template.last_text_page


# ReportLab's CJK line breaking (textsplit.wordSplit for plain paragraphs, paragraph.cjkFragSplit for
# mixed fonts) keeps the Japanese closing marks off a line's start but not the Chinese full-width ，；：？！:
# a comma could begin a line, which GB/T 15834 forbids. Listed, the mark hangs in the margin (标点悬挂).
_CANNOT_START = "，；：？！”’》〉…·"
_BREAKING_MODULES = (textsplit, rl_paragraph)  # each holds its own copy of ALL_CANNOT_START
_line_breaking = threading.Lock()
_line_breaking_users = 0
_original_cannot_start: list[str] = []


@contextmanager
def _chinese_line_breaking() -> Iterator[None]:
    """Extend ReportLab's list while a notice is built, then put it back, so that the other documents'
    layout (and bytes) do not depend on whether a notice was built before them in the same process.
    (Worth moving to ``fonts.register_fonts`` for every document; it is here to leave them unchanged.)"""
    global _line_breaking_users
    with _line_breaking:
        if _line_breaking_users == 0:
            _original_cannot_start[:] = [m.ALL_CANNOT_START for m in _BREAKING_MODULES]
            for module in _BREAKING_MODULES:
                original = module.ALL_CANNOT_START
                module.ALL_CANNOT_START = original + "".join(c for c in _CANNOT_START if c not in original)
        _line_breaking_users += 1
    try:
        yield
    finally:
        with _line_breaking:
            _line_breaking_users -= 1
            if _line_breaking_users == 0:
                for module, original in zip(_BREAKING_MODULES, _original_cannot_start, strict=True):
                    module.ALL_CANNOT_START = original


def build_notice_pdf(doc: NoticeDocument) -> bytes:
    """The notice on A4 portrait: red header, title, body, the list (header row on every page), sign-off."""
    s = _Styles()
    with _chinese_line_breaking():
        pdf, alone = _render(doc, s, carry=0)
        if alone:  # rare: lay it out again with the list's last rows on the sign-off's page
            pdf, _ = _render(doc, s, carry=min(CARRIED_ROWS, len(doc.entries)) or 1)
    return pdf


# --- demo data and the command line ------------------------------------------------------------------

_TOWNS = ("城东", "城西", "城南", "正阳", "舟白", "冯家", "阿蓬江", "濯水", "石会", "黑溪", "黎水", "金溪", "马喇",
          "沙坝", "白石", "鹅池", "水市", "新华", "小南海", "邻鄂", "蓬东", "中塘", "五里", "水田", "白土", "金洞")
_KINDS = ("小学校", "中学校", "幼儿园", "中心小学校", "初级中学校")
_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = ("晓燕", "建国", "丽", "海燕", "静", "伟", "秀英", "明", "春梅", "勇", "小红", "志强", "玉兰", "磊",
          "雪梅", "红霞", "德华", "思远", "欣怡", "子涵", "朝阳", "桂芳", "永华", "婷", "文军", "佳")
_QUALIFICATIONS = (("幼儿园教师资格", 2), ("小学教师资格", 5), ("初级中学教师资格", 4), ("高级中学教师资格", 2),
                   ("中等职业学校教师资格", 1), ("中等职业学校实习指导教师资格", 1))
_REGISTRATION_KINDS = (("定期注册", 12), ("首次注册", 2), ("暂缓后再次申请", 1))
_CONCLUSIONS = (("合格", 40), ("暂缓注册", 2), ("不合格", 1))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([x for x, _ in weighted], weights=[w for _, w in weighted])[0]


def sample_notice(*, entries: int = 40) -> NoticeDocument:
    """A district's notice with ``entries`` made-up teachers (same each call), grouped by school.

    From ten entries on, two teachers of the same school share a name, so the 备注 column shows how the
    masked ID tells them apart; a 𠮷 and a ·-joined name test the fonts.
    """
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    people: list[tuple[str, str, str, str, str, str]] = []
    schools = max(1, entries // 14)
    for i in range(entries):
        k = i * schools // max(entries, 1)
        unit = "重庆市黔江区民族职业教育中心" if k == 0 and schools > 2 else \
            f"重庆市黔江区{_TOWNS[k % len(_TOWNS)]}{_KINDS[(k // len(_TOWNS) + k) % len(_KINDS)]}"
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        people.append((name, unit, _pick(rng, _QUALIFICATIONS), _pick(rng, _REGISTRATION_KINDS),
                       _pick(rng, _CONCLUSIONS), ""))
    if entries >= 3:
        people[1] = ("𠮷星辰", *people[1][1:])
        people[2] = ("阿依古丽·买买提", *people[2][1:])
    if entries >= 10:  # namesakes in one school: the masked IDs tell them apart
        a, b = entries // 2, entries // 2 + 1
        twin = people[a][0]
        people[b] = (twin, people[a][1], *people[b][2:])
        people[a] = (*people[a][:5], mask_resident_id(make_resident_id("500114", date(1986, 3, 12), 123)))
        people[b] = (*people[b][:5], mask_resident_id(make_resident_id("500114", date(1990, 9, 1), 451)))
    return NoticeDocument(
        title="关于2026年黔江区中小学教师资格定期注册初审结果的公示",
        document_number="黔江教办〔2026〕160号",
        issuing_body="重庆市黔江区教育委员会",
        body=(
            "根据《中小学教师资格定期注册暂行办法》（教师〔2013〕9号）和市教委有关工作要求，我委对全区中小学、"
            "幼儿园、中等职业学校教师2026年教师资格定期注册申请进行了初审。现将初审结果予以公示，名单附后。",
            "公示时间：2026年11月27日至2026年12月3日（5个工作日）。",
            "公示期间，如有异议，请以书面或电话形式向重庆市黔江区教育委员会人事科反映。以单位名义反映的须加盖单位公章，"
            "以个人名义反映的须署真实姓名。联系人：王老师；电话：023-79223456；地址：重庆市黔江区城西街道新华大道西段"
            "288号区教委办公楼305室。",
            "初审结论为暂缓注册、不合格的，具体原因不予公示，已另行书面告知本人。",
        ),
        entries=tuple(NoticeEntry(i, *person) for i, person in enumerate(people, 1)),
        issued_on=date(2026, 11, 27),
        public_url="https://tqr.example.gov.cn/notices/2026-160",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a sample 公示 (public notice) as PDF.")
    parser.add_argument("output", help="where to write the PDF")
    parser.add_argument("--entries", type=int, default=40, help="how many teachers on the list (default 40)")
    args = parser.parse_args(argv)
    with open(args.output, "wb") as out:
        out.write(build_notice_pdf(sample_notice(entries=args.entries)))


if __name__ == "__main__":
    main()
