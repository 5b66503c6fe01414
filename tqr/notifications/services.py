"""Writes of the notifications: `notify` (the one way the system tells someone something), delivery of
the outbox with retries, the manual retry of a failed e-mail, the reminder preference and read marks.

`notify` writes the inbox rows and the e-mail rows in the caller's transaction (they commit or roll back
with the change they report) and queues delivery after the commit (Zulip's `on_commit`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from tqr.accounts.models import Role, User
from tqr.audit.services import record
from tqr.notifications.models import OPTIONAL_EVENTS, Event, Notification, OutgoingEmail, Preference, SentOnce

UNSUBSCRIBE_SALT = "tqr.notifications.unsubscribe"


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TQR_NOTIFY_MAX_ATTEMPTS", 3)))


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: base, 2×base, 4×base … minutes."""
    base = int(getattr(settings, "TQR_NOTIFY_RETRY_MINUTES", 5))
    return timedelta(minutes=base * 2 ** max(0, attempts - 1))


def site_url(path: str) -> str:
    return getattr(settings, "TQR_SITE_URL", "http://localhost:8000").rstrip("/") + path


# --- Recipients and preferences --------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """A user (inbox and e-mail) or, for someone without an account, an address only."""

    user: User | None = None
    email: str = ""
    audience: str = ""  # "school" for a school's registration administrator (its own wording and links)

    @property
    def for_school(self) -> bool:
        return self.audience == "school" or (self.user is not None and self.user.role == Role.SCHOOL_ADMIN)

    @property
    def address(self) -> str:
        return (self.user.email if self.user is not None and self.user.email else "") or self.email


def wants_optional(user: User | None) -> bool:
    """False when the user unsubscribed from reminders and digests."""
    if user is None:
        return True
    return not Preference.objects.filter(user=user, reminders=False).exists()


def unsubscribe_token(user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user(token: str) -> User | None:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    return User.objects.filter(pk=payload.get("u"), is_active=True).first()


@transaction.atomic
def preference_set(*, user: User, reminders: bool, actor=None, via: str = "inbox") -> Preference:
    pref, _ = Preference.objects.select_for_update().get_or_create(user=user)
    if pref.reminders != reminders:
        pref.reminders = reminders
        pref.save(update_fields=["reminders", "updated_at"])
        record("notification.preference", actor=actor, obj=pref, username=user.get_username(),
               data={"reminders": reminders, "via": via})
    return pref


def preference_of(user: User) -> bool:
    return wants_optional(user)


# --- notify ----------------------------------------------------------------------------------------


def default_recipients(event: str, application) -> list[Recipient]:
    """The teacher; when an application is abandoned, also the school's registration administrator."""
    teacher = application.teacher
    people = [Recipient(user=teacher.user) if teacher.user_id else Recipient(email=teacher.email)]
    if event == Event.ABANDONED:
        admin = application.round.administrators.filter(unit_id=application.confirmation_point_id).first()
        if admin is not None:
            people.append(Recipient(user=admin.user if admin.user_id else None, email=admin.email,
                                    audience="school"))
    return people


def _link(event: str, application, recipient: Recipient, context: dict) -> str:
    if "link" in context:
        return context["link"]
    if application is not None:
        if recipient.for_school:
            return reverse("school_application", args=[application.pk])
        return reverse("apply_status", args=[application.round_id])
    if event == Event.REMINDER_APPLICATION:
        return reverse("apply_entry")
    return reverse("notification_inbox")


def _event_context(event: str, application) -> dict:
    """What a template needs beyond the application: the published notice, the registration."""
    if application is None:
        return {}
    if event == Event.PUBLISHED:
        from tqr.reviews.models import Notice

        notice = Notice.objects.filter(round_id=application.round_id).first()
        if notice is not None:
            return {"notice": notice, "notice_url": site_url(reverse("notice_public", args=[notice.slug]))}
    if event == Event.FINAL:
        sticker = getattr(application, "sticker", None)
        if sticker is not None:
            return {"registration": sticker.registration}
    return {}


def _render(event: str, context: dict) -> tuple[str, str]:
    """Subject and body in the system's language: they are stored (inbox, outbox) and e-mailed, so they must
    not take the language of whoever's action sent them (a city approver who chose English)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"notifications/email/{event}_subject.txt", context).split())
        body = render_to_string(f"notifications/email/{event}.txt", context).strip() + "\n"
    return subject, body


def notify(event: str, *, application=None, recipients: list[Recipient] | None = None,
           context: dict | None = None, district=None) -> int:
    """Tell each recipient about `event`: an inbox row (users), an e-mail row (anyone with an address),
    delivery queued after the commit. Reminders and digests skip those who unsubscribed.

    Returns how many recipients were reached."""
    event = Event(event)
    if recipients is None:
        recipients = default_recipients(event, application) if application is not None else []
    if district is None and application is not None:
        district = application.round.district
    base = {"app": application, "round": application.round if application is not None else None,
            **_event_context(event, application), **(context or {})}
    reached, emails = 0, []
    seen: set[tuple] = set()
    for r in recipients:
        key = (r.user.pk if r.user else None, r.address.lower())
        if key in seen or (r.user is None and not r.address):
            continue
        seen.add(key)
        if event in OPTIONAL_EVENTS and not wants_optional(r.user):
            continue
        link = _link(event, application, r, base)
        unsubscribe = (site_url(reverse("notification_unsubscribe", args=[unsubscribe_token(r.user)]))
                       if event in OPTIONAL_EVENTS and r.user is not None else "")
        ctx = {**base, "recipient": r.user, "for_school": r.for_school, "link_url": site_url(link),
               "unsubscribe_url": unsubscribe}
        subject, body = _render(event, ctx)
        if r.user is not None:
            inbox_body = _render(event, {**ctx, "for_inbox": True})[1]
            Notification.objects.create(recipient=r.user, event=event, title=subject, body=inbox_body, link=link,
                                        application=application)
        if r.address:
            emails.append(OutgoingEmail(to=r.address, recipient=r.user, subject=subject, body=body, event=event,
                                        application=application, district=district, unsubscribe_url=unsubscribe,
                                        next_attempt_at=timezone.now()))
        reached += 1
    if emails:
        created = OutgoingEmail.objects.bulk_create(emails)
        ids = [e.pk for e in created]
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return reached


def _enqueue(ids: list[int]) -> None:
    from tqr.notifications.tasks import deliver_email

    for pk in ids:
        deliver_email.enqueue(pk)


def claim_once(key: str) -> bool:
    """True the first time `key` is claimed (the scheduled jobs' memory of what they already sent)."""
    _, created = SentOnce.objects.get_or_create(key=key)
    return created


# --- Delivery --------------------------------------------------------------------------------------


def email_deliver(email_id: int, *, now: datetime | None = None) -> str:
    """Send one queued e-mail whose time has come; on an error retry later, after the last attempt mark it
    failed. Claimed optimistically, so two workers never send the same row. Returns the new status."""
    now = now or timezone.now()
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None:
        return "missing"
    if email.status != OutgoingEmail.Status.QUEUED or (email.next_attempt_at and email.next_attempt_at > now):
        return email.status
    attempt = email.attempts + 1
    # The claim pushes next_attempt_at on, so the retry job does not pick the row while it is being sent.
    claimed = OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmail.Status.QUEUED,
                                           attempts=email.attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=now + retry_delay(attempt))
    if not claimed:
        return "claimed"
    headers = {}
    if email.unsubscribe_url:
        headers = {"List-Unsubscribe": f"<{email.unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    try:
        EmailMessage(email.subject, email.body, None, [email.to], headers=headers).send()
    except Exception as exc:  # noqa: BLE001 - any transport error (refused recipient, timeout …) is a failed attempt
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempt >= max_attempts():
            OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.FAILED, last_error=error,
                                                              next_attempt_at=None)
            record("email.failed", obj=email, data={"to": email.to, "event": email.event, "attempts": attempt,
                                                    "error": error[:200]})
            return OutgoingEmail.Status.FAILED
        OutgoingEmail.objects.filter(pk=email.pk).update(last_error=error)
        return OutgoingEmail.Status.QUEUED
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now(),
                                                      next_attempt_at=None)
    return OutgoingEmail.Status.SENT


def retry_due(now: datetime) -> str:
    """Queue every e-mail whose next attempt is due (also those whose first queueing was lost)."""
    due = list(OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now)
               .values_list("pk", flat=True)[:1000])
    _enqueue(due)
    return ngettext("到期重试邮件 %(count)s 封", "到期重试邮件 %(count)s 封", len(due)) % {"count": len(due)}


@transaction.atomic
def email_retry(*, email: OutgoingEmail, actor) -> OutgoingEmail:
    """The administrator sends a failed e-mail again (a fresh round of attempts)."""
    email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    if email.status != OutgoingEmail.Status.FAILED:
        return email
    email.status, email.attempts, email.next_attempt_at = OutgoingEmail.Status.QUEUED, 0, timezone.now()
    email.save(update_fields=["status", "attempts", "next_attempt_at"])
    record("email.retry", actor=actor, obj=email, data={"to": email.to, "event": email.event})
    pk = email.pk
    transaction.on_commit(lambda: _enqueue([pk]), robust=True)
    return email


# --- The inbox -------------------------------------------------------------------------------------


@transaction.atomic
def inbox_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    marked = qs.update(read_at=timezone.now())
    if marked:
        record("notification.read", actor=user, data={"count": marked, "all": ids is None})
    return marked
