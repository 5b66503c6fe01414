from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tqr.core"
    verbose_name = "基础"

    def ready(self):
        from tqr.core import scheduled  # noqa: F401 - registers stale-job recovery and retention
