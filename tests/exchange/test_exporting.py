"""Exporting a round's conclusions: the district's layout, full IDs for district staff only, audited."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tqr.applications.models import Application
from tqr.applications.services import application_start
from tqr.audit.models import AuditEvent
from tqr.exchange import exporting
from tqr.exchange.models import ExportLayout
from tqr.teachers.models import RegistrationRecord


@pytest.fixture
def concluded(world):
    """Teacher A1 qualified with a validity period; A2 deferred; B still without a conclusion."""
    apps = {}
    for teacher, conclusion in ((world.teacher_a1, "qualified"), (world.teacher_a2, "deferred"), (world.teacher_b, "")):
        app = application_start(round_=world.round_a, teacher=teacher, actor=teacher.user)
        Application.objects.filter(pk=app.pk).update(conclusion=conclusion)
        apps[teacher.name] = app
    RegistrationRecord.objects.update_or_create(
        teacher=world.teacher_a1, year=world.round_a.year,
        defaults={"round": world.round_a, "kind": "periodic", "conclusion": "qualified",
                  "valid_from": date(world.round_a.year, 12, 31), "valid_until": date(world.round_a.year + 5, 12, 30)})
    return apps


def _xlsx_rows(body: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return book.get_sheet_by_index(0).to_python()


def test_the_default_layout_has_the_full_id_and_the_validity(world, concluded):
    body, filename, _type = exporting.export_conclusions(round_=world.round_a, actor=world.reviewer_d1, fmt="xlsx")
    rows = _xlsx_rows(body)
    assert rows[0] == [h for h, _ in exporting.DEFAULT_LAYOUT]
    assert len(rows) == 3  # the header, A1 and A2; B has no conclusion yet
    by_name = {r[2]: r for r in rows[1:]}
    a1 = by_name["张三"]
    assert a1[1] == world.teacher_a1.id_number  # in full, as text
    assert isinstance(a1[1], str) and isinstance(a1[5], str)
    assert a1[8] == "合格" and a1[7] == "定期注册"
    assert a1[9] == f"{world.round_a.year}-12-31" and a1[10] == f"{world.round_a.year + 5}-12-30"
    assert by_name["李四"][8] == "暂缓注册" and by_name["李四"][9] == ""
    assert filename.endswith(".xlsx")


def test_it_follows_the_districts_layout_in_csv(world, concluded):
    exporting.layout_save(district=world.district_a, columns=[("身份证件号", "id_number"), ("结论", "conclusion"),
                                                              ("有效期至", "valid_until"), ("姓名", "name")],
                          date_format=ExportLayout.DateFormat.COMPACT, csv_encoding=ExportLayout.Encoding.GB18030,
                          actor=world.reviewer_d1)
    body, filename, content_type = exporting.export_conclusions(round_=world.round_a, actor=world.reviewer_d1,
                                                                fmt="csv")
    assert "gb18030" in content_type
    rows = list(csv.reader(io.StringIO(body.decode("gb18030"))))
    assert rows[0] == ["身份证件号", "结论", "有效期至", "姓名"]
    assert [world.teacher_a1.id_number, "合格", f"{world.round_a.year + 5}1230", "张三"] in rows
    assert AuditEvent.objects.filter(action="exchange.layout_save").exists()


def test_the_layout_editor_refuses_an_unknown_field_key():
    with pytest.raises(exporting.ValidationError) as caught:
        exporting.parse_columns("证件号码 = id_number\n结论 = verdict")
    assert "第2行" in caught.value.messages[0]
    assert exporting.parse_columns("id_number\n结论=conclusion") == [("证件号码", "id_number"), ("结论", "conclusion")]


def test_a_formula_in_a_cell_is_written_as_text(world, concluded):
    Application.objects.filter(pk=concluded["张三"].pk).update(name="=HYPERLINK(1)")
    body, _f, _t = exporting.export_conclusions(round_=world.round_a, actor=world.reviewer_d1, fmt="csv")
    assert "'=HYPERLINK(1)" in body.decode("utf-8-sig")


def test_the_page_downloads_for_the_districts_staff_and_audits_a_full_id_export(world, concluded, client_for):
    client = client_for("reviewer_d1")
    url = reverse("exchange_export", args=[world.round_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and "含完整身份证号码" in page.content.decode()
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    event = AuditEvent.objects.get(action="pii.export_full_id")
    assert event.data["rows"] == 2 and event.data["full_id"] is True and event.data["format"] == "xlsx"


@pytest.mark.parametrize(("persona", "status"), [("admin_a", 403), ("t_a1", 403), ("city_reviewer", 403),
                                                 ("reviewer_d2", 404), ("auditor", 404), ("sysadmin", 403)])
def test_nobody_else_gets_the_full_ids(world, concluded, client_for, persona, status):
    response = client_for(persona).get(reverse("exchange_export", args=[world.round_a.pk]), {"format": "csv"})
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="pii.export_full_id").exists()
    assert AuditEvent.objects.filter(action="authz.denied").exists()


def test_docs_list_the_default_layout_and_every_field_key():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "exchange.md").read_text(encoding="utf-8")
    block = text.split("the **default layout** applies:", 1)[1].split("```")[1]
    assert exporting.parse_columns(block) == list(exporting.DEFAULT_LAYOUT)
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(exporting.FIELDS)
