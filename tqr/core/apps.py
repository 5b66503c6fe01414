from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tqr.core"
    verbose_name = "基础"
