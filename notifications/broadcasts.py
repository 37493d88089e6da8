"""Publishing to channel groups after commit: the one helper for events and personal signals.

The apps say which groups an event goes to and what its payload is (workflows: the case's
area and every ancestor, its departments, the case, the people it concerns — see
`workflows.streams`); this module sends it once the transaction commits, and nothing if it
rolls back. The group message carries the socket frame already encoded (`text`): a street's
thousand followers each only write it out. `user.<id>` groups are every person's own.
"""

import asyncio
import json
import logging
import os
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

LayerCall = Callable[[], Coroutine[Any, Any, None]]  # a layer call, for whichever loop runs it


def event_frame(payload: dict[str, Any]) -> str:
    """The websocket text frame of one event, encoded once for every socket that gets it."""
    return json.dumps({"type": "event", "event": payload})


def event_message(payload: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message for one event: its id (for de-duplication) and its frame."""
    return {"type": "stream.event", "id": payload["id"], "text": event_frame(payload)}


def publish_on_commit(
    groups: list[str], payload: dict[str, Any], on_sent: Callable[[], None] | None = None
) -> None:
    """Send the event `payload` (with its `id`) to `groups` once the transaction commits;
    then call `on_sent` (the app records that it went out; not called if sending failed)."""

    def send() -> None:
        _send(groups, payload)
        if on_sent is not None:
            on_sent()

    transaction.on_commit(send, robust=True)


def publish_now(groups: list[str], payload: dict[str, Any]) -> None:
    """Send an event already committed (one sent late). Raises if the layer does not take it."""
    _send(groups, payload)


def _send(groups: list[str], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        _publish(layer, lambda: _send_all(layer, groups, event_message(payload)))


async def _send_all(layer: BaseChannelLayer, groups: list[str], message: dict[str, Any]) -> None:
    """One trip into the event loop per event, not one per group."""
    for group in groups:
        await layer.group_send(group, message)


def user_signal_on_commit(user_id: int, message: dict[str, Any]) -> None:
    """A message to one person's sockets (notification count, revocation), after commit."""
    users_signal_on_commit([user_id], message)


def users_signal_on_commit(user_ids: list[int], message: dict[str, Any]) -> None:
    """The same message to several people's sockets after commit, in one trip to the layer."""
    groups = [f"user.{pk}" for pk in user_ids]
    if not groups:
        return

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            _publish(layer, lambda: _send_all(layer, groups, message))

    transaction.on_commit(send, robust=True)


class _Publisher:
    """One long-lived event loop per process, on a daemon thread, for publishing to Redis.

    `async_to_sync` from a plain thread (the timer dispatcher, commands) makes a new loop per
    call, and the Redis layer a new connection per loop: a handshake and teardown per event
    before the first subscriber hears of it. Here the connection stays open; a worker's
    requests publish through it too, so a loop busy relaying to sockets does not delay them.
    """

    TIMEOUT = 30  # seconds; the Redis layer's own socket timeout
    loop: asyncio.AbstractEventLoop | None
    pid: int | None

    def __init__(self) -> None:
        self.lock, self.loop, self.pid = threading.Lock(), None, None

    def run(self, make_coroutine: LayerCall) -> None:
        with self.lock:
            if self.loop is None or self.pid != os.getpid():  # a forked child needs its own
                self.loop, self.pid = asyncio.new_event_loop(), os.getpid()
                threading.Thread(
                    target=self.loop.run_forever, name="gridcase-publisher", daemon=True
                ).start()
            loop = self.loop
        asyncio.run_coroutine_threadsafe(make_coroutine(), loop).result(self.TIMEOUT)


_publisher = _Publisher()


def _publish(layer: BaseChannelLayer, make_coroutine: LayerCall) -> None:
    """Run a layer call to completion from sync code: on the publisher loop for a networked
    layer; inline for the in-memory one, whose queues belong to the consumers' own loop."""
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(_awaited)(make_coroutine)
    else:
        _publisher.run(make_coroutine)


async def _awaited(make_coroutine: LayerCall) -> None:
    await make_coroutine()
