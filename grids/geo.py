"""GeoJSON boundaries: validation and containment (shapely does the geometry)."""

from numbers import Real
from typing import Any, cast

from shapely.geometry import Polygon, shape
from shapely.validation import explain_validity

# Shared edges of neighbouring areas are stored rounded; allow that much slack for nesting.
NESTING_TOLERANCE_DEG = 1e-7


class BoundaryError(ValueError):
    """A boundary that is not a valid GeoJSON polygon."""


def _check_position(position: Any, where: str) -> None:
    if (
        not isinstance(position, list | tuple)
        or len(position) not in (2, 3)
        or not all(isinstance(c, Real) and not isinstance(c, bool) for c in position)
    ):
        raise BoundaryError(f"{where} is not a [longitude, latitude] pair of numbers")
    lng, lat = position[0], position[1]
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise BoundaryError(f"{where} [{lng}, {lat}] is outside longitude ±180 / latitude ±90")


def polygon_from_geojson(data: Any) -> Polygon:
    """Parse a GeoJSON Polygon geometry, or raise BoundaryError saying what is wrong."""
    if not isinstance(data, dict):
        raise BoundaryError("boundary must be a GeoJSON object")
    if data.get("type") != "Polygon":
        raise BoundaryError(f"boundary type is {data.get('type')!r}, expected 'Polygon'")
    rings = data.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise BoundaryError("boundary coordinates must be a non-empty list of linear rings")
    for r, ring in enumerate(rings):
        if not isinstance(ring, list) or len(ring) < 4:
            raise BoundaryError(f"ring {r} needs at least 4 positions")
        for p, position in enumerate(ring):
            _check_position(position, f"ring {r} position {p}")
        if list(ring[0]) != list(ring[-1]):
            raise BoundaryError(f"ring {r} is not closed (first and last positions differ)")
    polygon = cast(Polygon, shape(data))  # a "Polygon" GeoJSON geometry becomes one
    if not polygon.is_valid:
        raise BoundaryError(f"boundary is not a valid polygon: {explain_validity(polygon)}")
    return polygon


def polygon_within(inner: Polygon, outer: Polygon) -> bool:
    """Is `inner` inside `outer` (shared edges allowed, up to rounding)?"""
    return outer.buffer(NESTING_TOLERANCE_DEG).covers(inner)
