"""The case maps' dots at a million cases (issue 14.4): `workflows.boards.map.case_points` over
`cases_visible_to(user)`, the query behind `GET /cases/map/points/?bbox=…`.

    python -m tests.services --keep var/bench/nearby-pg postgres -- \\
        python -m bench.map_points [CASES]

Uses bench/nearby.py's district (CASES, default 1,000,000, rows written once by one INSERT …
SELECT: 1 in 100 open, a 22 × 19 km street "BN" without grids), a street official of it made
through the membership service, then times 200 calls each for (a) the whole street in view
and (b) a random 2 × 2 km view, as that official: p50/p95/max in ms, the dots returned (capped
at GRIDCASE_MAP_POINTS, 2,000), the queries per call (the same at any size), and EXPLAIN of
the SELECT (no Seq Scan on the cases). Bounded: 400 calls; nothing is started here.
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from bench.nearby import LAT0, LNG0, SPAN, _fill, _setup

CALLS = 200
TARGET_P95_MS = 100.0


def _official():
    from grids.models import Area, User
    from grids.roles import Role
    from grids.services import membership_add

    user, created = User.objects.get_or_create(username="bench_map_street")
    if created:
        membership_add(user=user, role=Role.STREET_OFFICIAL, area=Area.objects.get(code="BN"))
    return user


def _timed(user, boxes) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflows.boards.map import case_points
    from workflows.visibility import cases_visible_to

    timings, dots, queries = [], 0, 0
    for box in boxes:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as seen:
            points, _capped = case_points(cases_visible_to(user), bbox=box)
        timings.append((time.perf_counter() - started) * 1000)
        dots, queries = dots + len(points), max(queries, len(seen))
    timings.sort()
    return timings, dots // len(boxes), queries


def _explain(user, box) -> str:
    from django.db import connection

    from workflows.boards.map import points_cap
    from workflows.choices import OPEN_STATUSES
    from workflows.visibility import cases_visible_to

    west, south, east, north = box
    query = (
        cases_visible_to(user)
        .filter(status__in=OPEN_STATUSES, latitude__gte=south, latitude__lte=north)
        .filter(longitude__gte=west, longitude__lte=east)
        .order_by("-reported_at", "-id")
        .values_list("latitude", "longitude", "number", "status")[: points_cap() + 1]
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv: list[str]) -> int:
    wanted = int(argv[0]) if argv else 1_000_000
    _setup()
    total = _fill(wanted)
    user = _official()
    rng = random.Random(14)
    whole = [(LNG0, LAT0, LNG0 + SPAN, LAT0 + SPAN)] * CALLS
    small = []
    for _ in range(CALLS):
        west, south = LNG0 + rng.random() * (SPAN - 0.02), LAT0 + rng.random() * (SPAN - 0.02)
        small.append((west, south, west + 0.02, south + 0.02))
    ok = True
    for label, boxes in (("whole street", whole), ("2 km view", small)):
        timings, dots, queries = _timed(user, boxes)
        p50, p95 = statistics.median(timings), timings[int(0.95 * len(timings)) - 1]
        print(
            f"case_points at {total:,} cases, {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"max {timings[-1]:.1f} ms over {CALLS} calls; {dots} dots a call; "
            f"{queries} queries a call; target p95 ≤ {TARGET_P95_MS:.0f} ms",
            flush=True,
        )
        ok = ok and p95 <= TARGET_P95_MS
    plan = _explain(user, small[0])
    print(plan)
    seq = "Seq Scan on workflows_case" in plan
    print(f"sequential scan of the cases: {seq}")
    return 0 if ok and not seq else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
