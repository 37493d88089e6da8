"""Benchmark 6: idle connections. 5,000 authenticated websockets held open on ONE worker.

A separate single-process uvicorn (same settings, database and Redis) takes them; its resident
memory is read from /proc before and after, so memory per connection is the difference / N.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from gridcase.localservices import ROOT, free_port

from .common import Context, Row, session_cookies
from .ws import EventsClient, close_all, open_all

CONNECTIONS = 5000
HOLD_SECONDS = 30  # longer than one heartbeat (20 s): clients answer pings, as browsers do
USERS = [f"d01c01g{g:02d}_wgy1" for g in range(1, 11)]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _worker(ctx: Context, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", "gridcase.asgi:application", "--port", str(port)]
    command += ["--host", "127.0.0.1", "--workers", "1", "--no-access-log", "--backlog", "4096"]
    command += ["--timeout-graceful-shutdown", "5"]
    worker = subprocess.Popen(command, env=ctx.env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return worker
        except OSError:
            time.sleep(0.3)
    worker.terminate()
    raise RuntimeError("the single benchmark worker did not start")


async def _hold(port: int, worker: subprocess.Popen, sessions: list[str]) -> dict:
    url, origin = f"ws://127.0.0.1:{port}/ws/events/", f"http://127.0.0.1:{port}"
    warm = [EventsClient(url, s, origin) for s in sessions[:10]]
    await open_all(warm)
    await asyncio.sleep(2)
    before = _rss_kib(worker.pid)
    clients = [EventsClient(url, s, origin) for s in sessions[10:]]
    started = time.monotonic()
    try:
        await open_all(clients, parallel=200)
        opened = time.monotonic() - started
        await asyncio.sleep(HOLD_SECONDS)
        after = _rss_kib(worker.pid)
        alive = sum(c.open_now for c in [*warm, *clients])
    finally:
        await close_all([*warm, *clients])
    return {"before": before, "after": after, "alive": alive, "opened": opened}


def run(ctx: Context) -> list[Row]:
    per_user = CONNECTIONS // len(USERS)
    sessions = [s for user in USERS for s in session_cookies(user, per_user)]
    port = free_port()
    worker = _worker(ctx, port)
    try:
        result = asyncio.run(_hold(port, worker, sessions))
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    name = f"6 idle websockets (one worker, {HOLD_SECONDS} s)"
    per_connection = (result["after"] - result["before"]) / (CONNECTIONS - 10)
    return [
        Row(
            name,
            "open after the hold",
            str(result["alive"]),
            f"≥ {CONNECTIONS}",
            result["alive"] >= CONNECTIONS,
        ),  # fmt: skip
        Row(name, "time to open them (200 handshakes at a time)", f"{result['opened']:.1f} s"),
        Row(
            name,
            "worker RSS before → after",
            f"{result['before'] / 1024:.0f} → {result['after'] / 1024:.0f} MiB",
        ),  # fmt: skip
        Row(name, "memory per connection", f"{per_connection:.1f} KiB"),
    ]
