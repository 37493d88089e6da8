"""Helpers for tests that run the project as separate processes (manage.py, servers)."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def clean_environ(**env: str) -> dict[str, str]:
    """This process's environment without any DJANGO_*/DATABASE_URL/REDIS_URL, plus `env`."""
    drop = ("DJANGO_", "DATABASE_URL", "REDIS_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)} | env


def manage(*args: str, check: bool = False, **env: str) -> subprocess.CompletedProcess:
    """Run `python manage.py ARGS` in the project root with a clean environment plus `env`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_environ(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def daphne(env: dict[str, str], log: Path, *, timeout: float = 60) -> Iterator[str]:
    """A daphne process on a free loopback port; yields its base URL, terminates it on exit.

    Fails the test if it exits or does not answer its login page within `timeout` seconds,
    with the end of its `log`."""
    with asgi_server("daphne", env, log, timeout=timeout) as (base, _process):
        yield base


SERVERS = {  # the command line, without the port
    "daphne": [sys.executable, "-m", "daphne", "--bind", "127.0.0.1", "--port"],
    "uvicorn": [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port"],
}


@contextlib.contextmanager
def asgi_server(
    kind: str, env: dict[str, str], log: Path, *, timeout: float = 60
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`daphne` or `uvicorn` serving the project; yields (base URL, process)."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [*SERVERS[kind], str(port), "gridcase.asgi:application"],
            cwd=ROOT,
            env=clean_environ(**env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                pytest.fail(f"{kind} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{kind} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
