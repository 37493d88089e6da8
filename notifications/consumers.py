"""The live-event socket (/ws/events/): authenticate, authorise, join groups, replay, relay.

Thin by design: it never writes domain data; every database read goes through the sync
selectors (guardian has no async permission check). The protocol is in docs/events-protocol.md.
"""

import asyncio
import json
import time
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db.models import Q

from . import selectors

SEEN_IDS = 2000  # remembered event ids, to drop the copies that arrive through several groups


class EventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()  # accept first: a close code can only be sent on an open socket
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not user.is_active:
            await self.close(code=4403)
            return
        self.user = user
        self.streams: dict[str, tuple[str, Q]] = {}  # name -> (group, cases Q)
        self.seen: deque[int] = deque(maxlen=SEEN_IDS)
        self.last_pong = time.monotonic()
        await self.channel_layer.group_add(f"user.{user.pk}", self.channel_name)
        self.heartbeat = asyncio.create_task(self._heartbeat())

    async def disconnect(self, code) -> None:
        if hasattr(self, "heartbeat"):
            self.heartbeat.cancel()
        if hasattr(self, "user"):
            groups = {group for group, _ in self.streams.values()}
            groups.add(f"user.{self.user.pk}")
            for group in groups:
                await self.channel_layer.group_discard(group, self.channel_name)

    # --- client messages --------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self._error("invalid_json", "Send JSON text frames.")
            return
        if not isinstance(content, dict):
            await self._error("invalid", "Send a JSON object with a type.")
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type")
        streams = content.get("streams", [])
        if kind == "pong":
            self.last_pong = time.monotonic()
        elif kind in ("subscribe", "unsubscribe") and _is_list_of_str(streams):
            since = content.get("since")
            if since is not None and (not isinstance(since, int) or since < 0):
                await self._error("invalid", "since must be a non-negative event id.")
            elif kind == "subscribe":
                await self._subscribe(streams, since)
            else:
                await self._unsubscribe(streams)
        else:
            await self._error("invalid", "Unknown message type or malformed fields.")

    async def _subscribe(self, names: list[str], since: int | None) -> None:
        granted = []
        for name in dict.fromkeys(names):
            group, refusal, cases = await database_sync_to_async(selectors.stream_authorise)(
                self.user, name
            )
            if refusal:
                await self.send_json({"type": "refused", "stream": name, "code": refusal})
                continue
            await self.channel_layer.group_add(group, self.channel_name)  # before the replay
            self.streams[name] = (group, cases)
            granted.append(name)
        await self.send_json({"type": "subscribed", "streams": granted})
        if since is not None and granted:
            await self._replay([self.streams[n][1] for n in granted], since)

    async def _replay(self, queries: list[Q], since: int) -> None:
        cases = Q(pk__in=[])
        for query in queries:
            cases |= query
        missed = await database_sync_to_async(selectors.events_missed)(cases, since)
        if missed is None:
            await self.send_json({"type": "resync", "reason": "beyond_replay_window"})
            return
        for payload in missed:
            await self._deliver(payload)
        last = max([since, *(payload["id"] for payload in missed)])
        await self.send_json({"type": "replayed", "last_id": last})

    async def _unsubscribe(self, names: list[str]) -> None:
        for name in names:
            group, _ = self.streams.pop(name, (None, None))
            if group and group != f"user.{self.user.pk}":
                await self.channel_layer.group_discard(group, self.channel_name)

    # --- group messages ---------------------------------------------------------------------

    async def case_event(self, message) -> None:
        await self._deliver(message["event"])

    async def notifications_changed(self, message) -> None:
        unread = await database_sync_to_async(selectors.unread_count)(self.user)
        await self.send_json({"type": "notifications", "unread": unread})

    async def access_changed(self, message) -> None:
        """Memberships or the account changed: keep only the streams still allowed."""
        user = await database_sync_to_async(_user_reload)(self.user.pk)
        if user is None or not user.is_active:
            await self.close(code=4403)
            return
        self.user, lost = user, []
        for name in list(self.streams):
            group, refusal, _ = await database_sync_to_async(selectors.stream_authorise)(user, name)
            if refusal:
                lost.append(name)
        if lost:
            await self._unsubscribe(lost)
            await self.send_json({"type": "revoked", "streams": lost})

    # --- helpers ----------------------------------------------------------------------------

    async def _deliver(self, payload: dict) -> None:
        if payload["id"] in self.seen:
            return
        self.seen.append(payload["id"])
        await self.send_json({"type": "event", "event": payload})

    async def _error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def _heartbeat(self) -> None:
        interval = getattr(settings, "GRIDCASE_WS_PING_SECONDS", 20)
        while True:
            await asyncio.sleep(interval)
            if time.monotonic() - self.last_pong > 3 * interval:
                await self.close(code=4408)
                return
            await self.send_json({"type": "ping"})


def _is_list_of_str(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _user_reload(pk: int):
    from grids.models import User

    return User.objects.filter(pk=pk).first()
