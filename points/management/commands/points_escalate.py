"""manage.py points_escalate [--every SECONDS]: help requests nobody claimed in time go to
their community's staff. Run it next to the timer dispatcher (once, or in a loop)."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from points.services import help_requests_escalate


class Command(BaseCommand):
    help = "Escalate unclaimed help requests (居民吹哨) to community staff."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            count = help_requests_escalate()
            if count:
                self.stdout.write(f"{count} help requests escalated.")
            if every <= 0:
                return
            time.sleep(every)
