from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tqr.audit"
    verbose_name = _("审计日志")

    def ready(self):
        from tqr.audit import (
            checks,  # noqa: F401 - registers the deploy check on the append-only trigger
            exports,  # noqa: F401 - registers the "audit_xlsx" background job
        )
