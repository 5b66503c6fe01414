from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tqr.core"
    verbose_name = _("基础")

    def ready(self):
        from tqr.core import scheduled  # noqa: F401 - registers stale-job recovery and retention
