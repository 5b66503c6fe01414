"""Logging in and out (security-tests.md §1–2): the page, the three ways to name an account, one message
for every refusal, sessions, redirects, the audit trail, password storage and the password policy."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.factories import PASSWORD
from tqr.accounts.models import Role, User
from tqr.audit.models import AuditEvent

REFUSAL = "账号或密码错误或已锁定"
CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')




def log_in(client: Client, username: str, password: str = PASSWORD, path: str | None = None):
    return client.post(path or reverse("login"), {"username": username, "password": password})


def is_logged_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


# --- The page --------------------------------------------------------------------------------------


def test_it_shows_the_chinese_login_page(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("登录", "账号", "密码", "用户名、电子邮箱或身份证号码"):
        assert text in body
    assert 'autocomplete="current-password"' in body


# --- Three ways to name the account ----------------------------------------------------------------


@pytest.mark.parametrize(
    "login_as",
    [
        pytest.param(lambda w: "t001", id="user-name"),
        pytest.param(lambda w: "T001", id="user-name-any-case"),
        pytest.param(lambda w: "t001@example.cn", id="e-mail"),
        pytest.param(lambda w: w.teacher_a1.id_number, id="resident-id"),
        pytest.param(lambda w: w.teacher_a1.id_number.lower(), id="resident-id-lower-x"),
        pytest.param(lambda w: f"  {w.teacher_a1.id_number} ", id="resident-id-with-spaces"),
    ],
)
def test_it_logs_a_teacher_in_by_name_e_mail_or_resident_id(world, login_as):
    client = Client()
    response = log_in(client, login_as(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == world.t_a1.pk
    assert is_logged_in(client)


def test_a_user_name_or_e_mail_differing_only_in_case_cannot_be_created(world):
    # t001 typed as T001 is the same login for a person; the database refuses a second such account.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.user("T001", Role.TEACHER, world.school_b, email="other@example.cn")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.user("someone", Role.TEACHER, world.school_b, email=world.t_a1.email.upper())


def test_it_logs_in_whatever_the_case_of_the_user_name(world):
    client = Client()
    assert log_in(client, "T001").status_code == 302
    assert int(client.session["_auth_user_id"]) == world.t_a1.pk


def test_it_does_not_log_in_by_another_teachers_resident_id_with_ones_own_password(world):
    # t002's password is the same in the factories, so change it: the ID must lead to t002, not t001.
    world.t_a2.set_password("Another-Pass-2026!")
    world.t_a2.save()
    client = Client()
    assert log_in(client, world.teacher_a2.id_number).status_code == 200
    assert not is_logged_in(client)


# --- One message for every refusal -----------------------------------------------------------------


def _normalised(body: bytes, typed: str) -> bytes:
    body = CSRF_INPUT.sub(b"<csrf>", body)
    return body.replace(typed.encode(), b"<typed>")


def test_it_answers_a_wrong_password_and_an_unknown_user_identically(world):
    wrong_password = log_in(Client(), "t001", "Not-The-Password-1")
    unknown_user = log_in(Client(), "nobody", "Not-The-Password-1")

    assert wrong_password.status_code == unknown_user.status_code == 200
    assert REFUSAL in wrong_password.content.decode()
    assert _normalised(wrong_password.content, "t001") == _normalised(unknown_user.content, "nobody")


def test_it_refuses_a_deactivated_user_with_the_same_message(world):
    world.t_a1.is_active = False
    world.t_a1.save()
    client = Client()
    response = log_in(client, "t001")
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert "_auth_user_id" not in client.session
    deactivated = _normalised(response.content, "t001")
    assert deactivated == _normalised(log_in(Client(), "nobody").content, "nobody")


def test_it_ends_the_session_of_a_user_deactivated_afterwards(world, client_for):
    client = client_for("t_a1")
    assert is_logged_in(client)

    User.objects.filter(pk=world.t_a1.pk).update(is_active=False)

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Sessions and redirects ------------------------------------------------------------------------


def test_it_gives_a_new_session_key_on_login(world):
    client = Client()
    before = client.session.session_key  # an anonymous session exists before the login
    assert before
    log_in(client, "t001")
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    # The old key is worth nothing: a client presenting it is anonymous.
    fixated = Client()
    fixated.cookies[django_settings.SESSION_COOKIE_NAME] = before
    assert not is_logged_in(fixated)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "https:///evil.example/"])
def test_it_never_redirects_off_site_after_login(world, next_url):
    response = Client().post(
        f"{reverse('login')}?next={next_url}", {"username": "t001", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_follows_a_local_next_after_login(world):
    target = reverse("round_detail", args=(world.round_a.pk,))
    response = Client().post(f"{reverse('login')}?next={target}", {"username": "t001", "password": PASSWORD,
                                                                     "next": target})
    assert response["Location"] == target


def test_it_sets_the_session_cookie_secure_httponly_and_samesite_lax(world):
    client = Client()
    response = log_in(client, "t001")
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["secure"] is True


def test_it_ends_a_session_after_thirty_idle_minutes(world):
    from datetime import timedelta

    from django.utils import timezone
    from freezegun import freeze_time

    start = timezone.now()
    with freeze_time(start) as frozen:
        client = Client()
        log_in(client, "t001")
        frozen.tick(timedelta(minutes=25))
        assert is_logged_in(client)  # activity pushes the expiry forward…
        frozen.tick(timedelta(minutes=25))
        assert is_logged_in(client)  # …so 50 minutes after login the session is alive
        frozen.tick(timedelta(minutes=31))
        response = client.get(reverse("home"))  # …but not after 31 idle minutes
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_ends_the_session_on_logout_by_post(world, client_for):
    client = client_for("t_a1")
    old_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not is_logged_in(client)
    # Replaying the old session cookie does not bring the session back (ASVS 7.4.1).
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = old_key
    assert not is_logged_in(replay)


def test_it_rejects_get_on_logout(world, client_for):
    client = client_for("t_a1")
    assert client.get(reverse("logout")).status_code == 405
    assert is_logged_in(client)


# --- The audit trail -------------------------------------------------------------------------------


def test_it_audits_a_successful_login_and_the_logout(world):
    client = Client()
    log_in(client, "t001")
    client.post(reverse("logout"))

    success = AuditEvent.objects.get(action="login.success")
    assert (success.user_id, success.username, success.role, success.result) == (
        world.t_a1.pk, "t001", "teacher", "success")
    assert success.org_id == world.school_a.pk
    assert success.ip == "127.0.0.1"
    logout = AuditEvent.objects.get(action="logout")
    assert logout.user_id == world.t_a1.pk


def test_it_audits_a_failed_login_with_the_name_as_typed_and_never_the_password(world):
    secret = "My-Secret-Guess-42"
    log_in(Client(), "t001", secret)
    log_in(Client(), "Nobody-Here", secret)

    failed = AuditEvent.objects.filter(action="login.failed").order_by("id")
    assert [(e.username, e.result, e.user_id) for e in failed] == [("t001", "fail", None), ("Nobody-Here", "fail", None)]
    assert not AuditEvent.objects.filter(action="login.success").exists()
    for event in AuditEvent.objects.all():
        assert secret not in repr(model_to_dict(event)), event.action


# --- Password storage and policy -------------------------------------------------------------------


def test_it_stores_passwords_with_argon2_in_production(world, settings):
    from tqr import settings as prod

    settings.PASSWORD_HASHERS = prod.PASSWORD_HASHERS
    user = world.t_a1
    user.set_password("Correct-Horse-Battery-9")
    user.save()
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2")
    assert "Correct-Horse-Battery-9" not in stored
    assert User.objects.get(pk=user.pk).check_password("Correct-Horse-Battery-9")


@pytest.mark.parametrize(
    ("password", "because"),
    [
        ("abc12345", "密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
        ("Password1!", "这个密码太常见了。"),
    ],
)
def test_it_rejects_weak_passwords(password, because):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert because in excinfo.value.messages


def test_it_accepts_a_long_passphrase_with_three_character_classes():
    passphrase = "correct-horse-battery-staple-ocean-window-lantern-river-2026-tea"  # lower, digit, symbol
    assert len(passphrase) == 64
    assert validate_password(passphrase) is None

