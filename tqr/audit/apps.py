from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tqr.audit"
    verbose_name = "审计日志"
