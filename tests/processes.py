"""Helpers for tests that run the project as separate processes (manage.py, servers)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

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
