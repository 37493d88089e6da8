"""Background work done by the timer dispatcher (`manage.py run_timers`) between its sweeps.

Apps register a function at `ready()`; each sweep calls every one. A function does a bounded
slice of work (a few seconds at most: the case timers wait for it) and answers whether more
is waiting, so the dispatcher sweeps again at once instead of sleeping. Its state is in the
database, so the work survives a restart and resumes where it stopped.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Work = Callable[[], bool]  # does a slice of work; True when more is waiting

_works: dict[str, Work] = {}


def periodic_register(name: str, work: Work) -> None:
    _works[name] = work


def periodic_run() -> bool:
    """Run every registered slice once; True when any has more waiting. One failing slice
    is logged and does not stop the others (nor the timers)."""
    more = False
    for name, work in list(_works.items()):
        try:
            more = work() or more
        except Exception:
            logger.exception("periodic work %s failed", name)
    return more
