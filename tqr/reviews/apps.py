from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "tqr.reviews"
    verbose_name = _("初审、公示与上报")

    def ready(self):
        from tqr.reviews import exports  # noqa: F401 - registers the "review_queue_xlsx" background job
