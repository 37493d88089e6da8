"""manage.py load_demo_cases [--count 300] [--seed 2026] [--days 90]: demo cases, timer sweep."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from viewflow.workflow.timers import fire_due_timers

from fixtures.demo_cases import demo_cases_create
from fixtures.demo_replies import demo_replies_create
from fixtures.demo_stories import DemoDataError


class Command(BaseCommand):
    help = (
        "Create realistic demo cases in the loaded street over the last days, through the "
        "services (idempotent: does nothing if the street has enough cases), then fire the "
        "viewflow timers that are due now."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--count", type=int, default=300, help="cases wanted (default 300)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--days", type=int, default=90, help="spread over (default 90)")

    def handle(self, *args: Any, count: int, seed: int, days: int, **options: Any) -> None:
        if count < 1 or days < 1:
            raise CommandError("--count and --days must be at least 1.")
        # Replayed history must not mail or push to anyone: whistles and alerts of the past.
        quiet = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            GRIDCASE_WEBPUSH_PRIVATE_KEY="",
            GRIDCASE_WEBPUSH_KEYS_FILE="/nonexistent/webpush_keys.json",
        )
        with quiet:
            try:
                counts = demo_cases_create(count=count, seed=seed, days=days, stdout=self.stdout)
            except DemoDataError as exc:
                raise CommandError(str(exc)) from exc
            fired = fire_due_timers()  # limits that passed after the last simulated step
        replies = demo_replies_create()  # 常用回复 of the police station and urban management
        self.stdout.write(f"{replies} reply templates added.")
        width = max(len(status) for status in counts)
        for status, number in counts.items():
            self.stdout.write(f"  {status:<{width}} {number:>4}")
        self.stdout.write(
            self.style.SUCCESS(f"{sum(counts.values())} cases; {fired} timers fired now.")
        )
