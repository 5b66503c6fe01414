"""《教师资格定期注册申请表》: one A4 page, every font embedded, the text really there (no database)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image as PILImage
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfutils import asciiBase85Decode

from tqr.documents import application_form
from tqr.documents.application_form import ApplicationFormData, build_application_form, sample_data
from tqr.documents.fonts import BOLD, REGULAR, has_glyph, markup, register_fonts, uncovered

POPPLER = shutil.which("pdffonts") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdffonts, pdftotext) not installed")


def typical() -> ApplicationFormData:
    return sample_data()


def worst_case() -> ApplicationFormData:
    return sample_data(worst_case=True)


def page_count(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    from io import BytesIO

    return len(PdfReader(BytesIO(pdf)).pages)


def image_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Subtype\s*/Image", pdf))


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, text=True, check=True).stdout


def text_of(pdf: bytes, tmp_path: Path) -> str:
    return poppler("pdftotext", pdf, tmp_path)


# --- the document -----------------------------------------------------------------------------------


def test_it_fits_typical_data_on_one_a4_page():
    pdf = build_application_form(typical())

    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf


def test_it_still_fits_the_worst_case_on_one_page():
    # 50+ character unit name, four interruptions, five reasons, 𠮷 in the name, a draft with a conclusion.
    data = worst_case()
    assert len(data.unit_name) >= 50 and len(data.interruptions) == 4 and len(data.proposal_reasons) == 5

    pdf = build_application_form(data)

    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1


def test_the_same_data_gives_the_same_bytes():
    assert build_application_form(typical()) == build_application_form(typical())


@needs_poppler
@pytest.mark.parametrize("data", [typical(), worst_case()], ids=["typical", "worst-case"])
def test_every_font_is_embedded(data, tmp_path):
    listing = poppler("pdffonts", build_application_form(data), tmp_path).splitlines()[2:]

    assert listing, "no fonts at all?"
    for line in listing:
        # name type encoding emb sub uni object ID: "emb" is the 4th column from the right end's 5th
        columns = line.split()
        assert columns[-5] == "yes", f"not embedded: {line}"
        assert "KurintoSans" in columns[0], f"unexpected font: {line}"


@needs_poppler
def test_its_text_can_be_extracted(tmp_path):
    data = typical()
    text = text_of(build_application_form(data), tmp_path)

    for expected in ("教师资格定期注册申请表", data.name, data.application_number, data.id_number,
                     data.unit_name, "一式两份", "所在学校意见", "现场确认点意见", "注册机构意见（注册结论）",
                     "系统依据规则给出的参考意见，以审核结论为准", "打印时间：2023年11月10日 14:05"):
        assert expected in text, expected
    assert "草稿" not in text


@needs_poppler
@pytest.mark.parametrize("name", ["买买提·艾力", "𠮷野家"])
def test_it_prints_names_with_rare_characters(name, tmp_path):
    text = text_of(build_application_form(replace(typical(), name=name)), tmp_path)
    # 𠮷 is U+20BB7, outside the BMP: this also checks the ToUnicode fix in fonts.py.
    assert name in text


@needs_poppler
def test_nothing_runs_past_the_margins(tmp_path):
    # Submitted, so the diagonal draft watermark (decoration, rotated) is not among the words.
    data = replace(worst_case(), submitted_at=datetime(2023, 11, 8, 10, 32))
    html = poppler("pdftotext", build_application_form(data), tmp_path, "-bbox")
    boxes = [tuple(map(float, m)) for m in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html)]
    assert boxes
    margin = 15 * mm - 1
    for x_min, y_min, x_max, y_max in boxes:
        assert x_min >= margin and x_max <= A4[0] - margin
        assert y_min >= margin and y_max <= A4[1] - margin


@needs_poppler
def test_a_draft_says_so(tmp_path):
    text = text_of(build_application_form(replace(typical(), submitted_at=None)), tmp_path)
    assert "草稿，未提交" in text


@needs_poppler
def test_it_prints_the_conclusion_in_the_registration_box(tmp_path):
    data = replace(typical(), conclusion="注册结论：合格 2026年12月8日")
    text = text_of(build_application_form(data), tmp_path)
    assert "注册结论：合格" in text and "2026年12月8日" in text
    assert "□ 合格" not in text  # the tick boxes make way for the conclusion


@needs_poppler
def test_it_prints_the_id_number_it_is_given(tmp_path):
    text = text_of(build_application_form(replace(typical(), id_number="500114********0026")), tmp_path)
    assert "500114********0026" in text
    assert "500114198604120026" not in text


def test_it_draws_the_qr_code_and_the_photo():
    with_photo = build_application_form(typical())
    without_photo = build_application_form(replace(typical(), photo_jpeg=None))

    assert image_count(with_photo) == 2  # QR code + photo
    assert image_count(without_photo) == 1  # QR code only


def test_the_photo_is_embedded_as_the_jpeg_it_is():
    data = typical()
    pdf = build_application_form(data)

    # DCTDecode: the file itself, not re-encoded (ASCII85 on top, as ReportLab writes every stream here).
    stream = re.search(rb"/ASCII85Decode /DCTDecode \].*?stream\n(.*?)endstream", pdf, re.S)
    assert stream and asciiBase85Decode(stream[1].strip()) == data.photo_jpeg


def test_a_photo_that_is_not_a_jpeg_still_prints():
    png = BytesIO()
    PILImage.new("RGB", (295, 413), "white").save(png, "PNG")
    assert image_count(build_application_form(replace(typical(), photo_jpeg=png.getvalue()))) == 2


@needs_poppler
def test_without_a_photo_it_leaves_a_frame_to_glue_one(tmp_path):
    text = text_of(build_application_form(replace(typical(), photo_jpeg=None)), tmp_path)
    assert "照片" in text


def test_the_command_line_writes_a_sample(tmp_path):
    out = tmp_path / "sample.pdf"
    application_form.main([str(out)])
    assert out.read_bytes().startswith(b"%PDF")


def test_a_row_that_does_not_fill_the_grid_is_refused():
    s = application_form._Styles()
    bad = application_form.Block("坏\n块", rows=[[application_form.L("姓名"), application_form.V("x")]])
    with pytest.raises(ValueError, match="spans 2, not 7"):
        application_form._grid_table([bad], s)


def test_it_needs_no_clock():
    # printed_at comes from the caller: two builds with different times differ only by that.
    later = replace(typical(), printed_at=datetime(2023, 11, 11, 9, 0))
    assert build_application_form(later) != build_application_form(typical())


# --- fonts ------------------------------------------------------------------------------------------


def test_fonts_register_once_and_name_the_main_face():
    assert register_fonts() == (REGULAR, BOLD)
    assert register_fonts() is register_fonts()


def test_the_main_font_covers_common_text_and_the_middle_dot():
    assert has_glyph(REGULAR, "·")
    assert has_glyph(BOLD, "黔")
    assert uncovered("教师资格定期注册申请表 买买提·艾力 黔江〔2023〕155号 □") == set()


def test_a_character_missing_from_the_main_font_falls_back_per_character():
    assert not has_glyph(REGULAR, "𠮷")
    assert markup("𠮷野家") == '<font name="TQRSansJP">𠮷</font>野家'
    assert markup("𠮷野家", bold=True) == '<font name="TQRSansJP-Bold">𠮷</font>野家'
    assert uncovered("𠮷野家") == set()


def test_markup_escapes_what_the_teacher_typed():
    assert markup("<b>A&B</b>") == "&lt;b&gt;A&amp;B&lt;/b&gt;"
