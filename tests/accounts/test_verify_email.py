"""E-mail verification: a signed link valid 3 days for the address it was sent to, a resend at most once a
minute, and a banner for a teacher who has not verified yet."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tqr.accounts import services
from tqr.audit.models import AuditEvent

LINK = re.compile(r"https?://testserver(/account/verify/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(world):
    """Teacher t001, signed up but not verified yet."""
    user = world.t_a1
    user.email_verified_at = None
    user.save()
    return user


def link_for(user) -> str:
    return reverse("verify_email", args=[services.verification_token(user)])


def verified(user) -> bool:
    user.refresh_from_db()
    return user.email_verified_at is not None


# --- The link --------------------------------------------------------------------------------------


def test_it_verifies_the_address_from_the_link_without_a_login(alice):
    response = Client().get(link_for(alice))
    assert response.status_code == 200
    body = response.content.decode()
    assert "邮箱已验证" in body
    assert alice.email in body
    assert verified(alice)
    row = AuditEvent.objects.get(action="account.email_verified")
    assert (row.user_id, row.object_id, row.result) == (alice.pk, str(alice.pk), "success")


def test_a_second_click_changes_nothing_and_writes_no_second_row(alice):
    Client().get(link_for(alice))
    first = type(alice).objects.get(pk=alice.pk).email_verified_at
    assert "邮箱已验证" in Client().get(link_for(alice)).content.decode()
    assert type(alice).objects.get(pk=alice.pk).email_verified_at == first
    assert AuditEvent.objects.filter(action="account.email_verified").count() == 1


def test_it_keeps_the_address_out_of_the_link(alice):
    assert alice.email not in link_for(alice)
    assert alice.email.split("@")[0] not in link_for(alice)


def test_it_says_a_tampered_link_is_invalid_and_offers_a_resend(alice, client_for):
    token = services.verification_token(alice)
    tampered = reverse("verify_email", args=[token[:-2] + ("AA" if not token.endswith("AA") else "BB")])
    response = client_for("t_a1").get(tampered)
    assert response.status_code == 200
    body = response.content.decode()
    assert "验证链接无效" in body
    assert "重新发送验证邮件" in body
    assert reverse("verify_email_resend") in body
    assert not verified(alice)
    assert not AuditEvent.objects.filter(action="account.email_verified").exists()


def test_it_says_a_link_older_than_three_days_has_expired(alice, client_for):
    sent = timezone.now()
    with freeze_time(sent):
        link = link_for(alice)
    with freeze_time(sent + timedelta(days=3, minutes=1)):
        response = client_for("t_a1").get(link)
    body = response.content.decode()
    assert "验证链接已过期" in body
    assert "重新发送验证邮件" in body
    assert not verified(alice)


def test_a_link_still_works_on_its_third_day(alice):
    sent = timezone.now()
    with freeze_time(sent):
        link = link_for(alice)
    with freeze_time(sent + timedelta(days=2, hours=23)):
        Client().get(link)
    assert verified(alice)


def test_a_link_for_a_previous_address_no_longer_verifies(alice):
    link = link_for(alice)
    alice.email = "new-address@example.cn"
    alice.save()
    assert "验证链接无效" in Client().get(link).content.decode()
    assert not verified(alice)


def test_a_link_of_a_deactivated_account_does_not_verify(alice):
    link = link_for(alice)
    alice.is_active = False
    alice.save()
    assert "验证链接无效" in Client().get(link).content.decode()
    assert not verified(alice)


def test_a_link_cut_short_by_a_mail_client_explains_itself(world):
    response = Client().get(reverse("verify_email"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "验证链接无效" in body
    assert "请登录后在首页重新发送验证邮件" in body  # not logged in: the way back, not a dead button


def test_a_token_signed_for_something_else_is_invalid(alice):
    from django.core import signing

    other = signing.dumps({"u": alice.pk, "e": "x"}, salt="another.purpose")
    assert "验证链接无效" in Client().get(reverse("verify_email", args=[other])).content.decode()
    assert not verified(alice)


# --- Resending -------------------------------------------------------------------------------------


def test_it_resends_the_mail_with_a_working_link(alice, client_for):
    client = client_for("t_a1")
    response = client.post(reverse("verify_email_resend"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "验证邮件已重新发送" in client.get(reverse("home")).content.decode()
    client.get(LINK.search(mail.outbox[0].body).group(1))
    assert verified(alice)


def test_it_resends_at_most_once_a_minute(alice, client_for):
    client = client_for("t_a1")
    start = timezone.now()
    with freeze_time(start) as frozen:
        client.post(reverse("verify_email_resend"))
        frozen.tick(timedelta(seconds=30))
        client.post(reverse("verify_email_resend"))
        assert "请1分钟后再试" in client.get(reverse("home")).content.decode()
        assert len(mail.outbox) == 1
        frozen.tick(timedelta(seconds=31))
        client.post(reverse("verify_email_resend"))
        assert len(mail.outbox) == 2


def test_the_limit_is_per_user(alice, world, client_for):
    world.t_a2.email_verified_at = None
    world.t_a2.save()
    client_for("t_a1").post(reverse("verify_email_resend"))
    client_for("t_a2").post(reverse("verify_email_resend"))
    assert [m.to for m in mail.outbox] == [[alice.email], [world.t_a2.email]]


def test_the_sign_up_mail_counts_for_the_limit(world, django_capture_on_commit_callbacks):
    from tests.accounts.test_signup import NEW_ID, form_data

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), form_data(world))
    client.post(reverse("verify_email_resend"))
    assert len(mail.outbox) == 1
    assert NEW_ID not in mail.outbox[0].body


def test_it_sends_nothing_to_an_address_already_verified(world, client_for):
    client = client_for("t_a1")  # the factories verify everyone's address
    client.post(reverse("verify_email_resend"))
    assert mail.outbox == []
    assert "无需再次验证" in client.get(reverse("home")).content.decode()


def test_it_rejects_get_on_resend(alice, client_for):
    assert client_for("t_a1").get(reverse("verify_email_resend")).status_code == 405
    assert mail.outbox == []


# --- The banner ------------------------------------------------------------------------------------


def test_it_shows_an_unverified_teacher_the_banner_with_a_resend_button(alice, client_for):
    body = client_for("t_a1").get(reverse("home")).content.decode()
    assert "尚未验证" in body
    assert alice.email in body
    assert f'action="{reverse("verify_email_resend")}"' in body


def test_it_shows_no_banner_once_verified(alice, client_for):
    Client().get(link_for(alice))
    assert "尚未验证" not in client_for("t_a1").get(reverse("home")).content.decode()


def test_it_shows_no_banner_to_staff(world, client_for):
    world.admin_a.email_verified_at = None
    world.admin_a.save()
    assert "尚未验证" not in client_for("admin_a").get(reverse("home")).content.decode()
