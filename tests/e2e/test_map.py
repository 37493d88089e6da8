"""The case maps in a real browser (issue 14.4): Leaflet served from node_modules, no tiles
(the grids' outlines are the base map), nothing fetched beyond 127.0.0.1, no CSP violation
(the `person` fixture fails the test on one).

- the board: the open cases as clustered dots coloured by status; a tap on a dot opens the
  case; a case reported meanwhile appears without a reload;
- the case list and the grid workbench: the same map, folded until opened;
- the intake form: dragging the pin fills latitude/longitude and the grid at the pin.
"""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_case_loop import point_in

LOCATED_CASES = """
from decimal import Decimal
from grids.models import Area, User
from workflows import services
from workflows.models import Category
grid, member = Area.objects.get(code="{code}"), User.objects.get(username="{user}")
for i in range({count}):
    case = services.case_report(
        title=f"路灯不亮 {{i}}", description="晚上路灯不亮。",
        category=Category.objects.get(code="sewer"), area=grid, source="grid_patrol",
        reporter=member, latitude=Decimal("{lat:.6f}") + Decimal(i % 5) / 100000,
        longitude=Decimal("{lng:.6f}") + Decimal(i // 5) / 100000,
    )
    if i % 3 == 1:
        services.case_accept(case=case, actor=member)
    print(case.number)
"""


def located_cases(server, code: str, user: str, count: int) -> list[str]:
    where = point_in(code)
    script = LOCATED_CASES.format(
        code=code, user=user, count=count, lat=where["latitude"], lng=where["longitude"]
    )
    return server.shell(script).strip().splitlines()[-count:]


def outside_requests(page) -> list[str]:
    """Every request the page makes to anything but the test server on 127.0.0.1."""
    seen: list[str] = []

    def check(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if parts.hostname not in ("127.0.0.1", "localhost"):
            seen.append(request.url)

    page.context.on("request", check)
    return seen


def test_the_board_map_clusters_opens_cases_and_follows_live(server, person):
    numbers = located_cases(server, "QG-01-01", "qs_wgy01", 30)
    for phone, name in ((False, "laptop"), (True, "phone")):
        street = person("qg_zhihui", phone=phone)
        outside = outside_requests(street)
        street.goto("/w/board/")
        board_map = street.locator("#board-cases-map")
        expect(board_map).to_have_attribute("data-loaded", re.compile(r"\d"))
        expect(street.locator("svg#board-map")).to_be_hidden()  # Leaflet draws the grids now
        expect(board_map.locator("path.map-grid")).to_have_count(28)  # every grid outlined
        expect(board_map.locator(".grid-label", has_text="第1网格").first).to_be_visible()
        assert int(board_map.get_attribute("data-dots") or 0) >= 30
        cluster = board_map.locator(".marker-cluster").first
        expect(cluster).to_be_visible()  # 30 cases a metre apart: one cluster
        assert int(cluster.inner_text()) >= 10
        box = board_map.bounding_box()
        assert box and box["height"] >= 300 and box["width"] <= (390 if phone else 1366)
        board_map.scroll_into_view_if_needed()
        screenshot(street, f"{name}-board-cases-map")
        assert outside == [], outside
        street.context.close()

    street = person("qg_zhihui")
    outside = outside_requests(street)
    street.goto("/w/board/")
    board_map = street.locator("#board-cases-map")
    expect(board_map).to_have_attribute("data-loaded", re.compile(r"\d"))
    # Live: a case reported in another grid appears without reloading the page.
    before = int(board_map.get_attribute("data-dots") or 0)
    (new,) = located_cases(server, "QG-01-02", "qs_wgy02", 1)
    expect(board_map).to_have_attribute("data-dots", str(before + 1), timeout=20_000)
    # Zoom in on the cluster until its cases are dots, then a tap opens the case.
    for _ in range(8):
        if board_map.locator("path.case-dot").count() >= 10:
            break
        board_map.locator(".marker-cluster").first.click()
        street.wait_for_timeout(700)
    dots = board_map.locator("path.case-dot.status-reported")
    expect(dots.first).to_be_visible()
    assert board_map.locator("path.case-dot.status-handling").count() >= 1  # by status
    dots.first.click()
    street.wait_for_url(re.compile(r"/cases/[^/]+/$"))
    opened = urlsplit(street.url).path.strip("/").split("/")[-1]
    assert opened in numbers or opened == new, opened
    assert outside == [], outside


def test_the_case_list_and_the_workbench_have_the_map(server, person):
    located_cases(server, "QG-01-01", "qs_wgy01", 3)
    grid = person("qs_wgy01", phone=True)
    grid.goto("/cases/")
    box = grid.locator("#case-list-map-box")
    box.locator("summary").click()
    expect(grid.locator("#case-list-map")).to_have_attribute("data-loaded", re.compile(r"\d"))
    assert int(grid.locator("#case-list-map").get_attribute("data-dots") or 0) >= 3
    grid.goto("/w/grid/?map=1")
    expect(grid.locator("#workbench-map")).to_have_attribute("data-loaded", re.compile(r"\d"))
    expect(grid.locator("#workbench-map path.map-grid")).to_have_count(1)  # her own grid
    screenshot(grid, "phone-workbench-map")


def test_dragging_the_pin_fills_the_place_and_the_grid(server, person):
    for phone, name in ((True, "phone"), (False, "laptop")):
        here = point_in("QG-01-01")
        staff = person(
            "qingshan_sq", phone=phone, geolocation=here, permissions=["geolocation"]
        )
        outside = outside_requests(staff)
        staff.goto("/cases/new/")
        expect(staff.locator(".locate-status")).to_contain_text("QG-01-01")
        pin = staff.locator("#intake-map .leaflet-marker-icon")
        expect(pin).to_be_visible()
        first = staff.locator("input[name=latitude]").input_value()
        target = staff.locator("#intake-map .grid-label span[data-unit='QG-01-02']")
        expect(target).to_be_visible()
        start, goal = pin.bounding_box(), target.bounding_box()
        assert start and goal
        staff.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] - 4)
        staff.mouse.down()
        staff.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] + 4, steps=12)
        staff.mouse.up()
        expect(staff.locator(".locate-status")).to_contain_text("QG-01-02")
        grid_pk = staff.locator("select[name=area]").input_value()
        label = staff.locator(f"select[name=area] option[value='{grid_pk}']").inner_text()
        assert "QG-01-02" in label or "第2网格" in label, label
        moved = staff.locator("input[name=latitude]").input_value()
        assert moved and moved != first
        # the map is inside the location block, above the grid list, overlapping no field
        map_box = staff.locator("#intake-map").bounding_box()
        select_box = staff.locator("select[name=area]").bounding_box()
        assert map_box and select_box and map_box["y"] + map_box["height"] <= select_box["y"]
        assert map_box["height"] <= 260
        screenshot(staff, f"{name}-intake-pin")
        assert outside == [], outside
        staff.context.close()
