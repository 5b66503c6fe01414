from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "tqr.visits"
    verbose_name = _("初审送审预约")
