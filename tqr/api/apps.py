from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tqr.api"
    verbose_name = "接口"
