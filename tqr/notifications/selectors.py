"""Reads of the inbox."""

from __future__ import annotations

from tqr.notifications.models import Notification

_MEMO = "_tqr_unread_count"


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread. Counted once per request: the top bar's badge and the page
    that shows the inbox ask for it on the same user object (`request.user` lives for one request)."""
    if not hasattr(user, _MEMO):
        setattr(user, _MEMO, Notification.objects.filter(recipient=user, read_at__isnull=True).count())
    return getattr(user, _MEMO)
