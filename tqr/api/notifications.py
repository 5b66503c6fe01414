"""API: the user's own inbox and reminder preference (see tqr/notifications), over the same services as
the pages."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from tqr.accounts.permissions import get_visible_or_404, require, visible_emails
from tqr.api.openapi import examples
from tqr.api.schemas import BoundedPagination, ErrorOut
from tqr.notifications import services
from tqr.notifications.models import Notification, OutgoingEmail
from tqr.notifications.selectors import unread_count

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

    @staticmethod
    def resolve_event_label(obj) -> str:
        return obj.get_event_display()


class ReadOut(Schema):
    marked: int
    unread: int


class PreferenceIO(Schema):
    model_config = examples({"reminders": False})
    reminders: bool  # 接收截止提醒和每日汇总; decisions are always sent


def _unread(user) -> int:
    return unread_count(user)


@router.get("/notifications", response=list[NotificationOut], url_name="notifications", summary="我的站内通知（分页，最新在前）")
@paginate(BoundedPagination)
def notifications(request, unread: bool = False):
    qs = Notification.objects.filter(recipient=request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs  # paginated in the database: one page of rows, never the whole inbox


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


class FailedEmailOut(Schema):
    id: int
    to: str
    subject: str
    event: str
    attempts: int
    last_error: str
    created_at: datetime
    district_id: int | None


@router.get("/notifications/failed-emails", response={200: list[FailedEmailOut], 403: ErrorOut},
            url_name="failed_emails", summary="发送失败的邮件（系统管理员看全部，区县看本区县）")
@paginate(BoundedPagination)
def failed_emails(request):
    require(request, "email.manage")
    return visible_emails(request.user).filter(status=OutgoingEmail.Status.FAILED).order_by("-created_at", "-pk")


@router.post("/notifications/failed-emails/{email_id}/retry", response={200: FailedEmailOut, 403: ErrorOut,
                                                                         404: ErrorOut},
             url_name="failed_email_retry", summary="重新发送一封失败的邮件（与“发送失败的邮件”页的按钮相同）")
def failed_email_retry(request, email_id: int):
    require(request, "email.manage")
    email = get_visible_or_404(request, visible_emails(request.user), pk=email_id)
    return services.email_retry(email=email, actor=request.user)
