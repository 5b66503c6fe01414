from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tqr.accounts"
    verbose_name = _("机构与账号")

    def ready(self):
        from tqr.accounts import signals  # noqa: F401
