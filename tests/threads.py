"""Races in tests: real threads, each with its own database connection, started together."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, released together by a barrier; what each returned,
    or the exception it raised (the tests assert on every outcome), in the calls' order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as exc:  # recorded, not raised: a thread's exception would be lost
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
