from django.apps import AppConfig


class TeachersConfig(AppConfig):
    name = "tqr.teachers"
    verbose_name = "教师"

    def ready(self):
        from tqr.teachers import jobs  # noqa: F401 - registers the "teacher_import" background job
