"""Benchmark 3: the lists at full size — a department queue, a grid's list, a filtered search.

Over HTTP against the running workers (sequential, bounded): p50/p95 per page. In-process
against the same database: the queries each page issues (two pages of different rows must
issue the same number: no query per row) and their plans (`EXPLAIN`): no sequential scan on
the cases or events tables.
"""

from __future__ import annotations

import re

from .common import Context, Row, ms, percentile, timed_gets

REQUESTS = 100  # per page, after WARMUP
WARMUP = 5
P95_TARGET = 0.050
SEQ_SCAN = re.compile(r"Seq Scan on (workflows_case|workflows_caseevent)\b")
# (label, username, path, a second path showing other rows of the same list)
PAGES = [
    ("department queue", "dp01_staff1", "/w/department/", None),
    ("grid list", "d01c01g01_wgy1", "/w/grid/", None),
    ("filtered search", "d01_zhihui", "/cases/?status=closed&level=grid", "next"),
]
SAME_SHAPE_USERS = {  # same page for another user with a different amount of work
    "/w/department/": "dp12_staff1",
    "/w/grid/": "d05c03g07_wgy1",
}


def _queries(username: str, path: str) -> tuple[list[str], str]:
    """The SQL one GET of `path` issues in-process, and the path of the next page (if any)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grids.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get(path)  # warm the process-wide caches (content types), as a running worker is
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} as {username} in-process: HTTP {response.status_code}")
    after = response.context.get("after") if response.context else None
    separator = "&" if "?" in path else "?"
    following = f"{path}{separator}after={after}" if after else path
    return [q["sql"] for q in captured.captured_queries], following


def _seq_scans(queries: list[str]) -> list[str]:
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT") or "workflows_case" not in sql:
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(line for (line,) in cursor.fetchall())
            found += [f"{m.group(0)} in: {sql[:120]}…" for m in SEQ_SCAN.finditer(plan)]
    return found


def run(ctx: Context) -> list[Row]:
    rows = []
    for label, username, path, other_page in PAGES:
        timings = timed_gets(ctx, username, path, warmup=WARMUP, requests=REQUESTS)
        p95 = percentile(timings, 95)
        rows.append(Row(f"3 lists: {label}", "p50", ms(percentile(timings, 50))))
        rows.append(Row(f"3 lists: {label}", "p95", ms(p95), "≤ 50 ms", p95 <= P95_TARGET))
        queries, following = _queries(username, path)
        other_path = following if other_page == "next" else path  # keyset: the next page
        other, _next = _queries(SAME_SHAPE_USERS.get(path, username), other_path)
        rows.append(
            Row(
                f"3 lists: {label}",
                "queries (two different pages)",
                f"{len(queries)} / {len(other)}",
                "equal",
                len(queries) == len(other),
            )
        )
        scans = _seq_scans(queries + other)
        rows.append(
            Row(
                f"3 lists: {label}",
                "seq scans on cases/events",
                str(len(scans)) + ("" if not scans else f" ({scans[0]})"),
                "0",
                not scans,
            )
        )
    return rows
