"""notifications.layerwatch: a worker notices that Redis went away or restarted and closes its
sockets once the layer works again (so clients replay what the layer dropped meanwhile)."""

import asyncio
import contextlib
import os

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.test import override_settings

from notifications import layerwatch
from tests.services import ServiceUnavailable, redis_instance

pytestmark = pytest.mark.slow  # a Redis server, restarted


@contextlib.contextmanager
def redis_or_skip():
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(redis_instance())
        except ServiceUnavailable as error:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"Redis unavailable on CI: {error}")
            pytest.skip(f"Redis unavailable: {error}")
        yield server


async def _watched(server, restart: bool) -> int:
    layer = RedisPubSubChannelLayer(hosts=[server.url])
    closed = asyncio.Event()
    calls = []

    async def on_lost() -> None:
        calls.append(1)
        closed.set()

    watch = layerwatch._Watch(layer)
    watch.sockets[1] = on_lost
    try:
        await asyncio.sleep(3 * layerwatch.INTERVAL)  # a few healthy rounds: nothing happens
        assert calls == []
        if restart:
            await asyncio.to_thread(server.restart)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), timeout=20 if restart else 4)
        return len(calls)
    finally:
        watch.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch.task
        await layer.flush()


def test_a_restarted_redis_closes_the_sockets_once_it_answers_again():
    with redis_or_skip() as server, override_settings(REDIS_URL=server.url):
        assert asyncio.run(_watched(server, restart=True)) == 1


def test_a_healthy_layer_closes_nothing():
    with redis_or_skip() as server, override_settings(REDIS_URL=server.url):
        assert asyncio.run(_watched(server, restart=False)) == 0
