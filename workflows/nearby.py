"""Cases near a point: the report forms' "is this already reported?" (我也遇到), the REST
`GET /api/v1/cases/nearby/` and Open311 intake's obvious duplicates.

A bounding box on the indexed (category, latitude, longitude) — index `case_category_place` —
narrows a million cases to the few near the point, then the exact (haversine) distance
decides. Distances in metres; the limits are settings:

- `GRIDCASE_NEARBY_RADIUS_M` (100): how far the report forms look;
- `GRIDCASE_OBVIOUS_DUPLICATE_M` (20): Open311 reports of the same service this close (and
  recent: `deadlines.obvious_duplicate_window`) are marked for staff review;
- how long closed cases are shown: `deadlines.nearby_closed_window`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from .choices import OPEN_STATUSES, PhotoKind, Status
from .deadlines import nearby_closed_window, obvious_duplicate_window
from .models import Case, CasePhoto, Category

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320.0
MAX_CANDIDATES = 500  # rows read from the box at most (a box of 200 m holds a handful)
MAX_RESULTS = 10


def radius_m() -> float:
    return float(getattr(settings, "GRIDCASE_NEARBY_RADIUS_M", 100))


@dataclass(frozen=True)
class Nearby:
    case: Case
    distance_m: float


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _box(latitude: float, longitude: float, radius: float) -> Q:
    """Every point within `radius` metres lies in this box (a little larger: rounding)."""
    dlat = radius / METRES_PER_DEGREE * 1.01
    dlng = dlat / max(math.cos(math.radians(latitude)), 0.01)
    return Q(
        latitude__range=(Decimal(f"{latitude - dlat:.6f}"), Decimal(f"{latitude + dlat:.6f}")),
        longitude__range=(Decimal(f"{longitude - dlng:.6f}"), Decimal(f"{longitude + dlng:.6f}")),
    )


def _within(
    candidates: QuerySet[Case], latitude: float, longitude: float, radius: float
) -> list[Nearby]:
    found = []
    for case in candidates[:MAX_CANDIDATES]:
        assert case.latitude is not None and case.longitude is not None  # the box says so
        away = distance_m(latitude, longitude, float(case.latitude), float(case.longitude))
        if away <= radius:
            found.append(Nearby(case, away))
    return found


def cases_nearby(
    *,
    latitude: float,
    longitude: float,
    category: Category,
    radius: float | None = None,
    exclude: Case | None = None,
    now: datetime | None = None,
) -> list[Nearby]:
    """Open cases of `category` within `radius` metres, and those closed in the last
    `deadlines.nearby_closed_window()`, newest first, at most MAX_RESULTS, with their
    before-photos."""
    radius = radius_m() if radius is None else radius
    since = (now or timezone.now()) - nearby_closed_window()
    candidates = (
        Case.objects.filter(_box(latitude, longitude, radius), category=category)
        .filter(Q(status__in=OPEN_STATUSES) | Q(status=Status.CLOSED, closed_at__gte=since))
        .select_related("category", "area")
        .order_by("-reported_at", "-pk")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    found = _within(candidates, latitude, longitude, radius)[:MAX_RESULTS]
    photos = CasePhoto.objects.filter(kind=PhotoKind.BEFORE)
    prefetch_related_objects([item.case for item in found], Prefetch("photos", queryset=photos))
    return found


def obvious_duplicate(
    *, latitude: float, longitude: float, category: Category, now: datetime | None = None
) -> Case | None:
    """For Open311 intake: the nearest open case of the same service within
    `GRIDCASE_OBVIOUS_DUPLICATE_M` metres reported in the last
    `GRIDCASE_OBVIOUS_DUPLICATE_HOURS` hours, if any."""
    radius = float(getattr(settings, "GRIDCASE_OBVIOUS_DUPLICATE_M", 20))
    since = (now or timezone.now()) - obvious_duplicate_window()
    candidates = Case.objects.filter(
        _box(latitude, longitude, radius),
        category=category,
        status__in=OPEN_STATUSES,
        reported_at__gte=since,
    ).order_by("-reported_at", "-pk")
    found = _within(candidates, latitude, longitude, radius)
    return min(found, key=lambda item: item.distance_m).case if found else None
