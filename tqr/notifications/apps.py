from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tqr.notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from tqr.core.schedule import scheduled
        from tqr.notifications import reminders, services

        scheduled("notifications.reminders", every_minutes=60,
                  description=_("网上报名、现场确认截止前的提醒（每人每个环节一次）"))(reminders.send_due_reminders)
        scheduled("notifications.digest", every_minutes=60,
                  description=_("现场确认期间学校注册管理员的每日汇总（每人每天一次）"))(reminders.send_digests)
        scheduled("notifications.retry", every_minutes=5,
                  description=_("到期重试发送失败的邮件"))(services.retry_due)
