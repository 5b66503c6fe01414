from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tqr.exchange"
    verbose_name = "数据交换"
