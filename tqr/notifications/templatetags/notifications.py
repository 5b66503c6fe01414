"""The header's unread badge and the latest inbox items on the teacher's page."""

from django import template

from tqr.notifications.models import Notification
from tqr.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def inbox_badge(context):
    user = getattr(context.get("request"), "user", None) or context.get("user")
    unread = 0
    if user is not None and user.is_authenticated:
        unread = unread_count(user)
    return {"unread": unread}


@register.inclusion_tag("notifications/_latest.html", takes_context=True)
def latest_notifications(context, limit: int = 5):
    user = getattr(context.get("request"), "user", None) or context.get("user")
    items = []
    if user is not None and user.is_authenticated:
        items = list(Notification.objects.filter(recipient=user)[:limit])
    return {"items": items}
