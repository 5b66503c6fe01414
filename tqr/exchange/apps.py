from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tqr.exchange"
    verbose_name = "数据交换"

    def ready(self):
        from tqr.exchange import jobs  # noqa: F401 - registers the "exchange_import" background job
