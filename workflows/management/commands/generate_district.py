"""manage.py generate_district [--cases N]: a 10-street district and N cases, in bulk."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fixtures.district import COMMUNITIES_PER_STREET, GRIDS_PER_COMMUNITY, STREETS, district_load
from fixtures.district_cases import GenerationError, cases_generate


class Command(BaseCommand):
    help = (
        "Load a generated district (10 streets, 40 communities, 400 grids, 20 departments, "
        "people in every role; password gridcase-demo) and add N cases with their events and "
        "open tasks, written in bulk (COPY on PostgreSQL). For load tests and benchmarks."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cases", type=int, default=10000, help="cases to add (10000)")
        parser.add_argument("--days", type=int, default=365, help="spread over (365 days)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
        parser.add_argument("--batch", type=int, default=20000, help="cases per write (20000)")
        parser.add_argument("--streets", type=int, default=STREETS)
        parser.add_argument("--communities", type=int, default=COMMUNITIES_PER_STREET)
        parser.add_argument("--grids", type=int, default=GRIDS_PER_COMMUNITY)
        parser.add_argument(
            "--skip-district", action="store_true", help="use the district already loaded"
        )

    def handle(
        self, *args: Any, cases: int, days: int, seed: int, batch: int, **options: Any
    ) -> None:
        if cases < 0 or days < 1 or batch < 1:
            raise CommandError("--cases must be >= 0, --days and --batch >= 1.")
        if not options["skip_district"]:
            started = time.monotonic()
            size = {k: options[k] for k in ("streets", "communities", "grids")}
            try:
                result = district_load(seed, **size)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"district: {result.areas} areas, {result.departments} departments, "
                f"{result.users} people in {time.monotonic() - started:.0f} s"
            )
        if not cases:
            return
        started = time.monotonic()
        try:
            counts = cases_generate(cases, seed=seed, days=days, batch_size=batch)
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        for status, number in sorted(counts.items()):
            self.stdout.write(f"  {status:<10} {number:>9}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{cases} cases in {elapsed:.1f} s ({cases / max(elapsed, 1e-6):,.0f} cases/s)"
            )
        )
