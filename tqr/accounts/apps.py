from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tqr.accounts"
    verbose_name = "机构与账号"

    def ready(self):
        from tqr.accounts import signals  # noqa: F401
