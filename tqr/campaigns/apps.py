from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "tqr.campaigns"
    verbose_name = _("注册工作（年度）")
