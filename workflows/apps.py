from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Case workflows")

    def ready(self) -> None:
        # The live streams this app publishes, with the pages' visibility rules.
        from gridcase.periodic import periodic_register

        from .hotspots.compute import hotspots_work
        from .streams import events_resend, streams_register

        streams_register()
        # 未诉先办 hot spots, recomputed on a schedule by the timer dispatcher (run_timers).
        periodic_register("workflows.hotspots", hotspots_work)
        # Events committed but never sent live (a killed worker, Redis away), sent late.
        periodic_register("workflows.events_resend", events_resend)
