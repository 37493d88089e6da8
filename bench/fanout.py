"""Benchmark 5: fan-out. 1,000 websocket clients follow one street; one transition at a time.

Latency is commit → arrival: the driving thread stamps the commit (an on-commit callback
registered before the service's broadcast), each client stamps the arrival, same clock. The
baseline is a bare `websockets` server broadcasting one message to the same 1,000 clients.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

from gridcase.localservices import free_port

from .common import Context, Row, ms, percentile, session_cookies
from .drive import Driver
from .ws import EventsClient, close_all, open_all

CLIENTS = 1000
TRANSITIONS = 20
STREET, OFFICIAL = "D01", "d01_zhihui"
DELIVERY_TIMEOUT = 5.0


async def _arrivals(clients: list[EventsClient], event_id: int) -> list[float | None]:
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while time.monotonic() < deadline:
        if all(event_id in c.arrivals for c in clients):
            break
        await asyncio.sleep(0.005)
    return [c.arrivals.get(event_id) for c in clients]


async def _gridcase(ctx: Context, sessions: list[str]) -> tuple[list[float], int]:
    clients = [EventsClient(ctx.ws_url, s, ctx.base_url) for s in sessions]
    driver, loop = Driver(STREET), asyncio.get_running_loop()
    latencies, missing = [], 0
    try:
        await open_all(clients, [f"area:{STREET}"])
        for _ in range(TRANSITIONS):
            event_id, committed = await loop.run_in_executor(
                driver.executor, driver.report_and_accept
            )
            for arrival in await _arrivals(clients, event_id):
                if arrival is None:
                    missing += 1
                else:
                    latencies.append(arrival - committed)
            await asyncio.sleep(0.2)
    finally:
        await close_all(clients)
        await loop.run_in_executor(None, driver.close)
    return latencies, missing


async def _bare() -> tuple[list[float], int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.bare_server", str(port)], stdout=subprocess.PIPE, text=True
    )
    url = f"ws://127.0.0.1:{port}/"
    clients = [EventsClient(url, "-", "http://127.0.0.1") for _ in range(CLIENTS)]
    control = EventsClient(url + "control", "-", "http://127.0.0.1")
    latencies, missing = [], 0
    try:
        server.stdout.readline()  # "ready"
        await open_all(clients)
        await control.open()
        for n in range(1, TRANSITIONS + 1):
            sent = time.time()
            await control.ws.send(json.dumps({"type": "event", "event": {"id": n, "at": sent}}))
            for arrival in await _arrivals(clients, n):
                if arrival is None:
                    missing += 1
                else:
                    latencies.append(arrival - sent)
            await asyncio.sleep(0.2)
    finally:
        await close_all([*clients, control])
        server.terminate()
        server.wait(timeout=10)
    return latencies, missing


def run(ctx: Context) -> list[Row]:
    ours, lost = asyncio.run(_gridcase(ctx, session_cookies(OFFICIAL, CLIENTS)))
    bare, bare_lost = asyncio.run(_bare())
    name = f"5 fan-out ({CLIENTS} clients, {TRANSITIONS} transitions)"
    p95, p99, bare_p95 = percentile(ours, 95), percentile(ours, 99), percentile(bare, 95)
    return [
        Row(name, "p50 commit→receive", ms(percentile(ours, 50))),
        Row(name, "p95 commit→receive", ms(p95), "≤ 100 ms", p95 <= 0.100),
        Row(name, "p99 commit→receive", ms(p99), "≤ 250 ms", p99 <= 0.250),
        Row(name, "not delivered within 5 s", str(lost), "0", lost == 0),
        Row(
            name,
            "bare websockets p50 / p95 / p99",
            " / ".join(ms(percentile(bare, p)) for p in (50, 95, 99))
            + (f" ({bare_lost} lost)" if bare_lost else ""),
        ),  # fmt: skip
        Row(name, "p95 ratio GridCase / bare", f"{p95 / bare_p95:.1f}×" if bare_p95 else "n/a"),
    ]
