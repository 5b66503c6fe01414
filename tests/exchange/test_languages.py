"""The data exchange and the teacher import in English (issue 11): the files keep their Chinese format, texts kept
for every reader stay in the system's language, and a source's grade mapping re-saves in any language."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from tests.exchange.conftest import csv_bytes, training_rows, upload
from tqr.applications.models import Application
from tqr.applications.services import application_start
from tqr.core.models import Job
from tqr.exchange import exporting, importing
from tqr.exchange.forms import SourceForm
from tqr.exchange.models import DataSource, ImportRun
from tqr.teachers import imports
from tqr.teachers.models import AssessmentGrade


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


FORM = {"name": "区人社局年度考核", "kind": "assessment", "file_format": "auto", "sheet_name": "", "header_row": "1",
        "id_column": "身份证号码", "name_column": "姓名", "year_column": "考核年度", "value_column": "考核结果"}


def test_an_english_reader_re_saves_a_source_as_its_form_shows_the_grades(world, client_for, assessment_source):
    client = client_for("reviewer_d1")
    client.cookies["django_language"] = "en"
    url = reverse("exchange_source_edit", args=[assessment_source.pk])
    shown = client.get(url).context["form"].initial["grade_text"]
    assert shown == "良好 = Qualified"  # the grade in the reader's language
    response = client.post(url, {**FORM, "grade_text": shown})
    assert response.status_code == 302, response.content.decode()
    assessment_source.refresh_from_db()
    assert assessment_source.grade_values == {"良好": "qualified"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_grade_mapping_takes_the_labels_in_every_language_and_the_stored_values(world, language):
    text = "优良 = 优秀\n称职 = Qualified\n基本称职 = basically qualified\n不称职 = unqualified\n差 = 不 合 格"
    with translation.override(language):
        form = SourceForm(data={**FORM, "grade_text": text}, instance=DataSource(district=world.district_a))
        assert form.is_valid(), form.errors
        wrong = SourceForm(data={**FORM, "grade_text": "称职 = 很好"}, instance=DataSource(district=world.district_a))
        assert not wrong.is_valid() and "grade_text" in wrong.errors
    assert form.cleaned_data["grade_text"] == {"优良": "excellent", "称职": "qualified", "基本称职": "basic",
                                               "不称职": "unqualified", "差": "unqualified"}


def test_the_export_for_the_national_system_keeps_its_chinese_values_for_an_english_reader(world):
    app = application_start(round_=world.round_a, teacher=world.teacher_a1, actor=world.teacher_a1.user)
    Application.objects.filter(pk=app.pk).update(conclusion="qualified")
    with translation.override("en"):
        body, _filename, _type = exporting.export_conclusions(round_=world.round_a, actor=world.reviewer_d1, fmt="csv")
    header, row = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    assert header == [h for h, _key in exporting.DEFAULT_LAYOUT]
    values = dict(zip(header, row, strict=True))
    assert values["注册结论"] == "合格" and values["性别"] in ("男", "女")


def test_an_import_file_is_read_in_chinese_for_an_english_reader(world, assessment_source):
    year = world.round_a.year - 1
    rows = [["身份证号码", "姓名", "考核年度", "考核结果"], [world.teacher_a1.id_number, "张三", year, "合格"],
            [world.teacher_a2.id_number, "李四", year, "良"]]
    with translation.override("en"):
        assert imports.file_label(AssessmentGrade.QUALIFIED.label) == "合格"
        (problem,) = importing.exchange_preview(csv_bytes(rows), assessment_source, actor=world.reviewer_d1).problems
    assert problem.row == 3 and "优秀、合格、基本合格、不合格" in problem.message  # the values the file may hold


def test_a_refusal_is_read_in_the_language_of_whoever_reads_it():
    refused = imports.ImportRefused(gettext_lazy("合格"), code="x")  # a msgid the English catalogue has
    with translation.override("en"):
        assert refused.message == str(refused) == "Qualified"
    with translation.override("zh-hans"):
        assert refused.message == "合格"
        assert imports.too_large().message == "文件超过 10 MB，请分批导入"


def test_what_an_import_keeps_for_every_reader_is_in_the_systems_language(world, training_source, settings):
    legacy = upload(b"\xd0\xcf\x11\xe0" + b"\0" * 50, "a.csv")
    with translation.override("en"), pytest.raises(importing.ImportRefused):
        importing.exchange_upload(source=training_source, upload=legacy, actor=world.reviewer_d1)
    assert ImportRun.objects.get().message.startswith("这是旧版 .xls 文件")

    settings.TQR_IMPORT_SYNC_ROWS = 1  # a background job: its label, file name and summary are kept too
    data = csv_bytes(training_rows(world, world.round_a.year - 1, hours=333))
    with translation.override("en"):
        _preview, token, _run = importing.exchange_upload(source=training_source, upload=upload(data),
                                                         actor=world.reviewer_d1)
        _run, job = importing.exchange_commit_upload(source=training_source, token=token, actor=world.reviewer_d1)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.label == f"导入{training_source.name}（2 行）" and job.filename == "导入结果.txt"
    assert job.file.read().decode().startswith(f"数据来源：{training_source.name}\n")
