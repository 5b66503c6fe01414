from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tqr.campaigns"
    verbose_name = "注册工作（年度）"
