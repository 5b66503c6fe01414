"""注册状态查询: the public lookup (page and API) and the employer's batch (upload, table, Excel, API).

Alice (张三, teacher_a1) registered this year: 合格 until five years on. Bob asks with her number and her
name; Charlie asks with her number and another name, or with a number nobody has — and must learn nothing.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date

import pytest
import xlsxwriter
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.factories import teacher
from tqr.audit.models import AuditEvent
from tqr.lookup import services
from tqr.lookup.batch_file import RESULT_HEADERS
from tqr.teachers.models import QualificationStatus, RegistrationRecord

pytestmark = pytest.mark.django_db

ID_RE = re.compile(r"\d{17}[\dXx]")
BIRTH_RE = re.compile(r"\d{6}(19|20)\d{6}")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
URL = "/lookup/"
BATCH_URL = "/lookup/batch/"
API = "/api/v1/lookup"
API_BATCH = "/api/v1/lookup/batch"
UNKNOWN = "20085011420999999"  # well-formed, nobody's


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(world):
    """张三 of school A, with a phone, registered this year (合格) with her certificate."""
    t = world.teacher_a1
    t.phone = "13812345678"
    t.save()
    year = timezone.localdate().year
    RegistrationRecord.objects.create(teacher=t, certificate=t.certificates.get(), year=year, kind="periodic",
                                      conclusion="qualified", valid_from=date(year, 12, 31),
                                      valid_until=date(year + 5, 12, 30))
    return t


def number_of(t) -> str:
    return t.certificates.get().number


def ask(client, number: str, name: str):
    return client.post(URL, {"certificate_number": number, "name": name})


def body_without_csrf(response) -> str:
    return CSRF_RE.sub("", response.content.decode())


# --- The public page -------------------------------------------------------------------------------------


def test_it_shows_the_form_without_anything_personal(alice):
    response = Client().get(URL)
    assert response.status_code == 200
    assert "教师资格证书号码" in response.content.decode()
    assert response["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in response.content.decode()


def test_it_finds_a_registered_teacher_with_the_conclusion_and_date_and_nothing_else(alice):
    year = timezone.localdate().year
    response = ask(Client(), number_of(alice), "张三")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已注册（合格）" in html
    assert f"{year + 5}年12月30日" in html
    assert f"{year}年" in html
    # Nothing else about her: not her name, number, ID, birth date, phone, unit or gender.
    assert "张三" not in html and number_of(alice) not in html
    assert not ID_RE.search(html) and not BIRTH_RE.search(html)
    assert alice.id_number not in html and alice.id_masked not in html
    assert "1985" not in html and alice.birth_date.isoformat() not in html
    assert alice.phone not in html
    assert alice.unit.name not in html and alice.unit.short_name not in html
    assert "男" not in html and "语文" not in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Cache-Control"] == "no-store"


def test_the_service_returns_the_conclusion_the_year_and_the_date_only(alice):
    year = timezone.localdate().year
    result = services.lookup(number_of(alice), "张三")
    assert result == services.LookupResult(conclusion="qualified", conclusion_label="合格", year=year,
                                           valid_until=date(year + 5, 12, 30), registered=True)
    assert set(result.__dataclass_fields__) == {"conclusion", "conclusion_label", "year", "valid_until",
                                                 "registered"}


def test_a_wrong_name_and_an_unknown_number_give_the_same_page(alice, world):
    never_registered = teacher(world.school_b, "孙七")  # a real certificate with a real name, but no registration
    revoked = teacher(world.school_b, "周八", registered_year=timezone.localdate().year - 1,
                      qualification_status=QualificationStatus.REVOKED)
    answers = [
        ask(Client(), number_of(alice), "李四"),
        ask(Client(), number_of(alice), "张"),
        ask(Client(), UNKNOWN, "张三"),
        ask(Client(), number_of(never_registered), "孙七"),
        ask(Client(), number_of(revoked), "周八"),
    ]
    assert {r.status_code for r in answers} == {200}
    bodies = {body_without_csrf(r) for r in answers}
    assert len(bodies) == 1
    assert "未查询到注册信息" in bodies.pop()
    assert services.lookup(number_of(alice), "李四") is None
    assert services.lookup(UNKNOWN, "张三") is None


def test_it_folds_full_width_digits_spaces_and_hyphens_in_the_number_and_the_name(alice):
    number = number_of(alice)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    pasted = f" {full_width[:4]}－{full_width[4:10]} {full_width[10:]} "
    response = ask(Client(), pasted, " 张　三 ")
    assert "已注册（合格）" in response.content.decode()
    assert services.lookup(pasted, "张 三") is not None


def test_a_middle_dot_may_be_typed_any_way(world):
    t = teacher(world.school_a, "阿依古丽·买买提", registered_year=timezone.localdate().year - 1)
    for typed in ("阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽.买买提", "阿依古丽・买买提"):
        assert services.lookup(number_of(t), typed) is not None, typed
    assert services.lookup(number_of(t), "阿依古丽买买提") is None


def test_it_says_deferred_and_unqualified_without_a_date(world):
    year = timezone.localdate().year
    deferred = teacher(world.school_a, "钱一")
    RegistrationRecord.objects.create(teacher=deferred, year=year, kind="first", conclusion="deferred")
    failed = teacher(world.school_a, "孙二")
    RegistrationRecord.objects.create(teacher=failed, year=year, kind="first", conclusion="unqualified")
    html = ask(Client(), number_of(deferred), "钱一").content.decode()
    assert "暂缓注册" in html and "有效期至" not in html
    html = ask(Client(), number_of(failed), "孙二").content.decode()
    assert "不合格" in html and "有效期至" not in html


def test_it_answers_with_the_latest_registration_of_that_certificate(alice, world):
    year = timezone.localdate().year
    assert services.lookup(number_of(alice), "张三").year == year  # not the world's one five years ago
    expired = teacher(world.school_a, "吴九", registered_year=year - 6)  # valid until year - 1
    result = services.lookup(number_of(expired), "吴九")
    assert result.expired and not result.registered
    assert "注册有效期已届满" in ask(Client(), number_of(expired), "吴九").content.decode()


def test_it_refuses_a_malformed_number_with_the_rule_message(alice):
    response = ask(Client(), "12345", "张三")
    assert response.status_code == 400
    assert "17 位数字" in response.content.decode()


def test_it_throttles_an_address_after_20_lookups_a_minute(alice, one_rate_window):
    client = Client()
    statuses = [ask(client, UNKNOWN, "张三").status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    throttled = ask(client, number_of(alice), "张三")
    assert throttled.status_code == 429 and throttled["Retry-After"] == "60"
    assert throttled["X-Robots-Tag"].startswith("noindex")
    # The API counts against the same address.
    assert Client().post(API, {"certificate_number": UNKNOWN, "name": "张三"},
                         content_type="application/json").status_code == 429


def test_a_lookup_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    assert ask(client, number_of(alice), "张三").status_code == 403
    form = client.get(URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    response = client.post(URL, {"certificate_number": number_of(alice), "name": "张三",
                                 "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and "已注册（合格）" in response.content.decode()


def test_lookup_many_answers_500_rows_in_two_queries(alice, world, django_assert_num_queries):
    others = [teacher(world.school_c, f"教师{i}", registered_year=2022) for i in range(3)]
    rows = [(number_of(alice), "张三"), (number_of(alice), "李四"), (UNKNOWN, "某某"), ("bad", "某某"),
            *[(number_of(t), t.name) for t in others]]
    rows = (rows * 72)[:500]
    with django_assert_num_queries(2):
        results = services.lookup_many(rows)
    assert len(results) == 500
    assert results[0].registered and results[1] is None and results[2] is None and results[3] is None
    assert results[4].year == 2022
    with pytest.raises(ValueError):
        services.lookup_many(rows + rows[:1])


# --- The batch page --------------------------------------------------------------------------------------


def xlsx(rows: list[list], header=("教师资格证书号码", "姓名")) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("名单")
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
    book.close()
    return buffer.getvalue()


def upload(client, data: bytes, filename="名单.xlsx"):
    return client.post(BATCH_URL, {"file": SimpleUploadedFile(filename, data)})


def table_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_a_school_looks_up_a_list_and_downloads_the_same_answers(alice, world, client_for):
    year = timezone.localdate().year
    client = client_for("admin_b")
    rows = [[number_of(alice), "张三"], [number_of(alice), "李四"], [UNKNOWN, "王五"], ["123", "赵六"],
            [number_of(world.teacher_c), "赵六"], ["", "无号码"]]
    response = upload(client, xlsx(rows))
    assert response.status_code == 200
    shown = table_rows(response.content.decode())
    assert shown == [
        ["2", "张三", number_of(alice), "已注册（合格）", str(year), f"{year + 5}-12-30"],
        ["3", "李四", number_of(alice), "未查询到注册信息", "", ""],
        ["4", "王五", UNKNOWN, "未查询到注册信息", "", ""],
        ["5", "赵六", "123", "证书号码格式不正确（应为 17 位数字，旧版证书为 15 位）", "", ""],
        ["6", "赵六", number_of(world.teacher_c), "已注册（合格）", str(year - 5), f"{year}-12-30"],
        ["7", "无号码", "", "未填写证书号码", "", ""],
    ]
    rows_json = html.unescape(re.search(r'name="rows" value="([^"]+)"', response.content.decode()).group(1))
    download = client.post(BATCH_URL, {"rows": rows_json})
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(download.content)).get_sheet_by_index(0).to_python()
    assert [str(h) for h in sheet[2]] == list(RESULT_HEADERS)
    in_excel = [[_cell(v) for v in row] for row in sheet[3:]]
    assert in_excel == shown
    audit = AuditEvent.objects.filter(action="lookup.batch").order_by("pk")
    assert [(e.data["source"], e.data["rows"]) for e in audit] == [("upload", 6), ("download", 6)]
    assert audit[0].data["outcomes"] == {"registered": 2, "not_found": 2, "invalid": 2}
    assert all("张三" not in json.dumps(e.data, ensure_ascii=False) for e in audit)


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def test_a_district_reviewer_may_upload_a_csv_saved_by_chinese_excel(alice, client_for):
    data = f"教师资格证书号码,姓名\r\n{number_of(alice)},张三\r\n".encode("gb18030")
    response = upload(client_for("reviewer_d2"), data, "名单.csv")
    assert response.status_code == 200
    assert table_rows(response.content.decode())[0][3] == "已注册（合格）"


def test_it_refuses_more_than_500_rows(alice, client_for):
    rows = [[number_of(alice), "张三"]] * 501
    response = upload(client_for("admin_a"), xlsx(rows))
    assert response.status_code == 400
    assert "一次最多查询 500 人，本次有 501 行" in response.content.decode()
    refused = AuditEvent.objects.get(action="lookup.batch")
    assert refused.result == AuditEvent.Result.FAIL and refused.data["reason"] == "too_many_rows"
    assert upload(client_for("admin_a"), xlsx(rows[:500])).status_code == 200


def test_it_refuses_certificate_numbers_stored_as_numbers(alice, client_for):
    response = upload(client_for("admin_a"), xlsx([[number_of(alice), "张三"], [20085011420000002, "李四"]]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "第 3 行" in html and "被存成了数字" in html and "文本格式" in html
    csv = "教师资格证书号码,姓名\n2.00851E+16,张三\n".encode()
    html = upload(client_for("admin_a"), csv, "名单.csv").content.decode()
    assert "第 2 行" in html and "被存成了数字（如 2.00851E+16）" in html


def test_it_requires_the_header_row(alice, client_for):
    response = upload(client_for("admin_a"), xlsx([[number_of(alice), "张三"]], header=(number_of(alice), "张三")))
    assert response.status_code == 400
    assert "第一行须为表头" in response.content.decode()


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("名单.xlsx", b"not a zip at all", "不是有效的 Excel 工作簿"),
    ("名单.xls", b"\xd0\xcf\x11\xe0", "请上传 Excel 工作簿（.xlsx）或 CSV 文件"),
    ("名单.xlsm", b"PK\x03\x04", "请上传 Excel 工作簿（.xlsx）或 CSV 文件"),
])
def test_it_refuses_what_is_not_a_plain_workbook_before_parsing(world, client_for, filename, data, message):
    response = upload(client_for("admin_a"), data, filename)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_formula_in_a_name_stays_text_in_the_excel(world, client_for):
    client = client_for("admin_a")
    rows = json.dumps([[2, UNKNOWN, "=HYPERLINK(\"http://x\")"]])
    download = client.post(BATCH_URL, {"rows": rows})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(download.content)).get_sheet_by_index(0).to_python()
    assert sheet[3][1] == "'=HYPERLINK(\"http://x\")"


def test_a_forged_download_is_refused(world, client_for):
    response = client_for("admin_a").post(BATCH_URL, {"rows": json.dumps([{"a": 1}])})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="lookup.batch").exists()


def test_a_teacher_may_not_use_the_batch(world, client_for):
    response = client_for("t_a1").get(BATCH_URL)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="authz.denied", user=world.t_a1).exists()
    assert client_for("t_a1").post(API_BATCH, [], content_type="application/json").status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(world):
    response = Client().get(BATCH_URL)
    assert response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next=")
    assert Client().post(API_BATCH, [], content_type="application/json").status_code == 401


# --- The API ---------------------------------------------------------------------------------------------


def api_ask(client, number: str, name: str):
    return client.post(API, {"certificate_number": number, "name": name}, content_type="application/json")


def test_the_api_answers_like_the_page(alice):
    year = timezone.localdate().year
    found = api_ask(Client(), number_of(alice), "张三")
    assert found.status_code == 200
    assert found.json() == {"found": True, "status": "已注册（合格）", "registered": True, "conclusion": "qualified",
                            "conclusion_label": "合格", "year": year, "valid_until": f"{year + 5}-12-30"}
    assert found["X-Robots-Tag"].startswith("noindex") and found["Cache-Control"] == "no-store"
    wrong_name, unknown = api_ask(Client(), number_of(alice), "李四"), api_ask(Client(), UNKNOWN, "张三")
    assert wrong_name.status_code == unknown.status_code == 200
    assert wrong_name.content == unknown.content
    assert wrong_name.json()["found"] is False and wrong_name.json()["status"] == "未查询到注册信息"
    assert api_ask(Client(), "１２３", "张三").status_code == 400
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number_of(alice))
    assert api_ask(Client(), full_width, "张三").json()["registered"] is True


def test_the_api_throttles_like_the_page(alice):
    client = Client()
    statuses = [api_ask(client, UNKNOWN, "张三").status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    assert ask(client, UNKNOWN, "张三").status_code == 429


def test_the_api_batch_for_a_city_reviewer(alice, client_for):
    body = [{"certificate_number": number_of(alice), "name": "张三"}, {"certificate_number": UNKNOWN, "name": "某"}]
    response = client_for("city_reviewer").post(API_BATCH, body, content_type="application/json")
    assert response.status_code == 200
    first, second = response.json()
    assert first["row"] == 1 and first["outcome"] == "registered" and first["valid_until"]
    assert second["found"] is False and second["status"] == "未查询到注册信息" and second["year"] is None
    assert AuditEvent.objects.get(action="lookup.batch").data["rows"] == 2


def test_the_api_batch_refuses_501_rows(alice, client_for):
    body = [{"certificate_number": number_of(alice), "name": "张三"}] * 501
    response = client_for("admin_a").post(API_BATCH, body, content_type="application/json")
    assert response.status_code == 400
    assert "一次最多查询 500 人" in response.json()["detail"]


def test_english_answers_in_english_but_the_excel_stays_in_its_chinese_format(alice, world, client_for):
    """The page and the API follow the chosen language; the result workbook (Chinese headings) stays Chinese."""
    public = Client()
    public.cookies["django_language"] = "en"
    unknown = api_ask(public, UNKNOWN, "张三")
    assert unknown.status_code == 200 and unknown.json()["status"] == "No registration information found"
    assert api_ask(public, number_of(alice), "张三").json()["status"] == "Registered (qualified)"
    client = client_for("admin_b")
    client.cookies["django_language"] = "en"
    response = upload(client, xlsx([[UNKNOWN, "王五"]]))
    assert table_rows(response.content.decode())[0][3] == "No registration information found"
    rows_json = html.unescape(re.search(r'name="rows" value="([^"]+)"', response.content.decode()).group(1))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(client.post(BATCH_URL, {"rows": rows_json}).content))
    assert sheet.get_sheet_by_index(0).to_python()[3][3] == "未查询到注册信息"
