from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tqr.audit"
    verbose_name = "审计日志"

    def ready(self):
        from tqr.audit import (
            checks,  # noqa: F401 - registers the deploy check on the append-only trigger
            exports,  # noqa: F401 - registers the "audit_xlsx" background job
        )
