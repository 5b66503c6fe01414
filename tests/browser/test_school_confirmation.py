"""An administrator walks through the round's school part: roster, an import with errors then fixed,
the checklist, a return, the teacher's fix, confirmation and the hand-over."""

import pytest
from django.core import mail  # noqa: F401 - mail goes to the locmem outbox in tests

from tests.applications.helpers import fill_wizard, version
from tests.browser.support import assert_no_horizontal_scroll, login
from tests.factories import PASSWORD, make_world
from tests.teachers.test_import import new_id, teacher, workbook, wrong_check_char
from tqr.applications.models import Application, HandOver
from tqr.campaigns.evaluation import evaluate_round
from tqr.teachers.models import TeacherProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(live_server):
    w = make_world()
    evaluate_round(w.round_a)
    return w


def click_and_wait(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


@pytest.fixture
def desktop(browser, browser_settings):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    yield context.new_page()
    context.close()


def test_an_administrator_confirms_and_hands_over(desktop, live_server, live_world, tmp_path):
    from django.test import Client

    w, page = live_world, desktop
    # The teacher has submitted through the same pages the browser tests of the wizard use.
    teacher_client = Client()
    teacher_client.force_login(w.t_a1)
    app = fill_wizard(teacher_client, w)
    teacher_client.post(f"/apply/{w.round_a.pk}/submit/", {"version": version(app)})

    login(page, live_server, "sa_a", PASSWORD)
    click_and_wait(page, "a:has-text('本校名单与现场确认')")
    assert "张三" in page.locator("table.roster").inner_text()
    assert "现场确认截止" in page.locator("main").inner_text()
    assert_no_horizontal_scroll(page)

    # Import: a file with a bad ID is previewed with the row named, then the fixed file is committed.
    good, bad = new_id(1), wrong_check_char(new_id(2))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(workbook({"教师": [teacher(good, w.school_a.code, name="刘一"),
                                         teacher(bad, w.school_a.code, name="陈二")]}))
    page.goto(f"{live_server.url}/teachers/import/")
    page.set_input_files("input[type=file]", str(broken))
    click_and_wait(page, "main button[type=submit]")
    body = page.locator("main").inner_text()
    assert "第3行" in body and "身份证号码" in body
    assert page.locator("button:has-text('确认导入')").count() == 0
    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(workbook({"教师": [teacher(good, w.school_a.code, name="刘一"),
                                        teacher(new_id(3), w.school_a.code, name="陈二")]}))
    page.goto(f"{live_server.url}/teachers/import/")
    page.set_input_files("input[type=file]", str(fixed))
    click_and_wait(page, "main button[type=submit]")
    click_and_wait(page, "button:has-text('确认导入')")
    assert TeacherProfile.objects.filter(name__in=["刘一", "陈二"]).count() == 2

    # The checklist, then a return with the reason.
    page.goto(f"{live_server.url}/school/applications/{app.pk}/")
    page.check("input[name=item_1]")
    click_and_wait(page, "button:has-text('保存并确认')")
    assert "材料核验未完成" in page.locator(".messages").inner_text()
    page.fill("#reason", "缺少聘用合同复印件，请补交后重新提交")
    click_and_wait(page, "button:has-text('退回给教师')")
    app.refresh_from_db()
    assert app.state == "returned"
    assert_no_horizontal_scroll(page)

    # The teacher sees the reason, fixes and submits again.
    assert "缺少聘用合同复印件" in teacher_client.get(f"/apply/{w.round_a.pk}/").content.decode()
    teacher_client.post(f"/apply/{w.round_a.pk}/resubmit/", {"version": version(app)})
    app.refresh_from_db()
    assert app.state == "submitted"

    # Confirmation with every item ticked.
    page.goto(f"{live_server.url}/school/applications/{app.pk}/")
    for n in range(1, 8):
        page.check(f"input[name=item_{n}]")
    click_and_wait(page, "button:has-text('保存并确认')")
    assert Application.objects.get(pk=app.pk).state == "confirmed"

    # The hand-over: statistics, then submit.
    page.goto(f"{live_server.url}/school/{w.round_a.pk}/handover/")
    assert "应注册" in page.locator("main").inner_text()
    page.fill("#filled_by", "陈老师")
    page.fill("#phone", "13812345678")
    click_and_wait(page, "button:has-text('确认报送')")
    assert HandOver.objects.filter(unit=w.school_a).exists()
    assert "已于" in page.locator("main").inner_text()
