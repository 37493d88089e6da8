"""The maps: grid boundaries coloured by open cases, and the cases as dots.

Two faces of one map. The page is complete without JavaScript: the board draws the grids as
inline SVG, projected here (equirectangular, x shrunk by cos(latitude) so that shapes keep
their proportions at the street's latitude). With JavaScript, workflows/static/workflows/
map.js draws the same grids with Leaflet (`GridMap.features`, GeoJSON) over the tiles of
`GRIDCASE_TILE_URL`, or over nothing but the outlines when it is empty, and the cases as
clustered dots from `case_points` (the `/cases/map/points/` endpoint).

Every point and outline leaves here in the tiles' coordinate system (grids/coords.py:
stored WGS-84, shown GCJ-02 where the tiles are); the browser converts nothing.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grids.coords import from_map, geometry_to_map, to_map
from grids.models import Area

from ..choices import OPEN_STATUSES
from ..models import Case

WIDTH = 600  # SVG user units; the height follows the street's shape
MARGIN = 8
# Open cases per grid → colour bucket (0 = none); the legend shows the same steps.
BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 2), (3, 5), (6, 10), (11, None))


def bucket_of(open_cases: int) -> int:
    for index, (low, high) in enumerate(BUCKETS):
        if open_cases >= low and (high is None or open_cases <= high):
            return index
    return 0


def legend() -> list[tuple[int, str]]:
    """(bucket, label) for each colour step."""
    steps = []
    for index, (low, high) in enumerate(BUCKETS):
        if high is None:
            label = _("%(low)d or more") % {"low": low}
        elif low == high:
            label = str(low)
        else:
            label = f"{low}–{high}"
        steps.append((index, label))
    return steps


@dataclass
class Shape:
    code: str
    name: str
    d: str  # SVG path data
    open_cases: int
    bucket: int
    label: str = ""  # the grid's short name (without its community's), at (x, y)
    x: float = 0.0
    y: float = 0.0


@dataclass
class GridMap:
    width: int
    height: int
    shapes: list[Shape]
    borders: list[tuple[str, str]] = field(default_factory=list)  # (community name, path)
    dots: list[tuple[str, float, float]] = field(default_factory=list)  # (case number, x, y)
    features: dict[str, object] = field(default_factory=dict)  # GeoJSON for map.js
    # The projection: west edge, north edge, x shrink (cos latitude), units per degree.
    origin: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)

    def point(self, longitude: float, latitude: float) -> tuple[float, float] | None:
        """A place on the map in SVG units, or None when it falls outside the box."""
        west, north, squash, scale = self.origin
        x = MARGIN + (longitude - west) * squash * scale
        y = MARGIN + (north - latitude) * scale
        if not (0 <= x <= self.width and 0 <= y <= self.height):
            return None
        return round(x, 1), round(y, 1)


def _rings(boundary: object) -> list[list[list[float]]]:
    if not isinstance(boundary, dict):
        return []
    if boundary.get("type") == "Polygon":
        return boundary.get("coordinates") or []
    if boundary.get("type") == "MultiPolygon":
        return [ring for polygon in boundary.get("coordinates") or [] for ring in polygon]
    return []


def grid_map(
    grids: Iterable[Area],
    open_cases: dict[int, int],
    *,
    communities: Iterable[Area] = (),
    cases: Iterable[tuple[str, float, float]] = (),
) -> GridMap | None:
    """The grids that have a boundary, projected into one SVG box, each labelled with its
    short name and open count; the communities' borders over them; `cases` (number,
    latitude, longitude) as dots. None if no grid has a boundary."""
    outlines = [(grid, _rings(grid.boundary)) for grid in grids if grid.boundary]
    outlines = [(grid, rings) for grid, rings in outlines if rings]
    points = [point for _grid, rings in outlines for ring in rings for point in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    squash = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * squash, 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    scale = (WIDTH - 2 * MARGIN) / span_x
    height = round(span_y * scale + 2 * MARGIN)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - min(lons)) * squash * scale, MARGIN + (max(lats) - lat) * scale

    def path(rings: list[list[list[float]]]) -> str:
        return " ".join(
            "M" + " L".join("{:.1f},{:.1f}".format(*xy(p[0], p[1])) for p in ring) + " Z"
            for ring in rings
        )

    parents = {c.pk: c.name for c in communities}
    shapes = []
    for grid, rings in outlines:
        count = open_cases.get(grid.pk, 0)
        ring = rings[0]
        x, y = xy(sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
        parent = parents.get(grid.parent_id or 0, "")
        short = grid.name.removeprefix(parent) if parent else grid.name
        shape = Shape(grid.code, grid.name, path(rings), count, bucket_of(count), short, x, y)
        shapes.append(shape)
    borders = [(c.name, path(_rings(c.boundary))) for c in communities if _rings(c.boundary)]
    inside = [(n, *xy(lon, lat)) for n, lat, lon in cases]
    dots = [(n, x, y) for n, x, y in inside if 0 <= x <= WIDTH and 0 <= y <= height]
    counts = {grid.pk: open_cases.get(grid.pk, 0) for grid, _rings in outlines}
    return GridMap(
        WIDTH,
        height,
        shapes,
        borders,
        dots,
        outline_features([grid for grid, _rings in outlines], counts, communities=communities),
        origin=(min(lons), max(lats), squash, scale),
    )


MAX_OUTLINES = 600  # grids drawn on one map at most (a district's worth)


def outline_features(
    grids: Iterable[Area],
    open_cases: dict[int, int] | None = None,
    *,
    communities: Iterable[Area] = (),
) -> dict[str, object]:
    """The grids (with their open count and colour bucket when `open_cases` is given) and the
    communities' borders as a GeoJSON FeatureCollection in the map's coordinate system."""
    parents = {c.pk: c.name for c in communities}
    features: list[dict[str, object]] = []
    for grid in list(grids)[:MAX_OUTLINES]:
        if not _rings(grid.boundary):
            continue
        parent = parents.get(grid.parent_id or 0, "")
        properties: dict[str, object] = {
            "kind": "grid",
            "code": grid.code,
            "name": grid.name,
            "label": grid.name.removeprefix(parent) if parent else grid.name,
        }
        if open_cases is not None:
            count = open_cases.get(grid.pk, 0)
            properties |= {"open": count, "bucket": bucket_of(count)}
        features.append(_feature(grid.boundary, properties))
    for community in communities:
        if _rings(community.boundary):
            properties = {"kind": "community", "code": community.code, "name": community.name}
            features.append(_feature(community.boundary, properties))
    return {"type": "FeatureCollection", "features": features}


def _feature(boundary: object, properties: dict[str, object]) -> dict[str, object]:
    return {"type": "Feature", "geometry": geometry_to_map(boundary), "properties": properties}


def points_cap() -> int:
    return int(getattr(settings, "GRIDCASE_MAP_POINTS", 2000))


BBox = tuple[float, float, float, float]  # west, south, east, north (the map's system)
BBOX_PAD = 0.002  # degrees (~200 m): the GCJ-02 shift varies that little across a view


def parse_bbox(text: str) -> BBox | None:
    """ "west,south,east,north" in degrees; None (→ 400) when it is not that."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        return None
    ranges_ok = -180 <= west < east <= 180 and -90 <= south < north <= 90
    return (west, south, east, north) if ranges_ok else None


def case_points(
    cases: QuerySet[Case], *, bbox: BBox | None, statuses: Iterable[str] = OPEN_STATUSES
) -> tuple[list[list[object]], bool]:
    """([latitude, longitude, number, status] in the map's system, capped?): the newest
    `points_cap()` located cases of `cases` (already limited to what the user may see) in
    `bbox`, with the given statuses. One query, whatever the number of cases."""
    located = cases.filter(latitude__isnull=False, longitude__isnull=False)
    if statuses:
        located = located.filter(status__in=list(statuses))
    if bbox is not None:
        west, south, east, north = bbox
        south_lat, west_lng = from_map(south, west)
        north_lat, east_lng = from_map(north, east)
        located = located.filter(
            latitude__gte=south_lat - BBOX_PAD,
            latitude__lte=north_lat + BBOX_PAD,
            longitude__gte=west_lng - BBOX_PAD,
            longitude__lte=east_lng + BBOX_PAD,
        )
    cap = points_cap()
    rows = list(
        located.order_by("-reported_at", "-id").values_list(
            "latitude", "longitude", "number", "status"
        )[: cap + 1]
    )
    points: list[list[object]] = []
    for lat, lng, number, status in rows[:cap]:
        assert lat is not None and lng is not None  # filtered above
        shown = to_map(float(lat), float(lng))
        points.append([round(shown[0], 6), round(shown[1], 6), number, status])
    return points, len(rows) > cap
