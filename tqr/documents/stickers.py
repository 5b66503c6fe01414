"""注册贴: the stickers that record a conclusion on the registration page of each certificate (phase 8).

Seed 三（八）: after the final review the district writes the conclusion on the certificate's registration
page, or sticks a 注册贴 there, and seals it. This prints the stickers on A4 sheets, 2 × 5 labels of
90 × 50 mm by default, with cut marks in the margins and a faint dashed outline round each label.

Each label: the heading 教师资格定期注册, the teacher's name and certificate number, the conclusion in bold,
the validity (有效期至 …, only for 合格), the registration body and date with a dashed circle where the
district's seal goes (the seal presses on the body's name and the date, as on any official paper), and on
the right a QR code of the public lookup page with the short verification code under it, so that anyone
holding the certificate can check the sticker against the register.

The QR code is drawn as vector squares (segno's matrix), so it stays sharp at any print resolution.
Plain data in, bytes out: no ORM, no clock. Render a sample: ``python -m tqr.documents.stickers /tmp/x.pdf``.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from tqr.rules.identifiers import make_certificate_number

from .fonts import BOLD, REGULAR, markup, register_fonts
from .layout import MUTED, cn_date, draw_seal, style

__all__ = ["CONCLUSIONS", "LABEL_SIZE", "Sticker", "build_sticker_sheet", "sample_stickers"]

QUALIFIED = "合格"
CONCLUSIONS = (QUALIFIED, "暂缓注册", "不合格")


@dataclass(frozen=True)
class Sticker:
    """One label, as printed."""

    name: str
    certificate_number: str
    conclusion: str  # 合格 / 暂缓注册 / 不合格
    registration_body: str  # 重庆市黔江区教育委员会
    registered_on: date
    valid_from: date | None  # the new validity period; printed for 合格 only
    valid_until: date | None
    code: str  # short verification code, e.g. QJ26-7F3K9A
    verify_url: str  # https://tqr.example/lookup/?code=QJ26-7F3K9A, in the QR code

    def __post_init__(self) -> None:
        if self.conclusion not in CONCLUSIONS:
            raise ValueError(f"{self.name}: unknown conclusion {self.conclusion!r} (expected one of {CONCLUSIONS})")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(f"{self.name}: the validity ends before it starts")

    @property
    def validity_lines(self) -> tuple[str, ...]:
        """有效期自 … / 有效期至 …; nothing for 暂缓注册 and 不合格, which start no period."""
        if self.conclusion != QUALIFIED:
            return ()
        lines = []
        if self.valid_from and self.valid_from != self.registered_on:
            lines.append(f"有效期自 {cn_date(self.valid_from)}")
        if self.valid_until:
            lines.append(f"有效期至 {cn_date(self.valid_until)}")
        return tuple(lines)


# --- measures ---------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
LABEL_SIZE = (90 * mm, 50 * mm)
MIN_MARGIN = 8 * mm  # room for the cut marks round the grid
PAD = 4 * mm  # inside a label
HEADER_HEIGHT = 10 * mm
QR_SIZE = 19 * mm
RIGHT_COLUMN = 25 * mm  # the QR code and the code under it
SEAL_RADIUS = 8 * mm
SEAL_X = LABEL_SIZE[0] - 28 * mm  # on the end of the body's name and the date, below the code
SEAL_Y = SEAL_RADIUS + 1.5 * mm
SEAL_LABEL_ROOM = 5.5 * mm  # half the width of "（盖章）" and a little air
CUT_MARK = 5 * mm
CUT_GAP = 1.5 * mm  # between a cut mark and the grid
GUIDE_GREY = colors.HexColor("#BBBBBB")
BODY_SIZES = (9, 8.5, 8, 7.5, 7, 6.5, 6)  # the text shrinks for long names and bodies, never below 6 pt


class _Styles:
    def __init__(self, size: float) -> None:
        register_fonts()
        self.size = size
        self.text = style(f"sticker_{size}", fontSize=size, leading=size * 1.35)
        self.conclusion = style(f"sticker_conclusion_{size}", fontName=BOLD, fontSize=size + 2,
                                leading=(size + 2) * 1.3)


# --- one label ----------------------------------------------------------------------------------------

LABEL_CHARS = 4  # field labels are spread over four characters (姓　　名, 证书号码), then the colon


@dataclass(frozen=True)
class _Line:
    """One field: a label spread over ``LABEL_CHARS`` characters and a value that may wrap under itself;
    or, without a label, a line of text across the column."""

    label: str
    value: Paragraph

    def wrap(self, width: float, size: float) -> float:
        indent = (LABEL_CHARS + 1) * size if self.label else 0
        return self.value.wrap(width - indent, 1000)[1]

    def draw(self, c: Canvas, x: float, top: float, width: float, size: float) -> float:
        """Draw the line's top at ``top``; return the height used."""
        height = self.wrap(width, size)
        indent = 0.0
        if self.label:
            # On the value's first baseline, which ReportLab puts one font size under the top.
            baseline = top - self.value.style.fontSize
            gaps = len(self.label) - 1
            spread = (LABEL_CHARS - len(self.label)) * size / gaps if gaps else 0
            c.setFont(REGULAR, size)
            c.setFillColor(colors.black)
            c.drawString(x, baseline, self.label, charSpace=spread)
            c.drawString(x + LABEL_CHARS * size, baseline, "：")
            indent = (LABEL_CHARS + 1) * size
        self.value.drawOn(c, x + indent, top - height)
        return height


def _upper_lines(sticker: Sticker, s: _Styles) -> list[_Line]:
    out = [
        _Line("姓名", Paragraph(markup(sticker.name), s.text)),
        _Line("证书号码", Paragraph(markup(sticker.certificate_number), s.text)),
        _Line("注册结论", Paragraph(markup(sticker.conclusion, bold=True), s.conclusion)),
    ]
    out += [_Line("", Paragraph(markup(line), s.text)) for line in sticker.validity_lines]
    return out


def _lower_lines(sticker: Sticker, s: _Styles) -> list[_Line]:
    return [
        _Line("注册机构", Paragraph(markup(sticker.registration_body), s.text)),
        _Line("注册日期", Paragraph(markup(cn_date(sticker.registered_on)), s.text)),
    ]


def _fit(sticker: Sticker, widths: tuple[float, float], height: float) -> tuple[list[_Line], list[_Line], float]:
    """The label's lines at the largest size at which they fit ``height`` (``widths``: upper, lower)."""
    for size in BODY_SIZES:
        s = _Styles(size)
        upper, lower = _upper_lines(sticker, s), _lower_lines(sticker, s)
        used = sum(line.wrap(widths[0], size) for line in upper) + sum(line.wrap(widths[1], size) for line in lower)
        if used + 2 * mm <= height:
            break
    return upper, lower, size


def _draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """``text`` as a QR code filling the square at (x, y), quiet zone of two modules included."""
    qr = segno.make(text, error="m", micro=False)
    matrix = qr.matrix
    border = 2
    module = size / (len(matrix) + 2 * border)
    c.saveState()
    c.setFillColor(colors.black)
    top = y + size - border * module
    for r, row in enumerate(matrix):
        col = 0
        while col < len(row):  # one rectangle per run of dark modules: a smaller, cleaner PDF
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                c.rect(x + (border + start) * module, top - (r + 1) * module, (col - start) * module, module,
                       stroke=0, fill=1)
            else:
                col += 1
    c.restoreState()


def _draw_label(c: Canvas, sticker: Sticker, x: float, y: float) -> None:
    w, h = LABEL_SIZE
    c.saveState()
    c.translate(x, y)

    # The outline to cut along, faint and dashed: it may show a little on a sticker cut off-line.
    c.setStrokeColor(GUIDE_GREY)
    c.setLineWidth(0.4)
    c.setDash(2, 2)
    c.rect(0, 0, w, h)
    c.setDash()

    # Heading over a double rule.
    c.setFillColor(colors.black)
    c.setFont(BOLD, 11.5)
    c.drawCentredString(w / 2, h - HEADER_HEIGHT + 3.2 * mm, "教师资格定期注册")
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.9)
    c.line(PAD, h - HEADER_HEIGHT + 1.6 * mm, w - PAD, h - HEADER_HEIGHT + 1.6 * mm)
    c.setLineWidth(0.3)
    c.line(PAD, h - HEADER_HEIGHT + 1.0 * mm, w - PAD, h - HEADER_HEIGHT + 1.0 * mm)

    # Right column: the QR code and the code; the text keeps out of it.
    qr_x = w - PAD - QR_SIZE + 1 * mm  # the quiet zone may reach into the padding
    qr_y = h - HEADER_HEIGHT - QR_SIZE
    _draw_qr(c, sticker.verify_url, qr_x, qr_y, QR_SIZE)
    centre = qr_x + QR_SIZE / 2
    c.setFont(REGULAR, 6.5)
    c.setFillColor(MUTED)
    c.drawCentredString(centre, qr_y - 2.2 * mm, "扫码或凭核验码查询")
    c.setFillColor(colors.black)
    c.setFont(BOLD, 8)
    c.drawCentredString(centre, qr_y - 5.6 * mm, sticker.code)

    # Left column: the fields from the top, registration body and date at the foot with the seal on them.
    text_width = w - 2 * PAD - RIGHT_COLUMN
    # The body and date stop short of the seal's faint label: the circle may cross them, the label not.
    lower_width = SEAL_X - SEAL_LABEL_ROOM - PAD
    text_height = h - HEADER_HEIGHT - PAD - 0.5 * mm
    upper, lower, size = _fit(sticker, (text_width, lower_width), text_height)
    draw_seal(c, SEAL_X, SEAL_Y, "（盖章）", r=SEAL_RADIUS)
    top = h - HEADER_HEIGHT - 0.8 * mm
    for line in upper:
        top -= line.draw(c, PAD, top, text_width, size)
    top = PAD + sum(line.wrap(lower_width, size) for line in lower)
    for line in lower:
        top -= line.draw(c, PAD, top, lower_width, size)
    c.restoreState()


# --- the sheet ----------------------------------------------------------------------------------------


def _origin(columns: int, rows: int) -> tuple[float, float]:
    """The bottom-left corner of the label grid, centred on the page."""
    return (PAGE_WIDTH - columns * LABEL_SIZE[0]) / 2, (PAGE_HEIGHT - rows * LABEL_SIZE[1]) / 2


def _draw_cut_marks(c: Canvas, columns: int, rows: int) -> None:
    """Short marks in the margins where every column and row edge runs, for a guillotine."""
    x0, y0 = _origin(columns, rows)
    x1, y1 = x0 + columns * LABEL_SIZE[0], y0 + rows * LABEL_SIZE[1]
    c.saveState()
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.3)
    for i in range(columns + 1):
        x = x0 + i * LABEL_SIZE[0]
        c.line(x, y1 + CUT_GAP, x, y1 + CUT_GAP + CUT_MARK)
        c.line(x, y0 - CUT_GAP, x, y0 - CUT_GAP - CUT_MARK)
    for j in range(rows + 1):
        y = y0 + j * LABEL_SIZE[1]
        c.line(x0 - CUT_GAP, y, x0 - CUT_GAP - CUT_MARK, y)
        c.line(x1 + CUT_GAP, y, x1 + CUT_GAP + CUT_MARK, y)
    c.restoreState()


def _draw_foot(c: Canvas, page: int, pages: int, columns: int, rows: int) -> None:
    _, y0 = _origin(columns, rows)
    c.saveState()
    c.setFont(REGULAR, 7.5)
    c.setFillColor(MUTED)
    baseline = max(4 * mm, (y0 - CUT_GAP - CUT_MARK) / 2)
    c.drawCentredString(PAGE_WIDTH / 2, baseline,
                        f"注册贴　沿线裁切后贴于教师资格证书注册页，加盖注册机构公章　第 {page} 页 共 {pages} 页")
    c.restoreState()


def build_sticker_sheet(stickers: Sequence[Sticker], *, columns: int = 2, rows: int = 5) -> bytes:
    """The stickers on A4 sheets, ``columns`` × ``rows`` labels of 90 × 50 mm a page, in the order given.

    At most 2 × 5 labels fit on A4 with room for the cut marks; more is refused rather than squeezed.
    """
    if columns < 1 or rows < 1:
        raise ValueError("at least one column and one row")
    if columns * LABEL_SIZE[0] > PAGE_WIDTH - 2 * MIN_MARGIN or rows * LABEL_SIZE[1] > PAGE_HEIGHT - 2 * MIN_MARGIN:
        raise ValueError(f"{columns} × {rows} labels of 90 × 50 mm do not fit on A4 (at most 2 × 5)")
    if not stickers:
        raise ValueError("no stickers to print")
    register_fonts()
    per_page = columns * rows
    pages = -(-len(stickers) // per_page)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=True,  # same data, same bytes
               initialFontName=REGULAR)  # else the page preamble names Helvetica, which is never embedded
    c.setTitle("教师资格定期注册 注册贴")  # no teacher's name in the metadata
    c.setAuthor("TQR 教师资格定期注册管理系统")
    x0, y0 = _origin(columns, rows)
    for page in range(pages):
        _draw_cut_marks(c, columns, rows)
        for k, sticker in enumerate(stickers[page * per_page:(page + 1) * per_page]):
            row, col = divmod(k, columns)  # left to right, top to bottom
            _draw_label(c, sticker, x0 + col * LABEL_SIZE[0], y0 + (rows - 1 - row) * LABEL_SIZE[1])
        _draw_foot(c, page + 1, pages, columns, rows)
        c.showPage()
    c.save()
    return buffer.getvalue()


# --- demo data and the command line ------------------------------------------------------------------

_NAMES = ("张晓燕", "𠮷星辰", "阿依古丽·买买提", "王建国", "欧阳春梅", "李静", "刘志强", "陈玉兰", "杨海燕", "黄德华",
          "周伟", "吴秀英", "徐明", "孙雪梅", "马勇", "朱红霞", "胡思远", "郭欣怡", "何子涵", "高朝阳", "林桂芳",
          "罗永华", "郑婷")


def sample_stickers(count: int = 23) -> list[Sticker]:
    """``count`` made-up stickers (the same each call): mostly 合格, one 暂缓注册 and one 不合格, long names."""
    out = []
    for i in range(count):
        conclusion = {3: "暂缓注册", 9: "不合格"}.get(i, QUALIFIED)
        code = f"QJ26-{(7_340_000 + i * 7919) % 16**6:06X}"
        out.append(Sticker(
            name=_NAMES[i % len(_NAMES)],
            certificate_number=make_certificate_number(2013, 50, 1, i % 6 + 1, i % 2, 2871 + i),
            conclusion=conclusion,
            registration_body="重庆市黔江区教育委员会",
            registered_on=date(2026, 12, 8),
            valid_from=date(2026, 12, 8) if conclusion == QUALIFIED else None,
            valid_until=date(2031, 12, 7) if conclusion == QUALIFIED else None,
            code=code,
            verify_url=f"https://tqr.example/lookup/?code={code}",
        ))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a sample sheet of 注册贴 as PDF.")
    parser.add_argument("output", help="where to write the PDF")
    parser.add_argument("--count", type=int, default=23, help="how many stickers (default 23)")
    args = parser.parse_args(argv)
    with open(args.output, "wb") as out:
        out.write(build_sticker_sheet(sample_stickers(args.count)))


if __name__ == "__main__":
    main()
