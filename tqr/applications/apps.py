from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "tqr.applications"
    verbose_name = "注册申请"

    def ready(self):
        from tqr.applications import tasks  # noqa: F401 - registers the "school_proofs" background job
