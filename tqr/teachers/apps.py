from django.apps import AppConfig


class TeachersConfig(AppConfig):
    name = "tqr.teachers"
    verbose_name = "教师"
