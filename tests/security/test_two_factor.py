"""Two-factor authentication (security-tests.md §1.7; 等保 8.1.4.1 d; ASVS 6.3.3, 6.5.1, 6.5.5).

Reviewers, approvers and administrators log in with the password and then a TOTP code (django-otp). Until
the code is verified their session reaches only the two-factor pages, logout and static files. Codes are
checked against an independent implementation (pyotp) of RFC 6238.
"""

from __future__ import annotations

import json
import re
from base64 import b32encode
from datetime import timedelta

import pyotp
import pytest
import segno
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.accounts.test_login import is_logged_in, log_in
from tests.factories import PASSWORD
from tests.test_routes import ROUTES, _kwargs_for
from tqr.accounts.models import TWO_FACTOR_ROLES, Role, User
from tqr.api import auth as api_auth
from tqr.audit.models import AuditEvent

pytestmark = pytest.mark.security

TWO_FACTOR_LOGINS = {"rev_d1": Role.DISTRICT_REVIEWER, "city_rev": Role.CITY_REVIEWER,
                     "city_app": Role.CITY_APPROVER, "sysadmin1": Role.SYSADMIN, "auditor1": Role.AUDITOR}
WRONG_CODE = "验证码不正确或已过期"
# Reachable before the code: the two-factor pages themselves, logout and the health check.
BEFORE_THE_CODE = {"otp_setup", "otp_verify", "logout", "healthz", "set_language"}  # the language switch is on the enrolment page too


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def early_in_a_step():
    """Now, moved back to 5 s into its 30-second step: a test's few seconds stay within one step."""
    now = timezone.now().replace(microsecond=0)
    return now - timedelta(seconds=now.timestamp() % 30) + timedelta(seconds=5)


@pytest.fixture
def clock():
    with freeze_time(early_in_a_step()) as frozen:
        yield frozen


def secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def code(secret: str, *, seconds_ago: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(timezone.now().timestamp()) - seconds_ago)


def enrolled(user: User, **fields) -> TOTPDevice:
    """A confirmed device, as after the enrolment page (or made in the admin, with the admin's defaults)."""
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True, **{"tolerance": 0, **fields})


def password_only(username: str) -> Client:
    client = Client()
    assert log_in(client, username).status_code == 302
    return client


def verify(client: Client, token: str, next_url: str = ""):
    return client.post(reverse("otp_verify"), {"token": token, "next": next_url})


# --- Only the two-factor pages before the code ---------------------------------------------------------


NOT_BEFORE_THE_CODE = [(name, p) for name, p in ROUTES if name not in BEFORE_THE_CODE]


@pytest.mark.parametrize("username", list(TWO_FACTOR_LOGINS))
def test_a_password_alone_reaches_no_page_and_no_api_call(world, username):
    # Every named route, the public ones and the Django admin included: a redirect to the enrolment page,
    # or the API's 403. Nothing privileged answers before the second factor.
    client = password_only(username)
    setup = reverse("otp_setup")
    for name, pattern in NOT_BEFORE_THE_CODE:
        path = reverse(name, kwargs=_kwargs_for(pattern))
        response = client.get(path)
        if name.startswith("api:"):
            assert response.status_code == 403, path
            assert json.loads(response.content) == {"detail": "请先完成两步验证"}, path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith(f"{setup}?next="), (path, response["Location"])
    assert client.post(reverse("review_queue", args=[world.round_a.pk])).status_code == 302  # a POST too


def test_logout_the_health_check_and_static_files_work_before_the_code(world):
    client = password_only("rev_d1")
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(f"{django_settings.STATIC_URL}css/tqr.css").status_code == 200
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert client.get(reverse("otp_verify"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["t001", "sa_a"])
def test_teachers_and_school_administrators_need_no_second_factor(world, username):
    client = password_only(username)
    assert is_logged_in(client)
    assert client.get(reverse("otp_setup"))["Location"] == reverse("home")


def test_the_roles_that_need_it_are_the_reviewers_approvers_and_administrators():
    assert set(TWO_FACTOR_LOGINS.values()) == TWO_FACTOR_ROLES
    assert not TWO_FACTOR_ROLES & {Role.TEACHER, Role.SCHOOL_ADMIN}


def test_the_requirement_can_be_switched_off(world, settings):
    settings.TQR_REQUIRE_2FA = False  # e.g. the browser tests and the sample screenshots
    assert is_logged_in(password_only("rev_d1"))


# --- Enrolment ------------------------------------------------------------------------------------------


def test_a_reviewer_enrols_an_authenticator_app_with_its_first_code(world, clock):
    client = password_only("rev_d1")
    target = reverse("review_queue", args=[world.round_a.pk])
    first = client.get(target)
    assert first["Location"] == f"{reverse('otp_setup')}?next={target.replace('/', '%2F')}"

    page = client.get(first["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=world.reviewer_d1)
    assert not device.confirmed and device.tolerance == 0
    secret = secret_of(device)
    shown = re.search(r"<code>([A-Z2-7 ]+)</code>", body).group(1)
    assert shown.replace(" ", "") == secret
    # An inline QR code of the otpauth:// address (with the issuer), nothing fetched from elsewhere.
    assert device.config_url.startswith("otpauth://totp/TQR%20") and f"secret={secret}" in device.config_url
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    assert qr.startswith("data:image/svg+xml") and f'<img src="{qr}"' in body
    assert client.get(first["Location"]).content.decode().count(shown) == 1, "a reload shows the same secret"

    wrong = client.post(reverse("otp_setup"), {"token": "000000", "next": target})
    assert wrong.status_code == 200
    assert WRONG_CODE in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    clock.tick(timedelta(seconds=2))  # django-otp waits 1 s after a wrong code
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    done = client.post(reverse("otp_setup"), {"token": code(secret), "next": target})
    assert (done.status_code, done["Location"]) == (302, target)
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != before, "a new session key"
    assert client.get(target).status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert list(AuditEvent.objects.filter(action__startswith="otp.").order_by("id").values_list("action", "result")) == [
        ("otp.enrol_failed", "fail"), ("otp.enrolled", "success")]


def test_once_enrolled_the_password_alone_cannot_enrol_another_device(world, clock):
    device = enrolled(world.reviewer_d1)
    client = password_only("rev_d1")
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
    assert client.post(reverse("otp_setup"), {"token": code(secret_of(device))}).status_code == 302
    assert TOTPDevice.objects.filter(user=world.reviewer_d1).count() == 1
    assert not is_logged_in(client)


# --- Verification at login -------------------------------------------------------------------------------


def test_the_current_code_opens_the_session(world, clock):
    device = enrolled(world.city_approver)
    client = password_only("city_app")
    target = reverse("city_home")
    assert client.get(target)["Location"] == f"{reverse('otp_verify')}?next={target.replace('/', '%2F')}"
    response = verify(client, code(secret_of(device)), target)
    assert (response.status_code, response["Location"]) == (302, target)
    assert client.get(target).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200
    assert client.get(reverse("otp_verify"))["Location"] == reverse("home"), "verified: nothing more to do"
    row = AuditEvent.objects.get(action="otp.verified")
    assert (row.user_id, row.result) == (world.city_approver.pk, "success")


def test_a_replayed_code_is_refused(world, clock):
    device = enrolled(world.reviewer_d1)
    token = code(secret_of(device))
    first = password_only("rev_d1")
    assert verify(first, token).status_code == 302

    clock.tick(timedelta(seconds=3))  # still the same 30-second step: the code is current, but used
    second = password_only("rev_d1")
    replay = verify(second, token)
    assert replay.status_code == 200
    assert WRONG_CODE in replay.content.decode()
    assert not is_logged_in(second)
    assert AuditEvent.objects.filter(action="otp.failed", user=world.reviewer_d1).count() == 1


@pytest.mark.parametrize("tolerance", [0, 1], ids=["our-devices", "admin-default-tolerance"])
def test_a_code_older_than_thirty_seconds_is_refused(world, clock, tolerance):
    # One step back (30 s) is refused, and so is the next step: only the current code counts, even for
    # a device made in the admin with django-otp's default tolerance of ±1 step.
    device = enrolled(world.sysadmin, tolerance=tolerance)
    secret = secret_of(device)
    client = password_only("sysadmin1")
    for seconds_ago in (30, -30):
        response = verify(client, code(secret, seconds_ago=seconds_ago))
        assert response.status_code == 200
        assert not is_logged_in(client)
        clock.tick(timedelta(seconds=3))  # past django-otp's back-off after a wrong code
    assert verify(client, code(secret)).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_wrong_codes_back_off(world, clock):
    device = enrolled(world.city_reviewer)
    client = password_only("city_rev")
    verify(client, "000000")
    verify(client, "111111")
    throttled = verify(client, code(secret_of(device)))  # the right code, but within the back-off
    assert throttled.status_code == 200
    assert "验证码错误次数过多" in throttled.content.decode()
    clock.tick(timedelta(seconds=3))
    assert verify(client, code(secret_of(device))).status_code == 302


def test_the_code_is_needed_again_at_every_login(world, clock):
    device = enrolled(world.auditor)
    client = password_only("auditor1")
    assert verify(client, code(secret_of(device))).status_code == 302
    client.post(reverse("logout"))
    clock.tick(timedelta(seconds=30))
    again = password_only("auditor1")
    assert again.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))


def test_the_code_comes_before_a_forced_password_change(world, clock):
    # An expired password is changed after the code, so the change itself is made by a verified session.
    User.objects.filter(pk=world.reviewer_d1.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    device = enrolled(world.reviewer_d1)
    client = password_only("rev_d1")
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("otp_verify"))
    assert verify(client, code(secret_of(device))).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("password_change"))


# --- The API ---------------------------------------------------------------------------------------------


def test_a_token_made_after_verification_works_without_a_session(world, clock):
    _token, raw = api_auth.token_create(user=world.reviewer_d1, name="统计脚本")
    response = Client().get(reverse("api:me"), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert json.loads(response.content)["username"] == "rev_d1"


def test_an_unverified_session_cannot_make_a_token(world):
    client = password_only("rev_d1")
    response = client.post(reverse("api:token_create"), data=json.dumps({"name": "x"}),
                           content_type="application/json")
    assert response.status_code == 403
    assert not world.reviewer_d1.api_tokens.exists()


def test_the_password_form_stays_the_only_way_in(world):
    # A wrong password never reaches the code page; the right one does not skip it.
    client = Client()
    assert log_in(client, "rev_d1", "Not-The-Password-1").status_code == 200
    assert client.get(reverse("otp_verify"))["Location"].startswith(reverse("login"))
    assert log_in(client, "rev_d1", PASSWORD).status_code == 302
    assert not is_logged_in(client)


# --- A lost phone ----------------------------------------------------------------------------------------


def test_the_system_administrator_resets_a_device_without_ever_seeing_its_secret(world, client_for, clock):
    device = enrolled(world.reviewer_d1)
    admin = client_for("sysadmin")
    change = admin.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    assert device.key not in change.content.decode() and secret_of(device) not in change.content.decode()
    assert admin.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code == 403
    assert admin.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk])).status_code == 403

    response = admin.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    client = password_only("rev_d1")
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_setup")), "enrol again"
