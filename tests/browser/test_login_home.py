import pytest

from tests.browser.support import assert_no_horizontal_scroll, login
from tests.factories import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(live_server):
    return make_world()


def test_a_teacher_logs_in_and_sees_the_round(page, live_server, live_world):
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    assert page.locator("h1").inner_text() == "教师资格定期注册管理系统"
    assert_no_horizontal_scroll(page)

    login(page, live_server, "t001", PASSWORD)
    assert page.url.rstrip("/") == live_server.url
    body = page.locator("main").inner_text()
    assert "您好，张三" in body
    assert "网上报名" in body and "进行中" in body
    assert "重庆市黔江区城东街道中心小学校" in body
    assert_no_horizontal_scroll(page)


def test_a_wrong_password_shows_the_generic_message(page, live_server, live_world):
    login(page, live_server, "t001", "wrong-password")
    assert "账号或密码错误或已锁定" in page.locator(".error-box").inner_text()
    assert page.input_value("#id_username") == "t001"


def test_a_school_admin_names_the_registration_administrator(page, live_server, live_world):
    login(page, live_server, "sa_a", PASSWORD)
    page.click("a:has-text('报送注册管理员')")
    page.fill("#id_name", "陈老师")
    page.fill("#id_phone", "1381234")
    page.click("main button[type=submit]")
    assert "请填写11位手机号码" in page.locator(".field-error").inner_text()
    assert page.input_value("#id_name") == "陈老师"
    page.fill("#id_phone", "13812345678")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "注册管理员已报送" in page.locator(".messages").inner_text()
    assert "陈老师" in page.locator("main").inner_text()
    assert_no_horizontal_scroll(page)


def test_the_district_sees_which_schools_have_not_named_one(page, live_server, live_world):
    login(page, live_server, "rev_d1", PASSWORD)
    assert "个尚未报送" in page.locator("main").inner_text()
    page.click("a:has-text('查看未报送单位')")
    rows = page.locator("tr.missing")
    assert rows.count() == 2
    assert_no_horizontal_scroll(page)
