from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeachersConfig(AppConfig):
    name = "tqr.teachers"
    verbose_name = _("教师")

    def ready(self):
        from tqr.teachers import jobs  # noqa: F401 - registers the "teacher_import" background job
