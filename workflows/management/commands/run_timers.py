"""manage.py run_timers: the timer dispatcher (overdue marks, unclaimed-whistle escalation,
suspended cases resumed at their date).

Between sweeps it also runs the apps' registered background work (`gridcase.periodic`: the
hotline imports), one bounded slice each; while any has more waiting it does not sleep.

Timers are viewflow task rows with a due time, so they survive restarts; this loop fires the
due ones, and resumes the suspended cases whose `resume_at` has come (also rows). Run exactly
one dispatcher per database (several are safe, but pointless).
"""

import logging
import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections
from viewflow.workflow.timers import fire_due_timers

from gridcase.periodic import periodic_run
from workflows.services import cases_resume_due

logger = logging.getLogger(__name__)
OUTAGE_PAUSE = 1.0  # seconds between tries while the database is away


class Command(BaseCommand):
    help = "Fire due case timers every few seconds (or once with --once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between sweeps")
        parser.add_argument("--once", action="store_true", help="sweep once and exit")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not once:
            self.stdout.write(f"Timer dispatcher: sweeping every {interval:g} s.")
        while True:
            try:
                fired = fire_due_timers() + cases_resume_due()
            except DatabaseError:
                # The database went away (restarted, failed over): every timer is a row and
                # each fires in its own transaction, so nothing fired half; sweep again once
                # it answers. `--once` reports the failure.
                if once:
                    raise
                logger.warning("timer sweep failed; the database is away?", exc_info=True)
                connections.close_all()
                time.sleep(OUTAGE_PAUSE)
                continue
            if fired or once:
                self.stdout.write(f"{fired} timer(s) fired.")
            busy = periodic_run()
            if stopping or (once and not busy):
                return
            if busy:  # more background work waits: sweep again at once
                continue
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            close_old_connections()  # a long-running loop must not keep a dead connection
