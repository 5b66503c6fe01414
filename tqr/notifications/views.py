"""Pages: the inbox (站内通知) with the reminder preference, the unsubscribe link from a reminder e-mail
(works without login), and the failed e-mails for the system administrator and the district."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts.permissions import get_visible_or_404, require, visible_emails
from tqr.notifications import services
from tqr.notifications.models import Notification, OutgoingEmail
from tqr.notifications.selectors import unread_count

PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request):
    page = Paginator(Notification.objects.filter(recipient=request.user).select_related("application"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page": page, "reminders": services.preference_of(request.user),
        "unread": unread_count(request.user),
    })


@login_required
@require_POST
def inbox_read(request, notification_id: int):
    """Mark one read and follow its link (the inbox's own rows only: someone else's id is a 404)."""
    item = get_visible_or_404(request, Notification.objects.filter(recipient=request.user), pk=notification_id)
    services.inbox_mark_read(user=request.user, ids=[item.pk])
    if request.POST.get("go") and item.link.startswith("/"):
        return redirect(item.link)
    return redirect("notification_inbox")


@login_required
@require_POST
def inbox_read_all(request):
    n = services.inbox_mark_read(user=request.user)
    messages.success(request, ngettext("已将 %(count)s 条通知标记为已读。", "已将 %(count)s 条通知标记为已读。", n)
                     % {"count": n})
    return redirect("notification_inbox")


@login_required
@require_POST
def inbox_preference(request):
    on = request.POST.get("reminders") == "on"
    services.preference_set(user=request.user, reminders=on, actor=request.user, via="inbox")
    messages.success(request, _("已开启截止提醒和每日汇总。") if on
                     else _("已退订截止提醒和每日汇总（与申请有关的结论和决定仍会通知您）。"))
    return redirect("notification_inbox")


# One-click unsubscribe (RFC 8058) posts without a CSRF token; the signed token is the authority.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    user = services.unsubscribe_user(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.preference_set(user=user, reminders=False, actor=None, via="link")
        done = True
    return render(request, "notifications/unsubscribe.html", {"done": done, "subscribed": services.preference_of(user)})


@login_required
@require_GET
def failed_emails(request):
    require(request, "email.manage")
    qs = visible_emails(request.user).filter(status=OutgoingEmail.Status.FAILED).select_related("district")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/failed.html", {"page": page})


@login_required
@require_POST
def failed_email_retry(request, email_id: int):
    require(request, "email.manage")
    email = get_visible_or_404(request, visible_emails(request.user), pk=email_id)
    services.email_retry(email=email, actor=request.user)
    messages.success(request, _("已重新发送给 %(address)s 的邮件。") % {"address": email.to})
    return redirect("failed_emails")
