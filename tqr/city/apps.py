from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CityConfig(AppConfig):
    name = "tqr.city"
    verbose_name = _("复审、终审与登记")

    def ready(self):
        from tqr.city import archive  # noqa: F401 - registers the "archive" background job
