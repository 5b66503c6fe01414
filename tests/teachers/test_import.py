"""The Excel import of teachers: two steps, every problem by sheet/row/column, all or nothing, idempotent,
and a workbook is inspected as a ZIP before any parser opens it (security-tests 35–37, 58, 59).

The all-or-nothing tests run in the normal suite, so CI runs them on SQLite and on PostgreSQL; locally:
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/tqr_imp pytest tests/teachers`.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import date, datetime, timedelta

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tqr.accounts.permissions import visible_units
from tqr.audit.models import AuditEvent
from tqr.campaigns.models import TeacherEvaluation
from tqr.rules.identifiers import make_certificate_number, make_resident_id
from tqr.teachers import imports
from tqr.teachers.import_template import example_rows, template_xlsx
from tqr.teachers.imports import (
    ASSESSMENT_SHEET,
    INTERRUPTION_SHEET,
    SHEETS,
    TEACHER_SHEET,
    TRAINING_SHEET,
    ImportRefused,
    ImportRejected,
    import_commit,
    parse_workbook,
    preview_import,
)
from tqr.teachers.models import AnnualAssessment, Certificate, Interruption, TeacherProfile, TrainingRecord

# --- Building workbooks -----------------------------------------------------------------------------


def workbook(sheets: dict[str, list[dict]], *, headers: dict[str, list[str]] | None = None) -> bytes:
    """An XLSX in memory: sheet name → rows as {header: value}. Strings stay text, numbers are numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        names = (headers or {}).get(name) or [c.header for c in SHEETS[name]]
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, names)
        for r, row in enumerate(rows, start=1):
            for c, header in enumerate(names):
                value = row.get(header)
                if value is None or value == "":
                    continue
                if isinstance(value, date):
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def new_id(n: int) -> str:
    """Made-up resident IDs that no factory teacher has (born 1975 onwards, 400 per birth date)."""
    return make_resident_id("500114", date(1975, 1, 1) + timedelta(days=n // 400), (n % 400) * 2 + 1)


def teacher(id_number: str, unit_code: str, *, name: str = "测试教师", cert_serial: int | None = None,
            **more) -> dict:
    row = {"身份证号码": id_number, "姓名": name, "任教单位代码": unit_code, "任教学段": "小学", "任教学科": "数学"}
    if cert_serial is not None:
        row |= {"教师资格证书号码": make_certificate_number(2010, "50", "114", 2, 1, cert_serial),
                "证书任教学科": "数学", "认定机构": "重庆市黔江区教育委员会", "证书签发日期": date(2010, 6, 30)}
    return row | more


def wrong_check_char(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count()
            for m in (TeacherProfile, Certificate, AnnualAssessment, TrainingRecord, Interruption)}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def scope(user):
    return visible_units(user)


def problem_texts(preview) -> list[str]:
    return [str(p) for p in preview.problems]


# --- The template ------------------------------------------------------------------------------------


def test_the_template_imports_as_it_is_and_creates_the_example_teacher(world):
    data = template_xlsx(world.school_a.code)
    preview = preview_import(data, scope_units=scope(world.admin_a))
    assert preview.problems == []
    assert preview.counts["teachers"] == {"rows": 1, "created": 1, "changed": 0, "unchanged": 0}

    result = import_commit(preview_or_data=data, scope_units=scope(world.admin_a), actor=world.admin_a)

    assert result.created == 5  # teacher, certificate, assessment, training, interruption
    example = example_rows(world.school_a.code)
    t = TeacherProfile.objects.get(name="王示例")
    assert t.id_number == example[TEACHER_SHEET]["id_number"]
    assert (t.unit, t.post_level, t.gender, t.birth_date) == (world.school_a, "primary", "male", date(1990, 9, 10))
    assert t.user is None  # no account: accounts are created in bulk in a later step
    assert t.certificates.get().number == example[TEACHER_SHEET]["cert_number"]
    assert t.assessments.get().grade == "qualified"
    assert t.training.get().hours == 72
    assert t.interruptions.get().approved == "sick"


def test_the_template_formats_the_identifier_columns_as_text_and_explains_every_column():
    from python_calamine import CalamineWorkbook

    data = template_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("xl/styles.xml").decode()
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
    assert 'numFmtId="49"' in styles  # the built-in "@" (text) format
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == [TEACHER_SHEET, ASSESSMENT_SHEET, TRAINING_SHEET, INTERRUPTION_SHEET, "说明"]
    notes = [row[1] for row in book.get_sheet_by_name("说明").to_python() if len(row) > 1]
    for columns in SHEETS.values():
        assert {c.header for c in columns} <= set(notes)
    assert "<dataValidation" in sheet1


# --- All or nothing at 2,000 rows (security-tests 58) --------------------------------------------------


def two_thousand(world, *, bad_row: int | None = None) -> bytes:
    rows = [teacher(new_id(i), world.school_a.code, name=f"教师{i}", cert_serial=500000 + i) for i in range(2000)]
    if bad_row is not None:
        rows[bad_row - 2]["身份证号码"] = wrong_check_char(rows[bad_row - 2]["身份证号码"])  # row 1 is the header
    return workbook({TEACHER_SHEET: rows})


def test_2000_rows_with_a_bad_id_on_row_1999_insert_nothing_and_name_the_row(world):
    data = two_thousand(world, bad_row=1999)
    before = counts()

    preview = preview_import(data, scope_units=scope(world.admin_a))

    assert problem_texts(preview) == ["「教师」第1999行「身份证号码」列：身份证号码校验位错误，请逐位核对号码"]
    assert not preview.ok
    with pytest.raises(ImportRejected) as refused:
        import_commit(preview_or_data=data, scope_units=scope(world.admin_a), actor=world.admin_a)
    assert [(p.sheet, p.row, p.column) for p in refused.value.preview.problems] == [(TEACHER_SHEET, 1999, "身份证号码")]
    assert counts() == before
    assert AuditEvent.objects.get(action="import.teachers").result == "fail"


def test_the_corrected_file_imports_2000_rows_and_importing_it_again_changes_nothing(world):
    data = two_thousand(world)
    before = counts()

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        first = import_commit(preview_or_data=data, scope_units=scope(world.admin_a), actor=world.admin_a)
    assert time.monotonic() - started < 20
    assert len(queries) < 400, "bulk queries in batches, not one per row"

    assert first.counts["teachers"]["created"] == 2000
    assert first.evaluations == {"created": 2000}  # the rules ran for every new teacher of round A
    assert first.counts["certificates"]["created"] == 2000
    after_first = counts()
    assert after_first["TeacherProfile"] == before["TeacherProfile"] + 2000
    assert after_first["Certificate"] == before["Certificate"] + 2000

    again = import_commit(preview_or_data=data, scope_units=scope(world.admin_a), actor=world.admin_a)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 4000)
    assert counts() == after_first


@pytest.mark.django_db(transaction=True)
def test_a_failure_halfway_through_the_commit_leaves_nothing_behind(monkeypatch):
    """A real transaction (not the test's savepoint): rows already inserted are rolled back."""
    from tests.factories import make_world

    world = make_world()
    data = two_thousand(world)
    before = counts()

    def explode(plan):
        assert TeacherProfile.objects.count() == before["TeacherProfile"] + 2000  # written, not yet committed
        raise RuntimeError("the evaluation failed")

    monkeypatch.setattr(imports, "_evaluate", explode)
    with pytest.raises(RuntimeError):
        import_commit(preview_or_data=data, scope_units=scope(world.admin_a), actor=world.admin_a)
    assert counts() == before
    assert not AuditEvent.objects.filter(action="import.teachers").exists()


# --- Cells ----------------------------------------------------------------------------------------------


def test_a_numeric_id_cell_is_refused_with_the_text_format_message(world):
    data = workbook({TEACHER_SHEET: [teacher(500114198503140011, world.school_a.code)]})

    preview = preview_import(data, scope_units=scope(world.admin_a))

    assert problem_texts(preview) == [
        "「教师」第2行「身份证号码」列：身份证号码被存成了数字（如 5.00114E+17），会丢失末几位。"
        "请将身份证号列设置为文本格式后重新填写"
    ]
    assert preview.teachers == []  # never truncated into some other person's number


def test_a_numeric_certificate_number_and_a_numeric_id_in_a_fact_sheet_are_refused_too(world):
    row = teacher(new_id(1), world.school_a.code, cert_serial=1)
    row["教师资格证书号码"] = 20105011421000001
    data = workbook({TEACHER_SHEET: [row], ASSESSMENT_SHEET: [{"身份证号码": 500114197501010013, "年度": 2023,
                                                              "考核等次": "合格"}]})

    texts = problem_texts(preview_import(data, scope_units=scope(world.admin_a)))

    assert any("第2行「教师资格证书号码」列：教师资格证书号码被存成了数字" in t and "设置为文本格式" in t for t in texts)
    assert any(t.startswith("「年度考核」第2行「身份证号码」列：身份证号码被存成了数字") for t in texts)


def test_every_problem_of_a_row_is_listed_not_just_the_first(world):
    row = teacher(new_id(1), world.school_a.code, 任教学段="大学", 在编="也许", 参加工作日期="2015-13-01",
                  电子邮箱="not-an-email", 特岗教师="是的")
    preview = preview_import(workbook({TEACHER_SHEET: [row]}), scope_units=scope(world.admin_a))

    assert [p.column for p in preview.problems] == ["任教学段", "电子邮箱", "在编", "参加工作日期", "特岗教师"]
    assert "应为：幼儿园、小学、初级中学" in preview.problems[0].message
    assert preview.problems[3].message == "“2015-13-01”不是有效日期"


def test_dates_are_accepted_as_excel_dates_or_as_text(world):
    rows = [teacher(new_id(1), world.school_a.code, 参加工作日期=date(2015, 9, 1)),
            teacher(new_id(2), world.school_a.code, 参加工作日期="2016-09-01")]
    interruptions = [{"身份证号码": new_id(1), "开始日期": "2022-03-01", "结束日期": date(2022, 2, 1)}]
    preview = preview_import(workbook({TEACHER_SHEET: rows, INTERRUPTION_SHEET: interruptions}),
                             scope_units=scope(world.admin_a))

    assert [t.values["hire_date"] for t in preview.teachers] == [date(2015, 9, 1), date(2016, 9, 1)]
    assert problem_texts(preview) == ["「中断教学」第2行「结束日期」列：结束日期早于开始日期"]


def test_it_names_duplicate_ids_and_a_missing_required_column(world):
    rows = [teacher(new_id(1), world.school_a.code), teacher(new_id(2), world.school_a.code),
            teacher(new_id(1), world.school_a.code)]
    assessments = [{"身份证号码": new_id(1), "考核等次": "合格"}]
    data = workbook({TEACHER_SHEET: rows, ASSESSMENT_SHEET: assessments},
                    headers={ASSESSMENT_SHEET: ["身份证号码", "考核等次"]})

    texts = problem_texts(preview_import(data, scope_units=scope(world.admin_a)))

    assert texts == ["「教师」第4行「身份证号码」列：与第2行重复（身份证号码只能有一行）",
                     "「年度考核」第1行「年度」列：缺少此列，请使用导入模板的表头"]


def test_a_workbook_without_any_known_sheet_is_a_problem_not_a_crash(world):
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.add_worksheet("Sheet1").write_row(0, 0, ["身份证号码"])
    preview = preview_import(buffer.getvalue(), scope_units=scope(world.admin_a))
    assert not preview.ok
    assert "没有找到「教师」" in problem_texts(preview)[0]


# --- Scope ----------------------------------------------------------------------------------------------


def test_a_unit_outside_the_importers_scope_is_a_problem_of_that_row(world):
    rows = [teacher(new_id(1), world.school_a.code), teacher(new_id(2), world.school_b.code),
            teacher(new_id(3), "999999999"), teacher(new_id(4), world.school_a.code, 借出单位代码=world.school_c.code)]
    preview = preview_import(workbook({TEACHER_SHEET: rows}), scope_units=scope(world.admin_a))

    assert problem_texts(preview) == [
        f"「教师」第3行「任教单位代码」列：机构代码 {world.school_b.code} 不在您的管理范围",
        "「教师」第4行「任教单位代码」列：机构代码 999999999 不存在，请核对",
        f"「教师」第5行「借出单位代码」列：机构代码 {world.school_c.code} 不在您的管理范围",
    ]
    # A row whose ID is wrong still has its unit checked: every problem, not just the first.
    wrong = teacher(wrong_check_char(new_id(5)), world.school_c.code)
    preview = preview_import(workbook({TEACHER_SHEET: [wrong]}), scope_units=scope(world.admin_a))
    assert [p.column for p in preview.problems] == ["身份证号码", "任教单位代码"]
    assert preview.counts["teachers"]["rows"] == 1
    # The district reviewer of district A may import into both of its schools.
    preview = preview_import(workbook({TEACHER_SHEET: rows[:2]}), scope_units=scope(world.reviewer_d1))
    assert preview.problems == []
    assert preview.counts["teachers"]["created"] == 2


def test_a_teacher_of_a_unit_outside_the_scope_is_never_moved(world):
    row = teacher(world.teacher_b.id_number, world.school_a.code, name="王五")
    data = workbook({TEACHER_SHEET: [row]})

    preview = preview_import(data, scope_units=scope(world.admin_a))

    assert [(p.row, p.column) for p in preview.problems] == [(2, "身份证号码")]
    assert "管理范围以外的单位登记" in preview.problems[0].message
    with pytest.raises(ImportRejected):
        import_commit(preview_or_data=data, scope_units=scope(world.admin_a), actor=world.admin_a)
    world.teacher_b.refresh_from_db()
    assert world.teacher_b.unit == world.school_b


def test_fact_rows_need_a_teacher_of_the_sheet_or_of_the_scope(world):
    facts = {ASSESSMENT_SHEET: [{"身份证号码": world.teacher_a1.id_number, "年度": 2020, "考核等次": "优秀"},
                                {"身份证号码": world.teacher_c.id_number, "年度": 2020, "考核等次": "优秀"},
                                {"身份证号码": new_id(7), "年度": 2020, "考核等次": "优秀"}]}
    preview = preview_import(workbook(facts), scope_units=scope(world.admin_a))

    assert [p.row for p in preview.problems] == [3, 4]
    assert {p.message for p in preview.problems} == {"该身份证号码既不在「教师」工作表中，也不是您管理范围内已登记的教师"}


def test_a_certificate_of_another_teacher_is_a_problem(world):
    row = teacher(new_id(1), world.school_a.code, cert_serial=1)
    row["教师资格证书号码"] = world.teacher_a2.certificates.get().number
    preview = preview_import(workbook({TEACHER_SHEET: [row]}), scope_units=scope(world.admin_a))
    assert problem_texts(preview) == ["「教师」第2行「教师资格证书号码」列：该证书号码已登记在另一位教师名下，请核对"]


# --- Upserts, evaluation and audit ---------------------------------------------------------------------


def test_facts_are_created_then_updated_by_teacher_and_year_or_dates(world):
    id_number = new_id(1)
    year = world.round_a.year - 1

    def file(grade, hours, approved):
        return workbook({
            TEACHER_SHEET: [teacher(id_number, world.school_a.code, cert_serial=1)],
            ASSESSMENT_SHEET: [{"身份证号码": id_number, "年度": year, "考核等次": grade}],
            TRAINING_SHEET: [{"身份证号码": id_number, "年度": year, "学时": hours},
                             {"身份证号码": world.teacher_a1.id_number, "年度": str(year), "学时": 90}],
            INTERRUPTION_SHEET: [{"身份证号码": id_number, "开始日期": date(year, 3, 1), "结束日期": date(year, 9, 30),
                                  "批准事由": approved, "说明": "进修"}],
        })

    first = import_commit(preview_or_data=file("合格", 60, ""), scope_units=scope(world.admin_a), actor=world.admin_a)
    assert first.counts["assessments"]["created"] == 1
    assert first.counts["training"] == {"rows": 2, "created": 1, "changed": 1, "unchanged": 0}
    assert world.teacher_a1.training.get(year=year).hours == 90  # an existing teacher of the scope, by ID only
    t = TeacherProfile.objects.get(id_digest=imports.digest(id_number))
    assert t.interruptions.get().approved == ""  # blank = 未经批准

    before = counts()
    second = import_commit(preview_or_data=file("不合格", 80, "进修"), scope_units=scope(world.admin_a),
                           actor=world.admin_a)

    assert counts() == before
    assert (second.counts["assessments"]["changed"], second.counts["training"]["changed"],
            second.counts["interruptions"]["changed"]) == (1, 1, 1)
    assert (t.assessments.get().grade, t.training.get().hours, t.interruptions.get().approved) == (
        "unqualified", 80, "study")


def test_an_existing_teacher_is_updated_and_blank_optional_cells_keep_what_was_there(world):
    t = world.teacher_a1
    t.phone = "13911112222"
    t.save()
    row = teacher(t.id_number, world.school_a.code, name="张三", 任教学段="小学", 任教学科="英语", 职称="高级教师")
    result = import_commit(preview_or_data=workbook({TEACHER_SHEET: [row]}), scope_units=scope(world.admin_a),
                           actor=world.admin_a)

    assert result.counts["teachers"] == {"rows": 1, "created": 0, "changed": 1, "unchanged": 0}
    t.refresh_from_db()
    assert (t.subject, t.title, t.phone, t.user_id) == ("英语", "高级教师", "13911112222", world.t_a1.pk)


def test_the_import_runs_the_rules_for_the_new_teachers_and_is_audited_with_counts(world):
    rows = [teacher(new_id(i), world.school_a.code, cert_serial=i) for i in range(3)]
    result = import_commit(preview_or_data=workbook({TEACHER_SHEET: rows}), scope_units=scope(world.admin_a),
                           actor=world.admin_a)

    new = TeacherProfile.objects.filter(name="测试教师")
    assert TeacherEvaluation.objects.filter(round=world.round_a, teacher__in=new).count() == 3
    assert result.evaluations == {"created": 3}
    event = AuditEvent.objects.get(action="import.teachers")
    assert (event.user_id, event.result) == (world.admin_a.pk, "success")
    assert event.data["created"] == 6
    assert event.data["counts"]["teachers"]["created"] == 3


# --- The container (security-tests 35–37) ----------------------------------------------------------------


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def no_parser(monkeypatch):
    """Fail the test if the workbook parser is ever reached."""
    def refuse(*args, **kwargs):
        raise AssertionError("the parser must not see this file")

    monkeypatch.setattr(imports.CalamineWorkbook, "from_filelike", refuse)


def test_a_zip_bomb_is_refused_before_parsing(no_parser):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, z.open("xl/worksheets/sheet1.xml", "w") as entry:
        zeros = bytes(1024 * 1024)
        for _ in range(200):
            entry.write(zeros)
    data = out.getvalue()
    assert len(data) < 1024 * 1024  # small on disk, 200 MB once expanded

    with pytest.raises(ImportRefused) as refused:
        parse_workbook(data)
    assert refused.value.code == "zip_bomb"


def test_a_zip_that_understates_its_sizes_is_refused_while_decompressing(no_parser, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/a.xml", b"<a/>" + bytes(200 * 1024))
    raw = bytearray(out.getvalue())
    # Patch the central directory's uncompressed size (offset 24 of the entry) down to 10 bytes.
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 24:central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ImportRefused) as refused:
        parse_workbook(bytes(raw))
    assert refused.value.code in ("zip_bomb", "corrupt")


def test_a_workbook_with_5000_entries_is_refused(no_parser):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(5000):
            z.writestr(f"xl/media/{i}.xml", b"")
    with pytest.raises(ImportRefused) as refused:
        parse_workbook(out.getvalue())
    assert refused.value.code == "entries"


def test_macros_are_refused_by_content_and_by_name(world, no_parser):
    with pytest.raises(ImportRefused) as refused:
        parse_workbook(rezip(template_xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}))
    assert refused.value.code == "macro"
    with pytest.raises(ImportRefused) as refused:
        preview_import(template_xlsx(), scope_units=scope(world.admin_a), filename="教师.xlsm")
    assert refused.value.code == "macro"
    types = zipfile.ZipFile(io.BytesIO(template_xlsx())).read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    with pytest.raises(ImportRefused) as refused:
        parse_workbook(rezip(template_xlsx(), replace={"[Content_Types].xml": types}))
    assert refused.value.code == "macro"


@pytest.mark.parametrize("dtd", [
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
])
def test_a_sheet_with_a_dtd_is_refused_and_nothing_of_it_is_echoed(world, no_parser, dtd):
    data = template_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    declaration_end = sheet.index(b"?>") + 2
    evil = sheet[:declaration_end] + b"\n" + dtd + sheet[declaration_end:].replace(b"<v>", b"<v>", 1)
    with pytest.raises(ImportRefused) as refused:
        parse_workbook(rezip(data, replace={"xl/worksheets/sheet1.xml": evil}))
    assert refused.value.code == "dtd"
    assert "passwd" not in refused.value.message and "lol" not in refused.value.message


def test_calamine_alone_never_expands_an_entity_either():
    """Why the DTD refusal is defence in depth: the Rust parser refuses an entity it was 'declared'."""
    from python_calamine import CalamineWorkbook

    data = template_xlsx()
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    end = strings.index(b"?>") + 2
    evil = (strings[:end] + b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + strings[end:]).replace(
        "<t>姓名</t>".encode(), b"<t>&xxe;</t>")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(rezip(data, replace={"xl/sharedStrings.xml": evil})))
        header = book.get_sheet_by_name(TEACHER_SHEET).to_python()[0]
    except Exception:  # noqa: BLE001 - refusing is one of the two acceptable outcomes
        return
    assert not any("root:" in str(cell) for cell in header)


def test_a_file_over_10_mb_an_old_xls_and_garbage_are_refused(no_parser):
    with pytest.raises(ImportRefused, match="10 MB"):
        parse_workbook(b"PK\x03\x04" + bytes(10 * 1024 * 1024))
    with pytest.raises(ImportRefused, match="旧版 .xls"):
        parse_workbook(b"\xd0\xcf\x11\xe0" + bytes(100))
    with pytest.raises(ImportRefused, match="不是有效的 Excel"):
        parse_workbook(b"hello")


# --- The pages and the API ---------------------------------------------------------------------------------


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_the_page_uploads_previews_and_commits(world, client_for, media):
    client = client_for("admin_a")
    page = client.get("/teachers/import/")
    assert page.status_code == 200
    assert "/teachers/import/template.xlsx" in page.content.decode()

    template = client.get("/teachers/import/template.xlsx")
    assert template.status_code == 200
    assert template["Content-Disposition"].startswith("attachment;")
    preview = client.post("/teachers/import/", {"file": upload("教师.xlsx", template.content)})
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "确认导入" in body
    token = next(p.stem for p in (media / "imports").glob("*.json"))
    assert json.loads((media / "imports" / f"{token}.json").read_text())["user"] == world.admin_a.pk
    stored = (media / "imports" / f"{token}.xlsx").read_bytes()
    assert not stored.startswith(b"PK") and template.content not in stored  # encrypted at rest
    assert not TeacherProfile.objects.filter(name="王示例").exists()  # the preview writes nothing

    done = client.post(f"/teachers/import/{token}/commit/")
    assert done.status_code == 302
    assert TeacherProfile.objects.filter(name="王示例", unit=world.school_a).exists()
    assert list((media / "imports").iterdir()) == []  # deleted after the commit


def test_the_page_lists_the_problems_and_offers_no_commit(world, client_for, media):
    data = workbook({TEACHER_SHEET: [teacher(wrong_check_char(new_id(1)), world.school_a.code)]})
    response = client_for("admin_a").post("/teachers/import/", {"file": upload("教师.xlsx", data)})
    body = response.content.decode()
    assert "身份证号码校验位错误" in body
    assert "确认导入" not in body
    assert not (media / "imports").exists() or not list((media / "imports").iterdir())


def test_the_page_shows_why_a_file_is_refused(world, client_for):
    response = client_for("admin_a").post("/teachers/import/", {"file": upload("教师.xls", b"\xd0\xcf\x11\xe0")})
    assert response.status_code == 200
    assert "请上传 Excel 工作簿（.xlsx）文件" in response.content.decode()
    assert AuditEvent.objects.get(action="import.refused").data["reason"] == "type"


def test_a_commit_token_of_another_user_is_404_and_audited(world, client_for, media):
    token = imports.stash_upload(template_xlsx(), user=world.admin_a)
    response = client_for("admin_b").post(f"/teachers/import/{token}/commit/")
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="authz.denied")
    assert (denied.user_id, denied.data["status"]) == (world.admin_b.pk, 404)
    assert client_for("reviewer_d1").post(f"/api/v1/imports/teachers/{token}/commit").status_code == 404
    assert not TeacherProfile.objects.filter(name="王示例").exists()
    assert (media / "imports" / f"{token}.xlsx").exists()  # still the owner's to commit


def test_a_token_that_is_not_a_uuid_never_reaches_the_file_system(world, client_for):
    for token in ("..%2F..%2Fetc%2Fpasswd", "1", "A" * 32):
        assert client_for("admin_a").post(f"/teachers/import/{token}/commit/").status_code == 404


def test_the_api_previews_and_commits_with_the_same_services(world, client_for):
    client = client_for("reviewer_d1")
    template = client.get("/api/v1/imports/teachers/template.xlsx")
    assert template.status_code == 200
    response = client.post("/api/v1/imports/teachers", {"file": upload("教师.xlsx", template.content)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["problems"] == []
    assert body["counts"]["teachers"]["created"] == 1

    done = client.post(f"/api/v1/imports/teachers/{body['token']}/commit")
    assert done.status_code == 200, done.content
    assert done.json()["counts"]["teachers"]["created"] == 1
    # The template's example row names the reviewer's first unit: school A.
    assert TeacherProfile.objects.get(name="王示例").unit == world.school_a


def test_a_large_file_is_committed_by_a_background_job_with_its_progress_page(world, client_for, media, settings):
    settings.TQR_IMPORT_SYNC_ROWS = 0  # every file counts as large here
    client = client_for("admin_a")
    template = client.get("/teachers/import/template.xlsx").content
    preview = client.post("/teachers/import/", {"file": upload("教师.xlsx", template)})
    assert "确认后在后台导入" in preview.content.decode()
    token = next(p.stem for p in (media / "imports").glob("*.json"))
    done = client.post(f"/teachers/import/{token}/commit/")
    from tqr.core.models import Job

    job = Job.objects.get(kind="teacher_import")
    assert done["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.owner) == ("done", world.admin_a)
    assert TeacherProfile.objects.filter(name="王示例", unit=world.school_a).exists()
    summary = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode()
    assert "新增：" in summary
    assert list((media / "imports").iterdir()) == []
    assert AuditEvent.objects.filter(action="import.teachers", user=world.admin_a).exists()


def test_the_api_answers_202_with_the_job_for_a_large_file(world, client_for, settings):
    settings.TQR_IMPORT_SYNC_ROWS = 0
    client = client_for("reviewer_d1")
    template = client.get("/api/v1/imports/teachers/template.xlsx").content
    token = client.post("/api/v1/imports/teachers", {"file": upload("教师.xlsx", template)}).json()["token"]
    done = client.post(f"/api/v1/imports/teachers/{token}/commit")
    assert done.status_code == 202 and done.json()["status"] == "done"
    assert TeacherProfile.objects.filter(name="王示例").exists()


def test_a_background_import_that_became_wrong_fails_with_why_and_writes_nothing(world, client_for, media, settings,
                                                                                  monkeypatch):
    settings.TQR_IMPORT_SYNC_ROWS = 0
    client = client_for("admin_a")
    template = client.get("/teachers/import/template.xlsx").content
    client.post("/teachers/import/", {"file": upload("教师.xlsx", template)})
    token = next(p.stem for p in (media / "imports").glob("*.json"))

    def rejected(*args, **kwargs):
        raise imports.ImportRejected(imports.ImportPreview(sha256="0" * 64))

    monkeypatch.setattr(imports, "import_commit", rejected)
    client.post(f"/teachers/import/{token}/commit/")
    from tqr.core.models import Job

    job = Job.objects.get(kind="teacher_import")
    assert job.status == "failed" and "未导入任何数据" in job.error
    assert not TeacherProfile.objects.filter(name="王示例").exists()


def test_the_api_returns_every_problem_and_no_token(world, client_for):
    data = workbook({TEACHER_SHEET: [teacher(new_id(1), world.school_c.code)]})
    response = client_for("admin_a").post("/api/v1/imports/teachers", {"file": upload("t.xlsx", data)})
    body = response.json()
    assert (body["ok"], body["token"]) == (False, None)
    assert body["problems"] == [{"sheet": "教师", "row": 2, "column": "任教单位代码",
                                 "message": f"机构代码 {world.school_c.code} 不在您的管理范围",
                                 "text": f"「教师」第2行「任教单位代码」列：机构代码 {world.school_c.code} 不在您的管理范围"}]


def test_the_api_refuses_a_zip_bomb_with_400(world, client_for):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", bytes(60 * 1024 * 1024))
    response = client_for("admin_a").post("/api/v1/imports/teachers", {"file": upload("t.xlsx", out.getvalue())})
    assert response.status_code == 400
    assert "解压后过大" in response.json()["detail"]
