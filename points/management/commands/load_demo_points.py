"""manage.py load_demo_points [--seed 2026]: the demo street's points programme."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from points.demo import demo_points_create


class Command(BaseCommand):
    help = (
        "Load the points programme of the demo street (rules, shops, goods, accounts, "
        "activities, redemptions, help requests) through the services; idempotent."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        quiet = {  # the past's awards tell nobody: no mail, no text messages
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "GRIDCASE_SMS_BACKEND": "notifications.sms.LocmemBackend",
        }
        with override_settings(**quiet):
            counts = demo_points_create(seed=seed, stdout=self.stdout)
        if not counts:
            self.stdout.write("The points programme is already loaded.")
            return
        self.stdout.write(self.style.SUCCESS("Points programme loaded."))
