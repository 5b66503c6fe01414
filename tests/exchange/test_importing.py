"""Importing training hours and annual assessments: every check, both encodings, XLSX, all-or-nothing."""

from __future__ import annotations

import pytest

from tests.exchange.conftest import csv_bytes, training_rows, upload, xlsx_bytes
from tqr.audit.models import AuditEvent
from tqr.exchange import importing
from tqr.exchange.models import ImportRun
from tqr.rules.identifiers import make_resident_id
from tqr.teachers.models import AnnualAssessment, TrainingRecord


def _bad_checksum(id_number: str) -> str:
    last = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + last


def _preview(source, data, actor):
    return importing.exchange_preview(data, source, actor=actor)


def _texts(preview) -> list[str]:
    return [str(p) for p in preview.problems]


# (what, how the third data row is changed, expected location, expected words of the message)
ROW = 4  # row 1 the title, row 2 the header, rows 3 and 4 the two teachers; the changed row is row 4


def _change(rows, index, value):
    rows[3][index] = value
    return rows


CASES = [
    ("checksum", lambda w, y, r: _change(r, 2, _bad_checksum(w.teacher_a2.id_number)), "证件号码",
     "校验位错误"),
    ("id-too-short", lambda w, y, r: _change(r, 2, "50011419850314"), "证件号码", "身份证号码"),
    ("id-in-scientific-notation", lambda w, y, r: _change(r, 2, "5.00114E+17"), "证件号码", "被存成了数字"),
    ("unknown-teacher", lambda w, y, r: _change(r, 2, make_resident_id("500114", __import__("datetime").date(1970, 1, 1), 11)),
     "证件号码", "本区县没有该身份证号码的教师"),
    ("teacher-of-another-district", lambda w, y, r: _change(r, 2, w.teacher_c.id_number), "证件号码",
     "本区县没有该身份证号码的教师"),
    ("name-mismatch", lambda w, y, r: _change(r, 1, "李思"), "姓名", "不一致"),
    ("year-in-future", lambda w, y, r: _change(r, 3, y + 5), "培训年度", "年度应为"),
    ("year-too-old", lambda w, y, r: _change(r, 3, 1900), "培训年度", "年度应为"),
    ("year-not-a-number", lambda w, y, r: _change(r, 3, "去年"), "培训年度", "四位年份"),
    ("hours-negative", lambda w, y, r: _change(r, 4, "-5"), "认定学时", "整数"),
    ("hours-fraction", lambda w, y, r: _change(r, 4, "7.5"), "认定学时", "整数"),
    ("hours-blank", lambda w, y, r: _change(r, 4, ""), "认定学时", "必填"),
    ("duplicate", lambda w, y, r: _change(r, 2, w.teacher_a1.id_number) and _change(r, 1, "张三"), "证件号码",
     "与第3行重复"),
]


@pytest.mark.parametrize(("what", "change", "column", "words"), CASES, ids=[c[0] for c in CASES])
def test_it_lists_each_problem_by_row_and_column(world, year, training_source, what, change, column, words):
    rows = change(world, year, training_rows(world, year))
    preview = _preview(training_source, csv_bytes(rows), world.reviewer_d1)
    assert not preview.ok
    problems = [p for p in preview.problems if p.row == ROW]
    assert problems, _texts(preview)
    assert problems[0].column == column
    assert words in problems[0].message
    assert str(problems[0]).startswith(f"第{ROW}行「{column}」列：")


GRADE_CASES = [("优秀", "excellent"), ("优", "excellent"), ("合 格", "qualified"), ("称职", "qualified"),
               ("良好", "qualified"),  # this source's own spelling (grade_values)
               ("基本合格", "basic"), ("基本称职", "basic"), ("不合格", "unqualified"), ("不称职", "unqualified")]


@pytest.mark.parametrize(("cell", "grade"), GRADE_CASES)
def test_it_reads_the_grades_and_their_variants(world, year, assessment_source, cell, grade):
    data = csv_bytes([["身份证号码", "姓名", "考核年度", "考核结果"], [world.teacher_a1.id_number, "张三", year, cell]])
    preview = _preview(assessment_source, data, world.reviewer_d1)
    assert preview.ok, _texts(preview)
    importing.exchange_commit(data=data, source=assessment_source, actor=world.reviewer_d1)
    assert AnnualAssessment.objects.get(teacher=world.teacher_a1, year=year).grade == grade


def test_it_says_how_to_fix_an_unknown_grade(world, year, assessment_source):
    data = csv_bytes([["身份证号码", "姓名", "考核年度", "考核结果"], [world.teacher_a1.id_number, "张三", year, "良"]])
    (problem,) = _preview(assessment_source, data, world.reviewer_d1).problems
    assert problem.column == "考核结果"
    assert "不是可选值，应为：优秀、合格、基本合格、不合格" in problem.message
    assert "考核等次对照" in problem.message


def test_it_names_a_missing_column_and_the_mapping_to_change(world, year, training_source):
    rows = training_rows(world, year)
    rows[1][4] = "学时"
    (problem,) = _preview(training_source, csv_bytes(rows), world.reviewer_d1).problems
    assert (problem.row, problem.column) == (2, "认定学时")
    assert "数据来源设置" in problem.message


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gb18030", False), ("gbk", False)])
def test_it_reads_csv_in_utf8_with_or_without_bom_and_in_gb18030(world, year, training_source, encoding, bom):
    data = csv_bytes(training_rows(world, year, hours=101), encoding=encoding, bom=bom)
    preview = _preview(training_source, data, world.reviewer_d1)
    assert preview.ok, _texts(preview)
    assert preview.counts == {"rows": 2, "created": 0, "changed": 2, "unchanged": 0}


def test_it_reads_tab_separated_text(world, year, training_source):
    text = "\r\n".join("\t".join(str(c) for c in row) for row in training_rows(world, year, hours=101))
    assert _preview(training_source, text.encode("gb18030"), world.reviewer_d1).ok


def test_it_reads_xlsx_and_refuses_an_id_stored_as_a_number(world, year, training_source):
    rows = training_rows(world, year)
    assert _preview(training_source, xlsx_bytes(rows), world.reviewer_d1).ok
    rows[3][2] = float(world.teacher_a2.id_number[:17] + "0") if world.teacher_a2.id_number[-1] == "X" else float(
        world.teacher_a2.id_number)
    (problem,) = _preview(training_source, xlsx_bytes(rows), world.reviewer_d1).problems
    assert (problem.row, problem.column) == (4, "证件号码")
    assert "被存成了数字（如 5.00114E+17），会丢失末几位" in problem.message


def test_it_refuses_a_macro_workbook_and_a_legacy_xls(world, training_source):
    with pytest.raises(importing.ImportRefused, match="含宏"):
        importing.exchange_upload(source=training_source, upload=upload(b"PK\x03\x04", "a.xlsm"), actor=world.reviewer_d1)
    with pytest.raises(importing.ImportRefused, match="旧版 .xls"):
        importing.exchange_upload(source=training_source, upload=upload(b"\xd0\xcf\x11\xe0" + b"\0" * 50, "a.csv"),
                                  actor=world.reviewer_d1)
    assert ImportRun.objects.filter(result=ImportRun.Result.REFUSED).count() == 2
    assert AuditEvent.objects.filter(action="exchange.refused").count() == 2


def test_it_writes_nothing_when_one_row_has_a_problem(world, year, training_source):
    rows = training_rows(world, year, hours=200)
    rows.append([3, "王五", _bad_checksum(world.teacher_b.id_number), year, 10])
    data = csv_bytes(rows)
    with pytest.raises(importing.ExchangeRejected) as caught:
        importing.exchange_commit(data=data, source=training_source, actor=world.reviewer_d1)
    assert [p.row for p in caught.value.preview.problems] == [5]
    assert not TrainingRecord.objects.filter(year=year, hours=200).exists()
    event = AuditEvent.objects.get(action="exchange.import")
    assert event.result == AuditEvent.Result.FAIL
    assert ImportRun.objects.get().result == ImportRun.Result.PROBLEMS


def test_it_upserts_and_a_second_import_of_the_same_file_changes_nothing(world, year, training_source):
    TrainingRecord.objects.filter(teacher=world.teacher_a2, year=year).delete()
    data = csv_bytes(training_rows(world, year, hours=96))
    first = importing.exchange_commit(data=data, source=training_source, actor=world.reviewer_d1)
    assert (first.created, first.changed, first.unchanged) == (1, 1, 0)
    assert TrainingRecord.objects.get(teacher=world.teacher_a1, year=year).hours == 96
    assert TrainingRecord.objects.get(teacher=world.teacher_a2, year=year).hours == 96
    count = TrainingRecord.objects.count()
    second = importing.exchange_commit(data=data, source=training_source, actor=world.reviewer_d1)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 2)
    assert TrainingRecord.objects.count() == count
    events = AuditEvent.objects.filter(action="exchange.import", result=AuditEvent.Result.SUCCESS).order_by("pk")
    assert [(e.data["created"], e.data["changed"], e.data["unchanged"]) for e in events] == [(1, 1, 0), (0, 0, 2)]
    assert events[0].data["sha256"] == first.sha256


def test_two_sources_with_different_headers_import_the_same_data(world, year, training_source, training_source_other):
    platform_a = csv_bytes(training_rows(world, year, hours=120))
    platform_b = xlsx_bytes([["身份证号", "年份", "学时数"], [world.teacher_a1.id_number, f"{year}年", "120学时"],
                             [world.teacher_a2.id_number, year, 120]])
    importing.exchange_commit(data=platform_a, source=training_source, actor=world.reviewer_d1)
    after_a = list(TrainingRecord.objects.order_by("pk").values_list("teacher_id", "year", "hours"))
    run = importing.exchange_commit(data=platform_b, source=training_source_other, actor=world.reviewer_d1)
    assert (run.created, run.changed, run.unchanged) == (0, 0, 2)
    assert list(TrainingRecord.objects.order_by("pk").values_list("teacher_id", "year", "hours")) == after_a
    # Each source reads only its own headers.
    assert not _preview(training_source, platform_b, world.reviewer_d1).ok


def test_a_large_file_is_committed_by_a_background_job(world, year, training_source, monkeypatch, settings, tmp_path):
    from tqr.core.models import Job

    settings.MEDIA_ROOT = tmp_path
    settings.TQR_IMPORT_SYNC_ROWS = 1
    data = csv_bytes(training_rows(world, year, hours=333))
    preview, token, _run = importing.exchange_upload(source=training_source, upload=upload(data), actor=world.reviewer_d1)
    assert token
    run, job = importing.exchange_commit_upload(source=training_source, token=token, actor=world.reviewer_d1)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    run.refresh_from_db()
    assert run.result == ImportRun.Result.COMMITTED and run.changed == 2 and run.job_id == job.pk
    assert TrainingRecord.objects.filter(year=year, hours=333).count() == 2
