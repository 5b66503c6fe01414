"""Passwords: reset by an e-mail link (the same answer for unknown addresses), change while logged in,
and the forced change of a bulk-created account's initial password, which stops working after 7 days."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests import factories
from tests.factories import PASSWORD
from tqr.accounts.models import Role
from tqr.audit.models import AuditEvent

NEW_PASSWORD = "Neues-Passwort-2026!"
RESET_LINK = re.compile(r"https?://testserver(/account/password/reset/link/[^\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bulk_created(world):
    """t100: an account the school created in bulk, with an initial password set just now."""
    return factories.user("t100", Role.TEACHER, world.school_a, display_name="孙老师", email="t100@example.cn",
                          must_change_password=True, password_changed_at=timezone.now())


def log_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def is_logged_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def request_reset(email: str):
    return Client().post(reverse("password_reset"), {"email": email})


# --- Reset by e-mail -------------------------------------------------------------------------------


def test_the_login_page_links_to_the_reset_page_and_keeps_the_school_sentence(db):
    body = Client().get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">忘记密码？</a>' in body
    assert "联系本校注册管理员" in body
    assert f'href="{reverse("signup")}"' in body


def test_it_mails_a_reset_link_to_a_known_address(world):
    response = request_reset("t001@example.cn")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["t001@example.cn"]
    assert "重置密码" in message.subject
    assert RESET_LINK.search(message.body)


def test_it_answers_an_unknown_address_exactly_as_a_known_one(world):
    known, unknown = request_reset("t001@example.cn"), request_reset("nobody@example.cn")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["t001@example.cn"]]
    page = Client().get(reverse("password_reset_done"))
    assert "如果该邮箱是某个账号登记的邮箱" in page.content.decode()


def test_it_finds_the_address_whatever_its_case(world):
    request_reset("T001@EXAMPLE.CN")
    assert [m.to for m in mail.outbox] == [["t001@example.cn"]]


def test_it_answers_the_same_when_the_mail_server_is_down(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise SMTPException("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    response = request_reset("t001@example.cn")
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert mail.outbox == []


def test_it_mails_one_address_at_most_once_a_minute(world):
    request_reset("t001@example.cn")
    request_reset("t001@example.cn")
    assert len(mail.outbox) == 1


def test_the_link_sets_a_new_password_that_then_logs_in(world):
    world.t_a1.must_change_password = True
    world.t_a1.save()
    request_reset("t001@example.cn")
    link = RESET_LINK.search(mail.outbox[0].body).group(1)

    client = Client()
    form_page = client.get(link, follow=True)  # Django moves the token out of the URL into the session
    assert "设置新密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert "密码已重置" in client.get(reverse("password_reset_complete")).content.decode()

    assert log_in(Client(), "t001", PASSWORD).status_code == 200, "the old password is gone"
    new_client = Client()
    assert log_in(new_client, "t001", NEW_PASSWORD).status_code == 302
    assert is_logged_in(new_client)

    world.t_a1.refresh_from_db()
    assert not world.t_a1.must_change_password
    assert timezone.now() - world.t_a1.password_changed_at < timedelta(minutes=1)
    row = AuditEvent.objects.get(action="account.password_reset")
    assert (row.user_id, row.result, row.data) == (world.t_a1.pk, "success", {"initial_password_replaced": True})


def test_the_link_works_only_once(world):
    request_reset("t001@example.cn")
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    client = Client()
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)
    assert "重置链接无效或已过期" in again.content.decode()


def test_the_reset_page_applies_the_password_policy(world):
    request_reset("t001@example.cn")
    client = Client()
    set_url = client.get(RESET_LINK.search(mail.outbox[0].body).group(1), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "abc12345", "new_password2": "abc12345"})
    assert response.status_code == 200
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类" in response.content.decode()
    assert not AuditEvent.objects.filter(action="account.password_reset").exists()


def test_a_reset_link_cut_short_says_so(db):
    response = Client().get(reverse("password_reset_confirm"))
    assert response.status_code == 200
    assert "重置链接无效或已过期" in response.content.decode()
    assert "重置链接无效或已过期" in Client().get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-def"})).content.decode()


# --- Change while logged in ------------------------------------------------------------------------


def change(client: Client, old: str = PASSWORD, new: str = NEW_PASSWORD, **extra):
    return client.post(reverse("password_change"),
                       {"old_password": old, "new_password1": new, "new_password2": new, **extra})


def test_it_shows_the_chinese_change_page(world, client_for):
    body = client_for("t_a1").get(reverse("password_change")).content.decode()
    for text in ("修改密码", "旧密码", "新密码"):
        assert text in body


def test_a_teacher_changes_the_password_and_stays_logged_in(world):
    client, elsewhere = Client(), Client()
    log_in(client, "t001")
    log_in(elsewhere, "t001")

    response = change(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in(client), "this session survives the change"
    assert not is_logged_in(elsewhere), "every other session ends (ASVS 7.4.3)"

    world.t_a1.refresh_from_db()
    assert world.t_a1.check_password(NEW_PASSWORD)
    assert timezone.now() - world.t_a1.password_changed_at < timedelta(minutes=1)
    row = AuditEvent.objects.get(action="account.password_change")
    assert (row.user_id, row.result, row.data) == (world.t_a1.pk, "success", {"initial_password_replaced": False})


def test_it_refuses_a_wrong_old_password_and_changes_nothing(world, client_for):
    response = change(client_for("t_a1"), old="Not-The-Password-1")
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    world.t_a1.refresh_from_db()
    assert world.t_a1.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="account.password_change").exists()


def test_it_applies_the_password_policy_on_change(world, client_for):
    response = change(client_for("t_a1"), new="abc12345")
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类" in response.content.decode()


def test_it_ignores_an_off_site_next_after_the_change(world, client_for):
    response = change(client_for("t_a1"), next="https://evil.example/")
    assert response["Location"] == reverse("home")


# --- The forced change of an initial password ------------------------------------------------------


def test_a_bulk_created_account_lands_on_the_change_page_after_login(bulk_created):
    client = Client()
    response = log_in(client, "t100")
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"] == f"{reverse('password_change')}?next=%2F"
    page = client.get(home["Location"])
    assert page.status_code == 200
    assert "您正在使用学校设置的初始密码" in page.content.decode()


@pytest.mark.parametrize("path", [
    pytest.param(lambda w: reverse("home"), id="home"),
    pytest.param(lambda w: reverse("round_detail", args=[w.round_a.pk]), id="round"),
    pytest.param(lambda w: reverse("signup"), id="sign-up"),
    pytest.param(lambda w: reverse("password_reset"), id="password-reset"),
    pytest.param(lambda w: reverse("verify_email"), id="verify-email"),
    pytest.param(lambda w: reverse("admin:index"), id="admin"),
])
def test_it_sends_a_user_who_must_change_the_password_to_the_change_page(world, bulk_created, path):
    client = Client()
    client.force_login(bulk_created)
    response = client.get(path(world))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('password_change')}?next=")


def test_it_redirects_a_post_too_without_doing_it(world, bulk_created):
    client = Client()
    client.force_login(bulk_created)
    response = client.post(reverse("verify_email_resend"))
    assert (response.status_code, response["Location"]) == (302, reverse("password_change"))
    assert mail.outbox == []


def test_the_api_answers_403_until_the_password_is_changed(world, bulk_created):
    client = Client()
    client.force_login(bulk_created)
    response = client.get(reverse("api:me"))
    assert response.status_code == 403
    assert json.loads(response.content) == {"detail": "请先修改初始密码"}


def test_logout_and_the_health_check_still_work(world, bulk_created):
    client = Client()
    client.force_login(bulk_created)
    assert client.get(reverse("healthz")).status_code == 200
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, reverse("login"))


def test_after_the_change_everything_works_and_the_flag_is_cleared(world, bulk_created):
    client = Client()
    log_in(client, "t100")
    response = change(client, next=reverse("round_detail", args=[world.round_a.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("round_detail", args=[world.round_a.pk])

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200
    bulk_created.refresh_from_db()
    assert not bulk_created.must_change_password
    row = AuditEvent.objects.get(action="account.password_change")
    assert (row.user_id, row.data) == (bulk_created.pk, {"initial_password_replaced": True})


def test_the_initial_password_stops_working_after_seven_days(world):
    set_at = timezone.now()
    with freeze_time(set_at):
        factories.user("t100", Role.TEACHER, world.school_a, must_change_password=True, password_changed_at=set_at)
    with freeze_time(set_at + timedelta(days=6, hours=23)):
        assert log_in(Client(), "t100").status_code == 302
    with freeze_time(set_at + timedelta(days=7, minutes=1)):
        client = Client()
        response = log_in(client, "t100")
        assert response.status_code == 200
        assert "账号或密码错误或已锁定" in response.content.decode()
        assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.initial_password_expired", username="t100",
                                     result="fail").count() == 1


def test_a_password_the_user_chose_does_not_expire_after_seven_days(world):
    world.t_a1.password_changed_at = timezone.now() - timedelta(days=30)
    world.t_a1.save()
    assert log_in(Client(), "t001").status_code == 302


def test_an_expired_initial_password_can_still_be_replaced_by_the_e_mail_link(world):
    factories.user("t100", Role.TEACHER, world.school_a, email="t100@example.cn", must_change_password=True,
                   password_changed_at=timezone.now() - timedelta(days=10))
    request_reset("t100@example.cn")
    client = Client()
    set_url = client.get(RESET_LINK.search(mail.outbox[0].body).group(1), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert log_in(Client(), "t100", NEW_PASSWORD).status_code == 302
