from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "tqr.exchange"
    verbose_name = _("数据交换")

    def ready(self):
        from tqr.exchange import jobs  # noqa: F401 - registers the "exchange_import" background job
