"""Benchmark 7: reconnect storm. 1,000 clients drop, miss events, and come back at once.

Each client follows one street and remembers the last id it saw. While all are away, real
transitions happen in that street. Then all reconnect at the same moment with `since`; each
must receive every missed event (no gap), none of the new events twice (no duplicate), within
10 s. Events re-sent from the documented 30 s overlap before `since` are counted apart (the
protocol has clients drop those by id).
"""

from __future__ import annotations

import asyncio
import time

from .common import Context, Row, session_cookies
from .drive import Driver
from .fanout import OFFICIAL, STREET
from .ws import EventsClient, close_all, open_all

CLIENTS = 1000
MISSED_TRANSITIONS = 20  # each makes two events (reported, accepted)
CATCH_UP_LIMIT = 10.0
WAIT_AT_MOST = 60.0  # keep waiting past the limit, to report how late they are


def _expected(since: int) -> list[int]:
    from grids.models import Area
    from workflows.models import CaseEvent

    street = Area.objects.get(code=STREET)
    events = CaseEvent.objects.filter(pk__gt=since, case__area_path__startswith=street.path)
    return sorted(events.values_list("pk", flat=True))


async def _storm(ctx: Context, sessions: list[str]) -> dict:
    clients = [EventsClient(ctx.ws_url, s, ctx.base_url) for s in sessions]
    driver, loop = Driver(STREET, seed=7), asyncio.get_running_loop()
    try:
        await open_all(clients, [f"area:{STREET}"])
        seen_id, _ = await loop.run_in_executor(driver.executor, driver.report_and_accept)
        deadline = time.monotonic() + 10
        while not all(seen_id in c.arrivals for c in clients) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await close_all(clients)
        since = {id(c): c.last_id for c in clients}
        for _ in range(MISSED_TRANSITIONS):
            await loop.run_in_executor(driver.executor, driver.report_and_accept)
        expected = await loop.run_in_executor(driver.executor, _expected, min(since.values()))
        before = {id(c): len(c.received) for c in clients}
        started = time.monotonic()
        await asyncio.gather(*(c.open([f"area:{STREET}"], since[id(c)]) for c in clients))
        caught_up = None
        while time.monotonic() - started < WAIT_AT_MOST:
            if all(set(expected) <= c.arrivals.keys() and c.replayed.is_set() for c in clients):
                caught_up = time.monotonic() - started
                break
            await asyncio.sleep(0.01)
        return _tally(clients, since, before, expected, caught_up)
    finally:
        await close_all(clients)
        await loop.run_in_executor(None, driver.close)


def _tally(clients, since, before, expected, caught_up) -> dict:
    gaps = duplicates = resent = 0
    for c in clients:
        after = [event_id for event_id, _ in c.received[before[id(c)] :]]
        new = [event_id for event_id in after if event_id > since[id(c)]]
        gaps += len(set(expected) - set(new))
        duplicates += len(new) - len(set(new))
        resent += len(after) - len(new)
    return {
        "gaps": gaps, "duplicates": duplicates, "resent": resent, "caught_up": caught_up,
        "expected": len(expected),
    }  # fmt: skip


def run(ctx: Context) -> list[Row]:
    result = asyncio.run(_storm(ctx, session_cookies(OFFICIAL, CLIENTS)))
    name = f"7 reconnect storm ({CLIENTS} clients, {result['expected']} missed events each)"
    caught_up = result["caught_up"]
    return [
        Row(
            name,
            "all caught up after",
            f"{caught_up:.2f} s" if caught_up else f"not within {WAIT_AT_MOST:.0f} s",
            "≤ 10 s",
            caught_up is not None and caught_up <= CATCH_UP_LIMIT,
        ),  # fmt: skip
        Row(
            name, "gaps (never received by then)", str(result["gaps"]), "0", result["gaps"] == 0
        ),  # fmt: skip
        Row(
            name,
            "duplicates (new events received twice)",
            str(result["duplicates"]),
            "0",
            result["duplicates"] == 0,
        ),  # fmt: skip
        Row(name, "re-sent from the 30 s overlap (dropped by id)", str(result["resent"])),
    ]
