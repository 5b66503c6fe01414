"""Notifications (通知): the in-app inbox, the outgoing e-mail outbox with its retries, the reminder
preference, and the record that makes each scheduled reminder or digest go out at most once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    RETURNED = "returned", _("申请被退回")
    CONFIRMED = "confirmed", _("现场确认通过")
    ABANDONED = "abandoned", _("视为自动放弃")
    REVIEWED = "reviewed", _("初审结论")
    PUBLISHED = "published", _("列入公示")
    SAMPLED = "sampled", _("被抽中复审")
    FINAL = "final", _("终审结论")
    REMINDER_APPLICATION = "reminder_application", _("网上报名截止提醒")
    REMINDER_CONFIRMATION = "reminder_confirmation", _("现场确认截止提醒")
    DIGEST = "digest", _("每日汇总")


# Reminders and digests may be unsubscribed; decisions about an application are always sent.
OPTIONAL_EVENTS = frozenset({Event.REMINDER_APPLICATION, Event.REMINDER_CONFIRMATION, Event.DIGEST})


class Notification(models.Model):
    """One item in a user's inbox (站内通知)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("类型"), max_length=32, choices=Event.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="notifications")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class OutgoingEmail(models.Model):
    """An e-mail to send (the outbox): retried with backoff, then listed as failed for the administrator."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    to = models.EmailField(_("收件人"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    event = models.CharField(_("类型"), max_length=32, choices=Event.choices)
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # Whose staff see it in the failed list (the district of the round it is about).
    district = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    unsubscribe_url = models.CharField(max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发邮件")
        verbose_name_plural = _("外发邮件")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.to} {self.subject}"


class Preference(models.Model):
    """A user's choice about optional mail (提醒与每日汇总). Decisions are not optional."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    reminders = models.BooleanField(_("接收截止提醒和每日汇总"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return f"{self.user_id} {'on' if self.reminders else 'off'}"


class SentOnce(models.Model):
    """A key per scheduled mail already sent (reminder per person and window, digest per person and day),
    so that the scheduled jobs are idempotent."""

    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已发送记录")
        verbose_name_plural = _("已发送记录")

    def __str__(self) -> str:
        return self.key
