"""The live-event socket (/ws/events/): authenticate, authorise, join groups, replay, relay.

Thin by design: it never writes domain data; every database read goes through the sync
selectors (guardian has no async permission check). The protocol is in docs/events-protocol.md.

Authorisation happens per stream, at subscribe time and again whenever the person's access
changes (`access_changed`): a group carries only the events of the cases its stream shows, so
relaying an event is a de-duplication and one `send` of the frame the broadcaster encoded.
"""

import asyncio
import json
import math
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ParamSpec, TypeGuard, TypeVar, cast

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import connections

from gridcase import limits
from gridcase.inputs import strict_int

from . import layerwatch, replays, selectors
from .broadcasts import event_frame
from .streams import events_missed, stream_authorise

if TYPE_CHECKING:
    from grids.models import User

SEEN_IDS = 2000  # remembered event ids, to drop the copies that arrive through several groups
MISSED_PINGS = 2  # pings in a row without a pong before the socket is closed (4408)
PING = json.dumps({"type": "ping"})
MAX_FRAME_BYTES = 64 * 1024  # far more than the stream cap's worth of names
READERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="events-read")  # see db_read
_P = ParamSpec("_P")
_R = TypeVar("_R")


class EventsConsumer(AsyncJsonWebsocketConsumer):
    user: "User"

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Run the handler without channels' per-message `close_old_connections` thread hop.

        Channels sends every message through the one sync thread first, so a street's event
        fanned out to 1,000 sockets queued 1,000 hops there. Every database read in this
        consumer runs in `database_sync_to_async` (`db_read`), which closes stale connections
        itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        await self.accept()  # accept first: a close code can only be sent on an open socket
        user = self.scope.get("user")
        wait = await db_read(_connect_wait)(self.scope, user)
        if wait:
            await self.send_json(
                {"type": "error", "code": "rate_limited", "retry_after": math.ceil(wait)}
            )
            await self.close(code=4429)
            return
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not user.is_active:
            await self.close(code=4403)
            return
        # Signed in: an instance of AUTH_USER_MODEL (channels' stubs only know AbstractBaseUser).
        self.user = cast("User", user)
        self.streams: dict[str, tuple[str, Any]] = {}  # name -> (group, the app's selection)
        self.seen: set[int] = set()
        self.seen_order: deque[int] = deque()  # the same ids, oldest first, to forget them
        self.unanswered_pings = 0
        await self.channel_layer.group_add(f"user.{user.pk}", self.channel_name)
        self.heartbeat = asyncio.create_task(self._heartbeat())
        layerwatch.watch(id(self), self._layer_lost)

    async def disconnect(self, code: int) -> None:
        layerwatch.unwatch(id(self))
        if hasattr(self, "heartbeat"):
            self.heartbeat.cancel()
        if hasattr(self, "user"):
            groups = {group for group, _ in self.streams.values()}
            groups.add(f"user.{self.user.pk}")
            for group in groups:
                await self.channel_layer.group_discard(group, self.channel_name)

    # --- client messages --------------------------------------------------------------------

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        text = text_data or ""
        try:
            content = limits.json_loads(text, max_bytes=MAX_FRAME_BYTES)
        except limits.JSONRefused as exc:
            if exc.code == "invalid_json":
                await self._error("invalid_json", "Send JSON text frames.")
                return
            await self._error(exc.code, str(exc))  # then close: 1009 too big, 1007 too deep
            await self.close(code=1009 if exc.code == "too_large" else 1007)
            return
        if not isinstance(content, dict):
            await self._error("invalid", "Send a JSON object with a type.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        streams = content.get("streams", [])
        if kind == "pong":
            self.unanswered_pings = 0
        elif kind in ("subscribe", "unsubscribe") and _is_list_of_str(streams):
            raw = content.get("since")
            since = strict_int(raw) if isinstance(raw, int) else None  # a JSON number only
            if raw is not None and since is None:
                await self._error("invalid", "since must be a non-negative event id.")
            elif kind == "subscribe":
                await self._subscribe(streams, since)
            else:
                await self._unsubscribe(streams)
        else:
            await self._error("invalid", "Unknown message type or malformed fields.")

    async def _subscribe(self, names: list[str], since: int | None) -> None:
        """Authorise each new stream, up to GRIDCASE_WS_MAX_STREAMS on this socket: the rest
        are refused in one answer, without a lookup each."""
        cap = getattr(settings, "GRIDCASE_WS_MAX_STREAMS", 50)
        wanted = list(dict.fromkeys(names))
        fresh = [name for name in wanted if name not in self.streams]
        over = set(fresh[max(cap - len(self.streams), 0) :])
        if over:
            capped = {"type": "refused", "code": "too_many_streams", "limit": cap}
            await self.send_json({**capped, "streams": [n for n in fresh if n in over]})
        granted: list[str] = []
        for name in (name for name in wanted if name not in over):
            group, refusal, selection = await db_read(stream_authorise)(self.user, name)
            if refusal:
                await self.send_json({"type": "refused", "stream": name, "code": refusal})
                continue
            assert group is not None  # not refused: stream_authorise gave its group
            await self.channel_layer.group_add(group, self.channel_name)  # before the replay
            self.streams[name] = (group, selection)
            granted.append(name)
        await self.send_json({"type": "subscribed", "streams": granted})
        if since is not None and granted:
            joined = replays.ticket()  # the groups are joined: a load started now misses nothing
            await self._replay([self.streams[n] for n in granted], since, joined)

    async def _replay(self, streams: list[tuple[str, Any]], since: int, joined: int) -> None:
        """Send what the client missed; sockets with the same streams and `since` share it."""
        selections = [selection for _, selection in streams]
        key = (frozenset(group for group, _ in streams), since)  # a group names its selection
        frames = await replays.replay_shared(key, joined, lambda: _frames_missed(selections, since))
        if frames is None:
            await self.send_json({"type": "resync", "reason": "beyond_replay_window"})
            return
        for event_id, text in frames:
            await self._deliver(event_id, text)
        last = max([since, *(event_id for event_id, _ in frames)])
        await self.send_json({"type": "replayed", "last_id": last})

    async def _unsubscribe(self, names: list[str]) -> None:
        for name in names:
            group, _ = self.streams.pop(name, (None, None))
            if group and group != f"user.{self.user.pk}":
                await self.channel_layer.group_discard(group, self.channel_name)

    # --- group messages ---------------------------------------------------------------------

    async def stream_event(self, message: dict[str, Any]) -> None:
        await self._deliver(message["id"], message["text"])

    async def notifications_changed(self, message: dict[str, Any]) -> None:
        unread = await db_read(selectors.unread_count)(self.user)
        await self.send_json({"type": "notifications", "unread": unread})

    async def access_changed(self, message: dict[str, Any]) -> None:
        """Memberships or the account changed: keep only the streams still allowed."""
        user = await db_read(_user_reload)(self.user.pk)
        if user is None or not user.is_active:
            await self.close(code=4403)
            return
        self.user, lost = user, []
        for name in list(self.streams):
            group, refusal, _ = await db_read(stream_authorise)(user, name)
            if refusal:
                lost.append(name)
        if lost:
            await self._unsubscribe(lost)
            await self.send_json({"type": "revoked", "streams": lost})

    # --- helpers ----------------------------------------------------------------------------

    async def _deliver(self, event_id: int, text: str) -> None:
        """Send one event frame unless this socket already had that id."""
        if event_id in self.seen:
            return
        self.seen.add(event_id)
        self.seen_order.append(event_id)
        if len(self.seen_order) > SEEN_IDS:
            self.seen.discard(self.seen_order.popleft())
        await self.send(text_data=text)

    async def _layer_lost(self) -> None:
        """The channel layer may have dropped events meant for this socket (Redis was away or
        restarted): close it so that the client comes back with `since` and gets them."""
        await self.close(code=layerwatch.CLOSE_CODE)

    async def _error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def _heartbeat(self) -> None:
        """Ping every interval; close (4408) once MISSED_PINGS pings in a row went unanswered.

        Counting pings, not elapsed time, means a client is always pinged before it is
        closed, however late a busy event loop wakes this task.
        """
        interval = getattr(settings, "GRIDCASE_WS_PING_SECONDS", 20)
        while True:
            await asyncio.sleep(interval)
            if self.unanswered_pings >= MISSED_PINGS:
                await self.close(code=4408)
                return
            self.unanswered_pings += 1
            await self.send(text_data=PING)


def db_read(func: Callable[_P, _R]) -> Callable[_P, Coroutine[Any, Any, _R]]:
    """`func`, a read-only selector, as a coroutine on the reader threads, not the sync thread.

    These reads hold no transaction and no thread-bound state, so they need not queue behind
    each other: a thousand sockets subscribing at once authorise side by side instead of one
    by one. The threads are few and live as long as the process; each hands its connection
    back (to PostgreSQL's pool) after every call, so the reads hold at most four.
    """

    def read(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()  # back to the pool now, not when the thread next runs

    return database_sync_to_async(read, thread_sensitive=False, executor=READERS)


def _is_list_of_str(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


async def _frames_missed(selections: list[Any], since: int) -> replays.Frames:
    """The missed events as (id, text frame), encoded once for every socket sharing them."""
    missed = await db_read(events_missed)(selections, since)
    if missed is None:
        return None
    return [(payload["id"], event_frame(payload)) for payload in missed]


def _user_reload(pk: int) -> "User | None":
    from grids.models import User

    return User.objects.filter(pk=pk).first()


def _connect_wait(scope: Any, user: Any) -> float | None:
    """Seconds before this connection may be tried again, else None. A connection without a
    valid session is a failed sign-in of its address; a signed-in account may connect
    `ws_connect` times per window (a client reconnecting in a loop)."""
    address = limits.scope_address(scope)
    if user is None or not user.is_authenticated:
        wait = limits.auth_wait(address)
        if not wait:
            limits.auth_failed(address)
        return wait
    return limits.hit("ws_connect", f"user:{user.pk}")
