"""未诉先办 hot spots: the clustering's time at scale, `python -m bench.hotspots [POINTS]`.

POINTS cases with coordinates (default 250,000: the 90-day window of a district with a
million cases a year), spread over 20 streets of 4 × 4 km and 12 categories, a fifth of them
piled around 400 recurring places; times `workflows.hotspots.compute.clusters` per (street,
category) as `hotspots_compute` calls it. The database read of the window (one indexed query
on reported_at) and the upsert of the groups come on top; they are not measured here.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(total: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings.dev")
    import django

    django.setup()
    from workflows.hotspots.compute import Point, clusters

    rng = random.Random(12345)
    now = datetime.now(UTC)
    km = 1 / 111.0
    places = [
        (s, rng.uniform(0, 4 * km), rng.uniform(0, 4 * km)) for s in range(20) for _ in range(20)
    ]
    buckets: dict[tuple[int, int], list[Point]] = {}
    for n in range(total):
        category = rng.randrange(12)
        if rng.random() < 0.2:
            street, dy, dx = rng.choice(places)
            dy, dx = dy + rng.gauss(0, 0.05 * km), dx + rng.gauss(0, 0.05 * km)
        else:
            street, dy, dx = rng.randrange(20), rng.uniform(0, 4 * km), rng.uniform(0, 4 * km)
        point = Point(n, 30.0 + street * 0.05 + dy, 104.0 + dx, now, 1)
        buckets.setdefault((street, category), []).append(point)
    started = time.perf_counter()
    groups = [g for points in buckets.values() for g in clusters(points, 150, 3)]
    seconds = time.perf_counter() - started
    print(f"hot spots: {total} cases, {len(buckets)} street×category sets ({os.cpu_count()} CPUs)")
    print(
        f"  clustering (150 m, at least 3): {seconds:.2f} s, {len(groups)} groups, "
        f"largest {max((len(g) for g in groups), default=0)}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 250_000)
