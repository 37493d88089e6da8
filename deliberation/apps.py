from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("Owners' deliberation (五议两公开)")

    def ready(self) -> None:
        # The compound stream this app publishes live, with its own rules (streams.py).
        from .streams import streams_register

        streams_register()
