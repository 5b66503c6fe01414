"""`record()` is the one way an audit row is written: by every service that changes state."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation

from tqr.audit import chain
from tqr.audit.models import AuditEvent
from tqr.core.middleware import client_ip, current_request


def command_username() -> str:
    """Who ran a management command, for its audit rows: the operating-system account, marked as such."""
    import getpass

    try:
        return f"{getpass.getuser()}（命令行）"  # i18n: data (the audit row's username: the log reads the same for every reader)
    except (OSError, KeyError):
        return "（命令行）"  # i18n: data (the audit row's username: the log reads the same for every reader)


def _one_line(text: str, limit: int) -> str:
    # A value with CR/LF is kept on one line so that it cannot forge a log entry (ASVS 16.4.1).
    return text.replace("\r", "\\r").replace("\n", "\\n")[:limit]


def _object_label(obj: models.Model | None) -> str:
    # The log reads the same for every reader: an object's name in the system's language, whatever
    # language the person who acted had chosen (a __str__ may go through gettext).
    if obj is None:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return _one_line(str(obj), 200)


def record(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    result: str = AuditEvent.Result.SUCCESS,
    data: dict[str, Any] | None = None,
    username: str = "",
    request=None,
) -> AuditEvent:
    """Write one audit row. `action` is dotted (`round.create`, `login.failed`, …).

    The acting user, their role and organisation, the client IP and the request id come from the
    arguments or from the current request. The row is chained to the last one (tqr.audit.chain).
    """
    event = audit_event(action, actor=actor, obj=obj, result=result, data=data, username=username, request=request)
    _append(event)
    return event


def audit_event(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    result: str = AuditEvent.Result.SUCCESS,
    data: dict[str, Any] | None = None,
    username: str = "",
    request=None,
) -> AuditEvent:
    """The row `record` would write, not yet chained nor saved (for `record_many`)."""
    request = request or current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditEvent(
        ts=timezone.now(),
        user_id=actor.pk if actor else None,
        username=_one_line(actor.get_username() if actor else username, 150),
        role=getattr(actor, "role", "") if actor else "",
        org_id=getattr(actor, "organisation_id", None) if actor else None,
        ip=client_ip(request) if request is not None else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=_object_label(obj),
        result=result,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        data=data or {},
    )


def record_many(events: list[AuditEvent], *, batch_size: int = 1000) -> None:
    """Write rows built by `audit_event`, in list order, as the chain's next rows: the writers' lock is
    taken once, the last hash read once, the rows chained in one pass and inserted in batches.

    The same chain as `record` called once per row (verify_audit cannot tell them apart); for writers of
    many rows at once (the demo's simulated round)."""
    if not events:
        return
    with transaction.atomic():
        last = _lock_and_last()
        for event in events:
            event.prev_hash = last
            event.row_hash = last = chain.row_hash(event.prev_hash, {
                name: getattr(event, name) for name in chain.HASHED_FIELDS
            })
        # AuditQuerySet refuses bulk_create to anyone but this function: every row here is chained.
        # One INSERT … VALUES per batch takes its ids in list order, which is the chain's order.
        models.QuerySet(AuditEvent).bulk_create(events, batch_size=batch_size)


def _lock_and_last() -> str:
    """Take the writers' lock (see `_append`) and return the last row's hash."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain.CHAIN_LOCK])
    return AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or chain.GENESIS


def _append(event: AuditEvent) -> None:
    """Insert `event` as the chain's next row. Writers are serialised so that two of them never chain to
    the same last row (a fork): on PostgreSQL by a transaction-level advisory lock, held until the
    surrounding transaction ends (a row not yet committed is invisible to the next writer); on SQLite by
    the database's single writer lock, which BEGIN IMMEDIATE (settings: transaction_mode) takes first."""
    with transaction.atomic():
        event.prev_hash = _lock_and_last()
        event.row_hash = chain.row_hash(event.prev_hash, {
            name: getattr(event, name) for name in chain.HASHED_FIELDS
        })
        event.save()
