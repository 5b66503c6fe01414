"""《教师资格定期注册申请表》, the application form the teacher prints twice on A4 (附件1 / seed 三(二)).

One copy goes to the personnel file, one stays with the district; the school, the confirmation point and
the registration body write their opinions on it and the district stamps the conclusion into the last box
(seed 三(八)). ``build_application_form`` takes plain data and returns PDF bytes: no ORM, no clock, and the
same data always gives the same bytes.

The layout is declared as data: ``_blocks`` lists the blocks of the form and their rows, each row a list of
label and value cells with column spans over one 8-column grid. Moving a field is editing one line there.

Render a sample: ``python -m tqr.documents.application_form /tmp/x.pdf [--worst-case]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import segno
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .fonts import BOLD, REGULAR, markup, register_fonts
from .layout import (
    BODY_SIZE,
    FOOT_BASELINE,
    FOOTER_SPACE,
    FRAME,
    GRID,
    LABEL_BACKGROUND,
    MUTED,
    PAGE_MARGIN,
    SMALL_SIZE,
    Block,
    Cell,
    L,
    OpinionBox,
    Styles,
    V,
    cn_date,
    cn_datetime,
    grid_table,
    lines,
    nested_table,
    number,
    para,
    style,
)

__all__ = ["ApplicationFormData", "build_application_form", "sample_data"]

FORM_TITLE = "教师资格定期注册申请表"
FOOT_NOTE = "一式两份：一份存入本人人事档案，一份由初审机构归档保存。请用 A4 纸打印。"
PROPOSAL_NOTE = "系统依据规则给出的参考意见，以审核结论为准"
DRAFT_NOTE = "草稿，未提交"


@dataclass(frozen=True)
class ApplicationFormData:
    """Everything printed on the form, already as display text. Dates are printed as 2023年11月8日."""

    application_number: str  # 申请编号
    round_title: str  # e.g. 2023年中小学教师资格定期注册
    round_year: int
    registration_kind: str  # 注册类别: 定期注册 / 首次注册
    name: str
    gender: str
    ethnicity: str
    birth_date: date | None
    id_type: str  # 证件类型
    id_number: str  # full or masked: the caller decides (the teacher's own copy has the full number)
    certificate_number: str
    qualification_type: str  # 资格种类, e.g. 初级中学教师资格
    certificate_subject: str  # 任教学科 as on the certificate
    certifying_body: str  # 认定机构
    certificate_issue_date: date | None
    registration_body: str  # 注册机构
    confirmation_point: str  # 现场确认点
    unit_name: str  # 任教学校, the legal entity's full name (法人机构全称)
    post_level: str  # 任教学段
    subject: str  # 任教学科 now
    title: str  # 职称
    hire_date: date | None  # 参加工作时间
    phone: str
    email: str
    printed_at: datetime
    assessments: tuple[tuple[int, str], ...] = ()  # (year, grade label), oldest first
    training_hours: int | float | Decimal | None = None
    training_hours_required: int | float | Decimal | None = 360
    interruptions: tuple[tuple[date, date, int, str], ...] = ()  # (start, end, days, reason label)
    proposal_label: str = ""  # the rules' proposed conclusion, e.g. 暂缓注册
    proposal_reasons: tuple[str, ...] = ()
    photo_jpeg: bytes | None = None  # the processed 295×413 photo; None prints an empty frame
    submitted_at: datetime | None = None  # None prints the form as a draft
    conclusion: str | None = None  # e.g. 注册结论：合格 2026年12月8日, for a re-issue after the round


# --- measures and styles ----------------------------------------------------------------------------

# The grid: block title, then label/value columns; the last column holds the photo in the first block.
COLUMNS = (10 * mm, 20 * mm, 34 * mm, 20 * mm, 30 * mm, 16 * mm, 20 * mm, 30 * mm)
PHOTO_SIZE = (25 * mm, 35 * mm)  # the photo's 5:7
QR_SIZE = 24 * mm
QR_SCALE, QR_BORDER = 10, 2  # pixels a module; modules of white around the code
OPINION_HEIGHT = (48 * mm, 95 * mm)  # at least room to write and stamp; at most what looks balanced
DRAFT_RED = colors.HexColor("#B00020")


class _Styles(Styles):
    """The styles shared by the forms (``layout.Styles``), and this form's own: the submission status,
    the draft note and the printed conclusion."""

    def __init__(self) -> None:
        super().__init__()
        self.status = style("status", fontSize=SMALL_SIZE, alignment=TA_CENTER, textColor=MUTED)
        self.draft = style("draft", fontName=BOLD, fontSize=10, alignment=TA_CENTER, textColor=DRAFT_RED)
        self.conclusion = style("conclusion", fontName=BOLD, fontSize=11, leading=15, alignment=TA_CENTER)


# --- the declarative grid ---------------------------------------------------------------------------


def _padding_to_fit(height: float, rows: int) -> float:
    """Row padding that makes ``rows`` one-line rows together as tall as ``height`` (the photo's cell)."""
    return max(Block.row_padding, (height / rows - BODY_SIZE * 1.3) / 2)


def _blocks(d: ApplicationFormData, s: _Styles) -> list[Block]:
    """The form, top to bottom. Rows span the 7 columns after the block title (6 next to a side cell)."""
    wide = sum(COLUMNS[2:])  # a value spanning from the first value column to the right edge
    return [
        Block("个人\n信息", side=_photo_cell(d, s), row_padding=_padding_to_fit(PHOTO_SIZE[1] + 4 * mm, 4), rows=[
            [L("姓名"), V(d.name), L("性别"), V(d.gender), L("民族"), V(d.ethnicity)],
            [L("出生日期"), V(cn_date(d.birth_date)), L("证件类型"), V(d.id_type, span=3)],
            [L("证件号码"), V(d.id_number, span=5)],
            [L("联系电话"), V(d.phone), L("电子邮箱"), V(d.email, span=3)],
        ]),
        Block("资格\n证书", rows=[
            [L("证书号码"), V(d.certificate_number, span=3), L("资格种类"), V(d.qualification_type, span=2)],
            [L("任教学科"), V(d.certificate_subject), L("签发日期"), V(cn_date(d.certificate_issue_date)),
             L("认定机构"), V(d.certifying_body, span=2)],
        ]),
        Block("注册\n信息", rows=[
            [L("注册类别"), V(d.registration_kind), L("注册机构"), V(d.registration_body, span=4)],
            [L("现场确认点"), V(d.confirmation_point, span=6)],
        ]),
        Block("工作\n信息", rows=[
            [L("任教学校"), V(d.unit_name, span=4), L("参加工作\n时间"), V(cn_date(d.hire_date))],
            [L("任教学段"), V(d.post_level), L("任教学科"), V(d.subject), L("职称"), V(d.title, span=2)],
        ]),
        Block("有效\n期内\n情况", rows=[
            [L("年度考核"), V(_assessments(d, s, wide), span=6, padded=not d.assessments)],
            [L("培训学时"), V(_training(d), span=6)],
            [L("中断教学"), V(_interruptions(d, s, wide), span=6, padded=not d.interruptions)],
        ]),
        Block("参考\n意见", rows=[[V(_proposal(d, s), span=7)]]),
    ]


def _photo_cell(d: ApplicationFormData, s: _Styles) -> Cell:
    if d.photo_jpeg:
        return Cell(_Picture(_JpegReader(BytesIO(d.photo_jpeg)), *PHOTO_SIZE))
    return Cell([para("照片", s.centred), para("近期免冠白底", s.caption)])


def _assessments(d: ApplicationFormData, s: _Styles, width: float) -> Flowable | str:
    if not d.assessments:
        return "无年度考核记录"
    per_row = 6
    chunks = [d.assessments[i : i + per_row] for i in range(0, len(d.assessments), per_row)]
    columns = min(per_row, len(d.assessments))
    rows: list[list[Flowable | str]] = []
    for chunk in chunks:
        padding = [""] * (columns - len(chunk))
        rows.append([para(f"{year}年度", s.centred) for year, _ in chunk] + padding)
        rows.append([para(grade, s.centred) for _, grade in chunk] + padding)
    return nested_table(rows, [width / columns] * columns, header_rows=range(0, len(rows), 2))


def _training(d: ApplicationFormData) -> str:
    if d.training_hours is None:
        return ""
    done = f"已完成 {number(d.training_hours)} 学时"
    if d.training_hours_required is None:
        return done
    return f"{done}（要求不少于 {number(d.training_hours_required)} 学时）"


def _interruptions(d: ApplicationFormData, s: _Styles, width: float) -> Flowable | str:
    if not d.interruptions:
        return "无"
    rows: list[list[Flowable | str]] = [[para(h, s.centred) for h in ("起始日期", "结束日期", "天数", "原因")]]
    for start, end, days, reason in d.interruptions:
        rows.append([para(cn_date(start), s.centred), para(cn_date(end), s.centred), para(str(days), s.centred),
                     para(reason, s.value)])
    fixed = [28 * mm, 28 * mm, 12 * mm]
    return nested_table(rows, [*fixed, width - sum(fixed)], header_rows={0})


def _proposal(d: ApplicationFormData, s: _Styles) -> list[Flowable]:
    label = d.proposal_label or "（未生成）"
    head = (f"系统参考意见：<b>{markup(label, bold=True)}</b>"
            f'<font size="{SMALL_SIZE}" color="#555555">　（{PROPOSAL_NOTE}）</font>')
    out: list[Flowable] = [Paragraph(head, s.value)]
    out += [para(f"{i}. {reason}", s.small) for i, reason in enumerate(d.proposal_reasons, 1)]
    return out


def _grid_table(blocks: list[Block], s: _Styles) -> Table:
    """The shared grid on this form's ``COLUMNS``."""
    return grid_table(blocks, s, COLUMNS)


# --- the opinion boxes ------------------------------------------------------------------------------


def _opinions(d: ApplicationFormData, s: _Styles, height: float) -> Table:
    if d.conclusion:
        # One line per space-separated part: "注册结论：合格" above its date, never broken mid-date.
        conclusion: list[Flowable] = [Spacer(1, 2 * mm), lines("\n".join(d.conclusion.split()), s.conclusion)]
    else:
        gap = "\u00a0" * 4  # ReportLab collapses ordinary and ideographic spaces
        conclusion = [para("注册结论：", s.box_text), para(f"□ 合格{gap}□ 不合格{gap}□ 暂缓注册", s.box_text)]
    boxes = [
        OpinionBox("所在学校意见", [para("经核对，申请人所提交材料真实、完整，复印件与原件相符。", s.box_text)],
                   "负责人签字：", "学校公章", height, s),
        OpinionBox("现场确认点意见", [para("已现场确认，材料齐全，网上填报信息与原件一致。", s.box_text)],
                   "经办人签字：", "确认点公章", height, s),
        OpinionBox("注册机构意见（注册结论）", conclusion, "经办人签字：", "注册机构章", height, s),
    ]
    rest = sum(COLUMNS) - COLUMNS[0]
    widths = [rest * 0.31, rest * 0.31, rest * 0.38]  # the registration body's box holds the conclusion
    table = Table([[lines("审核\n意见", s.block), *boxes]], colWidths=[COLUMNS[0], *widths])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # empty cells too, or Helvetica (never embedded) creeps in
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME, colors.black),
        ("LINEABOVE", (0, 0), (-1, 0), FRAME, colors.black),
        ("BACKGROUND", (0, 0), (0, 0), LABEL_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (1, 0), (-1, 0), 0),
        ("RIGHTPADDING", (1, 0), (-1, 0), 0),
        ("TOPPADDING", (1, 0), (-1, 0), 0),
        ("BOTTOMPADDING", (1, 0), (-1, 0), 0),
    ]))
    return table


# --- header, footer and the whole page ---------------------------------------------------------------


def _qr(text: str) -> Flowable:
    """The code as a grey-scale image, 10 pixels a module and a 2-module quiet zone.

    Built from segno's module matrix rather than through a PNG, which segno writes and Pillow reads
    back pixel by pixel in Python: the same pixels at a fraction of the cost.
    """
    matrix = segno.make(text, error="m", micro=False).matrix
    quiet = bytes(len(matrix[0]) + 2 * QR_BORDER)
    rows = [quiet] * QR_BORDER + [b"\0" * QR_BORDER + bytes(row) + b"\0" * QR_BORDER for row in matrix]
    rows += [quiet] * QR_BORDER
    modules = PILImage.frombytes("L", (len(quiet), len(rows)), b"".join(rows))
    dark_on_white = modules.point(lambda dark: 0 if dark else 255)
    image = dark_on_white.resize((modules.width * QR_SCALE, modules.height * QR_SCALE), PILImage.Resampling.NEAREST)
    return _Picture(ImageReader(image), QR_SIZE, QR_SIZE)


class _Picture(Flowable):
    """An image drawn at a given size, as platypus ``Image`` draws it, from an ``ImageReader`` (``Image``
    wants a file name or a file)."""

    def __init__(self, image: ImageReader, width: float, height: float):
        super().__init__()
        self.image, self.width, self.height = image, width, height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(self.image, 0, 0, self.width, self.height, mask="auto")


class _JpegReader(ImageReader):
    """A JPEG photo, which ReportLab embeds as the file it is (DCTDecode).

    ``canvas.drawImage`` names an ``ImageReader``'s image after an md5 of its decoded pixels (to reuse it
    within a document), so each form decoded the 295×413 photo only to name it. A JPEG is named after its
    bytes instead; anything that turns out not to be a JPEG is read as usual.
    """

    def getRGBData(self):  # noqa: N802 - ReportLab's name
        jpeg = self.jpeg_fh()
        if jpeg is None:
            return super().getRGBData()
        self._dataA = None  # the alpha channel drawImage looks for; a JPEG has none
        return jpeg.getvalue()


def _header(d: ApplicationFormData, s: _Styles, width: float) -> Table:
    middle: list[Flowable] = [
        para(FORM_TITLE, s.title),
        Spacer(1, 1.5 * mm),
        para(d.round_title or f"{d.round_year}年中小学教师资格定期注册", s.subtitle),
        para(f"申请编号：{d.application_number}", s.subtitle),
    ]
    if d.submitted_at:
        middle.append(para(f"网上提交时间：{cn_datetime(d.submitted_at)}", s.status))
    else:
        middle.append(para(f"{DRAFT_NOTE}，仅供核对，不能作为申请表提交", s.draft))
    side = 30 * mm
    table = Table([["", middle, [_qr(d.application_number), para("扫码核对申请编号", s.caption)]]],
                  colWidths=[side, width - 2 * side, side])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 0), (2, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
    ]))
    return table


def _page_decorations(d: ApplicationFormData):
    def draw(canvas: Canvas, doc) -> None:
        width, _ = A4
        canvas.saveState()
        if not d.submitted_at:
            canvas.setFillColor(DRAFT_RED)
            canvas.setFillAlpha(0.10)
            canvas.setFont(BOLD, 64)
            canvas.translate(width / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, DRAFT_NOTE.replace("，", " "))
        canvas.restoreState()

        canvas.saveState()
        canvas.setFont(REGULAR, SMALL_SIZE)
        canvas.setFillColor(colors.black)
        canvas.drawString(PAGE_MARGIN, FOOT_BASELINE, FOOT_NOTE)
        printed = f"打印时间：{cn_datetime(d.printed_at)}"
        if doc.page > 1:
            printed = f"第 {doc.page} 页　{printed}"
        canvas.drawRightString(width - PAGE_MARGIN, FOOT_BASELINE, printed)
        canvas.restoreState()

    return draw


class _TakeWhatIsLeft(Flowable):
    """The opinion boxes take what the page has left, within limits, so that the form ends at the page foot.

    The frame says how much is left when it places them, so the header and the grid are laid out once
    (measuring them beforehand laid them out twice).
    """

    def __init__(self, make: Callable[[float], Table]):
        super().__init__()
        self.make = make
        self.table: Table | None = None

    def wrap(self, available_width, available_height):
        if self.table is None:  # decided where the frame first offers it a place, as before
            self.table = self.make(available_height - 1)
            self.hAlign = self.table.hAlign
        self.width, self.height = self.table.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        return self.table.split(available_width, available_height) if self.table is not None else []

    def draw(self):
        self.table.drawOn(self.canv, 0, 0)


def build_application_form(data: ApplicationFormData) -> bytes:
    """The form as PDF bytes: one A4 page for typical data, every font embedded."""
    register_fonts()
    s = _Styles()
    width = A4[0] - 2 * PAGE_MARGIN
    available = A4[1] - 2 * PAGE_MARGIN - FOOTER_SPACE

    header = _header(data, s, width)
    grid = _grid_table(_blocks(data, s), s)
    opinions = _TakeWhatIsLeft(lambda left: _opinions(data, s, max(OPINION_HEIGHT[0], min(OPINION_HEIGHT[1], left))))

    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{FORM_TITLE} {data.application_number}",
        author="TQR 教师资格定期注册管理系统",
        subject=data.round_title,
        initialFontName=REGULAR,  # else the page preamble names Helvetica, a font that is never embedded
        invariant=True,  # no creation time or random document ID: same data, same bytes
    )
    frame = Frame(PAGE_MARGIN, PAGE_MARGIN + FOOTER_SPACE, width, available,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("form", [frame], onPage=_page_decorations(data))])
    doc.build([header, grid, opinions])
    return buffer.getvalue()


# --- demo data and the command line ------------------------------------------------------------------


def _demo_photo() -> bytes:
    """A drawn stand-in for a real photo: white background, grey head and shoulders, 295×413."""
    from PIL import ImageDraw

    im = PILImage.new("RGB", (295, 413), "white")
    draw = ImageDraw.Draw(im)
    draw.ellipse((92, 70, 203, 200), fill=(120, 120, 128))
    draw.rounded_rectangle((40, 215, 255, 460), radius=70, fill=(60, 70, 90))
    buffer = BytesIO()
    im.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def sample_data(*, worst_case: bool = False) -> ApplicationFormData:
    """Demo data for ``make samples`` and the tests; ``worst_case`` stretches every field that can grow."""
    typical = ApplicationFormData(
        application_number="2023500114000123",
        round_title="2023年中小学教师资格定期注册",
        round_year=2023,
        registration_kind="定期注册",
        name="张晓燕",
        gender="女",
        ethnicity="土家族",
        birth_date=date(1986, 4, 12),
        id_type="居民身份证",
        id_number="500114198604120026",
        certificate_number="20135000130002871",
        qualification_type="初级中学教师资格",
        certificate_subject="语文",
        certifying_body="重庆市黔江区教育委员会",
        certificate_issue_date=date(2013, 7, 1),
        registration_body="重庆市黔江区教育委员会",
        confirmation_point="重庆市黔江区城东中学校",
        unit_name="重庆市黔江区城东中学校",
        post_level="初级中学",
        subject="语文",
        title="中学一级教师",
        hire_date=date(2010, 9, 1),
        phone="13896451234",
        email="zhangxiaoyan@example.cn",
        printed_at=datetime(2023, 11, 10, 14, 5),
        assessments=((2019, "合格"), (2020, "优秀"), (2021, "合格"), (2022, "合格"), (2023, "合格")),
        training_hours=384,
        training_hours_required=360,
        interruptions=((date(2021, 3, 1), date(2021, 8, 27), 180, "产假（已批准）"),),
        proposal_label="合格",
        proposal_reasons=("年度考核均为合格以上等次", "培训学时 384，满足 360 学时的要求",
                          "中断教学 180 天为经批准的产假，不计入中断"),
        photo_jpeg=_demo_photo(),
        submitted_at=datetime(2023, 11, 8, 10, 32),
    )
    if not worst_case:
        return typical
    return replace(
        typical,
        name="买买提·艾力 𠮷野家",
        ethnicity="维吾尔族",
        registration_kind="首次注册（暂缓注册后重新申请）",
        certifying_body="重庆市黔江区教育委员会（原黔江区教育局）",
        confirmation_point="重庆市黔江区民族职业教育中心（重庆市黔江区职业教育中心）现场确认点",
        unit_name="重庆市黔江区民族职业教育中心暨重庆市黔江区广播电视大学暨重庆市黔江区教师发展中心附属实验学校（法人机构）",
        title="中小学高级教师（正高级评审中）",
        email="maimaiti.aili.very.long.address@school.qianjiang.cq.edu.cn",
        interruptions=(
            (date(2019, 9, 1), date(2020, 1, 15), 137, "经批准的脱产进修（西南大学教育硕士，全日制）"),
            (date(2020, 9, 1), date(2021, 1, 20), 141, "病假（已批准）"),
            (date(2021, 3, 1), date(2021, 8, 27), 180, "产假（已批准）"),
            (date(2022, 2, 20), date(2022, 7, 10), 140, "借调至区教委工作，未承担教育教学任务（未批准）"),
        ),
        proposal_label="暂缓注册",
        proposal_reasons=(
            "培训学时 300，需满 360 学时，按规定将暂缓注册",
            "未经批准中断教育教学工作 140 天，超过一个学期（120 天），按规定将暂缓注册",
            "2021 年年度考核为基本合格，未达到“合格以上等次”，请审核人员核实后决定",
            "缺少 2019 年的年度考核结果，请补交年度考核证明",
            "持有初级中学教师资格，任教岗位为中等职业学校，请审核人员核对证书原件与任教岗位是否一致",
        ),
        training_hours=300,
        submitted_at=None,
        conclusion="注册结论：暂缓注册　2023年12月8日",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a sample 申请表 with demo data.")
    parser.add_argument("output", help="where to write the PDF")
    parser.add_argument("--worst-case", action="store_true", help="long names, four interruptions, five reasons")
    args = parser.parse_args(argv)
    with open(args.output, "wb") as out:
        out.write(build_application_form(sample_data(worst_case=args.worst_case)))


if __name__ == "__main__":
    main()
