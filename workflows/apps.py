from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Case workflows")

    def ready(self) -> None:
        # The live streams this app publishes, with the pages' visibility rules.
        from .streams import streams_register

        streams_register()
