"""Faults survived (issue 18.15): the scaled-out stack loses a piece while clients follow a
street and cases are reported and moved; afterwards nothing is lost, doubled or half-written.

The stack is `gridcase.scaled.scaled_stack` (PostgreSQL, Redis, 2 uvicorn workers, the timer
dispatcher) with the demo street 青杠街道 (QG). `CLIENTS` websocket clients of its street
official follow `area:QG`, each reconnecting by itself with `since` (its highest id seen)
whenever its socket drops, as the browser client does. Three drivers report and move cases
over the REST API through both workers all along: grid → resolved → closed, and grid →
community → departments → claimed. Then, one after the other:

- `worker`: SIGKILL one uvicorn worker (uvicorn's supervisor starts another);
- `redis`: SIGKILL Redis and start it again, empty, on its port;
- `postgres`: `pg_ctl stop -m immediate` (a crash: every connection dies) and start again;
- `timers`: with `TIMER_CASES` respond timers due at once, SIGKILL the dispatcher once the
  first have fired and before the last, then start a new one.

After each fault the drivers pause, every client reconnects with `since` (those whose socket
survived too) and the figures are taken: per client, every committed event of the street
since the start is there exactly once (gaps, duplicates; the documented 30 s overlap re-sent
before `since` is counted apart), `workflows.integrity` finds no case half-written
(`manage.py cases_check`), every due timer has fired, and each timer case carries exactly one
overdue event. Also measured: how long until the server answers a signed-in request again,
how long clients took to be caught up after their socket dropped, and how many events the
clients that stayed connected missed live (the replay must not be needed for them).

`run(ctx)` is the benchmark (`python -m bench faults`, 200 clients); the test
`tests/gridcase/test_faults.py` calls `Scenario` with fewer clients inside its own stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import psycopg
from websockets.asyncio.client import connect

from gridcase.localservices import ROOT

CLIENTS = 200
TIMER_CASES = 200
FAULTS = ("worker", "redis", "postgres", "timers")
STREET, OFFICIAL, PASSWORD = "QG", "qg_zhihui", "gridcase-demo"
LOAD_BEFORE = 3.0  # seconds of load before a fault, and after the server answers again
ANSWER_LIMIT = 60.0  # the server must answer again within this (else: it did not come back)
TIMERS_LIMIT = 300.0  # every due timer fired within this after the new dispatcher started
CATCH_UP_LIMIT = 60.0  # every client connected and replayed within this after the load stops
SETTLE = 1.5  # seconds for live events in flight to arrive before counting
LIVE_LATE_BOUND = 45.0  # seconds for the dispatcher's late sending to reach the sockets
PROBE_EVERY = 0.05
TIMER_CATEGORY, TIMER_PRIORITY = "fire_lane", "urgent"  # its respond limit set to 0 minutes
STACK_ENV = {  # the clients reconnect often, all as one official: no connection limit in the way
    "GRIDCASE_RATE_WS_CONNECT": "1000000/minute",
    "GRIDCASE_RATE_LOGIN": "1000/minute",
}


# --- Talking to the stack ------------------------------------------------------------------


def stack_python(env: dict[str, str], code: str, timeout: float = 300) -> Any:
    """Run `code` with Django set up in the stack's environment; it prints one JSON value."""
    script = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"stack python failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


SETUP = """
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from rest_framework.authtoken.models import Token
from grids.models import User
from workflows.models import Category, TimeLimitPolicy

category = Category.objects.get(code=%(category)r)
TimeLimitPolicy.objects.update_or_create(
    category=category, priority=%(priority)r, level="grid",
    defaults={"respond_minutes": 0, "resolve_minutes": 7 * 24 * 60},
)
tokens = {u: Token.objects.get_or_create(user=User.objects.get(username=u))[0].key
          for u in %(users)r}
official = User.objects.get(username=%(official)r)
session = SessionStore()
session.update({SESSION_KEY: str(official.pk), HASH_SESSION_KEY: official.get_session_auth_hash(),
                BACKEND_SESSION_KEY: "gridcase.limits.LockoutModelBackend"})
session.create()
print(json.dumps({"tokens": tokens, "session": session.session_key}))
"""

CHECK = """
from django.core.management import call_command
import io
out = io.StringIO()
try:
    call_command("cases_check", "--json", "--timers-grace", %(grace)r, stdout=out)
except Exception:
    pass
print(out.getvalue().strip().splitlines()[-1])
"""


class Api:
    """A keep-alive HTTP connection as one account (token), reconnecting after errors."""

    def __init__(self, base_url: str, token: str):
        parts = urlsplit(base_url)
        self.host, self.port, self.token = parts.hostname, parts.port, token
        self.connection: http.client.HTTPConnection | None = None

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(status, JSON answer); status 0 when the connection failed."""
        headers = {
            "Authorization": f"Token {self.token}",
            "Content-Type": "application/json",
            "Host": f"{self.host}:{self.port}",
        }
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request("POST", path, json.dumps(body).encode(), headers)
            response = self.connection.getresponse()
            raw = response.read()
            try:
                return response.status, json.loads(raw or b"{}")
            except ValueError:
                return response.status, {}
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, {}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# --- Load: cases reported and moved over the REST API ---------------------------------------

GRID_CHAIN = [  # grid member: report, accept, resolve, verify (closed)
    ("accept", {}),
    ("resolve", {"result": "已清理"}),
    ("verify", {"method": "phone", "reason": "电话回访确认"}),
]
DEPARTMENT_CHAIN = [  # grid member then community then police: report … claimed
    ("grid", "accept", {}),
    ("grid", "whistle", {"whistle_type": "routine", "reason": "需要社区协调"}),
    (
        "community",
        "dispatch",
        {
            "whistle_type": "routine",
            "reason": "需要派出所",
            "departments": ["QG-PCS"],
            "lead": "QG-PCS",
        },
    ),
    ("department", "claim", {"department": "QG-PCS"}),
]
DRIVERS = [  # (grid member, grid, chain)
    ("qs_wgy01", "QG-01-01", "grid"),
    ("qs_wgy02", "QG-01-02", "grid"),
    ("qs_wgy03", "QG-01-03", "department"),
]
COMMUNITY, DEPARTMENT = "qingshan_sq", "pcs_zhang"
USERS = [d[0] for d in DRIVERS] + [COMMUNITY, DEPARTMENT]


class Load:
    """Driver threads, each walking its cases through its chain; paused between faults."""

    def __init__(self, base_url: str, tokens: dict[str, str]):
        self.base_url, self.tokens = base_url, tokens
        self.running = threading.Event()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._drive, args=d, daemon=True, name=f"load-{d[0]}")
            for d in DRIVERS
        ]
        self.requests = self.failed = 0
        self.idle = threading.Semaphore(0)

    def start(self) -> None:
        self.running.set()
        for thread in self.threads:
            thread.start()

    def pause(self) -> None:
        """Stop starting requests; return once every driver has finished its current one."""
        self.running.clear()
        for _ in self.threads:
            self.idle.acquire(timeout=60)

    def resume(self) -> None:
        self.running.set()

    def stop(self) -> None:
        self.stopping.set()
        self.running.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _wait_running(self) -> bool:
        if not self.running.is_set():
            self.idle.release()
            self.running.wait()
        return not self.stopping.is_set()

    def _drive(self, member: str, grid: str, chain: str) -> None:
        apis = {
            "grid": Api(self.base_url, self.tokens[member]),
            "community": Api(self.base_url, self.tokens[COMMUNITY]),
            "department": Api(self.base_url, self.tokens[DEPARTMENT]),
        }
        steps = [("grid", *step) for step in GRID_CHAIN] if chain == "grid" else DEPARTMENT_CHAIN
        while self._wait_running():
            report = {"title": "楼道堆物", "description": "故障测试", "category": "corridor"}
            status, answer = self._call(apis["grid"], "/api/v1/cases/", report | {"area": grid})
            if status != 201:
                time.sleep(0.2)
                continue
            for who, action, body in steps:
                if not self._wait_running():
                    break
                path = f"/api/v1/cases/{answer['number']}/{action}/"
                status, _ = self._call(apis[who], path, body)
                if status != 200:
                    time.sleep(0.2)
                    break  # a failed step (the fault): leave this case where it is
        for api in apis.values():
            api.close()

    def _call(self, api: Api, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, answer = api.post(path, body)
        self.requests += 1
        self.failed += status not in (200, 201)
        return status, answer


# --- The clients ---------------------------------------------------------------------------


@dataclass
class Connection:
    since: int
    received: list[int] = field(default_factory=list)
    replayed_at: float | None = None


class Client:
    """A follower of the street that reconnects with `since` whenever its socket drops."""

    def __init__(self, ws_url: str, origin: str, session: str, start_id: int):
        self.ws_url, self.origin, self.session = ws_url, origin, session
        self.last_id = start_id
        self.connections: list[Connection] = []
        self.dropped_at: float | None = None  # when the current socket was lost
        self.catch_up: list[float] = []  # seconds from a drop to `replayed` on the next socket
        self.ws: Any = None
        self.stopping = False
        self.task: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        current = self.connections[-1] if self.connections else None
        return self.ws is not None and current is not None and current.replayed_at is not None

    async def run(self) -> None:
        backoff = 0.1
        while not self.stopping:
            with contextlib.suppress(Exception):  # refused, reset, closed: come back
                await self._connection()
            self.ws = None
            if self.dropped_at is None:
                self.dropped_at = time.monotonic()
            caught_up = bool(self.connections) and self.connections[-1].replayed_at is not None
            backoff = 0.1 if caught_up else min(backoff * 2, 2.0)
            await asyncio.sleep(backoff * (1 + random.random()))  # as the browser client

    async def _connection(self) -> None:
        headers = {"Cookie": f"sessionid={self.session}", "Origin": self.origin}
        async with connect(
            self.ws_url, additional_headers=headers, open_timeout=30, ping_interval=None
        ) as ws:
            connection = Connection(self.last_id)
            self.connections.append(connection)
            self.ws = ws
            subscribe = {"type": "subscribe", "streams": [f"area:{STREET}"], "since": self.last_id}
            await ws.send(json.dumps(subscribe))
            async for raw in ws:
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "event":
                    event_id = message["event"]["id"]
                    connection.received.append(event_id)
                    self.last_id = max(self.last_id, event_id)
                elif kind == "replayed":
                    connection.replayed_at = time.monotonic()
                    if self.dropped_at is not None:
                        self.catch_up.append(connection.replayed_at - self.dropped_at)
                        self.dropped_at = None
                elif kind == "ping":
                    await ws.send('{"type": "pong"}')

    async def reconnect(self) -> None:
        """Drop the socket on purpose; `run` comes back with `since`."""
        ws, self.ws = self.ws, None
        if ws is not None:
            self.dropped_at = time.monotonic()
            with contextlib.suppress(Exception):
                await ws.close()

    def tally(self, expected: set[int]) -> tuple[int, int, int]:
        """(gaps, duplicates, re-sent from the overlap) over every connection so far."""
        seen: set[int] = set()
        duplicates = resent = 0
        for connection in self.connections:
            here: set[int] = set()
            for event_id in connection.received:
                if event_id in here:
                    duplicates += 1  # twice on one socket
                elif event_id in seen and event_id <= connection.since:
                    resent += 1  # the documented overlap before `since`
                elif event_id in seen:
                    duplicates += 1
                here.add(event_id)
            seen |= here
        return len(expected - seen), duplicates, resent

    def received_ids(self) -> set[int]:
        return {event_id for c in self.connections for event_id in c.received}


# --- The scenario --------------------------------------------------------------------------


@dataclass
class FaultFigures:
    fault: str
    answered_after: float | None = None  # from the fault until a signed-in request got 200
    restarted_after: float | None = None  # a killed worker: until its replacement was started
    dropped: int = 0  # clients whose socket dropped
    catch_up: list[float] = field(default_factory=list)  # drop → replayed, per reconnect
    live_missed: int = 0  # events missing from sockets that never dropped, before the reconnect
    events_checked: int = 0  # (client, event) pairs checked
    gaps: int = 0
    duplicates: int = 0
    resent: int = 0
    half_written: dict[str, list[str]] = field(default_factory=dict)
    requests: tuple[int, int] = (0, 0)  # the drivers' requests in this phase, and failed ones
    late_timers: list[int] = field(default_factory=list)
    timers: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Scenario:
    """The faults, in order, against a running stack (`gridcase.scaled.Stack`)."""

    def __init__(self, stack: Any, *, clients: int, timer_cases: int):
        self.stack, self.clients_wanted, self.timer_cases = stack, clients, timer_cases
        self.base_url, self.env = stack.base_url, stack.env
        self.ws_url = self.base_url.replace("http://", "ws://") + "/ws/events/"
        self.figures: list[FaultFigures] = []

    # -- database reads (psycopg straight to the stack's PostgreSQL) --

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + ANSWER_LIMIT
        while True:
            try:
                with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=5) as db:
                    return db.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _street_events(self, after: int) -> set[int]:
        rows = self._query(
            "SELECT e.id FROM workflows_caseevent e JOIN workflows_case c ON c.id = e.case_id "
            "WHERE e.id > %s AND c.area_path LIKE %s",
            (after, f"{self.street_path}%"),
        )
        return {row[0] for row in rows}

    # -- the run --

    def prepare(self) -> None:
        from gridcase.scaled import manage

        if not self._query("SELECT 1 FROM grids_area WHERE code = %s", (STREET,)):
            manage(self.env, "load_street", "fixtures/data/qinggang.json")
        code = SETUP % {
            "category": TIMER_CATEGORY,
            "priority": TIMER_PRIORITY,
            "users": USERS,
            "official": OFFICIAL,
        }
        setup = stack_python(self.env, code)
        self.tokens, self.session = setup["tokens"], setup["session"]
        ((self.street_path,),) = self._query(
            "SELECT path FROM grids_area WHERE code = %s", (STREET,)
        )
        ((start,),) = self._query("SELECT coalesce(max(id), 0) FROM workflows_caseevent")
        self.start_id = start

    async def run(self) -> list[FaultFigures]:
        self.prepare()
        self.clients = [
            Client(self.ws_url, self.base_url, self.session, self.start_id)
            for _ in range(self.clients_wanted)
        ]
        for client in self.clients:
            client.task = asyncio.create_task(client.run())
        self.load = Load(self.base_url, self.tokens)
        try:
            await self._all_ready()
            self.load.start()
            for fault in FAULTS:
                self.figures.append(await self._fault(fault))
        finally:
            await asyncio.to_thread(self.load.stop)
            for client in self.clients:
                client.stopping = True
                if client.task is not None:
                    client.task.cancel()
            await asyncio.gather(*(c.task for c in self.clients if c.task), return_exceptions=True)
        return self.figures

    async def _all_ready(self, limit: float = CATCH_UP_LIMIT) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if all(c.ready for c in self.clients):
                return True
            await asyncio.sleep(0.05)
        return False

    async def _fault(self, fault: str) -> FaultFigures:
        figures = FaultFigures(fault)
        await asyncio.sleep(LOAD_BEFORE)
        connections_before = {id(c): len(c.connections) for c in self.clients}
        catch_up_before = {id(c): len(c.catch_up) for c in self.clients}
        requests, failed = self.load.requests, self.load.failed
        started = time.monotonic()
        probe = asyncio.create_task(asyncio.to_thread(self._answers_again, started))
        await asyncio.to_thread(getattr(self, f"_fault_{fault}"), figures)
        figures.answered_after = await probe
        await asyncio.sleep(LOAD_BEFORE)  # the load goes on through the recovered stack
        await asyncio.to_thread(self.load.pause)
        figures.requests = (self.load.requests - requests, self.load.failed - failed)
        if not await self._all_ready():
            figures.notes.append("not every client was connected and replayed in time")
        await asyncio.sleep(SETTLE)
        stayed = [c for c in self.clients if len(c.connections) == connections_before[id(c)]]
        figures.dropped = len(self.clients) - len(stayed)
        # An event whose publisher died reaches the sockets that stayed when the dispatcher
        # sends it late (streams.events_resend: after RESEND_AFTER, between its sweeps): wait
        # for that, within a bound, before counting what they missed.
        waited_until = time.monotonic() + LIVE_LATE_BOUND
        while True:
            expected = await asyncio.to_thread(self._street_events, self.start_id)
            figures.live_missed = sum(len(expected - c.received_ids()) for c in stayed)
            if not figures.live_missed or time.monotonic() > waited_until:
                break
            await asyncio.sleep(0.5)
        await asyncio.gather(*(c.reconnect() for c in self.clients))
        if not await self._all_ready():
            figures.notes.append("not every client came back after the deliberate reconnect")
        await asyncio.sleep(SETTLE)
        for client in self.clients:
            gaps, duplicates, resent = client.tally(expected)
            figures.gaps += gaps
            figures.duplicates += duplicates
            figures.resent += resent
            figures.catch_up += client.catch_up[catch_up_before[id(client)] :]
        figures.events_checked = len(expected) * len(self.clients)
        check = await asyncio.to_thread(
            stack_python, self.env, CHECK % {"grace": str(ANSWER_LIMIT)}
        )
        figures.half_written, figures.late_timers = check["cases"], check["late_timers"]
        for process, what in zip(
            self.stack.processes, ("the uvicorn supervisor", "the timer dispatcher"), strict=True
        ):
            if process.poll() is not None:
                figures.notes.append(f"{what} exited (code {process.returncode})")
        self.load.resume()
        return figures

    def _answers_again(self, started: float) -> float | None:
        """Seconds from `started` until a signed-in API request answers 200 (from the fault's
        start: for a restart, the outage is included)."""
        parts = urlsplit(self.base_url)
        headers = {"Authorization": f"Token {self.tokens[COMMUNITY]}"}
        time.sleep(0.2)  # let the fault begin
        while time.monotonic() - started < ANSWER_LIMIT:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            try:
                connection.request("GET", "/api/v1/cases/?page_size=1", headers=headers)
                if connection.getresponse().status == 200:
                    return time.monotonic() - started
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(PROBE_EVERY)
        return None

    # -- the faults --

    def _fault_worker(self, figures: FaultFigures) -> None:
        before = self.stack.workers
        victim = random.choice(before)
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        while time.monotonic() - killed < ANSWER_LIMIT:
            now = self.stack.workers
            if len(now) == len(before) and victim not in now:
                figures.restarted_after = time.monotonic() - killed
                return
            time.sleep(0.05)
        figures.notes.append("no replacement worker was started")

    def _fault_redis(self, figures: FaultFigures) -> None:
        self.stack.redis.restart()

    def _fault_postgres(self, figures: FaultFigures) -> None:
        self.stack.postgres.restart("immediate")

    def _fault_timers(self, figures: FaultFigures) -> None:
        """Due timers, a dispatcher killed in the middle of firing them, a new dispatcher."""
        timers = self.stack.timers
        timers.send_signal(signal.SIGTERM)  # ends after its current sweep
        timers.wait(timeout=60)
        numbers = self._timer_cases()
        if not numbers:
            figures.notes.append("no timer case could be reported")
            return
        ids = [row[0] for row in self._query(_CASES_BY_NUMBER, (numbers,))]
        started = time.monotonic()
        self.stack.timers_start()
        fired = 0
        while time.monotonic() - started < ANSWER_LIMIT:
            fired = self._overdue_cases(ids)
            if fired:
                break
            time.sleep(0.01)
        self.stack.timers.send_signal(signal.SIGKILL)
        self.stack.timers.wait(timeout=30)
        figures.timers |= {"cases": len(ids), "fired_before_kill": self._overdue_cases(ids)}
        restarted = time.monotonic()
        self.stack.timers_start()
        while time.monotonic() - restarted < TIMERS_LIMIT:
            if self._overdue_cases(ids) == len(ids):
                break
            time.sleep(0.1)
        figures.timers["all_fired_after_restart"] = time.monotonic() - restarted
        figures.timers |= self._timer_counts(ids)

    def _timer_cases(self) -> list[str]:
        api = Api(self.base_url, self.tokens[DRIVERS[0][0]])
        numbers = []
        body = {
            "title": "消防通道堵塞",
            "description": "定时器故障测试",
            "category": TIMER_CATEGORY,
            "priority": TIMER_PRIORITY,
            "area": DRIVERS[0][1],
        }
        for _ in range(self.timer_cases):
            status, answer = api.post("/api/v1/cases/", body)
            if status == 201:
                numbers.append(answer["number"])
        api.close()
        return numbers

    def _overdue_cases(self, ids: list[int]) -> int:
        rows = self._query(
            "SELECT count(DISTINCT case_id) FROM workflows_caseevent "
            "WHERE kind = 'case.went_overdue' AND case_id = ANY(%s)",
            (ids,),
        )
        return int(rows[0][0])

    def _timer_counts(self, ids: list[int]) -> dict[str, int]:
        """Per timer case: overdue events and fired respond timers (each must be exactly 1)."""
        events = dict(
            self._query(
                "SELECT c.id, count(e.id) FROM workflows_case c LEFT JOIN workflows_caseevent e "
                "ON e.case_id = c.id AND e.kind = 'case.went_overdue' WHERE c.id = ANY(%s) "
                "GROUP BY c.id",
                (ids,),
            )
        )
        fired = dict(
            self._query(
                "SELECT c.id, count(t.id) FROM workflows_case c LEFT JOIN viewflow_task t "
                "ON t.process_id = c.process_id AND t.flow_task_type = 'TIMER' "
                "AND t.status = 'DONE' WHERE c.id = ANY(%s) GROUP BY c.id",
                (ids,),
            )
        )
        return {
            "never_fired": sum(1 for i in ids if events.get(i, 0) == 0),
            "fired_twice": sum(1 for i in ids if events.get(i, 0) > 1),
            "timer_rows_not_once": sum(1 for i in ids if fired.get(i, 0) != 1),
        }


_CASES_BY_NUMBER = "SELECT id FROM workflows_case WHERE number = ANY(%s) ORDER BY id"


# --- The benchmark -------------------------------------------------------------------------


def summary(figures: list[FaultFigures]) -> list[tuple[str, str, str, bool | None]]:
    """(fault, metric, value, ok) rows shared by the benchmark table and the test's message."""
    from .common import percentile

    rows: list[tuple[str, str, str, bool | None]] = []
    for f in figures:
        answered = f"{f.answered_after:.2f} s" if f.answered_after is not None else "never"
        rows.append((f.fault, "server answers again after", answered, f.answered_after is not None))
        if f.catch_up:
            spread = " / ".join(f"{percentile(f.catch_up, p):.2f}" for p in (50, 95, 100))
            rows.append((f.fault, "reconnect → caught up p50 / p95 / max", f"{spread} s", None))
        rows.append((f.fault, "clients dropped by the fault", str(f.dropped), None))
        made, refused = f.requests
        rows.append((f.fault, "drivers' requests (failed or refused)", f"{made} ({refused})", None))
        rows.append((f.fault, "events checked (client × event)", str(f.events_checked), None))
        rows.append((f.fault, "gaps", str(f.gaps), f.gaps == 0))
        rows.append((f.fault, "duplicates", str(f.duplicates), f.duplicates == 0))
        rows.append((f.fault, "re-sent from the 30 s overlap (dropped by id)", str(f.resent), None))
        rows.append(
            (f.fault, "missed live by sockets that stayed", str(f.live_missed), f.live_missed == 0)
        )
        rows.append((f.fault, "cases half-written", str(len(f.half_written)), not f.half_written))
        rows.append((f.fault, "due timers not fired", str(len(f.late_timers)), not f.late_timers))
        if f.restarted_after is not None:
            rows.append(
                (f.fault, "replacement worker started after", f"{f.restarted_after:.2f} s", None)
            )
        for name, value in f.timers.items():
            shown = f"{value:.2f} s" if isinstance(value, float) else str(value)
            must_be_zero = name in ("never_fired", "fired_twice", "timer_rows_not_once")
            rows.append((f.fault, f"timers: {name}", shown, value == 0 if must_be_zero else None))
        for note in f.notes:
            rows.append((f.fault, "note", note, False))
    return rows


def run(ctx: Any) -> list[Any]:
    from .common import Row

    stack = ctx.stack
    figures = asyncio.run(Scenario(stack, clients=CLIENTS, timer_cases=TIMER_CASES).run())
    name = f"faults ({CLIENTS} clients)"
    rows = summary(figures)
    return [Row(f"{name}: {fault}", metric, value, "", ok) for fault, metric, value, ok in rows]
