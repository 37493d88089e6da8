from django.apps import AppConfig


class GridcaseConfig(AppConfig):
    name = "gridcase"
    verbose_name = "GridCase"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .limits import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="gridcase.limits.login_failed")
