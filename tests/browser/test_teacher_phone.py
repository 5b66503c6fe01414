"""Phone-first: every page a teacher can reach works at 390×844 and 360×640 — no sideways scrolling, and every
touch target (a link that is not part of a line of text, a button, an input, a select, a checkbox's label) is at
least 44 px high. A teacher logs in, walks the wizard, submits, reads the inbox and the account pages, and once the
district has published its notice reads the status page again, the public notice and the public lookup."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.browser.support import CHROMIUM_ARGS, login  # noqa: F401 - CHROMIUM_ARGS documents the launch
from tests.factories import PASSWORD, make_world
from tests.reviews.helpers import confirmed, move_to
from tqr.applications.models import Application
from tqr.rules.phases import Phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"390x844": {"width": 390, "height": 844}, "360x640": {"width": 360, "height": 640}}

# Elements a finger has to hit. A link that sits inside a line of text (display inline, with other text
# around it in its parent) is exempt: WCAG 2.5.8's inline exception. A checkbox or radio counts by its label.
TOUCH_TARGETS = """() => {
  const visible = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.right > 0 && r.bottom > 0;
  };
  const inText = a => {
    if (getComputedStyle(a).display !== 'inline') return false;
    const p = a.parentElement;
    return !!p && p.textContent.replace(/\\s+/g, '') !== a.textContent.replace(/\\s+/g, '');
  };
  const name = el => {
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.innerText || el.value || el.getAttribute('name') || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}> "${text}"`;
  };
  const targets = new Set();
  document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary').forEach(el => {
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      targets.add(label || el);
      return;
    }
    if (el.tagName === 'A' && inText(el)) return;
    targets.add(el);
  });
  const bad = [];
  for (const el of targets) {
    if (!visible(el)) continue;
    const h = el.getBoundingClientRect().height;
    if (h < 43.5) bad.push(`${name(el)} is ${h.toFixed(1)}px high`);
  }
  return bad;
}"""

WIDEST = """() => {
  const w = window.innerWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 0.5) out.push(`<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}> right=${r.right.toFixed(0)}`);
  }
  return out.slice(0, 5);
}"""


def check(page, what: str) -> None:
    """Note what is wrong on this page; the test fails at the end with every page's problems in one list."""
    page.wait_for_load_state("networkidle")
    size = f"{page.viewport_size['width']}×{page.viewport_size['height']}"
    if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        page.problems.append(f"{what} at {size} scrolls sideways: {page.evaluate(WIDEST)}")
    if small := page.evaluate(TOUCH_TARGETS):
        page.problems.append(f"{what} at {size}: touch targets under 44px: {small}")


@pytest.fixture
def live_world(live_server):
    cache.clear()
    w = make_world()
    confirmed(w, w.teacher_a2)  # a colleague, so that the district has something to publish later
    w.t_a1.email_verified_at = None
    w.t_a1.save(update_fields=["email_verified_at"])
    return w


@pytest.fixture(params=list(SIZES))
def phone(request, browser, browser_settings):
    context = browser.new_context(viewport=SIZES[request.param], locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.problems = []
    yield page
    context.close()


def go(page, url: str, what: str) -> None:
    page.goto(url)
    check(page, what)


def test_every_teacher_page_fits_a_phone(phone, live_server, live_world, tmp_path):
    w, base = live_world, live_server.url
    rid = w.round_a.pk

    for path, what in (("/login/", "login"), ("/account/signup/", "sign-up"),
                       ("/account/password/reset/", "password reset"), ("/lookup/", "public lookup (anonymous)")):
        go(phone, base + path, what)

    login(phone, live_server, "t001", PASSWORD)
    check(phone, "home")
    go(phone, f"{base}/apply/", "wizard 1 read-me")
    phone.click("main button.primary[type=submit]")  # 开始填报
    check(phone, "wizard 2 terms")
    phone.check("#id_accept")
    phone.click("main button.primary[type=submit]")
    check(phone, "wizard 3 identity")
    phone.fill("#id_certificate_number", "123")  # a mistake: the error message must fit as well
    phone.click("main button.primary[type=submit]")
    check(phone, "wizard 3 identity with an error")
    phone.fill("#id_certificate_number", w.teacher_a1.certificates.first().number)
    phone.click("main button.primary[type=submit]")
    check(phone, "wizard 4 certificate")
    phone.select_option("#id_ethnicity", "土家族")
    phone.select_option("#id_cert_type", "primary")
    phone.fill("#id_cert_subject", "语文")
    phone.fill("#id_certifying_body", "重庆市黔江区教育委员会")
    phone.fill("#id_cert_issue_date", "2008-06-30")
    phone.select_option("#id_confirmation_point", str(w.school_a.pk))
    phone.click("main button.primary[type=submit]")
    check(phone, "wizard 5 notices")
    phone.click("main button.primary[type=submit]")
    check(phone, "wizard 6 data")
    phone.select_option("#id_unit", str(w.school_a.pk))
    phone.fill("#id_subject", "语文")
    phone.fill("#id_hire_date", "2006-09-01")
    phone.fill("#id_phone", "13812345678")
    phone.fill("#id_training_hours", "400")
    phone.click("main button.primary[type=submit]")
    check(phone, "wizard 6 photo (empty)")
    from tests.applications.helpers import jpeg

    photo = tmp_path / "me.jpg"
    photo.write_bytes(jpeg())
    phone.set_input_files("#id_photo", str(photo))
    check(phone, "wizard 6 photo (cropping)")
    phone.click("#photo-form button[type=submit]")
    check(phone, "wizard 6 photo (saved)")
    go(phone, f"{base}/apply/{rid}/", "status (draft, e-mail not verified)")
    assert "验证电子邮箱" in phone.locator("main").inner_text()

    app = Application.objects.get(round=w.round_a, teacher=w.teacher_a1)
    w.t_a1.email_verified_at = timezone.now()
    w.t_a1.save(update_fields=["email_verified_at"])
    go(phone, f"{base}/apply/{rid}/", "status (draft, complete)")
    phone.click("main .actions button.primary")  # 提交申请
    check(phone, "status (submitted)")
    app.refresh_from_db()
    assert app.state == "submitted"
    for path, what in (("/", "home with an application"), (f"/rounds/{rid}/", "the round's announcement"),
                       ("/inbox/", "inbox"), ("/account/password/", "password change"),
                       ("/account/tokens/", "API tokens"), ("/account/verify/", "e-mail verification")):
        go(phone, base + path, what)

    # The district reviews and publishes its notice: the teacher's page later in the round, and the public pages.
    from tqr.reviews.services import bulk_accept, notice_publish, notice_save

    move_to(w, Phase.INITIAL_REVIEW)
    bulk_accept(applications=[Application.objects.get(teacher=w.teacher_a2)], actor=w.reviewer_d1)
    notice = notice_save(round_=w.round_a, title="2026年教师资格定期注册初审结论公示", issuing_body="黔江区教委",
                         start_date=timezone.localdate(), workdays=5, objection_contact="区继教中心 023-79222222",
                         actor=w.reviewer_d1)
    notice_publish(notice=notice, actor=w.reviewer_d1)
    go(phone, f"{base}/apply/{rid}/", "status (after the deadline)")
    go(phone, f"{base}/notices/{notice.slug}/", "public notice")
    go(phone, f"{base}/lookup/", "public lookup")
    assert not phone.problems, "\n".join(phone.problems)
