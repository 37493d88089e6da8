"""Shared replays: one load per batch of sockets that joined their groups before it started."""

import asyncio

import pytest

from notifications import replays


class Loads:
    """A replay load that counts its runs and finishes when the test says so."""

    def __init__(self, result=None, error: Exception | None = None):
        self.runs, self.release = 0, asyncio.Event()
        self.result = result if result is not None else [(1, '{"type": "event"}')]
        self.error = error

    async def __call__(self):
        self.runs += 1
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return self.result


async def test_sockets_that_joined_before_a_load_started_share_it():
    load = Loads()
    joined = [replays.ticket() for _ in range(3)]
    waiting = [asyncio.create_task(replays.replay_shared(("a", 1), t, load)) for t in joined]
    await asyncio.sleep(0)
    load.release.set()
    assert await asyncio.gather(*waiting) == [load.result] * 3
    assert load.runs == 1


async def test_a_socket_that_joined_after_the_load_started_gets_a_new_load():
    first, second = Loads(), Loads(result=[(2, "later")])
    early = asyncio.create_task(replays.replay_shared(("b", 1), replays.ticket(), first))
    await asyncio.sleep(0)  # the first load has started
    late = asyncio.create_task(replays.replay_shared(("b", 1), replays.ticket(), second))
    await asyncio.sleep(0)
    first.release.set()
    second.release.set()
    assert await early == first.result and await late == [(2, "later")]
    assert (first.runs, second.runs) == (1, 1)


async def test_different_streams_or_since_never_share():
    loads = [Loads(result=[(n, str(n))]) for n in range(3)]
    joined = replays.ticket()
    keys = [(frozenset({"area.1"}), 5), (frozenset({"area.2"}), 5), (frozenset({"area.1"}), 6)]
    waiting = [
        asyncio.create_task(replays.replay_shared(key, joined, load))
        for key, load in zip(keys, loads, strict=True)
    ]
    await asyncio.sleep(0)
    for load in loads:
        load.release.set()
    assert await asyncio.gather(*waiting) == [[(0, "0")], [(1, "1")], [(2, "2")]]


async def test_a_leaving_socket_does_not_cancel_the_load_for_the_others():
    load = Loads()
    joined = replays.ticket()
    leaving = asyncio.create_task(replays.replay_shared(("c", 1), joined, load))
    staying = asyncio.create_task(replays.replay_shared(("c", 1), joined, load))
    await asyncio.sleep(0)
    leaving.cancel()
    load.release.set()
    assert await staying == load.result and load.runs == 1


async def test_a_failed_load_is_not_handed_to_later_sockets():
    failing, working = Loads(error=RuntimeError("database gone")), Loads()
    failing.release.set()
    with pytest.raises(RuntimeError):
        await replays.replay_shared(("d", 1), replays.ticket(), failing)
    joined_before = 0  # even a socket that joined long ago gets a fresh load
    working.release.set()
    assert await replays.replay_shared(("d", 1), joined_before, working) == working.result
