"""Finding hot spots: same-category cases within a radius of each other (single linkage:
a chain of neighbours is one group) among the cases of the last days, per street.

The computation is a scheduled job (`hotspots_work`, the timer dispatcher's periodic work,
every GRIDCASE_HOTSPOT_EVERY_MINUTES), never a page view: one query for the window's cases
with coordinates, then a grid hash (cells of one radius) so each case is compared only with
the cases of its own and the eight neighbouring cells. Groups keep their identity across runs
by (category, earliest case): a dismissed or turned group stays so.
"""

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import Source, Status
from ..models import Case, HotSpot, HotSpotRun

M_PER_DEGREE_LAT = 110_540.0
M_PER_DEGREE_LNG = 111_320.0


@dataclass(frozen=True)
class Point:
    case_id: int
    latitude: float
    longitude: float
    reported_at: datetime
    area_id: int


def clusters(points: list[Point], radius_m: float, min_size: int) -> list[list[Point]]:
    """The groups of at least `min_size` points linked by steps of at most `radius_m`."""
    if not points:
        return []
    lat0 = math.radians(sum(p.latitude for p in points) / len(points))
    kx, ky = M_PER_DEGREE_LNG * math.cos(lat0), M_PER_DEGREE_LAT
    xy = [(p.longitude * kx, p.latitude * ky) for p in points]
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cells: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    limit = radius_m * radius_m
    for i, (x, y) in enumerate(xy):
        cx, cy = math.floor(x / radius_m), math.floor(y / radius_m)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in cells.get((cx + dx, cy + dy), ()):
                    xj, yj = xy[j]
                    if (x - xj) ** 2 + (y - yj) ** 2 <= limit:
                        ri, rj = root(i), root(j)
                        if ri != rj:
                            parent[ri] = rj
        cells[(cx, cy)].append(i)
    groups: defaultdict[int, list[Point]] = defaultdict(list)
    for i, point in enumerate(points):
        groups[root(i)].append(point)
    return [group for group in groups.values() if len(group) >= min_size]


def _window_points(now: datetime) -> dict[tuple[int, int], list[Point]]:
    """The window's cases with coordinates, by (street id, category id). Rejected cases and
    the proactive cases made from hot spots are left out."""
    since = now - timedelta(days=settings.GRIDCASE_HOTSPOT_DAYS)
    rows = (
        Case.objects.filter(reported_at__gte=since, latitude__isnull=False, longitude__isnull=False)
        .exclude(status=Status.REJECTED)
        .exclude(source=Source.PROACTIVE)
        .values_list(
            "pk", "category_id", "latitude", "longitude", "reported_at", "area_id", "area_path"
        )
    )  # fmt: skip
    points: defaultdict[tuple[int, int], list[Point]] = defaultdict(list)
    for pk, category, lat, lng, reported, area, path in rows.iterator(chunk_size=5000):
        if lat is None or lng is None:  # excluded by the query; said for the type checker
            continue
        street = int(path.split("/", 1)[0])
        points[(street, category)].append(Point(pk, float(lat), float(lng), reported, area))
    return points


def _spot_values(group: list[Point], now: datetime) -> dict[str, object]:
    trend = timedelta(days=settings.GRIDCASE_HOTSPOT_TREND_DAYS)
    recent = sum(1 for p in group if p.reported_at >= now - trend)
    previous = sum(1 for p in group if now - 2 * trend <= p.reported_at < now - trend)
    latitude = sum(p.latitude for p in group) / len(group)
    longitude = sum(p.longitude for p in group) / len(group)
    return {
        "area_id": Counter(p.area_id for p in group).most_common(1)[0][0],
        "latitude": Decimal(f"{latitude:.6f}"),
        "longitude": Decimal(f"{longitude:.6f}"),
        "case_ids": sorted(p.case_id for p in group),
        "count": len(group),
        "recent": recent,
        "previous": previous,
        "computed_at": now,
    }


@transaction.atomic
def _store(found: Iterable[tuple[int, int, list[Point]]], now: datetime) -> int:
    groups = 0
    for street, category, group in found:
        anchor = min(group, key=lambda p: (p.reported_at, p.case_id))
        HotSpot.objects.update_or_create(
            category_id=category,
            anchor_id=anchor.case_id,
            defaults={"street_id": street, **_spot_values(group, now)},
        )
        groups += 1
    # Open groups not found again have dissolved (their cases aged out of the window).
    HotSpot.objects.filter(state=HotSpot.State.OPEN, computed_at__lt=now).delete()
    return groups


def hotspots_compute(now: datetime | None = None) -> HotSpotRun:
    """Recompute every street's hot spots; the run's time and sizes are kept."""
    now = now or timezone.now()
    started = time.perf_counter()
    points = _window_points(now)
    found = [
        (street, category, group)
        for (street, category), street_points in points.items()
        for group in clusters(
            street_points, settings.GRIDCASE_HOTSPOT_RADIUS_M, settings.GRIDCASE_HOTSPOT_MIN_CASES
        )
    ]
    groups = _store(found, now)
    return HotSpotRun.objects.create(
        started_at=now,
        seconds=time.perf_counter() - started,
        cases=sum(len(p) for p in points.values()),
        groups=groups,
    )


def hotspots_work() -> bool:
    """The dispatcher's periodic work: recompute when the last run is old enough."""
    last = HotSpotRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    every = timedelta(minutes=settings.GRIDCASE_HOTSPOT_EVERY_MINUTES)
    if last is None or timezone.now() - last >= every:
        hotspots_compute()
    return False
