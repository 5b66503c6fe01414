"""A new teacher signs up, verifies the e-mail, goes through every wizard step, submits and downloads
the 申请表 — at desktop and at phone width. A second teacher meets a validation error and keeps the rest."""

import io
import re
from datetime import date

import pytest
from django.core import mail
from PIL import Image

from tests.browser.support import assert_no_horizontal_scroll, login
from tests.factories import PASSWORD, make_world
from tqr.applications.models import Application
from tqr.rules.identifiers import make_certificate_number, make_resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Qianjiang-2026!"


@pytest.fixture
def live_world(live_server):
    return make_world()


def click_and_wait(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def test_a_new_teacher_signs_up_applies_and_downloads_the_form(page, live_server, live_world, tmp_path):
    w = live_world
    phone = page.width_name == "phone"
    id_number = make_resident_id("500114", date(1992, 5, 17), 31 if phone else 33)
    cert = make_certificate_number(2015, "50", "114", 2, 1, 777 if phone else 778)

    page.goto(f"{live_server.url}/login/")
    click_and_wait(page, "a:has-text('教师注册')")
    page.fill("#id_id_number", id_number)
    page.fill("#id_name", "向佳怡")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_email", f"xiang{page.width_name}@example.cn")
    page.select_option("#id_unit", str(w.school_a.pk))
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    click_and_wait(page, "main button[type=submit]")
    assert "请查收验证邮件" in page.locator("main").inner_text()

    link = re.search(r"https?://\S+/account/verify/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.goto(f"{live_server.url}/")
    click_and_wait(page, "a:has-text('开始网上报名')")
    assert "第1步 阅读须知" in page.locator("h1").inner_text()
    assert_no_horizontal_scroll(page)
    click_and_wait(page, "main button[type=submit]")  # 开始填报

    page.check("#id_accept")  # 2 承诺事项
    click_and_wait(page, "main button[type=submit]")
    assert page.input_value("#id_id_number") == id_number  # 3 身份信息, from the account
    page.fill("#id_certificate_number", cert)
    click_and_wait(page, "main button[type=submit]")
    assert_no_horizontal_scroll(page)
    page.select_option("#id_ethnicity", "土家族")  # 4 证书信息与注册机构
    page.select_option("#id_cert_type", "primary")
    page.fill("#id_cert_subject", "数学")
    page.fill("#id_certifying_body", "重庆市黔江区教育委员会")
    page.fill("#id_cert_issue_date", "2015-07-01")
    page.select_option("#id_confirmation_point", str(w.school_a.pk))
    click_and_wait(page, "main button[type=submit]")
    click_and_wait(page, "main button[type=submit]")  # 5 注意事项
    page.select_option("#id_unit", str(w.school_a.pk))  # 6 申请信息
    page.fill("#id_subject", "数学")
    page.fill("#id_hire_date", "2015-09-01")
    page.fill("#id_training_hours", "380")
    click_and_wait(page, "main button[type=submit]")
    assert_no_horizontal_scroll(page)

    photo = tmp_path / "me.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (1500, 2000), (250, 250, 250)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())
    page.set_input_files("#id_photo", str(photo))
    click_and_wait(page, "#photo-form button[type=submit]")
    assert page.locator("img.photo-preview").count() == 1
    click_and_wait(page, "a:has-text('下一步：核对并提交')")
    body = page.locator("main").inner_text()
    assert "首次注册" in body and "规则建议" in body
    click_and_wait(page, "main .actions button.primary")
    assert "已提交，待学校现场确认" in page.locator("main").inner_text()
    assert_no_horizontal_scroll(page)

    with page.expect_download() as download:
        page.click("text=下载申请表（PDF）")
    pdf = tmp_path / "form.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    app = Application.objects.get(teacher__name="向佳怡")
    assert app.state == "submitted" and app.certificate_number == cert


def test_a_validation_error_keeps_the_other_fields(page, live_server, live_world):
    login(page, live_server, "t002", PASSWORD)
    page.goto(f"{live_server.url}/apply/")
    click_and_wait(page, "main button[type=submit]")
    page.check("#id_accept")
    click_and_wait(page, "main button[type=submit]")
    good_cert = page.input_value("#id_certificate_number")
    page.fill("#id_id_number", "500114198503140001")  # wrong check character
    click_and_wait(page, "main button[type=submit]")
    assert "校验" in page.locator(".field-error").first.inner_text()
    assert page.input_value("#id_certificate_number") == good_cert
    assert page.input_value("#id_id_number") == "500114198503140001"
    assert_no_horizontal_scroll(page)
