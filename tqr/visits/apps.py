from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "tqr.visits"
    verbose_name = "初审送审预约"
