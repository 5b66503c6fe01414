import pytest
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

import tqr.urls  # noqa: F401 - build the URL conf and the API schemas before any test freezes the clock
from tests.browser.support import (  # noqa: F401 - one Playwright per worker
    browser,
    browser_settings,
    page,
    pytest_collection_modifyitems,  # noqa: F401 - skips loudly without Chromium
)
from tests.factories import make_world

# The suite runs on shared 2-core machines (CI runs it twice, other jobs beside it): generating inputs may be
# slow there without anything being wrong with the test. Each property still runs its examples in full.
hypothesis_settings.register_profile("tqr", suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("tqr")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # Argon2 is right in production and far too slow for hundreds of test logins; tests that check
    # the stored hash switch it back with the `settings` fixture.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_immediately():
    # Background tasks run inside the request in tests; the database worker is exercised by its own test.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture(autouse=True, scope="session")
def _api_rate_limit_out_of_the_way():
    # The per-user API limit counts in the cache, which outlives each test's database: the same user ids
    # would add up across a whole run. The limit's own test sets a small one (tests/api/test_page_actions_api.py).
    with override_settings(TQR_API_REQUESTS_PER_MINUTE=1_000_000):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached pages (the public notice) and rate-limit counters of one
    test never answer another's requests."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture
def world(db):
    return make_world()


def fresh_session(client) -> None:
    """What a real login leaves: a session just written, so the first page does not renew it (a page
    view writes the session at most once a minute, SessionRenewMiddleware): query counts are the page's."""
    from django.utils import timezone

    from tqr.accounts.middleware import RENEWED_AT_SESSION_KEY

    session = client.session
    session[RENEWED_AT_SESSION_KEY] = int(timezone.now().timestamp())
    session.save()


def verify_second_factor(client, user) -> None:
    """Mark a logged-in test client's session as TOTP-verified (what the two-factor page does)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test", "tolerance": 0})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client_for(client, world):
    """client_for("admin_a") → a test client logged in as that persona (or anonymous)."""
    from django.test import Client

    def make(persona: str) -> Client:
        c = Client()
        if persona != "anonymous":
            user = getattr(world, persona)
            c.force_login(user)
            fresh_session(c)
            if user.needs_two_factor:
                verify_second_factor(c, user)
        return c

    return make


@pytest.fixture
def one_rate_window(monkeypatch):
    """Pin the rate limit's clock: a test that sends N requests and expects the (N+1)th refused must not see the
    fixed window turn over halfway (on a loaded machine twenty requests can take seconds)."""
    import types

    from tqr.core import ratelimit

    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: 1_800_000_000.0))


@pytest.fixture(autouse=True)
def _system_language():
    """Each test starts in the system's language. A request leaves its language active in the thread (as Django's
    own LocaleMiddleware does), so after a test that chose English, a service called directly would answer in it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
