from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points (积分超市)")

    def ready(self) -> None:
        # The case engine announces closings; points pays the reporter (same transaction).
        from workflows.signals import case_closed

        from .receivers import on_case_closed

        case_closed.connect(on_case_closed, dispatch_uid="points.case_closed")
