"""`manage.py counters_rebuild`: recompute the board counters from the cases (idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from workflows.boards.rebuild import counters_rebuild


class Command(BaseCommand):
    help = "Recompute every board counter from the cases and rating events (set-based)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        written = counters_rebuild()
        rows = ", ".join(f"{table} {n:,}" for table, n in written.items())
        self.stdout.write(f"counters rebuilt in {time.monotonic() - started:.1f} s: {rows} rows")
