"""The pages: sources, upload → preview → commit, history, layout; and the same through the API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.exchange.conftest import csv_bytes, training_rows, upload
from tests.factories import user
from tqr.accounts.models import Role
from tqr.audit.models import AuditEvent
from tqr.exchange import importing
from tqr.exchange.models import DataSource, ExportLayout, ImportRun
from tqr.teachers.models import TrainingRecord


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_district_reviewer_creates_a_source_and_edits_its_mapping(world, client_for):
    client = client_for("reviewer_d1")
    response = client.post(reverse("exchange_source_new"), {
        "name": "人社局考核", "kind": "assessment", "file_format": "auto", "sheet_name": "", "header_row": "1",
        "id_column": "身份证号码", "name_column": "姓名", "year_column": "年度", "value_column": "等次",
        "grade_text": "称职 = 合格\n优良 = 优秀"})
    assert response.status_code == 302, response.content.decode()
    source = DataSource.objects.get()
    assert source.district == world.district_a and source.grade_values == {"称职": "qualified", "优良": "excellent"}
    assert AuditEvent.objects.filter(action="exchange.source_create").exists()
    page = client.get(reverse("exchange_source_edit", args=[source.pk]))
    assert "优良 = 优秀" in page.content.decode()
    bad = client.post(reverse("exchange_source_edit", args=[source.pk]), {
        "name": "人社局考核", "kind": "assessment", "file_format": "auto", "header_row": "1", "id_column": "身份证号码",
        "year_column": "年度", "value_column": "等次", "grade_text": "称职 = 很好"})
    assert bad.status_code == 200 and "等次为 优秀、合格、基本合格、不合格 之一" in bad.content.decode()


def test_upload_preview_and_commit_through_the_pages(world, year, client_for, training_source):
    client = client_for("reviewer_d1")
    url = reverse("exchange_import", args=[training_source.pk])
    response = client.post(url, {"file": upload(csv_bytes(training_rows(world, year, hours=150)))})
    html = response.content.decode()
    assert response.status_code == 200 and "检查通过" in html and "更新 2" in html
    token = re.search(r"/import/([0-9a-f]{32})/commit/", html).group(1)
    done = client.post(reverse("exchange_import_commit", args=[training_source.pk, token]))
    assert done.status_code == 302 and done["Location"] == reverse("exchange_runs")
    assert TrainingRecord.objects.filter(year=year, hours=150).count() == 2
    history = client.get(reverse("exchange_runs")).content.decode()
    assert "已导入" in history and history.count("学时.csv") == 2  # the preview and the commit
    # The token is spent: committing it again is a 404.
    assert client.post(reverse("exchange_import_commit", args=[training_source.pk, token])).status_code == 404


def test_the_preview_page_lists_the_problems_and_offers_no_commit(world, year, client_for, training_source):
    rows = training_rows(world, year)
    rows[2][4] = "很多"
    response = client_for("reviewer_d1").post(reverse("exchange_import", args=[training_source.pk]),
                                              {"file": upload(csv_bytes(rows))})
    html = response.content.decode()
    assert "第3行「认定学时」列" in html and "学时应为 0–1000 之间的整数" in html
    assert "确认导入" not in html


def test_another_users_upload_cannot_be_committed(world, year, client_for, training_source):
    colleague = user("rev_d1b", Role.DISTRICT_REVIEWER, world.district_a)
    _p, token, _r = importing.exchange_upload(source=training_source, upload=upload(csv_bytes(training_rows(world, year))),
                                              actor=colleague)
    response = client_for("reviewer_d1").post(reverse("exchange_import_commit", args=[training_source.pk, token]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="authz.denied", data__status=404).exists()


def test_the_layout_editor_saves_and_resets(world, client_for):
    client = client_for("reviewer_d1")
    url = reverse("exchange_layout")
    assert "id_number" in client.get(url).content.decode()
    response = client.post(url, {"columns": "证件号码 = id_number\n结论 = conclusion", "date_format": "%Y%m%d",
                                 "csv_encoding": "gb18030"})
    assert response.status_code == 302
    layout = ExportLayout.objects.get(district=world.district_a)
    assert layout.columns == [{"header": "证件号码", "field": "id_number"}, {"header": "结论", "field": "conclusion"}]
    client.post(url, {"reset": "1"})
    assert not ExportLayout.objects.exists()
    assert AuditEvent.objects.filter(action="exchange.layout_reset").exists()


def test_the_home_page_links_the_exchange_pages_for_district_staff(world, client_for):
    assert reverse("exchange_home") in client_for("reviewer_d1").get(reverse("home")).content.decode()
    assert reverse("exchange_home") not in client_for("admin_a").get(reverse("home")).content.decode()


def test_a_source_of_another_district_is_a_404(world, client_for, training_source):
    assert client_for("reviewer_d2").get(reverse("exchange_import", args=[training_source.pk])).status_code == 404
    assert client_for("admin_a").get(reverse("exchange_import", args=[training_source.pk])).status_code == 403


# --- The API ---------------------------------------------------------------------------------------------


def test_the_api_lists_previews_commits_and_exports(world, year, client_for, training_source):
    client = client_for("reviewer_d1")
    sources = client.get(reverse("api:exchange_sources")).json()
    assert [s["name"] for s in sources] == ["重庆市继续教育平台"] and sources[0]["header_row"] == 2
    rows = training_rows(world, year, hours=77)
    preview = client.post(reverse("api:exchange_import", args=[training_source.pk]),
                          {"file": upload(csv_bytes(rows, encoding="gb18030"))}).json()
    assert preview["ok"] and preview["counts"] == {"rows": 2, "created": 0, "changed": 2, "unchanged": 0}
    result = client.post(reverse("api:exchange_import_commit", args=[training_source.pk, preview["token"]]),
                         content_type="application/json").json()
    assert result["result"] == "committed" and result["changed"] == 2 and result["job_id"] is None
    assert ImportRun.objects.filter(result="committed").count() == 1
    export = client.get(reverse("api:exchange_export", args=[world.round_a.pk]), {"format": "csv"})
    assert export.status_code == 200 and export.content.decode("utf-8-sig").startswith("证件类型,证件号码")


def test_the_api_returns_the_problems_of_a_file(world, year, client_for, training_source):
    rows = training_rows(world, year)
    rows[3][1] = "李思"
    body = client_for("reviewer_d1").post(reverse("api:exchange_import", args=[training_source.pk]),
                                          {"file": upload(csv_bytes(rows))}).json()
    assert not body["ok"] and body["token"] is None
    assert body["problems"][0]["row"] == 4 and body["problems"][0]["column"] == "姓名"


def test_a_commit_checks_again_and_refuses_what_became_a_problem(world, year, client_for, training_source):
    client = client_for("reviewer_d1")
    html = client.post(reverse("exchange_import", args=[training_source.pk]),
                       {"file": upload(csv_bytes(training_rows(world, year, hours=222)))}).content.decode()
    token = re.search(r"/import/([0-9a-f]{32})/commit/", html).group(1)
    world.teacher_a2.unit = world.school_c  # moved to another district since the preview
    world.teacher_a2.save()
    response = client.post(reverse("exchange_import_commit", args=[training_source.pk, token]))
    assert response.status_code == 409
    assert "本区县没有该身份证号码的教师" in response.content.decode()
    assert not TrainingRecord.objects.filter(hours=222).exists()
    assert ImportRun.objects.filter(result=ImportRun.Result.PROBLEMS).count() == 1


def test_the_api_creates_and_changes_a_source_with_the_pages_checks(world, client_for):
    api = client_for("reviewer_d1")
    body = {"name": "人事系统年度考核", "kind": "assessment", "id_column": "公民身份号码", "year_column": "考核年度",
            "value_column": "考核结果", "grade_values": {"称职": "qualified"}}
    created = api.post("/api/v1/exchange/sources", body, content_type="application/json")
    assert created.status_code == 201, created.content
    source = DataSource.objects.get(pk=created.json()["id"])
    assert (source.district, source.id_column, source.grade_values) == (world.district_a, "公民身份号码",
                                                                        {"称职": "qualified"})
    assert AuditEvent.objects.filter(action="exchange.source_create", object_id=str(source.pk)).exists()
    wrong = api.put(f"/api/v1/exchange/sources/{source.pk}", {**body, "header_row": 99, "grade_values": {"称职": "很好"}},
                    content_type="application/json")
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"header_row", "grade_text"}
    assert "表头所在行应在 1–50 之间" in wrong.json()["errors"]["header_row"]
    source.refresh_from_db()
    assert source.header_row == 1, "a refused change keeps what was saved"
    changed = api.put(f"/api/v1/exchange/sources/{source.pk}", {**body, "header_row": 2}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["header_row"] == 2
    assert client_for("reviewer_d2").put(f"/api/v1/exchange/sources/{source.pk}", body,
                                         content_type="application/json").status_code == 404
