"""manage.py load_demo_deliberation: the demo compound, its register and a proposal in progress."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from deliberation.demo import DemoDataError, demo_deliberation_create


class Command(BaseCommand):
    help = (
        "Create the demo compound 青山苑 with its register and a 五议两公开 proposal (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = {
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "GRIDCASE_SMS_BACKEND": "notifications.sms.LocmemBackend",  # not 24 texts on screen
        }
        with override_settings(**quiet):
            try:
                lines = demo_deliberation_create()
            except DemoDataError as exc:
                raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)
