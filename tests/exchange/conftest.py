"""Fixtures of the data-exchange tests: two sources of district A with different headers, file builders."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tqr.exchange.models import DataSource


@pytest.fixture
def year():
    return timezone.localdate().year - 1


@pytest.fixture
def training_source(world):
    """The Chongqing continuing-education platform's layout: a title row, then the header on row 2."""
    return DataSource.objects.create(
        district=world.district_a, name="重庆市继续教育平台", kind=DataSource.Kind.TRAINING, header_row=2,
        id_column="证件号码", name_column="姓名", year_column="培训年度", value_column="认定学时")


@pytest.fixture
def training_source_other(world):
    """Another province's platform: different headers, header on row 1, no name column."""
    return DataSource.objects.create(
        district=world.district_a, name="四川省继续教育平台", kind=DataSource.Kind.TRAINING,
        id_column="身份证号", name_column="", year_column="年份", value_column="学时数")


@pytest.fixture
def assessment_source(world):
    return DataSource.objects.create(
        district=world.district_a, name="区人社局年度考核", kind=DataSource.Kind.ASSESSMENT,
        id_column="身份证号码", name_column="姓名", year_column="考核年度", value_column="考核结果",
        grade_values={"良好": "qualified"})


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list], *, sheet: str = "Sheet1") -> bytes:
    """A workbook as Excel writes it: numbers stay numbers (an ID typed into a General cell is a float)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value is not None:
                ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def upload(data: bytes, name: str = "学时.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def training_rows(world, year: int, hours: int = 96) -> list[list]:
    """The platform's file for teachers A1 and A2: title row, header, two rows."""
    return [["2024年度教师继续教育学时认定汇总表"], ["序号", "姓名", "证件号码", "培训年度", "认定学时"],
            [1, "张三", world.teacher_a1.id_number, year, hours],
            [2, "李四", world.teacher_a2.id_number, year, hours]]
