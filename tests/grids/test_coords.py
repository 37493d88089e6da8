"""WGS-84 ↔ GCJ-02 (grids/coords.py) against eviltransform's published test vectors."""

import random

import pytest
from django.test import override_settings

from grids.coords import (
    distance_m,
    from_map,
    gcj02_to_wgs84,
    geometry_to_map,
    map_system,
    out_of_china,
    to_map,
    wgs84_to_gcj02,
)

# (WGS-84 lat, lng) → (GCJ-02 lat, lng): googollee/eviltransform's tests (Shanghai, Shenzhen,
# Beijing), the same in coordTransform's and every port's suites.
VECTORS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]
# Outside China nothing moves (eviltransform's Matlab suite: Denver, Brisbane, Rio).
ABROAD = [(39.7392, -104.9903), (-27.4698, 153.0251), (-22.9068, -43.1729), (51.5, -0.12)]


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_published_vectors(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
    assert distance_m(gcj02_to_wgs84(*gcj), wgs) < 0.01  # the inverse lands on the source
    assert distance_m(wgs, gcj) > 300  # the shift is real: hundreds of metres


@pytest.mark.parametrize("point", ABROAD)
def test_identity_outside_china(point: tuple[float, float]) -> None:
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_round_trip_under_a_metre_across_china() -> None:
    rng = random.Random(14)
    for _ in range(500):
        point = (rng.uniform(18.5, 53.0), rng.uniform(74.0, 134.0))
        assert not out_of_china(*point)
        back = gcj02_to_wgs84(*wgs84_to_gcj02(*point))
        assert distance_m(back, point) < 1.0
        forth = wgs84_to_gcj02(*gcj02_to_wgs84(*point))
        assert distance_m(forth, point) < 1.0


def test_the_map_system_follows_the_setting() -> None:
    wgs, gcj = VECTORS[0]
    with override_settings(GRIDCASE_TILE_CRS="wgs84"):
        assert map_system() == "wgs84"
        assert to_map(*wgs) == wgs
        assert from_map(*gcj) == gcj
    with override_settings(GRIDCASE_TILE_CRS="GCJ02"):
        assert map_system() == "gcj02"
        assert to_map(*wgs) == pytest.approx(gcj, abs=1e-9)
        assert distance_m(from_map(*gcj), wgs) < 0.01
        polygon = {"type": "Polygon", "coordinates": [[[wgs[1], wgs[0]], [121.53, 31.18]]]}
        moved = geometry_to_map(polygon)
        assert isinstance(moved, dict)
        assert moved["coordinates"][0][0] == pytest.approx([gcj[1], gcj[0]], abs=1e-9)
    with override_settings(GRIDCASE_TILE_CRS="bd09"):  # unknown: stored as is
        assert map_system() == "wgs84"
