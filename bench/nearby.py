"""Cases near a point at a million cases (issue 14.1): `workflows.nearby.cases_nearby`, the
query behind the report forms' "already reported close by?" and `GET /api/v1/cases/nearby/`.

    python -m tests.services --keep var/bench/nearby-pg postgres -- \\
        python -m bench.nearby [CASES]

Against the PostgreSQL given by DATABASE_URL: migrates, writes CASES (default 1,000,000) case
rows in one INSERT … SELECT over generate_series when fewer are there (spread over a
22 × 19 km district, 1 in 100 open, the rest closed over a year, every category), ANALYZEs,
then times 300 calls of `cases_nearby` at random points (p50/p95/max, ms) and checks with
EXPLAIN that the box is read through the index `case_category_place`, not a scan of the
table. Bounded: one INSERT, 300 queries; nothing is started here (tests.services does it).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

CALLS = 300
LAT0, LNG0, SPAN = 30.50, 104.00, 0.20  # degrees: the district's corner and size
TARGET_P95_MS = 20.0


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill(wanted: int) -> int:
    from django.db import connection

    from grids.models import Area
    from workflows.models import Case, Category

    have = Case.objects.filter(number__startswith="BN-").count()
    if have >= wanted:
        return have
    street = Area.objects.filter(code="BN").first() or Area.objects.create(
        level="street", code="BN", name="bench street"
    )
    categories = list(Category.objects.values_list("pk", flat=True))
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflows_case (
                number, title, description, category_id, priority, source, contact_name,
                contact_phone, anonymous, latitude, longitude, address, media_url, area_id,
                area_path, status, level, handling_area_id, verifier_area_id, whistle_type,
                result, overdue, rework_count, reopen_count, closed_level, rating,
                reported_at, closed_at, updated_at, follower_count, verify_method,
                suspend_reason, suspend_note, hotline_number)
            SELECT 'BN-' || g, 'bench', 'bench', (%s::int[])[1 + g %% %s], 'normal', 'resident',
                '', '', false, round((%s + random() * %s)::numeric, 6),
                round((%s + random() * %s)::numeric, 6), '', '', %s, %s,
                CASE WHEN g %% 100 = 0 THEN 'handling' ELSE 'closed' END, 'grid', %s, %s, '',
                '', false, 0, 0, '', '', now() - (g %% 365) * interval '1 day',
                CASE WHEN g %% 100 = 0 THEN NULL
                     ELSE now() - (g %% 365) * interval '1 day' + interval '2 days' END,
                now(), 0, '', '', '', ''
            FROM generate_series(%s, %s) AS g
            """,
            [
                categories,
                len(categories),
                LAT0,
                SPAN,
                LNG0,
                SPAN,
                street.pk,
                street.path,
                street.pk,
                street.pk,
                have + 1,
                wanted,
            ],
        )
        cursor.execute("ANALYZE workflows_case")
    print(f"wrote {wanted - have} cases in {time.monotonic() - started:.0f} s", flush=True)
    return wanted


def _explain(latitude: float, longitude: float) -> str:
    from django.db import connection

    from workflows.choices import OPEN_STATUSES
    from workflows.models import Case, Category
    from workflows.nearby import _box, radius_m

    category = Category.objects.first()
    query = Case.objects.filter(
        _box(latitude, longitude, radius_m()), category=category, status__in=OPEN_STATUSES
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv: list[str]) -> int:
    wanted = int(argv[0]) if argv else 1_000_000
    _setup()
    total = _fill(wanted)
    from workflows.models import Category
    from workflows.nearby import cases_nearby

    categories = list(Category.objects.all())
    rng = random.Random(14)
    timings, found = [], 0
    for _ in range(CALLS):
        latitude = LAT0 + rng.random() * SPAN
        longitude = LNG0 + rng.random() * SPAN
        started = time.perf_counter()
        items = cases_nearby(
            latitude=latitude, longitude=longitude, category=rng.choice(categories)
        )
        timings.append((time.perf_counter() - started) * 1000)
        found += len(items)
    timings.sort()
    p50, p95 = statistics.median(timings), timings[int(0.95 * len(timings)) - 1]
    plan = _explain(LAT0 + SPAN / 2, LNG0 + SPAN / 2)
    indexed = "case_category_place" in plan and "Seq Scan" not in plan
    print(plan)
    print(
        f"cases_nearby at {total:,} cases: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"max {timings[-1]:.1f} ms over {CALLS} calls; {found / CALLS:.1f} cases found a call; "
        f"index used: {indexed}; target p95 ≤ {TARGET_P95_MS:.0f} ms"
    )
    return 0 if indexed and p95 <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
