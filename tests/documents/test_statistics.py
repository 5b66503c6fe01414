"""《重庆市2023年教师资格定期注册情况统计表》(附件3): landscape PDF with repeated headers, XLSX with values."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from python_calamine import load_workbook

from tests.documents.test_application_form import needs_poppler, page_count, poppler
from tqr.documents import statistics
from tqr.documents.statistics import (
    COLUMN_GROUPS,
    NotAppliedTeacher,
    StatisticsRow,
    StatisticsTable,
    build_statistics_pdf,
    build_statistics_xlsx,
    row_values,
    sample_statistics,
)

GROUP_TITLES = [g.title for g in COLUMN_GROUPS]
COLUMN_LABELS = [c.flat_label for g in COLUMN_GROUPS for c in g.columns]


def text_of(pdf: bytes, tmp_path: Path, *args: str) -> str:
    return poppler("pdftotext", pdf, tmp_path, *args)


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def sheet(xlsx: bytes, name: str) -> list[list]:
    return load_workbook(io.BytesIO(xlsx)).get_sheet_by_name(name).to_python()


# --- the data ---------------------------------------------------------------------------------------


def test_the_sample_adds_up():
    for row in sample_statistics(schools=30).rows:
        assert row.in_scope == row.applied + row.not_applied
        assert row.applied == row.confirmed + row.abandoned
        for breakdown in (row.by_qualification, row.by_kind, row.by_conclusion):
            assert sum(breakdown.values()) == row.confirmed, row.label


def test_the_total_is_the_sum_of_the_rows_unless_given():
    table = sample_statistics(schools=5)
    total = table.total_row

    assert total.label == "合计"
    assert row_values(total) == [sum(col) for col in zip(*map(row_values, table.rows), strict=True)]
    assert total.reasons["D1"] == sum(r.reasons.get("D1", 0) for r in table.rows)

    given = StatisticsRow("全区合计", in_scope=1)
    assert replace(table, total=given).total_row is given


def test_a_row_refuses_unknown_keys_and_negative_counts():
    with pytest.raises(ValueError, match="unknown by_qualification"):
        StatisticsRow("x", by_qualification={"university": 1})
    with pytest.raises(ValueError, match="counts"):
        StatisticsRow("x", applied=-1)
    with pytest.raises(ValueError, match="counts"):
        StatisticsRow("x", reasons={"D1": 1.5})


def test_a_row_is_frozen_down_to_its_counts():
    row = StatisticsRow("x", by_kind={"first": 1})
    with pytest.raises(TypeError):
        row.by_kind["first"] = 2  # type: ignore[index]


# --- PDF --------------------------------------------------------------------------------------------


@needs_poppler
def test_every_font_is_embedded(tmp_path):
    listing = poppler("pdffonts", build_statistics_pdf(sample_statistics()), tmp_path).splitlines()[2:]

    assert listing
    for line in listing:
        columns = line.split()
        assert columns[-5] == "yes", f"not embedded: {line}"
        assert "KurintoSans" in columns[0], f"unexpected font: {line}"


def test_it_is_a4_landscape():
    pdf = build_statistics_pdf(sample_statistics())
    boxes = {(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)}

    assert boxes and all(w > h for w, h in boxes)
    assert boxes == {(841.8898, 595.2756)}  # A4 turned


@needs_poppler
def test_the_names_and_numbers_appear(tmp_path):
    table = sample_statistics()
    text = text_of(build_statistics_pdf(table), tmp_path, "-layout")

    assert table.title in text and table.subtitle in text
    for title in GROUP_TITLES:
        assert title in text
    for row in (*table.rows, table.total_row):
        assert row.label in text
        # -layout keeps a row on one line: its numbers in order, right after the name.
        line = next(x for x in text.splitlines() if row.label in x)
        assert re.findall(r"\d+", line.split(row.label)[1]) == [str(n) for n in row_values(row)], row.label


@needs_poppler
def test_it_counts_the_reasons_and_has_a_sign_off(tmp_path):
    table = sample_statistics()
    text = text_of(build_statistics_pdf(table), tmp_path)

    assert "暂缓注册、不合格原因" in text
    for code in table.reason_codes():
        assert code in text and table.reason_label(code) in text
    for expected in ("填表人：", "兰菊秋", "联系电话：", "13452208820", "单位（盖章）", "单位公章", "日期：",
                     "2023年11月24日", table.note[:20]):
        assert expected in text, expected


@needs_poppler
def test_without_reasons_there_is_no_reason_section(tmp_path):
    table = StatisticsTable("统计表", "填报单位：某校", rows=(StatisticsRow("某校", in_scope=3, applied=3,
                                                                         confirmed=3),))
    text = text_of(build_statistics_pdf(table), tmp_path)

    assert "不合格原因" not in text and "未报名人员名单" not in text
    assert "第1页共1页" in squeezed(text)


@needs_poppler
def test_sixty_schools_run_over_several_pages_with_the_header_on_each(tmp_path):
    table = sample_statistics(schools=60)
    pdf = build_statistics_pdf(table)
    pages = page_count(pdf)
    assert pages >= 3

    text = squeezed(text_of(pdf, tmp_path))
    assert f"第1页共{pages}页" in text  # printed as 第 1 页 共 5 页; pdftotext drops the spaces
    assert f"第{pages}页共{pages}页" in text
    pages_text = [text_of(pdf, tmp_path, "-f", str(p), "-l", str(p)) for p in range(1, pages + 1)]
    last_table_page = next(p for p, page in enumerate(pages_text, 1) if "合计" in page)
    table_pages = range(1, last_table_page + 1)
    assert len(table_pages) >= 2
    for p in table_pages:
        page = pages_text[p - 1]
        for heading in ("序号", "学校（单位）", *GROUP_TITLES, "应注册", "中职", "暂缓后"):
            assert heading in page, (p, heading)


@needs_poppler
def test_it_lists_who_did_not_apply(tmp_path):
    table = sample_statistics(schools=20)
    assert table.not_applied_teachers
    text = text_of(build_statistics_pdf(table), tmp_path)

    assert f"未报名人员名单（共 {len(table.not_applied_teachers)} 人）" in text
    for name, _unit, reason in table.not_applied_teachers:
        assert name in text and reason in text


def test_the_command_line_writes_both_formats(tmp_path):
    pdf, xlsx = tmp_path / "t.pdf", tmp_path / "t.xlsx"
    statistics.main([str(pdf), "--schools", "3"])
    statistics.main([str(xlsx)])

    assert pdf.read_bytes().startswith(b"%PDF")
    assert zipfile.is_zipfile(xlsx)


# --- XLSX -------------------------------------------------------------------------------------------


def test_the_xlsx_has_the_grouped_header_in_its_first_two_rows():
    table = sample_statistics()
    rows = sheet(build_statistics_xlsx(table), "统计表")

    assert rows[0][:2] == ["序号", "学校（单位）"]
    assert [x for x in rows[0][2:] if x] == [*GROUP_TITLES, "暂缓注册、不合格原因"]
    assert rows[1][2 : 2 + len(COLUMN_LABELS)] == COLUMN_LABELS
    assert rows[1][2 + len(COLUMN_LABELS):] == [f"{c} {table.reason_label(c)}" for c in table.reason_codes()]


def test_the_xlsx_rows_equal_the_data_and_the_total_the_column_sums():
    table = sample_statistics()
    codes = table.reason_codes()
    rows = sheet(build_statistics_xlsx(table), "统计表")
    body = rows[2 : 2 + len(table.rows)]

    for i, (got, row) in enumerate(zip(body, table.rows, strict=True), 1):
        assert got[0] == i and got[1] == row.label
        assert got[2:] == row_values(row) + [row.reasons.get(c, 0) for c in codes]
    total = rows[2 + len(table.rows)]
    assert total[1] == "合计"
    assert total[2:] == [sum(r[c] for r in body) for c in range(2, len(total))]
    assert all(isinstance(x, int | float) for x in total[2:])  # values, not formulas


def test_the_xlsx_writes_values_merges_the_groups_and_freezes_the_header():
    xlsx = build_statistics_xlsx(sample_statistics())
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()

    assert "<f>" not in xml
    assert 'xSplit="2" ySplit="2"' in xml
    assert '<mergeCell ref="A1:A2"/>' in xml and '<mergeCell ref="C1:G1"/>' in xml


def test_the_xlsx_lists_who_did_not_apply_on_a_second_sheet():
    table = sample_statistics(schools=20)
    rows = sheet(build_statistics_xlsx(table), "未报名名单")

    assert rows[0] == ["序号", "姓名", "单位", "未报名原因"]
    assert [tuple(r[1:]) for r in rows[1:]] == [tuple(t) for t in table.not_applied_teachers]


def test_a_formula_like_name_comes_out_literal():
    evil = "=HYPERLINK(\"http://x\",\"点我\")"
    table = replace(sample_statistics(schools=2),
                    not_applied_teachers=(NotAppliedTeacher("+张三", evil, "@SUM(1)"),))
    table = replace(table, rows=(replace(table.rows[0], label=evil), *table.rows[1:]))
    xlsx = build_statistics_xlsx(table)

    assert sheet(xlsx, "统计表")[2][1] == "'" + evil
    assert sheet(xlsx, "未报名名单")[1][1:] == ["'+张三", "'" + evil, "'@SUM(1)"]
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        assert all(b"<f>" not in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@needs_poppler
def test_a_formula_like_name_prints_as_typed_in_the_pdf(tmp_path):
    table = sample_statistics(schools=2)
    table = replace(table, rows=(replace(table.rows[0], label="=1+1 某校"), *table.rows[1:]))
    assert "=1+1 某校" in text_of(build_statistics_pdf(table), tmp_path)
