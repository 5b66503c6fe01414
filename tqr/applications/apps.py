from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "tqr.applications"
    verbose_name = "注册申请"
