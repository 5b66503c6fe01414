from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "tqr.reviews"
    verbose_name = "初审、公示与上报"

    def ready(self):
        from tqr.reviews import exports  # noqa: F401 - registers the "review_queue_xlsx" background job
