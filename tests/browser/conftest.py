"""The browser fixtures live in tests/browser/support.py and are registered once, in tests/conftest.py: a
session-scoped Playwright imported into several conftests would start several event loops in one worker."""
