"""The board's map: grid boundaries (GeoJSON) drawn as inline SVG, coloured by open cases.

No tile server and no map library: longitude/latitude are projected onto the SVG box here
(equirectangular, x shrunk by cos(latitude) so that shapes keep their proportions at the
street's latitude, which is all a neighbourhood-sized map needs).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from grids.models import Area

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
    return GridMap(
        WIDTH, height, shapes, borders, dots, origin=(min(lons), max(lats), squash, scale)
    )
