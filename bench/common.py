"""Shared pieces of the benchmarks: the result table, percentiles, sessions, HTTP on loopback."""

from __future__ import annotations

import http.client
import math
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    metric: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: no target to meet


@dataclass
class Context:
    """What every benchmark gets: the running stack and the data size."""

    base_url: str
    env: dict[str, str]
    cases: int
    stack: object
    rows: list[Row] = field(default_factory=list)

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.base_url)
        return parts.hostname, parts.port

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws/events/"


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def session_cookies(username: str, count: int = 1) -> list[str]:
    """`count` real Django sessions of `username` (as a login would make them): cookie values."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from grids.models import User

    user = User.objects.get(username=username)
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "gridcase.limits.LockoutModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    encoded, expires = SessionStore().encode(data), timezone.now() + timedelta(days=1)
    keys = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(count)]
    Session.objects.bulk_create(
        [Session(session_key=key, session_data=encoded, expire_date=expires) for key in keys],
        batch_size=1000,
    )
    return keys


class Http:
    """A keep-alive HTTP/1.1 connection to the stack, logged in with one session."""

    def __init__(self, ctx: Context, session: str):
        self.host, self.port = ctx.host_port
        self.headers = {"Cookie": f"sessionid={session}", "Host": self.host}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def get(self, path: str) -> tuple[int, float, bytes]:
        """(status, seconds, body) of one GET."""
        started = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - started, body

    def close(self) -> None:
        self.connection.close()


def timed_gets(ctx: Context, username: str, path: str, *, warmup: int, requests: int) -> list:
    """Seconds of `requests` sequential GETs of `path` as `username` after `warmup` ones."""
    client = Http(ctx, session_cookies(username)[0])
    try:
        for _ in range(warmup):
            client.get(path)
        timings = []
        for _ in range(requests):
            status, seconds, _body = client.get(path)
            if status != 200:
                raise RuntimeError(f"GET {path} as {username}: HTTP {status}")
            timings.append(seconds)
        return timings
    finally:
        client.close()
