"""API: the user's own inbox and reminder preference (see tqr/notifications), over the same services as
the pages."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from tqr.accounts.permissions import get_visible_or_404
from tqr.api.schemas import ErrorOut
from tqr.notifications import services
from tqr.notifications.models import Notification

router = Router(tags=["通知"])


class NotificationOut(Schema):
    id: int
    event: str
    event_label: str
    title: str
    body: str
    link: str
    application_id: int | None
    created_at: datetime
    read_at: datetime | None


class ReadOut(Schema):
    marked: int
    unread: int


class PreferenceIO(Schema):
    reminders: bool  # 接收截止提醒和每日汇总; decisions are always sent


def _out(n: Notification) -> dict:
    return {"id": n.pk, "event": n.event, "event_label": n.get_event_display(), "title": n.title, "body": n.body,
            "link": n.link, "application_id": n.application_id, "created_at": n.created_at, "read_at": n.read_at}


def _unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@router.get("/notifications", response=list[NotificationOut], url_name="notifications", summary="我的站内通知（分页，最新在前）")
@paginate(LimitOffsetPagination)
def notifications(request, unread: bool = False):
    qs = Notification.objects.filter(recipient=request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [_out(n) for n in qs]


@router.post("/notifications/{notification_id}/read", response={200: ReadOut, 404: ErrorOut},
             url_name="notification_read", summary="标记一条通知为已读")
def notification_read(request, notification_id: int):
    item = get_visible_or_404(request, Notification.objects.filter(recipient=request.user), pk=notification_id)
    marked = services.inbox_mark_read(user=request.user, ids=[item.pk])
    return {"marked": marked, "unread": _unread(request.user)}


@router.post("/notifications/read-all", response=ReadOut, url_name="notifications_read_all", summary="全部标记为已读")
def notifications_read_all(request):
    marked = services.inbox_mark_read(user=request.user)
    return {"marked": marked, "unread": 0}


@router.get("/notifications/preference", response=PreferenceIO, url_name="notification_preference",
            summary="通知设置：是否接收截止提醒和每日汇总")
def preference(request):
    return {"reminders": services.preference_of(request.user)}


@router.put("/notifications/preference", response=PreferenceIO, url_name="notification_preference_set",
            summary="修改通知设置（结论和决定始终发送，不能退订）")
def preference_set(request, body: PreferenceIO):
    services.preference_set(user=request.user, reminders=body.reminders, actor=request.user, via="api")
    return {"reminders": services.preference_of(request.user)}
