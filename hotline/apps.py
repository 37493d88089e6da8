from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("12345 hotline")

    def ready(self) -> None:
        from gridcase.periodic import periodic_register

        from .services import imports_work
        from .streams import streams_register

        streams_register()  # import:<job id>, the progress bar's stream
        periodic_register("hotline.imports", imports_work)  # worked by run_timers
