"""axe-core over every page of TQR, for every role, in a round that goes through its phases: no serious or
critical WCAG 2.1 A/AA violation anywhere. The pages are listed in one place, tests/browser/a11y_pages.py."""

import pytest
from django.core.cache import cache

from tests.browser.a11y_pages import PAGES, ROLES, STAGES
from tests.browser.axe import axe_violations, broken_references, describe, require_axe
from tests.browser.support import DESKTOP, PHONE, login
from tests.factories import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_passes_axe(browser, browser_settings, live_server):
    require_axe()
    cache.clear()
    w = make_world()
    values: dict = {}
    contexts: dict = {}
    failures: list[str] = []
    visited = 0

    def page_for(role):
        if role not in contexts:
            # bypass_csp: axe is injected as an inline script, which the site's CSP (rightly) refuses.
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
            pg = context.new_page()
            if ROLES[role]:
                login(pg, live_server, ROLES[role], PASSWORD)
                assert "/login/" not in pg.url, f"{ROLES[role]} could not log in"
            contexts[role] = pg
        return contexts[role]

    try:
        for stage, build in STAGES.items():
            values.update(build(w))
            for item in (p for p in PAGES if p.stage == stage):
                pg = page_for(item.role)
                path = item.path.format(**values)
                for width, viewport in (("desktop", DESKTOP), *((("phone", PHONE),) if item.phone else ())):
                    pg.set_viewport_size(viewport)
                    response = pg.goto(f"{live_server.url}{path}")
                    where = f"[{stage}] {item.role} {path} @{width}"
                    # A page that is not there (or sends this role elsewhere) is a stale entry in the list.
                    if response.status != item.status or response.url != f"{live_server.url}{path}":
                        failures.append(f"{where}: HTTP {response.status} at {response.url}, expected {item.status}")
                        continue
                    if item.submit:
                        for selector, value in item.fill:
                            pg.fill(selector, value)
                        pg.click(item.submit)
                        pg.wait_for_load_state("load")
                        where += " (sent with mistakes)"
                    failures += describe(where, axe_violations(pg))
                    failures += [f"{where}: {problem}" for problem in broken_references(pg)]
                    visited += 1
                pg.set_viewport_size(DESKTOP)
    finally:
        for pg in contexts.values():
            pg.context.close()
    assert visited >= len(PAGES)
    assert not failures, f"{len(failures)} serious/critical axe violations:\n" + "\n".join(failures)


def test_the_axe_harness_sees_a_violation(browser):
    """A guard for the sweep above: a page with known faults fails it (so a silent axe cannot pass)."""
    require_axe()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    pg = context.new_page()
    pg.set_content('<!DOCTYPE html><html><head><title>t</title></head><body><main>'
                   '<p style="color:#bbb;background:#fff">对比度不足的文字</p>'
                   '<input type="text" name="q"><button type="submit"></button></main></body></html>')
    found = {v["id"] for v in axe_violations(pg)}
    context.close()
    assert {"color-contrast", "label", "button-name", "html-has-lang"} <= found, found
