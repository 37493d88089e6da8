"""The case maps' endpoint and settings over HTTP (issue 14.4): the dots a user may see, in
the view, capped, in a constant number of queries; the map's points in the tiles' system;
the pin's point converted back through `/areas/at/?map=1`."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from grids.coords import distance_m, wgs84_to_gcj02
from workflows import services

SQUARE = {  # the grid G1, in Shanghai (inside China, so GCJ-02 shifts it)
    "type": "Polygon",
    "coordinates": [
        [[121.52, 31.17], [121.54, 31.17], [121.54, 31.19], [121.52, 31.19], [121.52, 31.17]]
    ],
}
INSIDE = (31.1774276, 121.5272106)  # eviltransform's Shanghai point


def located(world, n: int, *, area: str = "G1", by: str = "grid1", lat=INSIDE[0], lng=INSIDE[1]):
    return [
        world.report(
            area=area,
            by=by,
            latitude=Decimal(f"{lat:.6f}") + Decimal(i) / 1_000_000,
            longitude=Decimal(f"{lng:.6f}"),
        )
        for i in range(n)
    ]


def points(client, query: str = "") -> dict:
    response = client.get("/cases/map/points/" + query)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_the_dots_are_the_open_cases_one_may_see(client, world):
    mine = located(world, 3)
    theirs = located(world, 2, area="G3", by="grid3")
    closed = services.case_accept(case=mine[0], actor=world.people["grid1"])
    services.case_verify(
        case=services.case_resolve(case=closed, actor=world.people["grid1"], result="好了"),
        actor=world.people["grid1"],
    )
    client.force_login(world.people["grid1"])
    body = points(client)
    assert sorted(p[2] for p in body["points"]) == sorted(c.number for c in mine[1:])
    assert body["capped"] is False and body["limit"] == 2000
    assert {p[3] for p in body["points"]} == {"reported"}
    client.force_login(world.people["street"])
    everything = {p[2] for p in points(client)["points"]}
    assert everything == {c.number for c in mine[1:] + theirs}
    # the case list's filters: a status shows ended cases too; an area narrows
    assert {p[2] for p in points(client, "?status=closed")["points"]} == {mine[0].number}
    assert {p[2] for p in points(client, "?area=S-02-01")["points"]} == {c.number for c in theirs}
    client.force_login(world.people["water1"])  # another street's department
    assert points(client)["points"] == []


@pytest.mark.django_db
def test_the_view_box_the_cap_and_the_query_count(client, world, settings):
    located(world, 4)
    located(world, 3, lat=31.30, lng=121.60)
    client.force_login(world.people["street"])
    box = "?bbox=121.50,31.10,121.55,31.20"
    assert len(points(client, box)["points"]) == 4
    with CaptureQueriesContext(connection) as few:
        points(client, box)
    located(world, 20)
    with CaptureQueriesContext(connection) as many:
        body = points(client, box)
    assert len(many) == len(few)  # independent of the number of cases
    assert len(body["points"]) == 24
    settings.GRIDCASE_MAP_POINTS = 5
    body = points(client, box)
    newest = sorted(body["points"], key=lambda p: p[2])
    assert len(newest) == 5 and body["capped"] is True
    for wrong in ("?bbox=1,2,3", "?bbox=a,b,c,d", "?bbox=10,5,5,10", "?status=nope"):
        assert client.get("/cases/map/points/" + wrong).status_code == 400, wrong
    client.logout()
    assert client.get("/cases/map/points/").status_code == 302


@pytest.mark.django_db
def test_gcj02_tiles_get_shifted_points_and_the_pin_comes_back(client, world):
    world.areas["G1"].boundary = SQUARE
    world.areas["G1"].save()
    located(world, 1)
    client.force_login(world.people["grid1"])
    with override_settings(GRIDCASE_TILE_CRS="gcj02"):
        (point,) = points(client)["points"]
        assert point[:2] == pytest.approx(list(wgs84_to_gcj02(*INSIDE)), abs=2e-6)
        page = client.get("/cases/new/").content.decode()
        assert '"crs": "gcj02"' in page
        shown = wgs84_to_gcj02(*INSIDE)
        answer = client.get(f"/areas/at/?lat={shown[0]}&lng={shown[1]}&map=1").json()
        assert answer["area"]["code"] == "S-01-01"
        assert distance_m(tuple(answer["point"]), INSIDE) < 0.2  # stored as WGS-84
        plain = client.get(f"/areas/at/?lat={INSIDE[0]}&lng={INSIDE[1]}").json()
        assert plain["point"] == pytest.approx(list(INSIDE), abs=1e-6)
        assert plain["map_point"] == pytest.approx(list(shown), abs=1e-6)
    with override_settings(GRIDCASE_TILE_CRS="wgs84"):
        (point,) = points(client)["points"]
        assert point[:2] == pytest.approx(list(INSIDE), abs=2e-6)


@pytest.mark.django_db
def test_the_pages_carry_the_map_without_a_tile_server(client, world):
    client.force_login(world.people["street"])
    for url in ("/cases/", "/w/board/", "/cases/new/"):
        page = client.get(url).content.decode()
        assert 'class="cases-map' in page, url
        assert '"tiles": ""' in page, url  # test settings: no tiles, nothing from outside
        assert "http://" not in page.split("cases-map", 1)[1].split("</script>", 1)[0]
    client.force_login(world.people["grid1"])
    assert 'id="workbench-map"' in client.get("/w/grid/").content.decode()


def test_the_tile_server_joins_the_csp_img_src():
    from gridcase.settings.base import tile_origin

    assert tile_origin("") == []
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == [
        "https://tile.openstreetmap.org"
    ]
    assert tile_origin("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}") == [
        "https://*.tianditu.gov.cn"
    ]
    assert tile_origin("javascript:alert(1)") == []


@pytest.mark.django_db
def test_each_map_outlines_the_users_own_patch(client, world):
    for code in ("G1", "G3"):
        world.areas[code].boundary = SQUARE
        world.areas[code].save()

    def outlined(who: str, url: str) -> set[str]:
        client.force_login(world.people[who])
        page = client.get(url).content.decode()
        return {c for c in ("S-01-01", "S-02-01") if f'"code": "{c}"' in page}

    assert outlined("grid1", "/w/grid/") == {"S-01-01"}  # her grid only
    assert outlined("community2", "/w/community/") == {"S-02-01"}
    assert outlined("cop1", "/w/department/") == {"S-01-01", "S-02-01"}  # the street served
    assert outlined("water1", "/w/department/") == set()  # another street's department
    assert outlined("street", "/cases/") == {"S-01-01", "S-02-01"}


@pytest.mark.django_db
def test_a_map_without_outlines_opens_on_the_street(client, world):
    world.areas["S"].boundary = SQUARE
    world.areas["S"].save()
    client.force_login(world.people["resident"])  # no area to outline on the intake pin
    page = client.get("/cases/new/").content.decode()
    assert '"features": []' in page and '"center": [31.178, 121.528]' in page
