"""tests/services.py starts real PostgreSQL and Redis servers on loopback and cleans up after.

Runs in the embedded pass only: the PostgreSQL pass already runs inside `postgres_server()`.
"""

import contextlib
import os
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import psycopg
import pytest
import redis

from tests.services import SERVICES_DIR, ServiceUnavailable, postgres_server, redis_server

pytestmark = [
    pytest.mark.slow,  # starts real PostgreSQL and Redis servers
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="harness test runs in the embedded pass only"
    ),
]


@contextlib.contextmanager
def started(server: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    """Enter `server()`; if it cannot be provided, fail on CI and skip elsewhere."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(server())
        except ServiceUnavailable as error:
            if os.environ.get("CI") == "true":
                pytest.fail(f"service unavailable on CI: {error}")
            pytest.skip(f"service unavailable: {error}")
        yield url


def tcp_listeners(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port`, read from /proc/net/tcp{,6}."""
    found = set()
    for family, table in ((socket.AF_INET, "tcp"), (socket.AF_INET6, "tcp6")):
        path = Path("/proc/net") / table
        lines = path.read_text().splitlines()[1:] if path.exists() else []
        for fields in (line.split() for line in lines):
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                raw = bytes.fromhex(address)  # 32-bit words in host (little-endian) order
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(socket.inet_ntop(family, words))
    return found


def test_postgres_server_serves_on_loopback_only_and_leaves_nothing_behind():
    with started(postgres_server) as url:
        match = re.fullmatch(r"postgres://postgres@127\.0\.0\.1:(\d+)/gridcase", url)
        assert match, url
        with psycopg.connect(url) as connection:
            assert connection.execute("select 1").fetchone() == (1,)
            data = Path(connection.execute("show data_directory").fetchone()[0])
        assert tcp_listeners(int(match[1])) == {"127.0.0.1"}
        directory = data.parent
        assert directory.parent == SERVICES_DIR and directory.name.startswith("postgres-")
        assert data.is_dir()
    assert not directory.exists()


def test_redis_server_serves_on_loopback_only_and_leaves_nothing_behind():
    with started(redis_server) as url:
        match = re.fullmatch(r"redis://127\.0\.0\.1:(\d+)/0", url)
        assert match, url
        client = redis.Redis.from_url(url)
        try:
            assert client.ping() is True
            directory = Path(client.config_get("dir")["dir"])
        finally:
            client.close()
        assert tcp_listeners(int(match[1])) == {"127.0.0.1"}
        assert directory.parent == SERVICES_DIR and directory.name.startswith("redis-")
        assert directory.is_dir()
    assert not directory.exists()
