# The browser fixtures (Playwright over Debian's Chromium) for test_browser_inbox.py.
from tests.browser.conftest import browser, browser_settings, page  # noqa: F401
