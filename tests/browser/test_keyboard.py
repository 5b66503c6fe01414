"""Keyboard only: a teacher goes through the first wizard steps and a district reviewer works the 初审 queue
(select a row, the bulk action, open an application, record a conclusion) with Tab, Shift+Tab, Enter, Space and
the arrow keys — no mouse, no page.click/fill. Every stop on the way shows its focus ring (:focus-visible)."""

import pytest
from django.core.cache import cache

from tests.browser.support import DESKTOP, PHONE, login
from tests.factories import PASSWORD, make_world
from tests.reviews.helpers import confirmed, move_to
from tqr.applications.models import Application
from tqr.rules.phases import Phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """(sel) => { const el = document.activeElement; return !!el && el.matches(sel); }"""
RING = """() => { const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus; check its focus ring."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(FOCUSED, selector):
            assert page.evaluate("() => document.activeElement.matches(':focus-visible')"), selector
            assert page.evaluate(RING), f"no visible focus ring on {selector}"
            return
    raise AssertionError(f"{key} never reached {selector}")


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


@pytest.fixture
def live_world(live_server):
    cache.clear()
    return make_world()


def keyboard_page(browser, live_server, username, viewport=DESKTOP):
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    login(page, live_server, username, PASSWORD)
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_teacher_starts_the_wizard_with_the_keyboard(browser, browser_settings, live_server, live_world, viewport):
    w = live_world
    page = keyboard_page(browser, live_server, "t001", viewport)
    page.goto(f"{live_server.url}/apply/")
    # The skip link comes first and takes the focus into the page's content.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED, "a.skip") and page.evaluate(RING)
    tab_to(page, "main button[type=submit]")  # 我已阅读，开始填报
    press_and_wait(page, "Enter")
    assert "第2步" in page.locator("h1").inner_text()

    # Step 2: tick the promise with Space, send with Enter. A detour back with Shift+Tab on the way.
    tab_to(page, "#id_accept")
    page.keyboard.press("Space")
    assert page.is_checked("#id_accept")
    tab_to(page, "main button[type=submit]")
    tab_to(page, "#id_accept", backwards=True)
    tab_to(page, "main button[type=submit]")
    press_and_wait(page, "Enter")
    assert "第3步" in page.locator("h1").inner_text()

    # Step 3: type the certificate number (the rest comes from the account), save, on to step 4.
    cert = w.teacher_a1.certificates.first().number
    tab_to(page, "#id_certificate_number")
    page.keyboard.press("Control+A")
    page.keyboard.type(cert)
    press_and_wait(page, "Enter")  # Enter in a text field sends its form
    assert "第4步" in page.locator("h1").inner_text()
    app = Application.objects.get(round=w.round_a, teacher=w.teacher_a1)
    assert app.certificate_number == cert


def test_a_mistake_is_announced_at_the_field_and_reachable_by_keyboard(browser, browser_settings, live_server,
                                                                        live_world):
    page = keyboard_page(browser, live_server, "t002")
    page.goto(f"{live_server.url}/apply/")
    tab_to(page, "main button[type=submit]")
    press_and_wait(page, "Enter")
    tab_to(page, "main button[type=submit]")  # without ticking the promise
    press_and_wait(page, "Enter")
    assert page.get_attribute("#id_accept", "aria-invalid") == "true"
    error_id = page.get_attribute("#id_accept", "aria-describedby").split()[-1]
    assert page.locator(f"#{error_id}").inner_text().strip()
    tab_to(page, "#id_accept")  # the field with the error is still reachable and can be fixed
    page.keyboard.press("Space")
    tab_to(page, "main button[type=submit]")
    press_and_wait(page, "Enter")
    assert "第3步" in page.locator("h1").inner_text()


def test_a_reviewer_works_the_queue_with_the_keyboard(browser, browser_settings, live_server, live_world):
    w = live_world
    confirmed(w, w.teacher_a1)
    confirmed(w, w.teacher_a2, hours=300)  # the rules propose 暂缓注册
    move_to(w, Phase.INITIAL_REVIEW)
    page = keyboard_page(browser, live_server, "rev_d1")
    page.goto(f"{live_server.url}/reviews/{w.round_a.pk}/")

    # Select 张三's row with Space, then the bulk action with Enter.
    tab_to(page, "input[name=application][aria-label$='张三']")
    page.keyboard.press("Space")
    assert page.is_checked("input[name=application][aria-label$='张三']")
    tab_to(page, "button[form=bulk]")
    press_and_wait(page, "Enter")
    assert "成功 1 份" in page.locator("main").inner_text()
    assert Application.objects.get(name="张三").conclusion == "qualified"

    # Back to the queue; open 李四's application from the list.
    page.goto(f"{live_server.url}/reviews/{w.round_a.pk}/")
    lisi = Application.objects.get(name="李四")
    tab_to(page, f"table.review a[href$='/applications/{lisi.pk}/']")
    press_and_wait(page, "Enter")
    assert f"/reviews/applications/{lisi.pk}/" in page.url

    # Choose 暂缓注册 among the radio buttons with the arrow keys, keep the rules' reason, save.
    tab_to(page, "input[name=conclusion]:checked")
    for _ in range(4):
        if page.evaluate("() => document.activeElement.value") == "deferred":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.value") == "deferred"
    tab_to(page, "#reason")
    page.keyboard.press("End")
    page.keyboard.type("（键盘录入）")
    tab_to(page, "main form.card button[type=submit]")
    press_and_wait(page, "Enter")
    lisi.refresh_from_db()
    assert lisi.conclusion == "deferred" and lisi.conclusion_reason.endswith("（键盘录入）")
