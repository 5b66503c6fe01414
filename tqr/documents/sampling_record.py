"""复审抽查记录: the record of the city's random sample of a district's batch (domain §4, phase 6).

The record prints what anyone needs to check the draw (``tqr.rules.sampling``): the population's size and
SHA-256, the rate and the strata, the seed and the hash of the seed registered before the draw, a short
note on how to recompute it, then the drawn applications with the reason each was drawn (随机抽取, or
暂缓或不合格全部抽查), a column for the result of the check, and signature lines for the checker and the
reviewer. The seed is printed in full: it is published after the draw, that is what makes it checkable.

Hashes and the seed are drawn at a fixed pitch in groups of eight characters (``_Monospaced``), so that
two copies can be compared by eye column by column; the bundled fonts have no monospaced face.

A4 portrait in the look of the other forms (``layout``): a bordered parameter grid, the list as a table
whose header row repeats on every page, "第 N 页 共 M 页" at each foot. Plain data in, bytes out: no ORM.

Render a sample: ``python -m tqr.documents.sampling_record /tmp/x.pdf [--rows N]``.
"""

from __future__ import annotations

import argparse
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageTemplate,
    Spacer,
    TableStyle,
)

from tqr.rules import sampling

from .fonts import BOLD, REGULAR, register_fonts
from .layout import (
    CELL_PADDING,
    FOOT_BASELINE,
    FOOTER_SPACE,
    FRAME,
    GRID,
    HANGING_ROOM,
    LABEL_BACKGROUND,
    MUTED,
    PAGE_MARGIN,
    SMALL_SIZE,
    Block,
    L,
    Styles,
    V,
    cn_datetime,
    grid_table,
    para,
    style,
)

__all__ = ["SampledRow", "SamplingRecord", "build_sampling_record", "percent", "sample_record"]


class SampledRow(NamedTuple):
    """One drawn application, as printed. A plain tuple in this order is accepted too."""

    number: int  # 序号
    name: str
    unit: str  # 任教学校
    qualification_type: str  # 资格种类, e.g. 小学教师资格
    conclusion: str  # 初审结论: 合格 / 暂缓注册 / 不合格
    reason: str  # 随机抽取 / 暂缓或不合格全部抽查 (or the code from ``tqr.rules.sampling``: random, …)
    result: str = ""  # 核查结果, empty until the check is done: the column is then filled in by hand
    note: str = ""  # 备注


@dataclass(frozen=True)
class SamplingRecord:
    title: str  # 2026年教师资格定期注册复审抽查记录
    district: str  # 黔江区 (the batch's district)
    drawn_at: datetime
    drawn_by: str  # who pressed the button (抽签人)
    population_size: int
    population_hash: str  # SHA-256 hex of the published list
    seed: str  # printed in full: published after the draw
    seed_hash: str  # SHA-256 hex of the seed, registered before the draw
    rate: Decimal | float  # 0.10 prints as 10%
    strata_description: str  # 按学校分层，每层至少1人
    include_non_qualified: bool
    rows: tuple[SampledRow, ...] = field(default=())
    number: str = ""  # 抽查编号, the argument of ``manage.py verify_sample``
    reviewing_body: str = ""  # 重庆市教师资格认定指导中心, under the title when given

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(SampledRow(*row) for row in self.rows))


# --- measures and styles ----------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
CONTENT_WIDTH = PAGE_WIDTH - 2 * PAGE_MARGIN
CONTENT_HEIGHT = PAGE_HEIGHT - 2 * PAGE_MARGIN - FOOTER_SPACE
COLUMNS = (10 * mm, 24 * mm, 60 * mm, 24 * mm, 62 * mm)  # block title, then label/value twice
HASH_SIZE = 8.5
TABLE_SIZE = 8.5
# 序号 姓名 任教学校 资格种类 初审结论 抽取方式 核查结果 备注; the school takes what the others leave.
LIST_WIDTHS = (9 * mm, 16 * mm, 0, 33 * mm, 14 * mm, 22 * mm, 16 * mm, 18 * mm)
LIST_HEADINGS = ("序号", "姓名", "任教学校", "资格种类", "初审结论", "抽取方式", "核查结果", "备注")


class _Styles(Styles):
    def __init__(self) -> None:
        super().__init__()
        self.section = style("section", fontName=BOLD, fontSize=11, leading=15, alignment=TA_LEFT)
        self.note = style("note", fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.45, rightIndent=HANGING_ROOM)
        self.head = style("head", fontName=BOLD, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)
        self.cell = style("cell", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.3)
        self.cell_centred = style("cell_centred", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)


def percent(rate: Decimal | float) -> str:
    """0.1 → 10%, 0.125 → 12.5%."""
    value = (rate if isinstance(rate, Decimal) else Decimal(str(rate))) * 100
    return f"{value.normalize():f}%"


# --- hashes at a fixed pitch -------------------------------------------------------------------------


class _Monospaced(Flowable):
    """``text`` one character per fixed-width cell, in groups of ``group`` with a gap between groups,
    wrapped at group boundaries. Each character is its own text run, so copy and search still work."""

    def __init__(self, text: str, size: float = HASH_SIZE, group: int = 8):
        super().__init__()
        self.text, self.size, self.group = text, size, group
        self.pitch = max([stringWidth(ch, REGULAR, size) for ch in text] + [stringWidth("0", REGULAR, size)])
        self.gap = self.pitch * 0.8
        self.leading = size * 1.4

    def _lines(self, width: float) -> list[list[str]]:
        groups = [self.text[i:i + self.group] for i in range(0, len(self.text), self.group)] or [""]
        per_line = max(1, int((width + self.gap) // (self.group * self.pitch + self.gap)))
        return [groups[i:i + per_line] for i in range(0, len(groups), per_line)]

    def wrap(self, available_width, available_height):
        self.lines = self._lines(available_width)
        self.width = available_width
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def draw(self):
        c: Canvas = self.canv
        c.setFont(REGULAR, self.size)
        c.setFillColor(colors.black)
        baseline = self.height - self.size
        for line in self.lines:
            x = 0.0
            for chunk in line:
                for ch in chunk:
                    c.drawCentredString(x + self.pitch / 2, baseline, ch)
                    x += self.pitch
                x += self.gap
            baseline -= self.leading


# --- the parts ----------------------------------------------------------------------------------------


def _breakdown(rec: SamplingRecord) -> str:
    """随机抽取15人，暂缓或不合格全部抽查9人: how many rows each reason brought in, the rules' order first."""
    counts = Counter(_reason(row.reason) for row in rec.rows)
    order = [*sampling.REASON_LABELS.values(), *sorted(set(counts) - set(sampling.REASON_LABELS.values()))]
    return "，".join(f"{label}{counts[label]}人" for label in order if counts[label])


def _reason(reason: str) -> str:
    return sampling.REASON_LABELS.get(reason, reason)


def _parameters(rec: SamplingRecord, s: _Styles) -> Flowable:
    breakdown = _breakdown(rec)
    drawn = f"{len(rec.rows)}人（{breakdown}）" if breakdown else f"{len(rec.rows)}人"
    blocks = [
        Block("抽查\n参数", rows=[
            [L("区县"), V(rec.district), L("抽查编号"), V(rec.number or "—")],
            [L("抽签时间"), V(cn_datetime(rec.drawn_at)), L("抽签人"), V(rec.drawn_by)],
            [L("抽查比例"), V(percent(rec.rate)), L("分层方式"), V(rec.strata_description)],
            [L("抽查总体"), V(f"{rec.population_size}人"), L("暂缓、不合格"),
             V("全部抽查" if rec.include_non_qualified else "仅参加随机抽取")],
            [L("抽中人数"), V(drawn, span=3)],
        ]),
        Block("核验\n数据", rows=[
            [L("总体哈希\nSHA-256"), V(_Monospaced(rec.population_hash), span=3)],
            [L("种子"), V(_Monospaced(rec.seed), span=3)],
            [L("种子哈希\nSHA-256"), V(_Monospaced(rec.seed_hash), span=3)],
        ]),
    ]
    return grid_table(blocks, s, COLUMNS)


def _how_to_verify(rec: SamplingRecord, s: _Styles) -> list[Flowable]:
    command = f"python manage.py verify_sample {rec.number or '<编号>'}"
    steps = [
        "如何核验：任何人可用公布的名单和种子重新计算（SHA-256 / HMAC-SHA256）：",
        "① 名单按申请编号排序，以 JSON（键名排序、无空格、UTF-8）写出，其 SHA-256 应等于总体哈希；",
        "② 种子的 SHA-256 应等于抽签前登记的种子哈希（种子在抽签后公布）；",
        "③ 每份申请的排序值为 HMAC-SHA256（密钥为种子，消息为申请编号），每层取排序值最小的 n 人，"
        "n = max（每层最少人数，比例 × 层内人数向上取整），不超过层内人数"
        + ("；初审结论为暂缓注册、不合格的全部抽查；" if rec.include_non_qualified else "；"),
        # The command on a line of its own, so that it never breaks before its argument.
        f"④ 在本系统中，命令 {command} 一次完成以上三项核验。",
    ]
    return [para(text, s.note) for text in steps]


def _list_table(rec: SamplingRecord, s: _Styles) -> LongTable:
    widths = list(LIST_WIDTHS)
    widths[2] = CONTENT_WIDTH - sum(widths)
    data: list[list[object]] = [[para(h, s.head) for h in LIST_HEADINGS]]
    for row in rec.rows:
        data.append([
            str(row.number), para(row.name, s.cell_centred), para(row.unit, s.cell),
            para(row.qualification_type, s.cell_centred), para(row.conclusion, s.cell_centred),
            para(_reason(row.reason), s.cell_centred), para(row.result, s.cell_centred), para(row.note, s.cell),
        ])
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # empty cells too, or Helvetica (never embedded) creeps in
        ("FONTSIZE", (0, 0), (-1, -1), TABLE_SIZE),
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), FRAME * 0.75, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (2, 1), (2, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if not rec.rows:
        data.append([para("本次未抽中任何申请", s.cell_centred)] + [""] * (len(widths) - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


class _SignOff(Flowable):
    """抽查人（签字）____ 复核人（签字）____ 日期 ____年__月__日, on one line."""

    HEIGHT = 16 * mm
    SIZE = 10

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.HEIGHT

    def draw(self):
        c: Canvas = self.canv
        c.setFont(REGULAR, self.SIZE)
        c.setFillColor(colors.black)
        c.setLineWidth(0.5)
        baseline = 4 * mm
        fields = [("抽查人（签字）：", 62 * mm), ("复核人（签字）：", 62 * mm)]
        x = 0.0
        for label, width in fields:
            c.drawString(x, baseline, label)
            start = x + stringWidth(label, REGULAR, self.SIZE) + 1
            c.line(start, baseline - 2, x + width - 6 * mm, baseline - 2)
            x += width
        c.drawRightString(self.width, baseline, "日期：　　　　年　　月　　日")


def _story(rec: SamplingRecord, s: _Styles) -> list[Flowable]:
    subtitle = rec.reviewing_body or f"{rec.district}复审随机抽查"
    breakdown = _breakdown(rec)
    caption = f"抽中名单（共{len(rec.rows)}人：{breakdown}）" if breakdown else f"抽中名单（共{len(rec.rows)}人）"
    return [
        para(rec.title, s.title),
        Spacer(1, 1.5 * mm),
        para(subtitle, s.subtitle),
        Spacer(1, 4 * mm),
        _parameters(rec, s),
        Spacer(1, 2.5 * mm),
        *_how_to_verify(rec, s),
        CondPageBreak(30 * mm),  # the caption never ends a page alone
        Spacer(1, 4 * mm),
        para(caption, s.section),
        Spacer(1, 2 * mm),
        _list_table(rec, s),
        KeepTogether([Spacer(1, 6 * mm), _SignOff()]),
    ]


def _footer(rec: SamplingRecord, total: int | None):
    running = "　".join(x for x in (rec.title, rec.district, rec.number and f"抽查编号 {rec.number}") if x)

    def draw(c: Canvas, doc) -> None:
        c.saveState()
        c.setFont(REGULAR, SMALL_SIZE)
        c.setFillColor(MUTED)
        c.drawString(PAGE_MARGIN, FOOT_BASELINE, running)
        c.setFillColor(colors.black)
        pages = f"第 {doc.page} 页 共 {total} 页" if total else f"第 {doc.page} 页"
        c.drawRightString(PAGE_WIDTH - PAGE_MARGIN, FOOT_BASELINE, pages)
        c.restoreState()

    return draw


def _render(rec: SamplingRecord, s: _Styles, total: int | None) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=rec.title,
        author="TQR 教师资格定期注册管理系统",
        subject=" ".join(x for x in (rec.district, rec.number) if x),
        initialFontName=REGULAR,  # else the page preamble names Helvetica, a font that is never embedded
        invariant=True,  # same data, same bytes
    )
    frame = Frame(PAGE_MARGIN, PAGE_MARGIN + FOOTER_SPACE, CONTENT_WIDTH, CONTENT_HEIGHT,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("record", [frame], onPage=_footer(rec, total))])
    doc.build(_story(rec, s))
    return buffer.getvalue(), doc.page


def build_sampling_record(rec: SamplingRecord) -> bytes:
    """The record on A4 portrait. Laid out twice: the first pass counts the pages for "共 M 页" (the foot
    is the same height either way, so the second pass breaks pages at the same places)."""
    register_fonts()
    s = _Styles()
    _, pages = _render(rec, s, None)
    pdf, _ = _render(rec, s, pages)
    return pdf


# --- demo data and the command line ------------------------------------------------------------------

_SCHOOLS = ("重庆市黔江区城东小学校", "重庆市黔江区城西中学校", "重庆市黔江区民族职业教育中心", "重庆市黔江区实验幼儿园",
            "重庆市黔江区濯水镇中心小学校", "重庆市黔江中学校")
_QUALIFICATIONS = ("小学教师资格", "初级中学教师资格", "高级中学教师资格", "幼儿园教师资格", "中等职业学校教师资格")
_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
_GIVEN = ("晓燕", "建国", "丽", "海燕", "静", "伟", "秀英", "明", "春梅", "勇", "志强", "玉兰", "雪梅", "德华")


def sample_record(*, rows: int = 24) -> SamplingRecord:
    """A made-up record (the same each call) drawn with the real rules, so its hashes are genuine."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    size = max(rows * 10, 1)
    people = {i: (rng.choice(_SURNAMES) + rng.choice(_GIVEN), _SCHOOLS[i % len(_SCHOOLS)],
                  rng.choice(_QUALIFICATIONS), rng.choices(["合格", "暂缓注册", "不合格"], [60, 2, 1])[0])
              for i in range(1, size + 1)}
    people[2] = ("𠮷星辰", people[2][1], people[2][2], "暂缓注册")  # drawn whatever the seed: shows the fallback font
    members = [sampling.Member(i, (unit,), conclusion) for i, (_, unit, _, conclusion) in people.items()]
    seed = "3b9d0c6f1e2a48d5a7c4f0e19b8d2c6a5f3e1d0c9b8a7f6e5d4c3b2a1f0e9d8c"
    spec = sampling.SampleSpec(rate=Decimal("0.10"))
    drawn = sampling.draw(members, seed, spec)
    chosen = drawn.chosen[:rows] if rows else ()
    return SamplingRecord(
        title="2026年教师资格定期注册复审抽查记录",
        district="黔江区",
        drawn_at=datetime(2026, 12, 4, 9, 30),
        drawn_by="市教师资格认定指导中心 李明",
        population_size=drawn.size,
        population_hash=drawn.population_hash,
        seed=seed,
        seed_hash=drawn.seed_hash,
        rate=spec.rate,
        strata_description="按学校分层，每层至少1人",
        include_non_qualified=spec.include_non_qualified,
        rows=tuple(
            SampledRow(n, *people[i][:4], sampling.REASON_LABELS[drawn.reasons[i]],
                       "相符" if n % 7 else "", "")
            for n, i in enumerate(chosen, 1)
        ),
        number="2026-QJ-01",
        reviewing_body="重庆市教师资格认定指导中心",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a sample 复审抽查记录 as PDF.")
    parser.add_argument("output", help="where to write the PDF")
    parser.add_argument("--rows", type=int, default=24, help="how many drawn applications (default 24)")
    args = parser.parse_args(argv)
    with open(args.output, "wb") as out:
        out.write(build_sampling_record(sample_record(rows=args.rows)))


if __name__ == "__main__":
    main()
