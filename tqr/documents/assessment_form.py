"""《重庆市教师资格定期注册考核鉴定表》(附件2): the school's proof of materials 5, 6 and 7, one per teacher.

Seed 三（三）5–7: the annual assessments of the validity period (or last year's for a first registration,
the probation assessment for a new teacher), the ethics statement and the health statement "可由学校统一提供，
需每人一份". The school prints one page per teacher, signs and seals it, and hands it in with the rest.

``build_assessment_form`` takes plain data and returns PDF bytes; ``build_assessment_batch`` prints a whole
school (or district) into one PDF, one page per teacher, page by page on one canvas so that a thousand
teachers need neither a thousand documents nor all their flowables at once. No ORM, no clock: the same
data gives the same bytes.

The Chongqing layout of 附件2 is not available (domain §8): this one follows the 申请表's look (``layout``).

Render a sample: ``python -m tqr.documents.assessment_form /tmp/x.pdf [--worst-case] [--batch N]``.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, LayoutError, Spacer, Table, TableStyle

from tqr.rules.identifiers import mask_resident_id

from .fonts import REGULAR, register_fonts
from .layout import (
    CELL_PADDING,
    FOOT_BASELINE,
    FOOTER_SPACE,
    FRAME,
    GRID,
    LABEL_BACKGROUND,
    PAGE_MARGIN,
    SMALL_SIZE,
    Block,
    L,
    OpinionBox,
    Styles,
    V,
    block_title_height,
    cn_date,
    cn_datetime,
    grid_table,
    lines,
    nested_table,
    number,
    para,
)

__all__ = [
    "DEFAULT_ETHICS_STATEMENT",
    "DEFAULT_HEALTH_STATEMENT",
    "DEFAULT_SCHOOL_OPINION",
    "AssessmentFormData",
    "build_assessment_batch",
    "build_assessment_form",
    "sample_assessment_data",
]

FORM_TITLE = "重庆市教师资格定期注册考核鉴定表"
FOOT_NOTE = "本表由学校统一出具，每人一份，作为注册材料第5、6、7项"
DEFAULT_ETHICS_STATEMENT = "该同志忠诚党的教育事业，遵守《中小学教师职业道德规范》，师德表现良好，无违反师德行为。"
DEFAULT_HEALTH_STATEMENT = "该同志身心健康，能够胜任教育教学工作。（根据近年体检情况出具，暂不要求统一体检）"
DEFAULT_SCHOOL_OPINION = "经审核，该同志符合教师资格定期注册条件，同意申请注册。"

Hours = int | float | Decimal


@dataclass(frozen=True)
class AssessmentFormData:
    """Everything printed on one teacher's 考核鉴定表, as display text. Dates print as 2023年11月8日."""

    round_title: str  # e.g. 2023年中小学教师资格定期注册
    round_year: int
    unit_name: str  # 工作单位: the school's full legal name (法人机构全称)
    name: str
    gender: str
    birth_date: date | None
    id_number: str  # masked by the caller: 500114********123X (an unmasked resident ID is masked again here)
    certificate_number: str
    qualification_type: str  # 资格种类, e.g. 初级中学教师资格
    post_level: str  # 任教学段
    subject: str  # 任教学科
    title: str  # 职称
    hire_date: date | None  # 参加工作时间
    registration_kind: str  # 注册类别: 定期注册 / 首次注册 / 暂缓后再次申请
    printed_at: datetime
    # (year, grade label) oldest first: five years for a periodic registration, last year's for a first
    # registration, ("试用期", "合格") for a new teacher's probation assessment.
    assessments: tuple[tuple[int | str, str], ...] = ()
    training_hours: Hours | None = None
    training_hours_required: Hours | None = 360
    interruptions: tuple[tuple[date, date, int, str], ...] = ()  # (start, end, days, reason label)
    ethics_statement: str = DEFAULT_ETHICS_STATEMENT  # 师德表现
    health_statement: str = DEFAULT_HEALTH_STATEMENT  # 身心健康状况
    school_opinion: str = DEFAULT_SCHOOL_OPINION  # 学校意见


# --- measures ---------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
CONTENT_WIDTH = PAGE_WIDTH - 2 * PAGE_MARGIN
CONTENT_HEIGHT = PAGE_HEIGHT - 2 * PAGE_MARGIN - FOOTER_SPACE
# Block title, then three label/value pairs; a value spanning to the right edge is sum(COLUMNS[2:]).
COLUMNS = (10 * mm, 20 * mm, 40 * mm, 22 * mm, 28 * mm, 22 * mm, 38 * mm)
VALUE_WIDTH = sum(COLUMNS[1:])  # a nested table spanning every column after the block title
STATEMENT_HEIGHT = 18 * mm  # the statements get more air than data rows, and both the same
OPINION_HEIGHT = (45 * mm, 115 * mm)  # at least room to sign and seal; at most what looks balanced
SIGNATURE_WIDTH = 85 * mm
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


# --- the blocks -------------------------------------------------------------------------------------


def _shown_id(id_number: str) -> str:
    """The caller masks; a full resident ID slipping through is masked here too (its birth date never shows)."""
    value = id_number.strip()
    return mask_resident_id(value) if _RESIDENT_ID.fullmatch(value) else value


def _blocks(d: AssessmentFormData, s: Styles) -> list[Block]:
    return [
        Block("基本\n情况", rows=[
            [L("姓名"), V(d.name), L("性别"), V(d.gender), L("出生日期"), V(cn_date(d.birth_date))],
            [L("身份证号"), V(_shown_id(d.id_number)), L("资格证书\n号码"), V(d.certificate_number, span=3)],
            [L("资格种类"), V(d.qualification_type), L("任教学段"), V(d.post_level), L("任教学科"), V(d.subject)],
            [L("职称"), V(d.title), L("参加工作\n时间"), V(cn_date(d.hire_date)), L("注册类别"),
             V(d.registration_kind)],
            [L("工作单位"), V(d.unit_name, span=5)],
        ]),
        Block("年度\n考核\n情况", rows=[[V(_assessments(d, s), span=6, padded=not d.assessments)]]),
        Block("培训\n情况", rows=[[L("培训学时"), V(_training(d), span=5)]]),
        Block("中断\n教学\n情况", rows=[[V(_interruptions(d, s), span=6, padded=not d.interruptions)]]),
        _statement("师德\n表现", d.ethics_statement, s),
        _statement("身心\n健康\n状况", d.health_statement, s),
    ]


def _statement(title: str, text: str, s: Styles) -> Block:
    """A printed statement in a row at least ``STATEMENT_HEIGHT`` tall, whatever its title's lines."""
    content = max(block_title_height(title, s, 0), _height(para(text, s.value), VALUE_WIDTH - 2 * CELL_PADDING))
    padding = max(Block.row_padding, (STATEMENT_HEIGHT - content) / 2)
    return Block(title, row_padding=padding, rows=[[V(text, span=6)]])


def _year_label(year: int | str) -> str:
    return f"{year}年度" if isinstance(year, int) else str(year)


def _assessments(d: AssessmentFormData, s: Styles) -> Flowable | str:
    if not d.assessments:
        return "无年度考核记录"
    label = COLUMNS[1]
    per_row = 6
    chunks = [d.assessments[i : i + per_row] for i in range(0, len(d.assessments), per_row)]
    columns = min(per_row, len(d.assessments))
    rows: list[list[object]] = []
    for chunk in chunks:
        padding = [""] * (columns - len(chunk))
        rows.append([para("年度", s.label)] + [para(_year_label(year), s.centred) for year, _ in chunk] + padding)
        rows.append([para("考核等次", s.label)] + [para(grade, s.centred) for _, grade in chunk] + padding)
    widths = [label] + [(VALUE_WIDTH - label) / columns] * columns
    return nested_table(rows, widths, header_rows=set(range(0, len(rows), 2)), header_columns={0},
                        min_height=block_title_height("年度\n考核\n情况", s))


def _training(d: AssessmentFormData) -> str:
    hours = number(d.training_hours) if d.training_hours is not None else "________"  # to fill in by hand
    done = f"有效期内累计完成 {hours} 学时"
    if d.training_hours_required is None:
        return done
    return f"{done}（要求不少于 {number(d.training_hours_required)} 学时）"


def _interruptions(d: AssessmentFormData, s: Styles) -> Flowable | str:
    if not d.interruptions:
        return "无"
    rows: list[list[object]] = [[para(h, s.label) for h in ("起始日期", "结束日期", "天数", "原因")]]
    for start, end, days, reason in d.interruptions:
        rows.append([para(cn_date(start), s.centred), para(cn_date(end), s.centred), para(str(days), s.centred),
                     para(reason, s.value)])
    fixed = [30 * mm, 30 * mm, 14 * mm]
    return nested_table(rows, [*fixed, VALUE_WIDTH - sum(fixed)], header_rows={0},
                        min_height=block_title_height("中断\n教学\n情况", s))


def _opinion(d: AssessmentFormData, s: Styles, height: float) -> Table:
    box = OpinionBox("", [para(d.school_opinion, s.box_text)], "负责人签字：", "学校公章", height, s,
                     signature_width=SIGNATURE_WIDTH)
    table = Table([[lines("学校\n意见", s.block), box]], colWidths=[COLUMNS[0], VALUE_WIDTH])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # empty cells too, or Helvetica (never embedded) creeps in
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME, colors.black),
        ("LINEABOVE", (0, 0), (-1, 0), FRAME, colors.black),
        ("BACKGROUND", (0, 0), (0, 0), LABEL_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (0, 0), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (0, 0), CELL_PADDING),
        ("LEFTPADDING", (1, 0), (1, 0), 0),
        ("RIGHTPADDING", (1, 0), (1, 0), 0),
        ("TOPPADDING", (1, 0), (1, 0), 0),
        ("BOTTOMPADDING", (1, 0), (1, 0), 0),
    ]))
    return table


def _header(d: AssessmentFormData, s: Styles) -> list[Flowable]:
    return [
        para(FORM_TITLE, s.title),
        Spacer(1, 1.5 * mm),
        para(d.round_title or f"{d.round_year}年中小学教师资格定期注册", s.subtitle),
        Spacer(1, 4 * mm),
    ]


def _height(flowable: Flowable, width: float = CONTENT_WIDTH) -> float:
    return flowable.wrap(width, PAGE_HEIGHT)[1]


def _page(d: AssessmentFormData, s: Styles) -> list[Flowable]:
    """One teacher's flowables; the opinion box takes what the page has left, so the form ends at the foot."""
    header = _header(d, s)
    grid = grid_table(_blocks(d, s), s, COLUMNS)
    left = CONTENT_HEIGHT - sum(_height(f) for f in header) - _height(grid) - 1
    return [*header, grid, _opinion(d, s, max(OPINION_HEIGHT[0], min(OPINION_HEIGHT[1], left)))]


def _draw_footer(c: Canvas, d: AssessmentFormData, sheet: int) -> None:
    c.saveState()
    c.setFont(REGULAR, SMALL_SIZE)
    c.setFillColor(colors.black)
    c.drawString(PAGE_MARGIN, FOOT_BASELINE, FOOT_NOTE)
    printed = f"打印时间：{cn_datetime(d.printed_at)}"
    if sheet > 1:  # only when one teacher's form ran over a page
        printed = f"{d.name} 第 {sheet} 页　{printed}"
    c.drawRightString(PAGE_WIDTH - PAGE_MARGIN, FOOT_BASELINE, printed)
    c.restoreState()


def _draw_form(c: Canvas, d: AssessmentFormData, s: Styles) -> None:
    """Draw one teacher's form, page by page; more than one page only when the data cannot fit."""
    pending = _page(d, s)
    sheet = 0
    while pending:
        sheet += 1
        frame = Frame(PAGE_MARGIN, PAGE_MARGIN + FOOTER_SPACE, CONTENT_WIDTH, CONTENT_HEIGHT,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        before = len(pending)
        frame.addFromList(pending, c)
        if pending:
            parts = frame.split(pending[0], c)
            if parts and frame.add(parts[0], c):
                pending[0:1] = parts[1:]
            elif len(pending) == before:
                raise LayoutError(f"the 考核鉴定表 of {d.name} does not fit an empty page")
        _draw_footer(c, d, sheet)
        c.showPage()


# --- the builders -----------------------------------------------------------------------------------


def build_assessment_form(data: AssessmentFormData) -> bytes:
    """One teacher's form as PDF bytes: one A4 page, every font embedded."""
    buffer = BytesIO()
    build_assessment_batch([data], out=buffer)
    return buffer.getvalue()


def build_assessment_batch(
    items: Iterable[AssessmentFormData],
    *,
    progress: Callable[[int, int], None] | None = None,
    total: int | None = None,
    out: BinaryIO | None = None,
) -> bytes | None:
    """The forms of many teachers in one PDF, one page each, in the order given.

    ``items`` may be a generator: each form is laid out, drawn and dropped before the next is read.
    ``progress(done, total)`` is called after each teacher; ``total`` defaults to ``len(items)`` and must
    be given when ``items`` has no length. With ``out`` the PDF is written there and None returned;
    without it the bytes are returned.
    """
    if progress is not None and total is None:
        if not isinstance(items, Sized):
            raise ValueError("pass total= with progress= when items has no len()")
        total = len(items)
    register_fonts()
    s = Styles()
    target = out if out is not None else BytesIO()
    c = Canvas(target, pagesize=A4, invariant=True,  # no creation time or random ID: same data, same bytes
               initialFontName=REGULAR)  # else the page preamble names Helvetica, which is never embedded
    c.setAuthor("TQR 教师资格定期注册管理系统")
    c.setTitle(FORM_TITLE)  # no teacher's name in the metadata: it travels further than the page
    done = 0
    for data in items:
        if done == 0:
            c.setSubject(data.round_title)
        _draw_form(c, data, s)
        done += 1
        if progress is not None:
            progress(done, total)
    if done == 0:
        raise ValueError("no teachers to print")
    c.save()
    return None if out is not None else target.getvalue()


# --- demo data and the command line ------------------------------------------------------------------


def sample_assessment_data(*, worst_case: bool = False) -> AssessmentFormData:
    """Demo data for samples and tests; ``worst_case`` stretches every field that can grow."""
    typical = AssessmentFormData(
        round_title="2023年中小学教师资格定期注册",
        round_year=2023,
        unit_name="重庆市黔江区城东中学校",
        name="张晓燕",
        gender="女",
        birth_date=date(1986, 4, 12),
        id_number="500114********0026",
        certificate_number="20135000130002871",
        qualification_type="初级中学教师资格",
        post_level="初级中学",
        subject="语文",
        title="中学一级教师",
        hire_date=date(2010, 9, 1),
        registration_kind="定期注册",
        printed_at=datetime(2023, 11, 17, 9, 30),
        assessments=((2018, "合格"), (2019, "合格"), (2020, "优秀"), (2021, "合格"), (2022, "合格")),
        training_hours=384,
        training_hours_required=360,
        interruptions=((date(2021, 3, 1), date(2021, 8, 27), 180, "产假（已批准）"),),
    )
    if not worst_case:
        return typical
    return replace(
        typical,
        name="买买提·艾力 𠮷野家",
        gender="男",
        id_number="653101********0031",
        unit_name="重庆市黔江区民族职业教育中心暨重庆市黔江区广播电视大学暨重庆市黔江区教师发展中心附属实验学校（法人机构）",
        qualification_type="中等职业学校实习指导教师资格",
        post_level="中等职业学校",
        subject="汽车运用与维修（实习指导）",
        title="中小学高级教师（正高级评审中）",
        registration_kind="暂缓后再次申请",
        assessments=((2018, "基本合格"), (2019, "合格"), (2020, "不合格"), (2021, "合格"), (2022, "优秀")),
        training_hours=Decimal("352.5"),
        interruptions=(
            (date(2019, 9, 1), date(2020, 1, 15), 137, "经批准的脱产进修（西南大学教育硕士，全日制）"),
            (date(2020, 9, 1), date(2021, 1, 20), 141, "病假（已批准）"),
            (date(2021, 3, 1), date(2021, 8, 27), 180, "产假（已批准）"),
            (date(2022, 2, 20), date(2022, 7, 10), 140, "借调至区教委工作，未承担教育教学任务（未批准）"),
        ),
        ethics_statement=DEFAULT_ETHICS_STATEMENT + "2020年度因教学事故受到通报批评一次，已整改，经学校考察，"
        "现师德表现良好，学生及家长评价较好，同意认定师德考核合格。",
        school_opinion="经审核，该同志2020年度考核不合格、培训学时不足360学时，暂不符合定期注册条件，"
        "建议暂缓注册；待补足学时后再次申请。",
    )


_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = ("晓燕", "建国", "丽", "伟", "芳", "海燕", "志强", "静", "明", "秀英", "俊杰", "雪梅")


def sample_batch(n: int) -> list[AssessmentFormData]:
    """``n`` different teachers for a batch sample (names and years vary)."""
    base = sample_assessment_data()
    grades = ("合格", "合格", "优秀", "合格", "基本合格")
    return [
        replace(
            base,
            name=_SURNAMES[i % len(_SURNAMES)] + _GIVEN[i % len(_GIVEN)],
            gender="女" if i % 2 else "男",
            birth_date=base.birth_date + timedelta(days=97 * i) if base.birth_date else None,
            certificate_number=f"2013500013{i % 2}{i:06d}",
            assessments=tuple((2018 + k, grades[(i + k) % len(grades)]) for k in range(5)),
            training_hours=300 + (i * 7) % 120,
            interruptions=base.interruptions if i % 3 == 0 else (),
        )
        for i in range(n)
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a sample 考核鉴定表 with demo data.")
    parser.add_argument("output", help="where to write the PDF")
    parser.add_argument("--worst-case", action="store_true", help="long names and unit, four interruptions")
    parser.add_argument("--batch", type=int, metavar="N", help="N teachers in one PDF, one page each")
    args = parser.parse_args(argv)
    with open(args.output, "wb") as out:
        if args.batch:
            build_assessment_batch(sample_batch(args.batch), out=out)
        else:
            out.write(build_assessment_form(sample_assessment_data(worst_case=args.worst_case)))


if __name__ == "__main__":
    main()
