"""The city draws a sample and records a discrepancy, the district answers, the city approves; the district
prints stickers and builds a school's archive; the public looks up a certificate."""

import pytest
from django.core.cache import cache

from tests.browser.support import PHONE, assert_no_horizontal_scroll, login
from tests.city.helpers import reported
from tests.factories import PASSWORD, make_world
from tests.reviews.helpers import move_to
from tqr.applications.models import Application
from tqr.city.models import FinalApproval, Sample
from tqr.core.models import Job
from tqr.rules.phases import Phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(live_server):
    cache.clear()
    w = make_world()
    reported(w, deferred=[w.teacher_a2])
    return w


def click_and_wait(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def desktop(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                               accept_downloads=True).new_page()


def test_sample_check_answer_approve_stickers_archive_and_lookup(browser, browser_settings, live_server, live_world):
    w = live_world
    city = desktop(browser)
    login(city, live_server, "city_rev", PASSWORD)
    click_and_wait(city, "a:has-text('各区县上报批次')")
    click_and_wait(city, "a:has-text('办理') >> nth=0")
    click_and_wait(city, "button:has-text('抽取样本')")
    sample = Sample.objects.get()
    assert sample.seed in city.locator("main").inner_text()
    click_and_wait(city, "a:has-text('复算核验')")
    assert "核验通过" in city.locator("main").inner_text()
    first = sample.items.order_by("id").first()
    row = city.locator("tr", has=city.locator(f"text={first.application.name}")).first
    row.locator("select[name=result]").select_option("discrepancy")
    row.locator("input[name=note]").fill("聘用合同复印件未盖章")
    row.locator("button:has-text('记录')").click()
    city.wait_for_load_state("networkidle")
    assert Application.objects.get(pk=first.application_id).state == "city_returned"
    for _ in range(sample.items.filter(result="").count()):
        click_and_wait(city, "form.inline-form button:has-text('记录') >> nth=0")

    district = desktop(browser)
    login(district, live_server, "rev_d1", PASSWORD)
    click_and_wait(district, "a:has-text('复审退回核实')")
    assert "聘用合同复印件未盖章" in district.locator("main").inner_text()
    click_and_wait(district, "button:has-text('核实完毕，重新上报')")
    assert Application.objects.get(pk=first.application_id).state == "reported"

    move_to(w, Phase.FINAL_REVIEW)
    approver = desktop(browser)
    login(approver, live_server, "city_app", PASSWORD)
    approver.goto(f"{live_server.url}/city/{w.round_a.pk}/sample/")
    click_and_wait(approver, "button:has-text('终审通过')")
    assert FinalApproval.objects.exists()

    district.goto(f"{live_server.url}/reviews/{w.round_a.pk}/stickers/")
    with district.expect_download() as d:
        district.click("a:has-text('打印注册贴')")
    assert d.value.suggested_filename.endswith(".pdf")
    district.goto(f"{live_server.url}/reviews/{w.round_a.pk}/stickers/?unit={w.school_a.pk}")
    click_and_wait(district, "button:has-text('生成归档包')")
    assert Job.objects.get(kind="archive").status == "done"
    with district.expect_download() as d:
        district.click("a:has-text('下载')")
    assert d.value.suggested_filename.endswith(".zip")

    public = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True).new_page()
    public.goto(f"{live_server.url}/lookup/")
    app = Application.objects.get(teacher=w.teacher_a1)
    public.fill("#id_certificate_number", app.certificate_number)
    public.fill("#id_name", app.name)
    click_and_wait(public, "main button[type=submit]")
    text = public.locator("main").inner_text()
    assert "合格" in text and "有效期" in text
    assert app.teacher.id_number not in text
    assert_no_horizontal_scroll(public)
