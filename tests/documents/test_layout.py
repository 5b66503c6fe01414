"""The shared pieces of the forms: plain text drawn where Paragraph would draw it (no database)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from tests.documents.test_application_form import needs_poppler, poppler
from tqr.documents.fonts import BOLD, REGULAR, markup, register_fonts
from tqr.documents.layout import CELL_PADDING, Styles, lines, para

STYLES = Styles()
WIDTH = 34 * 72 / 25.4 - 2 * CELL_PADDING  # a value cell of the 申请表

TEXTS = [
    "张晓燕",  # fits
    "2023年11月8日 10:32",  # fits, with a space
    "重庆市黔江区城东中学校重庆市黔江区城东中学校",  # wraps
    "中小学高级教师（正高级评审中）",  # wraps, a closing mark near the end
    "𠮷野家",  # a fallback font run
    "a  b",  # repeated spaces
    " 前后有空格 ",
    "A&B <学校>",  # escaped for Paragraph, printed as typed
]


def paragraph(text: str, style) -> Paragraph:
    bold = style.fontName == BOLD
    return Paragraph("<br/>".join(markup(line, bold=bold) for line in text.split("\n")), style)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("style", ["label", "value", "centred", "small", "box_text"])
def test_plain_text_takes_the_room_a_paragraph_takes(text, style):
    st = getattr(STYLES, style)
    assert para(text, st).wrap(WIDTH, 1000) == paragraph(text, st).wrap(WIDTH, 1000)


@pytest.mark.parametrize("text", ["个人\n信息", "有效\n期内\n情况", "参加工作\n时间", "", "审\n核\n意\n见"])
def test_kept_line_breaks_take_the_room_a_paragraph_takes(text):
    for st in (STYLES.block, STYLES.label):
        width = 10 * 72 / 25.4 - 2 * CELL_PADDING
        assert lines(text, st).wrap(width, 1000) == paragraph(text, st).wrap(width, 1000)


def test_only_text_that_fits_skips_the_paragraph():
    short, long, rare = (para(t, STYLES.value) for t in ("张晓燕", TEXTS[2], "𠮷野家"))
    for flowable in (short, long, rare):
        flowable.wrap(WIDTH, 1000)

    assert short._paragraph is None
    assert long._paragraph is not None and rare._paragraph is not None


def words(flowables: list, tmp_path) -> list[tuple[str, float, float, float, float]]:
    """The words pdftotext finds, with their boxes, for flowables drawn one under another."""
    buffer = BytesIO()
    c = Canvas(buffer, pagesize=A4, initialFontName=REGULAR)
    y = A4[1] - 50
    for flowable in flowables:
        _, h = flowable.wrap(WIDTH, 1000)
        y -= h + 10
        flowable.drawOn(c, 50, y)
    c.save()
    html = poppler("pdftotext", buffer.getvalue(), tmp_path, "-bbox")
    return [(w, *map(float, box)) for *box, w in
            re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)]


@needs_poppler
def test_plain_text_is_printed_where_a_paragraph_prints_it(tmp_path):
    register_fonts()
    cases = [(t, st) for t in TEXTS for st in (STYLES.label, STYLES.value, STYLES.small, STYLES.title)]
    cases += [("个人\n信息", STYLES.block), ("参加工作\n时间", STYLES.label)]
    ours = words([lines(t, st) for t, st in cases], tmp_path)
    theirs = words([paragraph(t, st) for t, st in cases], tmp_path)

    assert [w for w, *_ in ours] == [w for w, *_ in theirs]
    for (word, *box), (_, *expected) in zip(ours, theirs, strict=True):
        assert box == pytest.approx(expected, abs=0.01), word
