"""manage.py cases_check: is every case whole (status, tasks, parts and events agree) and has
every due timer fired? `workflows.integrity` says what is checked. Exit code 1 if not."""

import json
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workflows.integrity import cases_problems, timers_late


class Command(BaseCommand):
    help = "Check that no case is half-written and no due timer was left unfired."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--timers-grace",
            type=float,
            default=60.0,
            help="seconds after its due time a timer counts as never fired (default 60)",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object")

    def handle(self, *args: Any, timers_grace: float, as_json: bool, **options: Any) -> None:
        problems = cases_problems()
        late = timers_late(timedelta(seconds=timers_grace))
        if as_json:
            self.stdout.write(_json({"cases": problems, "late_timers": late}))
        else:
            for number, found in problems.items():
                self.stdout.write(f"{number}: {'; '.join(found)}")
            if late:
                self.stdout.write(f"{len(late)} due timer(s) not fired: {late[:20]}")
            if not problems and not late:
                self.stdout.write("Every case is whole; every due timer has fired.")
        if problems or late:
            raise CommandError(f"{len(problems)} case(s) not whole, {len(late)} timer(s) late")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
