from django.apps import AppConfig


class CityConfig(AppConfig):
    name = "tqr.city"
    verbose_name = "复审、终审与登记"

    def ready(self):
        from tqr.city import archive  # noqa: F401 - registers the "archive" background job
