"""Faults survived (issue 18.15): bench/faults.py's scenario, short, in its own stack.

A worker SIGKILLed, Redis and PostgreSQL restarted, the timer dispatcher killed in the middle
of a sweep, while 30 clients follow the street and cases are reported and moved: afterwards
every client that reconnected with `since` has every committed event exactly once, no case is
half-written (`workflows.integrity`), every due timer fired exactly once, and the server
answered again. The stack's PostgreSQL and Redis are its own (fresh data directory, own
ports), so restarting them leaves the session's servers alone; everything is stopped after.

Runs in `make test`'s PostgreSQL pass only (the scaled-out pieces are what it is about).
"""

import asyncio
import os
from pathlib import Path

import pytest

from bench.faults import STACK_ENV, Scenario, summary
from gridcase.localservices import ServiceUnavailable, free_port
from gridcase.scaled import scaled_stack

pytestmark = pytest.mark.slow  # PostgreSQL, Redis, two uvicorn workers, the dispatcher, faults

CLIENTS, TIMER_CASES = 30, 20


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _postgres_pass_only() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the faults run in the PostgreSQL pass (make test-postgres)")


def test_the_stack_survives_its_faults_with_nothing_lost():
    _postgres_pass_only()
    started: list[int] = []
    try:
        quiet = ("--log-level", "warning")
        # The test settings (mail kept in memory, fast hashing); the database pool, the Redis
        # channel layer and cache come from the URLs as in production.
        env = STACK_ENV | {"DJANGO_SETTINGS_MODULE": "gridcase.settings.test"}
        with scaled_stack(
            workers=2, port=free_port(), data=None, extra_env=env, uvicorn_args=quiet
        ) as stack:
            started += [p.pid for p in stack.processes] + stack.workers
            scenario = Scenario(stack, clients=CLIENTS, timer_cases=TIMER_CASES)
            figures = asyncio.run(scenario.run())
            started += [p.pid for p in stack.processes] + stack.workers
            started += [stack.redis.process.pid]
            postmaster = stack.postgres.base / "data" / "postmaster.pid"
            started += [int(postmaster.read_text().split()[0])]
    except ServiceUnavailable as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL/Redis unavailable on CI: {error}")
        pytest.skip(f"PostgreSQL/Redis unavailable: {error}")
    rows = summary(figures)
    table = "\n".join(f"{fault:9} {metric:48} {value}" for fault, metric, value, _ in rows)
    print(table)  # the figures, with -s or in the report of a failure
    assert [f.fault for f in figures] == ["worker", "redis", "postgres", "timers"], table
    assert not [row for row in rows if row[3] is False], table
    timers = figures[-1].timers
    assert 0 < timers["fired_before_kill"] < timers["cases"] == TIMER_CASES, table  # mid-sweep
    assert all(f.events_checked for f in figures), table
    assert not [pid for pid in started if _alive(pid)], "processes left running"
