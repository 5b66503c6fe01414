"""登录失败处理 (等保 8.1.4.1 b): lock an account after consecutive wrong passwords; throttle an address.

Per account, never per address alone: a whole school logs in from one address, so one teacher's typos
(or someone trying her account) must not shut out her colleagues. TQR_LOCKOUT_FAILURES wrong passwords
in a row lock the account for TQR_LOCKOUT_MINUTES; while locked even the right password is refused with
the login page's one message. Unknown login names lock nothing (there is nothing to lock).

Per address: more than TQR_LOGIN_IP_FAILURES_PER_HOUR failed logins from one address (many accounts,
password spraying) → that address gets 429 on the login forms for an hour. No account is locked by it.

The backend knows why it refused (it marks the request with `mark_refusal`); the `user_login_failed`
receiver in signals.py writes the audit row and does the counting here, so the order of the rows reads
as it happened: the fifth `login.failed`, then `account.locked`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tqr.audit.services import record
from tqr.core.middleware import client_ip
from tqr.core.ratelimit import allow

IP_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Refusal:
    """Why the backend refused a known account: `locked` (refused unread) or a wrong password."""

    user: object
    locked: bool


def mark_refusal(request, user, *, locked: bool) -> None:
    if request is not None:
        request.login_refusal = Refusal(user=user, locked=locked)


def refusal(request) -> Refusal | None:
    return getattr(request, "login_refusal", None) if request is not None else None


# --- Per account -----------------------------------------------------------------------------------


def is_locked(user, now=None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or timezone.now())


@transaction.atomic
def note_failure(user, *, request=None) -> bool:
    """Count one wrong password for `user`; True when this one locked the account (audited)."""
    from tqr.accounts.models import User

    now = timezone.now()
    row = User.objects.select_for_update().only("pk", "failed_logins", "locked_until").get(pk=user.pk)
    if is_locked(row, now):
        return False  # attempts during the lock neither count nor extend it
    if row.locked_until is not None:  # a lock that has run out: start counting again
        row.failed_logins, row.locked_until = 0, None
    row.failed_logins += 1
    locked = row.failed_logins >= settings.TQR_LOCKOUT_FAILURES
    if locked:
        row.locked_until = now + timedelta(minutes=settings.TQR_LOCKOUT_MINUTES)
    row.save(update_fields=["failed_logins", "locked_until"])
    if locked:
        record("account.locked", actor=user, obj=user, result="fail", request=request,
               data={"failures": row.failed_logins, "locked_until": row.locked_until.isoformat()})
    return locked


def note_success(user) -> None:
    """A successful login clears the count (the failures must be consecutive)."""
    from tqr.accounts.models import User

    if user.failed_logins or user.locked_until is not None:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None


@transaction.atomic
def unlock(user, *, actor, request=None) -> bool:
    """A system administrator lifts a lock (or clears the count) before it runs out; audited. False if
    there was nothing to clear."""
    from tqr.accounts.models import User

    row = User.objects.select_for_update().only("pk", "failed_logins", "locked_until").get(pk=user.pk)
    if not row.failed_logins and row.locked_until is None:
        return False
    was_locked = is_locked(row)
    User.objects.filter(pk=row.pk).update(failed_logins=0, locked_until=None)
    record("account.unlocked", actor=actor, obj=user, request=request,
           data={"was_locked": was_locked, "failures": row.failed_logins})
    return True


# --- Per address -----------------------------------------------------------------------------------


def _blocked_key(ip: str) -> str:
    return f"tqr:login-ip-blocked:{ip}"


def ip_blocked(request) -> bool:
    ip = client_ip(request)
    return bool(ip) and cache.get(_blocked_key(ip)) is not None


def note_ip_failure(request) -> None:
    """Count one failed login from the request's address; past the hourly limit, block the address."""
    ip = client_ip(request)
    if not ip:
        return
    if not allow(f"login-fail-ip:{ip}", limit=settings.TQR_LOGIN_IP_FAILURES_PER_HOUR, seconds=IP_WINDOW_SECONDS):
        if cache.add(_blocked_key(ip), 1, timeout=IP_WINDOW_SECONDS):
            record("login.address_throttled", result="fail", request=request,
                   data={"limit_per_hour": settings.TQR_LOGIN_IP_FAILURES_PER_HOUR})
