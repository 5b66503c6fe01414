"""The inbox and the failed list in Chromium: they render, in Chinese, without overflow (screenshots kept)."""

import os

import pytest

from tests.browser.support import CHROMIUM, assert_no_horizontal_scroll, login
from tests.factories import PASSWORD
from tests.notifications.helpers import submitted
from tqr.applications.services import application_transition
from tqr.notifications.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not found at {CHROMIUM}")]
SHOTS = os.environ.get("TQR_SCREENSHOTS", "/tmp/tqr-screenshots")


def test_the_inbox_and_the_failed_list_render(world, live_server, page):
    app = submitted(world, world.teacher_a1)
    application_transition(application=app, action="return", actor=world.admin_a,
                           note="聘用合同复印件未加盖学校公章；照片背景不是白色，请重新上传")
    OutgoingEmail.objects.create(to="t001@example.cn", subject="【提醒】网上报名即将截止", body="……",
                                 event="reminder_application", district=world.district_a, status="failed", attempts=3,
                                 last_error="SMTPRecipientsRefused: {'t001@example.cn': (550, b'5.1.1 mailbox unavailable')}")
    os.makedirs(SHOTS, exist_ok=True)
    login(page, live_server, "t001", PASSWORD)
    page.goto(f"{live_server.url}/inbox/")
    assert page.locator("h1").inner_text() == "通知"
    assert page.locator(".topbar .badge").inner_text() == "1"
    assert_no_horizontal_scroll(page)
    page.screenshot(path=f"{SHOTS}/inbox-{page.width_name}.png", full_page=True)
    page.goto(f"{live_server.url}/apply/{world.round_a.pk}/")
    assert "最新通知" in page.content()
    page.screenshot(path=f"{SHOTS}/status-{page.width_name}.png", full_page=True)
    page.context.clear_cookies()
    login(page, live_server, "rev_d1", PASSWORD)
    page.goto(f"{live_server.url}/inbox/failed/")
    assert "SMTPRecipientsRefused" in page.content()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=f"{SHOTS}/failed-{page.width_name}.png", full_page=True)
