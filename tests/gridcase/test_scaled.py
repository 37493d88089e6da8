"""The scaled-out mode (gridcase.scaled): PostgreSQL + Redis + 2 uvicorn workers + timers."""

import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import pytest

from gridcase.localservices import SERVICES_DIR, ServiceUnavailable, free_port
from gridcase.scaled import scaled_stack

pytestmark = pytest.mark.slow  # starts PostgreSQL, Redis, two uvicorn workers and the timers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def cluster():
    """A directory the postgres user can reach (pytest's tmp_path is private to root)."""
    SERVICES_DIR.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="scaled-", dir=SERVICES_DIR))
    path.chmod(0o755)
    yield path / "postgres"
    shutil.rmtree(path, ignore_errors=True)


def test_two_workers_share_one_address_and_everything_stops(cluster):
    try:
        with scaled_stack(workers=2, port=free_port(), data=cluster) as stack:
            page = urllib.request.urlopen(f"{stack.base_url}/accounts/login/", timeout=30)
            workers = stack.workers
            started = [p.pid for p in stack.processes] + workers
            assert page.status == 200
            assert len(workers) == 2
            assert stack.env["REDIS_URL"].startswith("redis://127.0.0.1:")
            assert stack.env["DATABASE_URL"].startswith("postgres://postgres@127.0.0.1:")
    except ServiceUnavailable as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL/Redis unavailable on CI: {error}")
        pytest.skip(f"PostgreSQL/Redis unavailable: {error}")
    assert not [pid for pid in started if _alive(pid)]
    assert (cluster / "data" / "PG_VERSION").exists()  # kept for the next start
