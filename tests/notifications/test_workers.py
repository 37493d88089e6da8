"""Several ASGI workers: refused on the in-memory layer, live events across workers via Redis.

The cross-worker test runs the real thing: Redis, a fresh database, two daphne processes, a
websocket client on one worker and an HTTP client causing the event on the other.
"""

import asyncio
import base64
import contextlib
import html
import http.cookiejar
import json
import os
import re
import secrets
import struct
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured

from gridcase.workers import check_channel_layer_for_workers, workers_expected
from tests.processes import ROOT, clean_environ, daphne, free_port, manage
from tests.services import ServiceUnavailable, redis_server

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
REDIS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
PASSWORD = "gridcase-demo"
REFUSAL = "set REDIS_URL to use the Redis channel layer, or run one worker"


# --- The start-up check ---------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["GRIDCASE_WORKERS", "WEB_CONCURRENCY"])
def test_several_workers_on_the_in_memory_layer_are_refused(variable):
    with pytest.raises(ImproperlyConfigured, match=REFUSAL):
        check_channel_layer_for_workers(IN_MEMORY, {variable: "2"})


@pytest.mark.parametrize(
    ("layers", "environ"),
    [
        (IN_MEMORY, {}),
        (IN_MEMORY, {"GRIDCASE_WORKERS": "1", "WEB_CONCURRENCY": ""}),
        (REDIS, {"GRIDCASE_WORKERS": "4"}),
        (REDIS, {"WEB_CONCURRENCY": "8"}),
    ],
)
def test_one_worker_or_the_redis_layer_is_accepted(layers, environ):
    check_channel_layer_for_workers(layers, environ)


def test_the_larger_worker_count_wins_and_garbage_is_refused():
    assert workers_expected({"GRIDCASE_WORKERS": "1", "WEB_CONCURRENCY": "3"}) == 3
    with pytest.raises(ImproperlyConfigured, match="GRIDCASE_WORKERS"):
        workers_expected({"GRIDCASE_WORKERS": "two"})


@pytest.mark.slow  # a daphne process
def test_daphne_with_two_workers_and_no_redis_exits_with_the_reason(tmp_path):
    env = clean_environ(
        DJANGO_SETTINGS_MODULE="gridcase.settings.dev",
        DJANGO_DEBUG="0",
        GRIDCASE_VAR_DIR=str(tmp_path),
        GRIDCASE_WORKERS="2",
    )
    command = [sys.executable, "-m", "daphne", "--bind", "127.0.0.1", "--port", str(free_port())]
    result = subprocess.run(
        [*command, "gridcase.asgi:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and REFUSAL in result.stderr


# --- Two workers, one Redis -----------------------------------------------------------------


@contextlib.contextmanager
def redis_or_skip() -> Iterator[str]:
    """A private Redis; if it cannot be provided, fail on CI and skip elsewhere."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(redis_server())
        except ServiceUnavailable as error:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"Redis unavailable on CI: {error}")
            pytest.skip(f"Redis unavailable: {error}")
        yield url


@contextlib.contextmanager
def database(var: Path) -> Iterator[dict[str, str]]:
    """Settings for a fresh database: SQLite under `var`, or a new PostgreSQL database on the
    server in DATABASE_URL (pytest-django's test database is invisible to subprocesses)."""
    server = os.environ.get("DATABASE_URL")
    if not server:
        yield {"GRIDCASE_VAR_DIR": str(var)}
        return
    name = f"gridcase_workers_{secrets.token_hex(4)}"
    admin = urllib.parse.urlsplit(server)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = urllib.parse.urlsplit(server)._replace(path=f"/{name}").geturl()
        yield {"GRIDCASE_VAR_DIR": str(var), "DATABASE_URL": url}
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def first_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def log_in(base: str, username: str) -> urllib.request.OpenerDirector:
    """An HTTP client logged in on `base` (cookies in its jar)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.jar = jar
    page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
    form = {"csrfmiddlewaretoken": first_token(page), "username": username, "password": PASSWORD}
    request = urllib.request.Request(
        f"{base}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/accounts/login/"},
    )
    landed = opener.open(request, timeout=10)
    assert "/accounts/login/" not in landed.geturl(), f"{username} could not log in"
    return opener


def select_options(page: str, name: str) -> dict[str, str]:
    """{label: value} of the options of the <select name=...> on `page`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select, re.S)
    return {html.unescape(label).strip(): value for value, label in options if value}


def report_case(base: str, username: str, grid: str) -> str:
    """Log in on `base` and report a corridor case in `grid` through the form; return its URL."""
    opener = log_in(base, username)
    page = opener.open(f"{base}/cases/new/", timeout=10).read().decode()
    category = re.search(r'type="radio" name="category" value="(\d+)"', page).group(1)
    areas = select_options(page, "area")
    area = next(value for label, value in areas.items() if label.endswith(f"({grid})"))
    form = {
        "csrfmiddlewaretoken": first_token(page),
        "title": "楼道堆物 (two workers)",
        "description": "Reported through worker B, watched from worker A.",
        "category": category,
        "area": area,
        "address": "1 号楼 2 单元",
        "priority": "",
        "contact_name": "",
        "contact_phone": "",
    }
    request = urllib.request.Request(
        f"{base}/cases/new/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/cases/new/"},
    )
    landed = opener.open(request, timeout=10)
    assert "/cases/new/" not in landed.geturl(), landed.read().decode()[-2000:]
    return landed.geturl()


class WebSocket:
    """Just enough of an RFC 6455 client (asyncio streams) for JSON text frames."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, base: str, path: str, cookie: str) -> "WebSocket":
        url = urllib.parse.urlsplit(base)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {base}\r\nCookie: {cookie}\r\n\r\n"
        )
        writer.write(request.encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        assert head.startswith(b"HTTP/1.1 101"), head.decode(errors="replace")
        return cls(reader, writer)

    async def _frame(self, opcode: int, payload: bytes) -> None:
        mask = secrets.token_bytes(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)
        await self.writer.drain()

    async def send_json(self, message: dict) -> None:
        await self._frame(0x1, json.dumps(message).encode())

    async def receive_json(self) -> dict:
        """The next JSON text message (answering websocket and protocol pings on the way)."""
        while True:
            first, second = await self.reader.readexactly(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(length)  # server frames are unmasked
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise ConnectionError(f"websocket closed by the server (code {code})")
            if opcode == 0x9:
                await self._frame(0xA, payload)
            elif opcode == 0x1:
                message = json.loads(payload)
                if message.get("type") == "ping":
                    await self.send_json({"type": "pong"})
                else:
                    return message

    async def close(self) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            await self._frame(0x8, struct.pack("!H", 1000))
        self.writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await self.writer.wait_closed()


async def watch_and_report(worker_a: str, worker_b: str) -> dict:
    """Subscribe on worker A as QG-01's staff, report a case on worker B; the event A sees."""
    opener = log_in(worker_a, "qingshan_sq")
    session = next(c.value for c in opener.jar if c.name == "sessionid")
    socket = await WebSocket.connect(worker_a, "/ws/events/", f"sessionid={session}")
    try:
        await socket.send_json({"type": "subscribe", "streams": ["area:QG-01"]})
        reply = await asyncio.wait_for(socket.receive_json(), timeout=10)
        assert reply == {"type": "subscribed", "streams": ["area:QG-01"]}
        await asyncio.to_thread(report_case, worker_b, "qs_wgy01", "QG-01-01")
        async with asyncio.timeout(10):
            while True:
                message = await socket.receive_json()
                if message["type"] == "event" and message["event"]["kind"] == "case.reported":
                    return message["event"]
    finally:
        await socket.close()


@pytest.mark.slow  # Redis, a fresh database and two daphne processes
def test_an_event_caused_through_worker_b_reaches_a_client_on_worker_a(tmp_path):
    with redis_or_skip() as redis_url, database(tmp_path / "var") as db:
        env = {
            "DJANGO_SETTINGS_MODULE": "gridcase.settings.dev",
            "DJANGO_DEBUG": "0",
            **db,
        }
        manage("migrate", "--noinput", check=True, **env)
        manage("load_street", "fixtures/data/qinggang.json", check=True, **env)
        env |= {"REDIS_URL": redis_url, "GRIDCASE_WORKERS": "2"}
        with (
            daphne(env, tmp_path / "worker-a.log") as worker_a,
            daphne(env, tmp_path / "worker-b.log") as worker_b,
        ):
            event = asyncio.run(watch_and_report(worker_a, worker_b))
    assert event["kind"] == "case.reported" and event["number"]
