"""Every send is retried with backoff a configured number of times, then shows as failed; the system
administrator (all) and the district (its own) list the failed ones and send them again (audited)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from tqr.audit.models import AuditEvent
from tqr.notifications import services
from tqr.notifications.models import OutgoingEmail
from tqr.notifications.services import Recipient, notify
from tqr.rules.phases import Phase

FAILING = "tests.notifications.helpers.FailingBackend"


def remind(world, captured, user=None):
    with captured(execute=True):
        notify("reminder_application", recipients=[Recipient(user=user or world.t_a1)], district=world.district_a,
               context={"round": world.round_a, "window": world.round_a.window(Phase.APPLICATION)})
    return OutgoingEmail.objects.latest("pk")


def time_passes(email):
    """The backoff has run out (the row's next attempt is now due)."""
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@override_settings(EMAIL_BACKEND=FAILING, TQR_NOTIFY_MAX_ATTEMPTS=3, TQR_NOTIFY_RETRY_MINUTES=5)
def test_a_refused_send_is_retried_with_backoff_then_failed(world, django_capture_on_commit_callbacks):
    started = timezone.now()
    email = remind(world, django_capture_on_commit_callbacks)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 1)
    assert "SMTPRecipientsRefused" in email.last_error and "550" in email.last_error
    assert timedelta(minutes=4) < email.next_attempt_at - started < timedelta(minutes=6)
    assert services.retry_due(timezone.now()) == "到期重试邮件 0 封"  # not due yet
    time_passes(email)
    second = timezone.now()
    services.retry_due(timezone.now())
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 2)
    assert timedelta(minutes=9) < email.next_attempt_at - second < timedelta(minutes=11)  # doubled
    time_passes(email)
    services.retry_due(timezone.now())
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)
    assert AuditEvent.objects.filter(action="email.failed", object_id=str(email.pk)).count() == 1
    time_passes(email)
    services.retry_due(timezone.now())
    email.refresh_from_db()
    assert email.attempts == 3  # a failed e-mail waits for a person


@override_settings(TQR_NOTIFY_MAX_ATTEMPTS=1)
def test_the_number_of_attempts_is_a_setting(world, django_capture_on_commit_callbacks):
    with override_settings(EMAIL_BACKEND=FAILING):
        email = remind(world, django_capture_on_commit_callbacks)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)


def test_a_delivered_mail_is_not_sent_twice(world, django_capture_on_commit_callbacks):
    email = remind(world, django_capture_on_commit_callbacks)
    email.refresh_from_db()
    assert email.status == "sent" and email.sent_at is not None and len(mail.outbox) == 1
    assert services.email_deliver(email.pk) == "sent"
    services.retry_due(timezone.now() + timedelta(days=1))
    assert len(mail.outbox) == 1


@pytest.fixture
def failed(world, django_capture_on_commit_callbacks):
    with override_settings(EMAIL_BACKEND=FAILING, TQR_NOTIFY_MAX_ATTEMPTS=1):
        a = remind(world, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            notify("reminder_application", recipients=[Recipient(user=world.t_c)], district=world.district_b,
                   context={"round": world.round_b, "window": world.round_b.window(Phase.APPLICATION)})
    return a, OutgoingEmail.objects.latest("pk")


def test_the_failed_list_shows_each_their_own(world, client_for, failed):
    mine, other = failed
    page = client_for("sysadmin").get("/inbox/failed/").content.decode()
    assert "t001@example.cn" in page and "t004@example.cn" in page and "SMTPRecipientsRefused" in page
    page = client_for("reviewer_d1").get("/inbox/failed/").content.decode()
    assert "t001@example.cn" in page and "t004@example.cn" not in page
    page = client_for("reviewer_d2").get("/inbox/failed/").content.decode()
    assert "t004@example.cn" in page and "t001@example.cn" not in page
    assert client_for("admin_a").get("/inbox/failed/").status_code == 403
    assert client_for("t_a1").get("/inbox/failed/").status_code == 403


def test_the_retry_button_sends_again_and_is_audited(world, client_for, failed, django_capture_on_commit_callbacks):
    mine, other = failed
    district = client_for("reviewer_d1")
    assert district.post(f"/inbox/failed/{other.pk}/retry/").status_code == 404  # another district's
    with django_capture_on_commit_callbacks(execute=True):
        response = district.post(f"/inbox/failed/{mine.pk}/retry/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "sent" and mine.attempts == 1
    assert [m.to for m in mail.outbox] == [["t001@example.cn"]]
    row = AuditEvent.objects.get(action="email.retry")
    assert row.user_id == world.reviewer_d1.pk and row.object_id == str(mine.pk)
    assert "t001@example.cn" not in client_for("reviewer_d1").get("/inbox/failed/").content.decode()
