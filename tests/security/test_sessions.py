"""Sessions (security-tests.md §2.11–2.15): a new key at each step up, nothing left after logout, the idle
and the absolute limits, deactivation and a password change end the others' sessions."""

from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.accounts.test_login import is_logged_in, log_in
from tests.factories import PASSWORD
from tests.security.test_two_factor import code, early_in_a_step, enrolled, secret_of, verify
from tqr.accounts.models import User
from tqr.audit.models import AuditEvent

pytestmark = pytest.mark.security

NEW_PASSWORD = "Neues-Passwort-2026!"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def session_key(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def with_key(key: str) -> Client:
    """A client presenting someone else's (old) session cookie."""
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = key
    return client


def sends_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- 2.11 A new key at login and again at the second factor --------------------------------------------


def test_the_session_key_changes_at_login_and_again_at_the_second_factor(world):
    device = enrolled(world.reviewer_d1)
    client = Client()
    anonymous = client.session.session_key
    with freeze_time(early_in_a_step()):
        assert log_in(client, "rev_d1").status_code == 302
        after_password = session_key(client)
        assert verify(client, code(secret_of(device))).status_code == 302
        after_code = session_key(client)

    assert len({anonymous, after_password, after_code}) == 3
    assert is_logged_in(client)
    for old in (anonymous, after_password):  # a fixated or stolen earlier key is worth nothing now
        assert sends_to_login(with_key(old).get(reverse("home")))


# --- 2.12 Logout ends the session -------------------------------------------------------------------------


def test_after_logout_the_old_cookie_leads_to_the_login_page(world, client_for):
    client = client_for("city_reviewer")  # a verified session
    assert client.get(reverse("city_home")).status_code == 200
    old = session_key(client)
    assert client.post(reverse("logout")).status_code == 302

    replay = with_key(old)
    assert sends_to_login(replay.get(reverse("city_home")))
    assert replay.get(reverse("api:me")).status_code == 401
    assert AuditEvent.objects.filter(action="logout", user=world.city_reviewer).count() == 1


# --- 2.13 The idle and the absolute limits ----------------------------------------------------------------


def test_thirty_one_idle_minutes_end_the_session(world):
    with freeze_time(timezone.now()) as clock:
        client = Client()
        log_in(client, "t001")
        clock.tick(timedelta(minutes=29))
        assert is_logged_in(client)
        clock.tick(timedelta(minutes=31))
        assert sends_to_login(client.get(reverse("home")))


def test_a_page_view_writes_the_session_at_most_once_a_minute_and_activity_still_renews_it(world):
    """The idle limit without a database write per request: within TQR_SESSION_RENEW_SECONDS a page view
    does not touch the session row; after it, one write pushes the expiry forward."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def writes(client) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return [q["sql"] for q in captured if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]

    with freeze_time(timezone.now()) as clock:
        client = Client()
        log_in(client, "t001")
        expiry = Session.objects.get().expire_date
        clock.tick(timedelta(seconds=30))
        assert writes(client) == []
        assert Session.objects.get().expire_date == expiry
        clock.tick(timedelta(seconds=31))
        assert len(writes(client)) == 1
        assert Session.objects.get().expire_date == expiry + timedelta(seconds=61)


def test_activity_every_ten_minutes_still_ends_the_session_at_twelve_hours(world):
    start = timezone.now().replace(microsecond=0)
    with freeze_time(start) as clock:
        client = Client()
        log_in(client, "t001")
        ended_at = None
        for _ in range(13 * 6):
            clock.tick(timedelta(minutes=10))
            response = client.get(reverse("home"))
            if response.status_code != 200:
                assert sends_to_login(response)
                ended_at = timezone.now() - start
                break
    # The first request past 12 hours, however busy the session was.
    assert ended_at == timedelta(hours=12, minutes=10)
    row = AuditEvent.objects.get(action="session.expired")
    assert (row.user_id, row.data) == (world.t_a1.pk, {"reason": "absolute_timeout"})
    assert not AuditEvent.objects.filter(action="logout").exists()
    # And the next login starts a new twelve hours.
    with freeze_time(start + timedelta(hours=12, minutes=11)):
        assert log_in(client, "t001").status_code == 302
        assert is_logged_in(client)


def test_the_absolute_limit_is_a_setting_and_applies_to_verified_sessions(world, client_for, settings):
    settings.TQR_SESSION_ABSOLUTE_HOURS = 1
    start = timezone.now()
    with freeze_time(start) as clock:
        client = client_for("reviewer_d1")
        for _ in range(6):
            clock.tick(timedelta(minutes=10))
            assert is_logged_in(client)
        clock.tick(timedelta(minutes=1))
        assert sends_to_login(client.get(reverse("home")))
        assert client.get(reverse("api:me")).status_code == 401


def test_a_session_without_a_login_time_is_ended(world, client_for):
    # E.g. a session from before the absolute limit existed: it has no start to count from.
    client = client_for("t_a1")
    session = client.session
    del session["tqr_login_at"]
    session.save()
    assert sends_to_login(client.get(reverse("home")))


# --- 2.14 Deactivation ------------------------------------------------------------------------------------


def _admin_form_data(response) -> dict:
    """The Django admin's change form as the browser would submit it unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.date().isoformat(), local.time().isoformat()
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    return data


def test_a_user_deactivated_by_the_administrator_is_out_at_the_next_request(world, client_for):
    teacher = client_for("t_a1")
    reviewer = client_for("reviewer_d1")
    assert is_logged_in(teacher) and is_logged_in(reviewer)

    admin = client_for("sysadmin")
    for user in (world.t_a1, world.reviewer_d1):
        url = reverse("admin:accounts_user_change", args=[user.pk])
        data = _admin_form_data(admin.get(url))
        del data["is_active"]  # untick 启用 / active
        response = admin.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        assert not User.objects.get(pk=user.pk).is_active

    assert sends_to_login(teacher.get(reverse("home")))
    assert teacher.get(reverse("api:me")).status_code == 401
    assert sends_to_login(reviewer.get(reverse("review_queue", args=[world.round_a.pk])))


# --- 2.15 A password change ends the other sessions -------------------------------------------------------


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one_verified(world, client_for):
    here = client_for("reviewer_d1")
    elsewhere = client_for("reviewer_d1")
    assert is_logged_in(here) and is_logged_in(elsewhere)

    response = here.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    # This session survives, still past its second factor: no second code is asked for.
    assert here.get(reverse("review_queue", args=[world.round_a.pk])).status_code == 200
    assert sends_to_login(elsewhere.get(reverse("home")))


def test_a_password_reset_by_e_mail_ends_every_session(world, client_for):
    logged_in = client_for("t_a1")
    Client().post(reverse("password_reset"), {"email": "t001@example.cn"})
    link = re.search(r"https?://testserver(/account/password/reset/link/\S+/)", mail.outbox[0].body).group(1)
    reset = Client()
    set_url = reset.get(link, follow=True).redirect_chain[-1][0]
    reset.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert sends_to_login(logged_in.get(reverse("home")))
    assert log_in(Client(), "t001", NEW_PASSWORD).status_code == 302
