from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tqr.notifications"
    verbose_name = "通知"
