"""Coordinates on the map: WGS-84 (what is stored) and GCJ-02 (what Chinese tiles are drawn in).

Everything GridCase stores is WGS-84: the browsers' geolocation reports it and the report
forms keep it as given (workflows/views/intake.py, `Case.latitude/longitude`), grid boundaries
are GeoJSON (RFC 7946: WGS-84), point-in-polygon (`grids.selectors.area_at_point`) works on it.
Map tiles of 天地图's GCJ mirrors, 高德 and 腾讯 are drawn in GCJ-02, a published obfuscation
that shifts points inside mainland China by up to ~700 m; OSM-style tiles are WGS-84.

This module is the ONE place where a point changes system (`GRIDCASE_TILE_CRS`): the server
sends the maps' outlines and dots already in the tiles' system (`to_map`), and a point placed
on a map (the intake form's dragged pin) comes back through `from_map` on the server
(`/grids/area-at/?map=1`), so the browser never converts anything itself.

The formulas are the widely used public ones (eviltransform / coordTransform, constants of
the Krasovsky 1940 ellipsoid); the inverse is solved by fixed-point iteration, exact to well
under a centimetre. Outside China (the same rough box as eviltransform) nothing changes.
"""

import math

from django.conf import settings

WGS84 = "wgs84"
GCJ02 = "gcj02"
SYSTEMS = (WGS84, GCJ02)

_A = 6378245.0  # Krasovsky 1940 semi-major axis (m)
_EE = 0.00669342162296594323  # its first eccentricity squared


def out_of_china(latitude: float, longitude: float) -> bool:
    """Outside the box where GCJ-02 shifts points (eviltransform's bounds)."""
    return not (72.004 <= longitude <= 137.8347 and 0.8293 <= latitude <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _delta(latitude: float, longitude: float) -> tuple[float, float]:
    d_lat = _shift_lat(longitude - 105.0, latitude - 35.0)
    d_lng = _shift_lng(longitude - 105.0, latitude - 35.0)
    rad_lat = latitude / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(latitude: float, longitude: float) -> tuple[float, float]:
    if out_of_china(latitude, longitude):
        return latitude, longitude
    d_lat, d_lng = _delta(latitude, longitude)
    return latitude + d_lat, longitude + d_lng


def gcj02_to_wgs84(latitude: float, longitude: float) -> tuple[float, float]:
    """The WGS-84 point that `wgs84_to_gcj02` sends to (latitude, longitude)."""
    if out_of_china(latitude, longitude):
        return latitude, longitude
    lat, lng = latitude, longitude
    for _step in range(30):  # converges by ~1e-3 per step; 3-5 steps reach 1e-10 degrees
        there_lat, there_lng = wgs84_to_gcj02(lat, lng)
        error_lat, error_lng = there_lat - latitude, there_lng - longitude
        if abs(error_lat) < 1e-11 and abs(error_lng) < 1e-11:
            break
        lat, lng = lat - error_lat, lng - error_lng
    return lat, lng


def map_system() -> str:
    """The tiles' system (`GRIDCASE_TILE_CRS`); WGS-84 when unset or unknown."""
    system = str(getattr(settings, "GRIDCASE_TILE_CRS", WGS84) or WGS84).lower()
    return system if system in SYSTEMS else WGS84


def to_map(latitude: float, longitude: float) -> tuple[float, float]:
    """A stored (WGS-84) point in the map's system."""
    if map_system() == GCJ02:
        return wgs84_to_gcj02(latitude, longitude)
    return latitude, longitude


def from_map(latitude: float, longitude: float) -> tuple[float, float]:
    """A point placed on the map, in WGS-84 (as stored)."""
    if map_system() == GCJ02:
        return gcj02_to_wgs84(latitude, longitude)
    return latitude, longitude


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def geometry_to_map(geometry: object) -> object:
    """A GeoJSON Polygon/MultiPolygon with its [longitude, latitude] positions in the map's
    system (anything else unchanged)."""
    if map_system() == WGS84 or not isinstance(geometry, dict):
        return geometry

    def ring(positions: list[list[float]]) -> list[list[float]]:
        return [list(reversed(to_map(p[1], p[0]))) for p in positions]

    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in coordinates]}
    if geometry.get("type") == "MultiPolygon":
        polygons = [[ring(r) for r in polygon] for polygon in coordinates]
        return {"type": "MultiPolygon", "coordinates": polygons}
    return geometry
