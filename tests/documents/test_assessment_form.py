"""《重庆市教师资格定期注册考核鉴定表》(附件2): one A4 page per teacher, fonts embedded, batches streamed."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from tests.documents.test_application_form import needs_poppler, page_count, poppler
from tqr.documents import application_form, assessment_form, layout
from tqr.documents.assessment_form import (
    DEFAULT_ETHICS_STATEMENT,
    DEFAULT_HEALTH_STATEMENT,
    DEFAULT_SCHOOL_OPINION,
    AssessmentFormData,
    build_assessment_batch,
    build_assessment_form,
    sample_assessment_data,
    sample_batch,
)


def typical() -> AssessmentFormData:
    return sample_assessment_data()


def worst_case() -> AssessmentFormData:
    return sample_assessment_data(worst_case=True)


def text_of(pdf: bytes, tmp_path: Path, *args: str) -> str:
    return poppler("pdftotext", pdf, tmp_path, *args)


def media_box(pdf: bytes) -> tuple[float, float]:
    found = re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)
    assert found
    return float(found[1]), float(found[2])


# --- one teacher ------------------------------------------------------------------------------------


def test_it_fits_typical_data_on_one_a4_portrait_page():
    pdf = build_assessment_form(typical())

    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    assert media_box(pdf) == pytest.approx(A4, abs=0.01)


def test_it_still_fits_the_worst_case_on_one_page():
    data = worst_case()
    assert len(data.unit_name) >= 50 and len(data.interruptions) == 4
    assert "𠮷野家" in data.name and "买买提·艾力" in data.name

    assert page_count(build_assessment_form(data)) == 1


def test_the_same_data_gives_the_same_bytes():
    assert build_assessment_form(typical()) == build_assessment_form(typical())


def test_the_statements_have_the_wording_of_the_brief_by_default():
    data = typical()
    assert data.ethics_statement == DEFAULT_ETHICS_STATEMENT
    assert data.health_statement == DEFAULT_HEALTH_STATEMENT
    assert data.school_opinion == DEFAULT_SCHOOL_OPINION
    assert "暂不要求统一体检" in DEFAULT_HEALTH_STATEMENT  # seed 三（三）7


@needs_poppler
@pytest.mark.parametrize("data", [typical(), worst_case()], ids=["typical", "worst-case"])
def test_every_font_is_embedded(data, tmp_path):
    listing = poppler("pdffonts", build_assessment_form(data), tmp_path).splitlines()[2:]

    assert listing
    for line in listing:
        columns = line.split()
        assert columns[-5] == "yes", f"not embedded: {line}"
        assert "KurintoSans" in columns[0], f"unexpected font: {line}"


@needs_poppler
def test_it_prints_the_teacher_the_years_and_the_school_statements(tmp_path):
    data = typical()
    text = text_of(build_assessment_form(data), tmp_path)

    for expected in ("重庆市教师资格定期注册考核鉴定表", data.round_title, data.name, data.unit_name,
                     data.certificate_number, "500114********0026", "1986年4月12日", "定期注册",
                     "384 学时", "不少于 360 学时", "2021年3月1日", "产假（已批准）",
                     data.ethics_statement, "能够胜任教育教学工作", data.school_opinion, "负责人签字",
                     "学校公章", "本表由学校统一出具，每人一份，作为注册材料第5、6、7项",
                     "打印时间：2023年11月17日 09:30"):
        assert expected in text, expected
    for year, _grade in data.assessments:
        assert f"{year}年度" in text
    assert text.count("优秀") == 1 and text.count("合格") >= 4


@needs_poppler
def test_the_worst_case_prints_both_rare_names_and_every_interruption(tmp_path):
    data = worst_case()
    text = text_of(build_assessment_form(data), tmp_path)

    assert "买买提·艾力" in text
    assert "𠮷野家" in text  # U+20BB7, from the fallback face, with a correct ToUnicode entry
    for start, *_ in data.interruptions:
        assert f"{start.year}年{start.month}月{start.day}日" in text
    assert "352.5 学时" in text


@needs_poppler
def test_nothing_runs_past_the_margins(tmp_path):
    html = poppler("pdftotext", build_assessment_form(worst_case()), tmp_path, "-bbox")
    boxes = [tuple(map(float, m)) for m in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html)]
    assert boxes
    margin = 15 * mm - 1
    for x_min, y_min, x_max, y_max in boxes:
        assert x_min >= margin and x_max <= A4[0] - margin
        assert y_min >= margin and y_max <= A4[1] - margin


@needs_poppler
def test_a_first_registration_prints_last_year_alone(tmp_path):
    data = replace(typical(), registration_kind="首次注册", assessments=((2022, "合格"),), interruptions=())
    text = text_of(build_assessment_form(data), tmp_path)

    assert "2022年度" in text and "2021年度" not in text
    assert "首次注册" in text


@needs_poppler
def test_a_new_teacher_prints_the_probation_assessment(tmp_path):
    data = replace(typical(), registration_kind="首次注册", assessments=(("试用期", "合格"),),
                   training_hours=None, training_hours_required=None, interruptions=())
    text = text_of(build_assessment_form(data), tmp_path)

    assert "试用期" in text and "试用期年度" not in text
    assert "________ 学时" in text  # left blank to fill in by hand


@needs_poppler
def test_the_masked_id_never_shows_the_birth_date(tmp_path):
    data = typical()
    birth = f"{data.birth_date:%Y%m%d}"
    text = text_of(build_assessment_form(data), tmp_path)

    assert "500114********0026" in text
    assert birth not in text  # digits 7–14 of the resident ID


@needs_poppler
def test_a_full_id_slipping_through_is_masked_anyway(tmp_path):
    text = text_of(build_assessment_form(replace(typical(), id_number="500114198604120026")), tmp_path)

    assert "500114********0026" in text
    assert "19860412" not in text


@needs_poppler
def test_data_that_cannot_fit_one_page_runs_over_rather_than_being_cut(tmp_path):
    many = tuple((date(2018, 1, 1 + i), date(2018, 1, 2 + i), 1, f"第{i + 1}次中断（测试）") for i in range(28))
    pdf = build_assessment_form(replace(typical(), interruptions=many))

    assert page_count(pdf) == 2
    text = text_of(pdf, tmp_path)
    assert "第28次中断（测试）" in text and "负责人签字" in text
    assert "张晓燕 第 2 页" in text


# --- batches ----------------------------------------------------------------------------------------


def test_a_batch_has_one_page_per_teacher_and_reports_progress():
    items = sample_batch(30)
    calls: list[tuple[int, int]] = []

    pdf = build_assessment_batch(items, progress=lambda done, total: calls.append((done, total)))

    assert pdf is not None and page_count(pdf) == 30
    assert calls == [(i, 30) for i in range(1, 31)]


@needs_poppler
def test_the_batch_keeps_the_order_of_the_teachers(tmp_path):
    items = sample_batch(5)
    pdf = build_assessment_batch(items)
    assert pdf is not None

    for page, data in enumerate(items, 1):
        assert data.name in text_of(pdf, tmp_path, "-f", str(page), "-l", str(page))


def test_a_batch_streams_into_a_file_and_returns_nothing(tmp_path):
    items = sample_batch(3)
    path = tmp_path / "batch.pdf"

    with path.open("wb") as out:
        assert build_assessment_batch(iter(items), out=out, total=3) is None

    assert path.read_bytes() == build_assessment_batch(items)


def test_a_generator_with_progress_needs_a_total():
    with pytest.raises(ValueError, match="total="):
        build_assessment_batch(iter(sample_batch(2)), progress=lambda done, total: None)

    calls: list[tuple[int, int]] = []
    out = io.BytesIO()
    build_assessment_batch(iter(sample_batch(2)), progress=lambda *c: calls.append(c), total=2, out=out)
    assert calls == [(1, 2), (2, 2)] and page_count(out.getvalue()) == 2


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="no teachers"):
        build_assessment_batch([])


# --- the shared look and the command line -----------------------------------------------------------


def test_it_shares_the_look_of_the_application_form():
    # Both forms draw with the pieces of tqr/documents/layout.py, not with copies of them.
    for name in ("PAGE_MARGIN", "FOOTER_SPACE", "FOOT_BASELINE", "SMALL_SIZE", "GRID", "FRAME", "LABEL_BACKGROUND",
                 "Block", "L", "V", "OpinionBox", "grid_table", "nested_table", "para", "lines", "cn_date"):
        assert getattr(application_form, name) is getattr(layout, name), name
        assert getattr(assessment_form, name) is getattr(layout, name), name
    assert issubclass(application_form._Styles, layout.Styles)
    assert sum(assessment_form.COLUMNS) == pytest.approx(sum(application_form.COLUMNS))


def test_a_row_that_does_not_fill_the_grid_is_refused():
    bad = layout.Block("坏\n块", rows=[[layout.L("姓名"), layout.V("x")]])
    with pytest.raises(ValueError, match="spans 2, not 6"):
        layout.grid_table([bad], layout.Styles(), assessment_form.COLUMNS)


def test_the_command_line_writes_a_form_and_a_batch(tmp_path):
    one, many = tmp_path / "one.pdf", tmp_path / "many.pdf"
    assessment_form.main([str(one), "--worst-case"])
    assessment_form.main([str(many), "--batch", "4"])

    assert page_count(one.read_bytes()) == 1
    assert page_count(many.read_bytes()) == 4

