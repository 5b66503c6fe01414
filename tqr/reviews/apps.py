from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "tqr.reviews"
    verbose_name = "初审、公示与上报"
