"""A district reviewer sets up a source, uploads a file with a problem, fixes it, imports, and exports."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.browser.support import CHROMIUM, DESKTOP, PHONE, assert_no_horizontal_scroll, login
from tests.exchange.conftest import csv_bytes
from tests.factories import PASSWORD, make_world
from tqr.teachers.models import TrainingRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not found at {CHROMIUM}")]


@pytest.fixture
def live_world(live_server):
    cache.clear()
    return make_world()


def click_and_wait(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_source_upload_preview_fix_commit(browser, browser_settings, live_server, live_world, tmp_path, viewport,
                                          settings):
    settings.MEDIA_ROOT = tmp_path
    w = live_world
    year = timezone.localdate().year - 1
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    login(page, live_server, "rev_d1", PASSWORD)
    click_and_wait(page, "a[href='/exchange/']")
    click_and_wait(page, "a[href='/exchange/sources/new/']")
    page.fill("#id_name", "重庆市继续教育平台")
    page.select_option("#id_kind", "training")
    page.fill("#id_header_row", "2")
    page.fill("#id_id_column", "证件号码")
    page.fill("#id_year_column", "培训年度")
    page.fill("#id_value_column", "认定学时")
    click_and_wait(page, "button.primary")
    assert "重庆市继续教育平台" in page.content()
    page.screenshot(path=tmp_path / "home.png", full_page=True)
    assert_no_horizontal_scroll(page)

    rows = [["学时汇总表"], ["姓名", "证件号码", "培训年度", "认定学时"],
            ["张三", w.teacher_a1.id_number, year, 96], ["李四", w.teacher_a2.id_number, year, "7.5"]]
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(csv_bytes(rows, encoding="gb18030"))
    rows[3][3] = 8
    good.write_bytes(csv_bytes(rows, encoding="gb18030"))

    click_and_wait(page, "a.button.primary:has-text('导入')")
    page.set_input_files("#id_file", str(bad))
    click_and_wait(page, "button.primary")
    assert "第4行「认定学时」列" in page.content()
    assert page.locator("text=确认导入").count() == 0
    page.screenshot(path=tmp_path / "preview-problems.png", full_page=True)
    assert_no_horizontal_scroll(page)

    click_and_wait(page, "a.button:has-text('重新上传')")
    page.set_input_files("#id_file", str(good))
    click_and_wait(page, "button.primary")
    page.screenshot(path=tmp_path / "preview-ok.png", full_page=True)
    click_and_wait(page, "button:has-text('确认导入')")
    assert "导入完成" in page.content()
    page.screenshot(path=tmp_path / "runs.png", full_page=True)
    assert TrainingRecord.objects.filter(year=year, teacher=w.teacher_a2).get().hours == 8

    page.goto(f"{live_server.url}/exchange/layout/")
    page.screenshot(path=tmp_path / "layout.png", full_page=True)
    assert_no_horizontal_scroll(page)
