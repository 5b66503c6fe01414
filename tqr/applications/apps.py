from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "tqr.applications"
    verbose_name = _("注册申请")

    def ready(self):
        from tqr.applications import tasks  # noqa: F401 - registers the "school_proofs" background job
