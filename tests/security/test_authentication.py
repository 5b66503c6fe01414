"""Authentication (security-tests.md §1.1–1.6): lockout per account, never per address; the address
throttle; one answer for every refusal; the password policy, its maximum age and its history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from tests import factories
from tests.accounts.test_login import REFUSAL, _normalised, is_logged_in, log_in
from tests.factories import PASSWORD
from tqr.accounts import services
from tqr.accounts.models import PasswordHistory, Role, User
from tqr.audit.models import AuditEvent
from tqr.rules.identifiers import resident_id_birth_date

pytestmark = pytest.mark.security

WRONG = "Not-The-Password-1"
SCHOOL_ADDRESS = "10.20.30.40"  # one address for a whole school (NAT)
LOGIN_ACTIONS = ("login.failed", "login.locked", "account.locked", "login.success", "login.address_throttled")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The address throttle counts in the cache: no test may inherit another's failures.
    cache.clear()
    yield
    cache.clear()


def _mid_hour():
    """Now, moved to ten minutes past the hour: the throttle's hourly window does not roll over mid-test."""
    return timezone.now().replace(minute=10, second=0, microsecond=0)


def _login_audit() -> list[str]:
    return list(AuditEvent.objects.filter(action__in=LOGIN_ACTIONS).order_by("id").values_list("action", flat=True))


# --- 1.1 Lockout per account ------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_for_thirty_minutes_even_for_the_right_one(world):
    with freeze_time(timezone.now()) as clock:
        for _ in range(5):
            assert log_in(Client(), "t001", WRONG).status_code == 200

        client = Client()
        locked = log_in(client, "t001")  # the right password
        assert locked.status_code == 200
        assert REFUSAL in locked.content.decode()
        assert "_auth_user_id" not in client.session
        assert not is_logged_in(client)

        clock.tick(timedelta(minutes=30, seconds=1))
        client = Client()
        assert log_in(client, "t001").status_code == 302, "the right password works after the cool-off"
        assert is_logged_in(client)

    # The sixth attempt is refused unread: its own action, so that the five failures stay five.
    assert _login_audit() == ["login.failed"] * 5 + ["account.locked", "login.locked", "login.success"]
    locked_row = AuditEvent.objects.get(action="account.locked")
    assert (locked_row.user_id, locked_row.username, locked_row.result) == (world.t_a1.pk, "t001", "fail")
    world.t_a1.refresh_from_db()
    assert (world.t_a1.failed_logins, world.t_a1.locked_until) == (0, None), "a login clears the count"


def test_a_locked_account_gets_byte_for_byte_the_answer_of_a_wrong_password_or_an_unknown_user(world):
    # §1.4 extended to the lock: the page never tells that the account exists, nor that it is locked.
    for _ in range(5):
        log_in(Client(), "t001", WRONG)
    locked = log_in(Client(), "t001")
    wrong = log_in(Client(), "t002", WRONG)
    unknown = log_in(Client(), "nobody", WRONG)
    assert locked.status_code == wrong.status_code == unknown.status_code == 200
    assert _normalised(locked.content, "t001") == _normalised(wrong.content, "t002")
    assert _normalised(locked.content, "t001") == _normalised(unknown.content, "nobody")


def test_a_system_administrator_lifts_a_lock_from_the_admin_and_it_is_audited(world, client_for):
    for _ in range(5):
        log_in(Client(), "t001", WRONG)
    world.t_a1.refresh_from_db()
    assert world.t_a1.locked_until is not None
    admin = client_for("sysadmin")
    listing = admin.get(reverse("admin:accounts_user_changelist") + "?locked=yes")
    assert listing.status_code == 200 and "t001" in listing.content.decode()
    response = admin.post(reverse("admin:accounts_user_changelist"),
                          {"action": "unlock_accounts", "_selected_action": [world.t_a1.pk, world.t_a2.pk]},
                          follow=True)
    assert "已解除 1 个账号的登录锁定" in response.content.decode()
    world.t_a1.refresh_from_db()
    assert (world.t_a1.failed_logins, world.t_a1.locked_until) == (0, None)
    row = AuditEvent.objects.get(action="account.unlocked")
    assert (row.user_id, row.object_id, row.data["was_locked"]) == (world.sysadmin.pk, str(world.t_a1.pk), True)
    client = Client()
    assert log_in(client, "t001").status_code == 302 and is_logged_in(client)


def test_the_failures_must_be_consecutive(world):
    for _ in range(4):
        log_in(Client(), "t001", WRONG)
    assert log_in(Client(), "t001").status_code == 302
    for _ in range(4):
        log_in(Client(), "t001", WRONG)
    assert log_in(Client(), "t001").status_code == 302
    assert not AuditEvent.objects.filter(action="account.locked").exists()


def test_the_account_is_counted_whichever_name_is_typed(world):
    # User name, e-mail and resident ID all lead to t001: together they lock it.
    for login in ("t001", "T001", "t001@example.cn", world.teacher_a1.id_number, "t001"):
        log_in(Client(), login, WRONG)
    assert log_in(Client(), world.teacher_a1.id_number).status_code == 200
    assert AuditEvent.objects.filter(action="account.locked", user=world.t_a1).count() == 1


def test_attempts_during_the_lock_neither_count_nor_extend_it(world):
    with freeze_time(timezone.now()) as clock:
        for _ in range(5):
            log_in(Client(), "t001", WRONG)
        until = User.objects.get(pk=world.t_a1.pk).locked_until
        clock.tick(timedelta(minutes=20))
        for _ in range(10):
            log_in(Client(), "t001", WRONG)
        assert User.objects.get(pk=world.t_a1.pk).locked_until == until
        clock.tick(timedelta(minutes=9))
        assert log_in(Client(), "t001").status_code == 200, "still locked after 29 minutes"
        clock.tick(timedelta(minutes=1, seconds=1))
        assert log_in(Client(), "t001").status_code == 302


def test_after_the_lock_has_run_out_counting_starts_again(world):
    with freeze_time(timezone.now()) as clock:
        for _ in range(5):
            log_in(Client(), "t001", WRONG)
        clock.tick(timedelta(minutes=31))
        log_in(Client(), "t001", WRONG)  # one wrong password after the lock: not locked again
        assert log_in(Client(), "t001").status_code == 302


def test_the_number_of_failures_and_the_minutes_are_settings(world, settings):
    settings.TQR_LOCKOUT_FAILURES = 3
    settings.TQR_LOCKOUT_MINUTES = 5
    with freeze_time(timezone.now()) as clock:
        for _ in range(3):
            log_in(Client(), "t001", WRONG)
        assert log_in(Client(), "t001").status_code == 200
        clock.tick(timedelta(minutes=5, seconds=1))
        assert log_in(Client(), "t001").status_code == 302


def test_unknown_login_names_lock_nothing(world):
    for _ in range(12):
        log_in(Client(), "nobody", WRONG)
    assert not AuditEvent.objects.filter(action="account.locked").exists()
    assert not User.objects.filter(locked_until__isnull=False).exists()
    assert AuditEvent.objects.filter(action="login.failed", username="nobody").count() == 12


def test_the_hasher_runs_for_unknown_and_locked_accounts_alike(world, monkeypatch):
    # §1.4 timing: every refusal costs one password hash, whether or not the account exists or is locked.
    for _ in range(5):
        log_in(Client(), "t001", WRONG)
    hashed = []
    original = User.set_password

    def counting(self, raw_password):
        hashed.append(raw_password)
        return original(self, raw_password)

    monkeypatch.setattr(User, "set_password", counting)
    log_in(Client(), "nobody", "Guess-Number-1")
    log_in(Client(), "t001", "Guess-Number-2")  # locked
    assert hashed == ["Guess-Number-1", "Guess-Number-2"]


# --- 1.2 Shared address ------------------------------------------------------------------------------


def test_a_locked_teacher_does_not_lock_out_her_colleague_at_the_same_address(world):
    for _ in range(5):
        log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), "t001", WRONG)
    assert log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), "t001").status_code == 200

    colleague = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
    response = log_in(colleague, "t002")
    assert response.status_code == 302
    assert is_logged_in(colleague)
    failed = AuditEvent.objects.filter(action="login.failed").values_list("ip", flat=True)
    assert set(failed) == {SCHOOL_ADDRESS}


# --- 1.3 The address throttle -------------------------------------------------------------------------


def test_many_failures_from_one_address_throttle_that_address_and_lock_no_account(world):
    accounts = ["t001", "t002", "t003", "t004", "sa_a", "sa_b", "rev_d1", "city_rev"]
    limit = 100  # settings.TQR_LOGIN_IP_FAILURES_PER_HOUR, default
    statuses = []
    with freeze_time(_mid_hour()) as clock:
        for i in range(200):
            # Mostly made-up names, and each real account at most 4 times: no account reaches its lock.
            name = accounts[i // 25] if i % 25 == 0 and i // 25 < len(accounts) else f"user{i:03d}"
            statuses.append(log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), name, WRONG).status_code)
            clock.tick(timedelta(seconds=10))
        assert statuses[:limit] == [200] * limit
        assert set(statuses[limit + 1:]) == {429}

        # Even the right password is throttled from that address, with a page that says so …
        throttled = log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), "t002")
        assert throttled.status_code == 429
        assert "登录失败次数过多" in throttled.content.decode()
        # … but the same account logs in from elsewhere: nobody is locked.
        assert log_in(Client(REMOTE_ADDR="10.99.0.1"), "t002").status_code == 302

    assert not User.objects.filter(locked_until__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="account.locked").exists()
    assert AuditEvent.objects.filter(action="login.address_throttled", ip=SCHOOL_ADDRESS).count() == 1


def test_the_address_is_released_after_an_hour(world, settings):
    settings.TQR_LOGIN_IP_FAILURES_PER_HOUR = 3
    with freeze_time(_mid_hour()) as clock:
        for i in range(4):
            log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), f"user{i}", WRONG)
        assert log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), "t001").status_code == 429
        assert Client(REMOTE_ADDR=SCHOOL_ADDRESS).get(reverse("login")).status_code == 200, "the page still shows"
        clock.tick(timedelta(hours=1, seconds=1))
        assert log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), "t001").status_code == 302


def test_the_django_admin_login_is_throttled_too(world, settings):
    settings.TQR_LOGIN_IP_FAILURES_PER_HOUR = 3
    with freeze_time(_mid_hour()):
        for i in range(4):
            log_in(Client(REMOTE_ADDR=SCHOOL_ADDRESS), f"user{i}", WRONG)
        response = Client(REMOTE_ADDR=SCHOOL_ADDRESS).post(
            reverse("admin:login"), {"username": "sysadmin1", "password": PASSWORD})
        assert response.status_code == 429


def test_one_account_attacked_from_many_addresses_gets_at_most_ten_counted_failures_an_hour(world):
    # ASVS 2.2.1: per-account failures never exceed 100 an hour; the lock keeps it far below.
    with freeze_time(_mid_hour()) as clock:
        for i in range(120):
            log_in(Client(REMOTE_ADDR=f"10.0.{i // 250}.{i % 250}"), "t001", WRONG)
            clock.tick(timedelta(seconds=30))
    counted = AuditEvent.objects.filter(action="login.failed", username="t001").count()
    assert counted <= 10
    assert AuditEvent.objects.filter(action="login.locked", username="t001").count() == 120 - counted


# --- 1.5 Password policy -------------------------------------------------------------------------------

PERSONAL_DATA = "密码不能包含用户名或身份证中的出生日期。"


def _rejections(password: str, user=None) -> list[str]:
    with translation.override("zh-hans"):
        try:
            validate_password(password, user=user)
        except ValidationError as error:
            return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "because"),
    [
        pytest.param(lambda w: "abc12345", "密码须包含大写字母、小写字母、数字、符号中的至少三类。", id="two-classes"),
        pytest.param(lambda w: "Password1!", "这个密码太常见了。", id="common"),
        pytest.param(lambda w: "Mein-t001-Passwort", PERSONAL_DATA, id="user-name"),
        pytest.param(lambda w: "Mein-T001-Passwort", PERSONAL_DATA, id="user-name-other-case"),
        pytest.param(lambda w: "Geburtstag-" + resident_id_birth_date(w.teacher_a1.id_number).strftime("%Y%m%d"),
                     PERSONAL_DATA, id="id-birth-date"),
    ],
)
def test_it_rejects_weak_and_personal_passwords(world, password, because):
    assert because in _rejections(password(world), user=world.t_a1)


def test_it_rejects_the_birth_date_at_sign_up_when_the_login_name_is_the_id_number(world):
    # A teacher signing up has no teacher record yet: the would-be login name is the ID number.
    id_number = world.teacher_a2.id_number
    candidate = User(username=id_number)
    birth = resident_id_birth_date(id_number).strftime("%Y%m%d")
    assert PERSONAL_DATA in _rejections(f"Mein-Tag-{birth}!", user=candidate)


def test_the_change_page_says_why_a_personal_password_is_refused(world, client_for):
    birth = resident_id_birth_date(world.teacher_a1.id_number).strftime("%Y%m%d")
    new = f"Tag-{birth}-Neu"
    response = client_for("t_a1").post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert PERSONAL_DATA in response.content.decode()
    world.t_a1.refresh_from_db()
    assert world.t_a1.check_password(PASSWORD)


def test_it_accepts_a_64_character_passphrase_with_three_classes(world):
    passphrase = "correct-horse-battery-staple-ocean-window-lantern-river-2026-tea"
    assert len(passphrase) == 64
    assert _rejections(passphrase, user=world.t_a1) == []


def test_a_changed_password_and_its_history_are_stored_as_argon2_hashes(world, settings, client_for):
    from tqr import settings as production

    # The test world's MD5 hashes still verify (and are upgraded on the way, as Django does in production).
    settings.PASSWORD_HASHERS = [*production.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    new = "Correct-Horse-Battery-9"
    response = client_for("t_a1").post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    stored = User.objects.get(pk=world.t_a1.pk).password
    assert stored.startswith("argon2")
    assert new not in stored
    old = PasswordHistory.objects.get(user=world.t_a1).password
    assert old.startswith("argon2")
    assert PASSWORD not in old


# --- 1.6 Maximum age and history -----------------------------------------------------------------------


def _age_password(user, days: int) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=days))


def test_a_password_older_than_90_days_must_be_changed_before_anything_else(world):
    _age_password(world.t_a1, 91)
    client = Client()
    response = log_in(client, "t001")
    assert response.status_code == 302
    change = reverse("password_change")
    for path in (reverse("home"), reverse("round_detail", args=[world.round_a.pk]), reverse("signup"),
                 reverse("apply_entry"), reverse("verify_email")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{change}?next="), path
    api = client.get(reverse("api:me"))
    assert (api.status_code, json.loads(api.content)) == (403, {"detail": "密码已超过有效期，请先修改密码"})
    assert client.post(reverse("verify_email_resend"))["Location"] == change, "a POST is not done either"

    page = client.get(change)
    assert page.status_code == 200
    assert "您的密码已使用超过90天" in page.content.decode()
    new = "Frisches-Passwort-2026"
    assert client.post(change, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200


def test_a_password_younger_than_the_maximum_age_is_not_forced(world):
    _age_password(world.t_a1, 89)
    client = Client()
    log_in(client, "t001")
    assert client.get(reverse("home")).status_code == 200


def test_the_maximum_age_is_a_setting(world, settings):
    settings.TQR_PASSWORD_MAX_AGE_DAYS = 30
    _age_password(world.t_a1, 31)
    client = Client()
    log_in(client, "t001")
    assert client.get(reverse("home"))["Location"].startswith(reverse("password_change"))

    settings.TQR_PASSWORD_MAX_AGE_DAYS = 0  # no maximum age
    assert client.get(reverse("home")).status_code == 200


def test_a_new_password_cannot_be_any_of_the_last_five(world, client_for):
    user = world.t_a1
    passwords = [PASSWORD] + [f"Wechsel-Nummer-{n}!" for n in range(1, 6)]  # P0 … P5; P5 is current
    for new in passwords[1:]:
        services.password_change(user=user, new_password=new)
    user.refresh_from_db()

    for reused in passwords[1:]:
        assert "新密码不能与最近5次使用过的密码相同。" in _rejections(reused, user=user), reused
    assert _rejections(passwords[0], user=user) == [], "the sixth-last may come back"

    client = Client()
    client.force_login(user)
    response = client.post(reverse("password_change"), {
        "old_password": passwords[-1], "new_password1": passwords[2], "new_password2": passwords[2]})
    assert response.status_code == 200
    assert "新密码不能与最近5次使用过的密码相同" in response.content.decode()


def test_only_the_hashes_needed_are_kept(world):
    for n in range(1, 9):
        services.password_change(user=world.t_a1, new_password=f"Wechsel-Nummer-{n}!")
    assert PasswordHistory.objects.filter(user=world.t_a1).count() == 4  # with the current one: five


def test_a_bulk_created_account_with_an_old_initial_password_still_gets_the_initial_password_page(world):
    # must_change_password wins over the maximum age: the page explains the initial password.
    factories.user("t100", Role.TEACHER, world.school_a, must_change_password=True,
                   password_changed_at=timezone.now())
    _age_password(User.objects.get(username="t100"), 6)
    client = Client()
    log_in(client, "t100")
    page = client.get(reverse("password_change"))
    assert "您正在使用学校设置的初始密码" in page.content.decode()
