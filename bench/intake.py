"""Benchmark 1: reporting cases through the REST API at 16 concurrent clients for 30 s, next
to a bare Django view inserting one row on the same server (the framework's ceiling).

Each client is a grid member with a DRF token and a keep-alive connection, POSTing JSON
reports into their own grid (`POST /api/v1/cases/`: validation, numbering, the case, its
event, notifications, the viewflow process and its first task, the broadcast). Throughput
and p50/p95/p99; target: GridCase's throughput ≥ 0.4 × the bare view's.
"""

from __future__ import annotations

import http.client
import json
import threading
import time

from .common import Context, Row, ms, percentile

CLIENTS, SECONDS = 16, 30
RATIO_TARGET = 0.4


def _clients() -> list[tuple[str, str]]:
    """(token, grid code) for CLIENTS grid members of street D01."""
    from rest_framework.authtoken.models import Token

    from grids.models import Membership
    from grids.roles import Role

    members = (
        Membership.objects.filter(role=Role.GRID_MEMBER, area__code__startswith="D01-")
        .select_related("user", "area")
        .order_by("pk")[:CLIENTS]
    )
    return [(Token.objects.get_or_create(user=m.user)[0].key, m.area.code) for m in members]


def _load(ctx: Context, requests: list) -> tuple[float, list[float], int]:
    """Run CLIENTS threads for SECONDS: (elapsed, latencies of 2xx answers, failures)."""
    host, port = ctx.host_port
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client(request) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < stop:
            path, body, headers = request()
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if 200 <= response.status < 300:
                mine.append(time.perf_counter() - started)
            else:
                bad += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started, latencies, failures[0]


def _report_request(token: str, grid: str):
    def request():
        body = {"title": "楼道堆物", "description": "基准测试：楼道堆放杂物",
                "category": "corridor", "area": grid}  # fmt: skip
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        return "/api/v1/cases/", json.dumps(body, ensure_ascii=False).encode(), headers

    return request


def _bare_request():
    return "/bench/insert-one-row/", b"one row", {"Content-Type": "text/plain"}


def _rows(name: str, elapsed: float, latencies: list[float], failures: int) -> list[Row]:
    spread = " / ".join(ms(percentile(latencies, p)) for p in (50, 95, 99))
    return [
        Row(name, "throughput", f"{len(latencies) / elapsed:.1f} req/s"),
        Row(name, "p50 / p95 / p99", spread),
        Row(name, "non-2xx answers", str(failures), "0", failures == 0),
    ]


def run(ctx: Context) -> list[Row]:
    from bench.bare import table_create

    table_create()
    clients = _clients()
    if len(clients) < CLIENTS:
        raise RuntimeError(f"only {len(clients)} grid members in D01")
    bare = _load(ctx, [_bare_request] * CLIENTS)
    report = _load(ctx, [_report_request(token, grid) for token, grid in clients])
    ratio = (len(report[1]) / report[0]) / (len(bare[1]) / bare[0])
    return [
        *_rows("1 intake: bare view, one row", *bare),
        *_rows("1 intake: REST report", *report),
        Row("1 intake", "throughput ratio REST / bare", f"{ratio:.2f}", "≥ 0.4", ratio >= 0.4),
    ]
