"""Noticing that the channel layer may have dropped messages: Redis restarted or went away.

Channel layers deliver at most once. While a worker's connection to Redis is down, what other
workers publish never reaches its sockets, and nothing tells them: the pub/sub connection
comes back and resubscribes by itself, and the sockets carry on, missing those events until
they happen to reconnect. So one watch per worker process (per event loop) checks the layer
every second — a message sent to itself through the layer, and the Redis server's `run_id`
(a restarted Redis is a new one, empty). When a round trip fails, or the server is not the
one it was, every socket the worker holds is closed with 1012 (service restart) once the
layer works again: clients reconnect with `since` and the replay brings what was dropped.

Only for networked layers; the in-memory layer cannot lose a message to an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

INTERVAL = 1.0  # seconds between checks
TIMEOUT = 5.0  # a message to itself not back by then: the layer is not delivering
CLOSE_CODE = 1012  # RFC 6455 "service restart": reconnect (with `since`)

OnLost = Callable[[], Awaitable[None]]
_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watch] = weakref.WeakKeyDictionary()


class _Watch:
    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.sockets: dict[int, OnLost] = {}
        self.received = 0  # the highest sequence number back from the layer
        self.redis: Any = None  # a plain client for the server's identity
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        channel = await _retrying(lambda: self.layer.new_channel("layerwatch."))
        receiver = asyncio.get_running_loop().create_task(self._receive(channel))
        sent, server, lost = 0, None, False
        try:
            while True:
                await asyncio.sleep(INTERVAL)
                sent += 1
                now = await self._server_id()
                delivered = await self._round_trip(channel, sent)
                changed = server is not None and now is not None and now != server
                server = now or server
                if not delivered or changed:
                    if not lost:
                        logger.warning("channel layer lost (Redis away or restarted)")
                    lost = True
                if lost and delivered and now is not None:
                    lost = False
                    await self._close_sockets()
        finally:
            receiver.cancel()

    async def _round_trip(self, channel: str, number: int) -> bool:
        try:
            await asyncio.wait_for(
                self.layer.send(channel, {"type": "watch", "n": number}), TIMEOUT
            )
        except Exception:  # ConnectionError, TimeoutError: Redis away
            return False
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while self.received < number:
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    async def _receive(self, channel: str) -> None:
        """Never cancelled while the watch lives (a cancelled receive unsubscribes)."""
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:
                await asyncio.sleep(INTERVAL)
                continue
            self.received = max(self.received, int(message.get("n", 0)))

    async def _server_id(self) -> str | None:
        """The Redis server's run_id (new at every start), or None if it does not answer."""
        url = getattr(settings, "REDIS_URL", "")
        if not url:
            return None
        if self.redis is None:
            from redis import asyncio as aioredis

            self.redis = aioredis.from_url(
                url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
            )
        try:
            info = await self.redis.info("server")
            return str(info.get("run_id")) or None
        except Exception:  # away; the client connects again by itself next time
            return None

    async def _close_sockets(self) -> None:
        sockets = list(self.sockets.values())
        logger.warning("channel layer back: closing %d socket(s) to replay", len(sockets))
        for on_lost in sockets:
            with contextlib.suppress(Exception):
                await on_lost()


async def _retrying(make: Callable[[], Awaitable[str]]) -> str:
    while True:
        try:
            return await make()
        except Exception:
            await asyncio.sleep(INTERVAL)


def watch(key: int, on_lost: OnLost) -> None:
    """Call `on_lost` (close the socket) when this worker's layer may have dropped messages."""
    layer = get_channel_layer()
    if layer is None or isinstance(layer, InMemoryChannelLayer):
        return
    loop = asyncio.get_running_loop()
    current = _watches.get(loop)
    if current is None or current.task.done():
        current = _watches[loop] = _Watch(layer)
    current.sockets[key] = on_lost


def unwatch(key: int) -> None:
    with contextlib.suppress(RuntimeError):
        current = _watches.get(asyncio.get_running_loop())
        if current is not None:
            current.sockets.pop(key, None)
