"""The case maps: the dots' endpoint and what a page needs to draw a map (map.js).

The dots come from `GET /cases/map/points/?bbox=west,south,east,north` plus the case list's
own filters (`?area=`, `?status=`, …): the newest `GRIDCASE_MAP_POINTS` (2,000) cases the user
may see (workflows/visibility.py) inside the view, open ones unless a status is asked for.
Two to four queries whatever the number of cases (the user's grants, then one SELECT).
"""

from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grids.coords import map_system, to_map
from grids.models import Area
from grids.roles import AreaLevel
from grids.selectors import AnyUser

from .. import forms
from ..boards.map import case_points, outline_features, parse_bbox, points_cap
from ..choices import OPEN_STATUSES, Status
from ..visibility import cases_visible_to, map_areas


@login_required
@require_GET
def case_map_points(request: HttpRequest) -> JsonResponse:
    filters = forms.CaseFilterForm(request.GET)
    if not filters.is_valid():
        return JsonResponse({"errors": filters.errors.get_json_data()}, status=400)
    bbox = None
    if request.GET.get("bbox"):
        bbox = parse_bbox(request.GET["bbox"])
        if bbox is None:
            return JsonResponse(
                {"error": _("Give bbox as west,south,east,north in degrees.")}, status=400
            )
    cases = filters.apply(cases_visible_to(request.user))
    statuses = () if filters.cleaned_data.get("status") else OPEN_STATUSES
    points, capped = case_points(cases, bbox=bbox, statuses=statuses)
    return JsonResponse({"points": points, "capped": capped, "limit": points_cap()})


LEAFLET = ("vendor/leaflet/leaflet.js", "vendor/leaflet.markercluster/leaflet.markercluster.js")


@cache
def leaflet_available() -> bool:
    """Leaflet if `make install` fetched it; without it the pages keep their lists (and the
    board its SVG map)."""
    return all(finders.find(path) for path in LEAFLET)


def map_settings() -> dict[str, object]:
    """The base map for map.js: the tiles (none by default), their attribution and system."""
    return {
        "tiles": settings.GRIDCASE_TILE_URL,
        "attribution": settings.GRIDCASE_TILE_ATTRIBUTION,
        "subdomains": settings.GRIDCASE_TILE_SUBDOMAINS,
        "max_zoom": settings.GRIDCASE_TILE_MAX_ZOOM,
        "crs": map_system(),
        "vendor": leaflet_available(),
        "legend": [str(status) for status in OPEN_STATUSES],
        "statuses": {status.value: str(status.label) for status in Status},
        "capped": _("Only the newest %(n)s cases in view are shown: zoom in for the others.")
        % {"n": f"{points_cap():,}"},
    }


def case_map(
    user: AnyUser, *, features: dict[str, object] | None = None, query: str = ""
) -> dict[str, object]:
    """Everything `workflows/_case_map.html` needs: the outlines (the given features, e.g. the
    board's coloured grids, else the user's own patch) and the dots' URL with `query`."""
    if features is None:
        units = Area.objects.filter(
            map_areas(user), level__in=(AreaLevel.COMMUNITY, AreaLevel.GRID)
        ).exclude(boundary__isnull=True)
        units = units.only("pk", "code", "name", "level", "boundary", "parent_id")
        listed = list(units.order_by("path"))
        features = outline_features(
            [u for u in listed if u.level == AreaLevel.GRID],
            communities=[u for u in listed if u.level == AreaLevel.COMMUNITY],
        )
    url = reverse("case_map_points") + (f"?{query}" if query else "")
    return {"points_url": url, "features": features, "center": _center(features), **map_settings()}


def _center(features: dict[str, object]) -> list[float] | None:
    """Where a map without outlines opens (a resident's intake pin): the first street with a
    boundary, in the map's system; None when there are outlines (the map fits them)."""
    if features.get("features"):
        return None
    street = Area.objects.filter(level=AreaLevel.STREET).exclude(boundary__isnull=True).first()
    boundary = street.boundary if street else None
    if not isinstance(boundary, dict) or boundary.get("type") != "Polygon":
        return None
    rings = boundary.get("coordinates")
    if not rings or not rings[0]:
        return None
    ring = rings[0]
    latitude = sum(p[1] for p in ring) / len(ring)
    longitude = sum(p[0] for p in ring) / len(ring)
    return [round(c, 6) for c in to_map(latitude, longitude)]
