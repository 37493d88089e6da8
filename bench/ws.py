"""Websocket clients for the benchmarks: GridCase's /ws/events/ protocol, pong, event log."""

from __future__ import annotations

import asyncio
import json
import time

from websockets.asyncio.client import ClientConnection, connect


class EventsClient:
    """One browser-like client: a session cookie, an allowed Origin, subscriptions, a log."""

    def __init__(self, url: str, session: str, origin: str):
        self.url, self.session, self.origin = url, session, origin
        self.ws: ClientConnection | None = None
        self.received: list[tuple[int, float]] = []  # (event id, time.time() on arrival)
        self.arrivals: dict[int, float] = {}  # event id -> first arrival
        self.replayed = asyncio.Event()
        self.subscribed = asyncio.Event()
        self.reader: asyncio.Task | None = None

    async def open(self, streams: list[str] | None = None, since: int | None = None) -> None:
        headers = {"Cookie": f"sessionid={self.session}", "Origin": self.origin}
        self.ws = await connect(
            self.url, additional_headers=headers, open_timeout=60, ping_interval=None
        )
        self.subscribed.clear()
        self.replayed.clear()
        self.reader = asyncio.create_task(self._read())
        if streams:
            message = {"type": "subscribe", "streams": streams}
            if since is not None:
                message["since"] = since
            await self.ws.send(json.dumps(message))

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                now = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "event":
                    event_id = message["event"]["id"]
                    self.received.append((event_id, now))
                    self.arrivals.setdefault(event_id, now)
                elif kind == "ping":
                    await self.ws.send('{"type": "pong"}')
                elif kind == "subscribed":
                    self.subscribed.set()
                elif kind == "replayed":
                    self.replayed.set()
        except Exception:  # a dropped socket ends the reader; counted by callers
            return

    @property
    def last_id(self) -> int:
        return max((event_id for event_id, _ in self.received), default=0)

    @property
    def open_now(self) -> bool:
        return self.ws is not None and self.ws.state.name == "OPEN"

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)


async def open_all(
    clients: list[EventsClient], streams=None, since=None, parallel: int = 100
) -> None:
    """Connect (and subscribe) every client, `parallel` handshakes at a time."""
    gate = asyncio.Semaphore(parallel)

    async def one(client: EventsClient) -> None:
        async with gate:
            await client.open(streams, since)

    await asyncio.gather(*(one(c) for c in clients))
    if streams:
        await asyncio.wait_for(asyncio.gather(*(c.subscribed.wait() for c in clients)), timeout=120)


async def close_all(clients: list[EventsClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
