"""Background delivery of the outbox (django-tasks; the tests run it immediately)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_email(email_id: int) -> None:
    from tqr.notifications.services import email_deliver

    email_deliver(email_id)
