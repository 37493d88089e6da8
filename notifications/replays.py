"""Replays shared by the sockets of one worker: one load for the same streams and `since`.

After a network blip a street's thousand followers come back at once with the same `since`.
Run per socket, each replay is the same few queries and the same JSON encoding, a thousand
times over, queued on the worker's database threads. Here the sockets asking for the same
groups and `since` at the same time share one load and its encoded frames.

A socket may only share a load that started after it had joined its groups: an event
committed before that load began is in its result; one committed later reaches the socket live
through the groups. `ticket()` orders the two within the process (the event loop runs one
coroutine at a time, so a plain counter is exact where a clock might tie).
"""

from __future__ import annotations

import asyncio
import itertools
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

Frames = list[tuple[int, str]] | None  # (event id, text frame), oldest first; None: resync
Key = tuple[frozenset[str], int]  # (the sockets' groups, since)
KEEP_SECONDS = 2.0  # a finished load still serves sockets that joined before it started

_tickets = itertools.count()
_loads: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Key, _Load]] = (
    weakref.WeakKeyDictionary()
)


@dataclass
class _Load:
    ticket: int
    task: asyncio.Task[Frames]


def ticket() -> int:
    """A position in this process's order of replays; take one once the groups are joined."""
    return next(_tickets)


async def replay_shared(
    key: Key, joined: int, load: Callable[[], Coroutine[Any, Any, Frames]]
) -> Frames:
    """The frames for `key`, from a load started after `joined` (running or just finished).

    `load` runs at most once per such batch; a socket leaving does not cancel it for the rest.
    """
    loop = asyncio.get_running_loop()
    loads = _loads.setdefault(loop, {})
    entry = loads.get(key)
    if entry is None or entry.ticket < joined:
        entry = _Load(ticket(), loop.create_task(load()))
        loads[key] = entry
        entry.task.add_done_callback(lambda task: _forget_later(loop, loads, key, entry))
    return await asyncio.shield(entry.task)


def _forget_later(
    loop: asyncio.AbstractEventLoop, loads: dict[Key, _Load], key: Key, entry: _Load
) -> None:
    def forget() -> None:
        if loads.get(key) is entry:
            del loads[key]

    if entry.task.cancelled() or entry.task.exception() is not None:
        forget()  # a failed load is not shared with later sockets
    else:
        loop.call_later(KEEP_SECONDS, forget)
