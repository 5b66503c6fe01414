"""A reviewer filters the queue, accepts proposals in bulk, defers one with a reason and publishes the
notice; an anonymous visitor reads it on a phone and files an objection; the reviewer handles it and,
once the period is over, reports to the city."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.browser.support import PHONE, assert_no_horizontal_scroll, login
from tests.factories import PASSWORD, make_world
from tests.reviews.helpers import confirmed, move_to
from tqr.applications.models import Application
from tqr.reviews.models import CityReport, Notice, Objection
from tqr.rules.phases import Phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(live_server):
    cache.clear()
    w = make_world()
    confirmed(w, w.teacher_a1)
    confirmed(w, w.teacher_a2, hours=300)  # the rules propose 暂缓注册
    move_to(w, Phase.INITIAL_REVIEW)
    return w


def click_and_wait(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def test_review_publish_object_and_report(browser, browser_settings, live_server, live_world):
    w = live_world
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(desk, live_server, "rev_d1", PASSWORD)
    desk.goto(f"{live_server.url}/reviews/{w.round_a.pk}/")
    desk.select_option("select[name=proposal]", "qualified")
    click_and_wait(desk, "button:has-text('筛选')")
    assert "张三" in desk.locator("table.review").inner_text() and "李四" not in desk.locator("table.review").inner_text()
    desk.check("table.review input[name=application]")
    click_and_wait(desk, "button:has-text('批量记录')")
    assert "成功 1 份" in desk.locator("main").inner_text()

    lisi = Application.objects.get(name="李四")
    desk.goto(f"{live_server.url}/reviews/applications/{lisi.pk}/")
    assert "培训学时 300，需满 360 学时" in desk.input_value("#reason")
    desk.check("input[name=conclusion][value=deferred]")
    desk.fill("#reason", "培训学时不足360学时（2021—2025年累计300学时）")
    click_and_wait(desk, "main form.card button.primary")
    lisi.refresh_from_db()
    assert lisi.conclusion == "deferred"

    desk.goto(f"{live_server.url}/reviews/{w.round_a.pk}/notice/")
    desk.fill("#start_date", timezone.localdate().isoformat())
    desk.fill("#objection_contact", "区继教中心 兰菊秋 023-79222222")
    click_and_wait(desk, "form.card button[type=submit]")
    click_and_wait(desk, "button:has-text('发布公示')")
    notice = Notice.objects.get()
    assert notice.published_at is not None

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{live_server.url}/notices/{notice.slug}/")
    text = phone.locator("main").inner_text()
    assert "李四" in text and "暂缓注册" in text and "培训学时" not in text.split("公示名单")[-1]
    assert_no_horizontal_scroll(phone)
    phone.fill("#entry", "2")
    phone.fill("#name", "王某")
    phone.fill("#contact", "wang@example.cn")
    phone.fill("#content", "该教师2024年下半年长期未到岗，请核实。")
    click_and_wait(phone, "button:has-text('提交异议')")
    assert "异议已收到" in phone.locator("main").inner_text()
    assert Objection.objects.count() == 1

    desk.goto(f"{live_server.url}/reviews/{w.round_a.pk}/notice/")
    desk.select_option("select[name=outcome]", "rejected")
    desk.fill("textarea[name=handling]", "经核实为经批准的病假，维持初审结论。")
    click_and_wait(desk, "button:has-text('记录处理情况')")
    assert Objection.objects.get().handled_at is not None

    # The period passes.
    Notice.objects.filter(pk=notice.pk).update(start_date=notice.start_date - timedelta(days=20),
                                               end_date=notice.end_date - timedelta(days=20))
    move_to(w, Phase.SECONDARY_REVIEW)
    desk.goto(f"{live_server.url}/reviews/{w.round_a.pk}/notice/")
    click_and_wait(desk, "button:has-text('结束公示')")
    click_and_wait(desk, "button:has-text('上报市级')")
    assert CityReport.objects.get().counts["total"] == 2
    assert "已于" in desk.locator("main").inner_text()
