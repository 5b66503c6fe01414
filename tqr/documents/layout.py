"""The look shared by the printed forms: measures, paragraph styles, the bordered block grid, seal boxes.

The 申请表 (``application_form``) set the style: A4, 15 mm margins, a thick outer frame with thin inner
rules, grey label cells, block titles written two characters a line in a narrow first column, and opinion
boxes with a signature line, a dashed seal circle and a date. The 申请表, the 考核鉴定表 and the 统计表 all
import it from here, so the documents look like one set. A form passes its own ``COLUMNS`` to ``grid_table``
and subclasses ``Styles`` where it needs styles of its own.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from .fonts import BOLD, REGULAR, has_glyph, markup, register_fonts

__all__ = [
    "BODY_SIZE", "CELL_PADDING", "FOOTER_SPACE", "FOOT_BASELINE", "FRAME", "GRID", "HANGING_ROOM",
    "LABEL_BACKGROUND", "MUTED", "PAGE_MARGIN", "SMALL_SIZE",
    "Block", "Cell", "L", "OpinionBox", "Styles", "V",
    "block_title_height", "cn_date", "cn_datetime", "draw_seal", "grid_table", "lines", "nested_table", "number", "para", "style",
]

PAGE_MARGIN = 15 * mm
FOOTER_SPACE = 8 * mm  # between the content and the bottom margin, for the foot note
FOOT_BASELINE = PAGE_MARGIN + 2 * mm  # descenders stay inside the margin

BODY_SIZE = 9.5
SMALL_SIZE = 8.5
GRID = 0.5  # inner rules
FRAME = 1.2  # the outer frame and the line above each block
CELL_PADDING = 3
# CJK wrapping lets a closing mark such as ）or 。 hang past the line end (标点悬挂) rather than start the
# next line. Wrapping a little short keeps the hanging mark inside its cell.
HANGING_ROOM = BODY_SIZE - CELL_PADDING
LABEL_BACKGROUND = colors.HexColor("#F2F2F2")
MUTED = colors.HexColor("#555555")
SEAL_GREY = colors.HexColor("#AAAAAA")


def style(name: str, **kw) -> ParagraphStyle:
    kw.setdefault("fontName", REGULAR)
    kw.setdefault("fontSize", BODY_SIZE)
    kw.setdefault("leading", kw["fontSize"] * 1.3)
    kw.setdefault("wordWrap", "CJK")  # break anywhere, but keep closing punctuation off a line's start
    return ParagraphStyle(name, **kw)


class Styles:
    """The paragraph styles of the forms (built after the fonts are registered)."""

    def __init__(self) -> None:
        register_fonts()
        self.title = style("title", fontName=BOLD, fontSize=18, leading=24, alignment=TA_CENTER)
        self.subtitle = style("subtitle", fontSize=10, alignment=TA_CENTER)
        self.caption = style("caption", fontSize=7.5, alignment=TA_CENTER, textColor=MUTED)
        self.block = style("block", fontName=BOLD, alignment=TA_CENTER, leading=12.5)
        self.label = style("label", alignment=TA_CENTER)
        self.value = style("value", rightIndent=HANGING_ROOM)
        self.centred = style("centred", alignment=TA_CENTER)
        self.small = style("small", fontSize=SMALL_SIZE, textColor=MUTED, rightIndent=HANGING_ROOM)
        self.box_title = style("box_title", fontName=BOLD, fontSize=10)
        self.box_text = style("box_text", fontSize=9, rightIndent=HANGING_ROOM)


# --- formatting -------------------------------------------------------------------------------------


def cn_date(value: date | None) -> str:
    """2023年11月8日; empty for None."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def cn_datetime(value: datetime | None) -> str:
    return f"{cn_date(value)} {value:%H:%M}" if value else ""


def number(value: int | float | Decimal | None) -> str:
    """384, 360.5; empty for None."""
    if value is None:
        return ""
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"


def para(text: str, st: ParagraphStyle, *, bold: bool = False) -> Flowable:
    """A paragraph of plain text (escaped, with per-character font fallback)."""
    return PlainText((text,) if text else (), st, bold=bold)


def lines(text: str, st: ParagraphStyle) -> Flowable:
    """Line breaks kept: block titles are written two characters per line."""
    return PlainText(tuple(text.split("\n")) if text else (), st)


class PlainText(Flowable):
    """What ``Paragraph`` would print for plain text, without its cost when no line has to wrap.

    Most cells of the forms hold a name, a date or a label that fits on its line. ``Paragraph`` parses
    its markup, breaks lines character by character and draws through a text object, three times over in
    a table (measure, lay out, draw); that was most of the time a 申请表 took. When every line fits the
    width and every character is in the main face, this draws each line where ``Paragraph`` puts it (the
    same font, size, colour, leading and alignment); otherwise, for text that wraps, a fallback font run,
    repeated spaces or a style it does not know, it hands everything to a ``Paragraph``.
    """

    def __init__(self, texts: tuple[str, ...], st: ParagraphStyle, *, bold: bool = False):
        super().__init__()
        self.texts, self.style, self.bold = texts, st, bold
        self._paragraph: Paragraph | None = None
        self._fits_at: float | None = None  # the last width found to hold every line
        self._plain = bool(texts) and _plain_style(st) and all(map(_plain_line, texts))

    def paragraph(self) -> Paragraph:
        if self._paragraph is None:
            bold = self.bold or self.style.fontName == BOLD
            self._paragraph = Paragraph("<br/>".join(markup(t, bold=bold) for t in self.texts), self.style)
        return self._paragraph

    def _fits(self, width: float) -> bool:
        if not self._plain:
            return False
        if width == self._fits_at:
            return True
        st = self.style
        room = width - st.leftIndent - st.rightIndent
        # Paragraph starts a new line once a character would pass the width (textsplit.dumbSplit); the
        # margin keeps text within a rounding error of it on Paragraph's side.
        fits = all(stringWidth(t, st.fontName, st.fontSize) <= room - (st.firstLineIndent if i == 0 else 0) - 0.01
                   for i, t in enumerate(self.texts))
        if fits:
            self._fits_at = width
        return fits

    def wrap(self, available_width, available_height):
        if not self.texts:  # an empty Paragraph: no lines, no height
            self.width, self.height = available_width, 0
            return self.width, self.height
        if not self._fits(available_width):
            self.width, self.height = self.paragraph().wrap(available_width, available_height)
            return self.width, self.height
        self.width, self.height = available_width, len(self.texts) * self.style.leading
        return self.width, self.height

    def split(self, available_width, available_height):
        return self.paragraph().split(available_width, available_height)

    def minWidth(self):  # noqa: N802 - ReportLab's name
        return self.paragraph().minWidth()

    def getPlainText(self, identify=None):  # noqa: N802
        return "\n".join(self.texts)

    def draw(self):
        if not self.texts:
            return
        if not self._fits(self.width):
            self.paragraph().drawOn(self.canv, 0, 0)
            return
        st, c = self.style, self.canv
        c.saveState()
        c.setFillColor(st.textColor)
        c.setFont(st.fontName, st.fontSize, st.leading)
        room = self.width - st.leftIndent - st.rightIndent
        y = self.height - st.fontSize  # Paragraph's first baseline (rl_config.paraFontSizeHeightOffset)
        for i, text in enumerate(self.texts):
            indent = st.firstLineIndent if i == 0 else 0
            x = st.leftIndent + indent
            if st.alignment != TA_LEFT:
                spare = room - indent - stringWidth(text, st.fontName, st.fontSize)
                x += spare / 2 if st.alignment == TA_CENTER else spare
            c.drawString(x, y, text)
            y -= st.leading
        c.restoreState()


def _plain_style(st: ParagraphStyle) -> bool:
    """Styles whose lines ``PlainText`` draws as ``Paragraph`` does: aligned left, centred or right, no
    border, background, dot leaders, case change, shaping or automatic leading."""
    return (st.alignment in (TA_LEFT, TA_CENTER, TA_RIGHT) and st.wordWrap in ("CJK", None)
            and not st.backColor and not (st.borderWidth and st.borderColor)
            and getattr(st, "autoLeading", "") in ("", "off", None) and not st.endDots
            and not st.textTransform and not getattr(st, "shaping", 0))


def _plain_line(text: str) -> bool:
    """One line ``Paragraph`` prints as it stands: no leading, trailing or repeated spaces, no other white
    space (which ``Paragraph`` treats in its own ways), every character in the main face (else
    ``markup`` switches fonts)."""
    return (bool(text) and text == text.strip() and "  " not in text
            and all(char == " " or (not char.isspace() and has_glyph(REGULAR, char)) for char in text))


# --- the declarative grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    content: str | Flowable | list[Flowable]
    span: int = 1
    label: bool = False
    padded: bool = True  # False for nested tables, which draw up to the cell's borders


def L(text: str, span: int = 1) -> Cell:  # noqa: N802 - reads like the form: L("姓名"), V(name)
    return Cell(text, span, label=True)


def V(content: str | Flowable | list[Flowable], span: int = 1, *, padded: bool = True) -> Cell:  # noqa: N802
    return Cell(content, span, padded=padded)


@dataclass(frozen=True)
class Block:
    title: str  # printed vertically in the first column, "\n" between lines
    rows: list[list[Cell]]
    side: Cell | None = None  # occupies the last column over all rows (the photo)
    row_padding: float = 3.5  # points above and below the text of each row


def _cell_content(cell: Cell, s: Styles) -> object:
    if isinstance(cell.content, str):
        return lines(cell.content, s.label if cell.label else s.value)
    return cell.content


def grid_table(blocks: list[Block], s: Styles, columns: tuple[float, ...]) -> Table:
    """One bordered table: per block a title cell over its rows, then label and value cells.

    ``columns`` are the widths, the first one the block titles'. Each row's spans must fill the others
    (less the last column in a block with a side cell), so a mistake in a layout fails loudly.
    """
    data: list[list[object]] = []
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # empty cells too, or Helvetica (never embedded) creeps in
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_BACKGROUND),
    ]
    for block in blocks:
        first = len(data)
        last = first + len(block.rows) - 1
        commands += [
            ("SPAN", (0, first), (0, last)),
            ("LINEABOVE", (0, first), (-1, first), FRAME if first else GRID, colors.black),
            ("TOPPADDING", (0, first), (-1, last), block.row_padding),
            ("BOTTOMPADDING", (0, first), (-1, last), block.row_padding),
        ]
        width = len(columns) - 1 - (1 if block.side else 0)
        for r, cells in enumerate(block.rows):
            row: list[object] = [lines(block.title, s.block) if r == 0 else ""]
            if sum(c.span for c in cells) != width:
                raise ValueError(f"row {r} of block {block.title!r} spans {sum(c.span for c in cells)}, not {width}")
            for cell in cells:
                col = len(row)
                row += [_cell_content(cell, s)] + [""] * (cell.span - 1)
                end = (col + cell.span - 1, first + r)
                if cell.span > 1:
                    commands.append(("SPAN", (col, first + r), end))
                if cell.label:
                    commands.append(("BACKGROUND", (col, first + r), end, LABEL_BACKGROUND))
                if not cell.padded:
                    commands += [(side, (col, first + r), end, 0) for side in
                                 ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")]
            if block.side:
                row.append(_cell_content(block.side, s) if r == 0 else "")
            data.append(row)
        if block.side:
            col = len(columns) - 1
            commands += [("SPAN", (col, first), (col, last)), ("ALIGN", (col, first), (col, last), "CENTER")]
    table = Table(data, colWidths=list(columns))
    table.setStyle(TableStyle(commands))
    return table


def block_title_height(title: str, s: Styles, row_padding: float = Block.row_padding) -> float:
    """How tall a block's title cell is: a nested table at least this tall meets the cell's borders."""
    return len(title.split("\n")) * s.block.leading + 2 * row_padding


def nested_table(rows: list[list[object]], widths: list[float], *, header_rows: Collection[int] = (),
                 header_columns: Collection[int] = (), min_height: float = 0) -> Table:
    """A table inside a grid cell: inner rules only, the cell's own borders frame it.

    ``min_height`` pads the rows evenly, so that inner rules run up to the cell's borders when the block
    title beside the table is the taller of the two.
    """
    padding = 2.5
    table = _nested(rows, widths, header_rows, header_columns, padding)
    if min_height:
        natural = table.wrap(sum(widths), min_height * 10)[1]
        if natural < min_height:
            table = _nested(rows, widths, header_rows, header_columns,
                            padding + (min_height - natural) / (2 * len(rows)))
    return table


def _nested(rows, widths, header_rows, header_columns, padding: float) -> Table:
    table = Table(rows, colWidths=widths)
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("INNERGRID", (0, 0), (-1, -1), GRID, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]
    commands += [("BACKGROUND", (0, r), (-1, r), LABEL_BACKGROUND) for r in sorted(header_rows)]
    commands += [("BACKGROUND", (c, 0), (c, -1), LABEL_BACKGROUND) for c in sorted(header_columns)]
    table.setStyle(TableStyle(commands))
    return table


# --- seals and signatures ---------------------------------------------------------------------------


def draw_seal(c: Canvas, cx: float, cy: float, label: str, *, r: float = 9 * mm) -> None:
    """The dashed circle where the seal goes, its name faint inside."""
    c.saveState()
    c.setStrokeColor(SEAL_GREY)
    c.setDash(2, 2)
    c.setLineWidth(0.5)
    c.circle(cx, cy, r)
    c.setFillColor(colors.HexColor("#999999"))
    c.setFont(REGULAR, 7.5)
    c.drawCentredString(cx, cy - 1, label)
    c.restoreState()


class OpinionBox(Flowable):
    """One opinion box: title and printed statement on top, room to write, signature, seal and date below.

    An empty ``title`` prints the statement alone (when the grid already names the box). In a wide box
    ``signature_width`` keeps the signature line to the right, where the seal and the date are.
    """

    def __init__(self, title: str, statement: list[Flowable], signer: str, seal: str, height: float,
                 styles: Styles, *, signature_width: float | None = None):
        super().__init__()
        self.title, self.statement, self.signer, self.seal = title, statement, signer, seal
        self.box_height = height
        self.s = styles
        self.signature_width = signature_width

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.box_height

    def draw(self):
        c: Canvas = self.canv
        pad = 3 * mm
        inner = self.width - 2 * pad
        y = self.box_height - pad
        head = [para(self.title, self.s.box_title)] if self.title else []
        for flowable in [*head, *self.statement]:
            _, h = flowable.wrap(inner, y)
            flowable.drawOn(c, pad, y - h)
            y -= h + 1.5

        # Bottom zone, bottom-up: the date, the seal placeholder over it (骑年盖月), the signature line.
        c.setFont(REGULAR, 9)
        c.setFillColor(colors.black)
        c.drawRightString(self.width - pad, 4 * mm, "年　　月　　日")
        cx, cy, r = self.width - pad - 13 * mm, 11 * mm, 9 * mm
        draw_seal(c, cx, cy, self.seal, r=r)
        baseline = cy + r + 3 * mm
        x = pad if self.signature_width is None else max(pad, self.width - pad - self.signature_width)
        c.drawString(x, baseline, self.signer)
        c.setLineWidth(0.5)
        c.line(x + c.stringWidth(self.signer, REGULAR, 9) + 1, baseline - 1, self.width - pad, baseline - 1)
