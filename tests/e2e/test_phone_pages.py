"""The pages on a 390×844 phone, as a grid member and a police officer use them: what they
can do now comes first, the header fits one row, chips are thumb-sized, and the wording is
one style (durations, Chinese colons, real empty options, department names)."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_case_loop import point_in
from tests.e2e.test_claim_race import DISPATCHED_CASE

REPORTED_CASE = DISPATCHED_CASE.split("services.case_accept")[0] + "print(case.number)\n"


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_case_page_on_a_phone_starts_with_what_can_be_done(server, person):
    number = server.shell(REPORTED_CASE).strip().splitlines()[-1]
    grid = person("qs_wgy01", phone=True)
    grid.goto(f"/cases/{number}/")
    accept = box(grid, "#action-accept button")
    assert accept["y"] + accept["height"] < 844, accept  # on the first screen, no scrolling
    assert accept["y"] < box(grid, ".case-map")["y"] < box(grid, ".case-process")["y"]
    diagram = grid.locator("details.case-process")
    expect(diagram).not_to_have_attribute("open", "")  # folded: unreadable inline on a phone
    expect(diagram.locator("summary")).to_contain_text("当前环节")
    screenshot(grid, "phone-case-detail-top")

    # the header in one row, the unread count readable, the labels with Chinese colons
    header = box(grid, "header.topbar")
    assert header["height"] < 56, header
    middles = grid.locator(".topbar-tools > *:visible").evaluate_all(
        "items => items.map(i => i.getBoundingClientRect()).map(r => (r.top + r.bottom) / 2)"
    )
    assert max(middles) - min(middles) < 12, middles  # one row
    assert grid.locator(".topbar").evaluate("e => e.scrollWidth <= e.clientWidth")
    colours = grid.locator("[data-unread]").evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours[0] != colours[1] and "255, 255, 255" in colours[1], colours
    grid.locator("#action-reject summary").click()
    expect(grid.locator("label[for=id_reject-reason]")).to_have_text("原因：")


def test_a_department_clerk_reads_one_duration_style_and_department_names(server, person):
    number = server.shell(DISPATCHED_CASE).strip().splitlines()[-1]
    police = person("pcs_zhang", phone=True)
    police.goto("/w/department/")
    card = police.locator(f'.dispatch-queue [data-case="{number}"]')
    expect(card.locator("[data-deadline]")).to_have_text(re.compile(r"^剩余 \d+(天|小时|分)"))
    expect(card).to_contain_text("已等待 ")
    assert not re.search(r"\d+d \d+:\d\d|日前", card.inner_text())
    expect(police.locator("section h2").filter(has_text="我的案件")).to_have_count(1)
    police.goto(f"/cases/{number}/")
    history = police.locator(".timeline")
    expect(history).to_contain_text("青杠派出所")
    assert "QG-PCS" not in history.inner_text()


def test_the_report_form_on_a_phone_when_the_location_fails(server, person):
    grid = person("qs_wgy01", phone=True)  # no geolocation permission: the browser refuses
    grid.goto("/cases/new/")
    expect(grid.locator(".locate-status")).to_contain_text("请手动选择")
    page = grid.locator("main").inner_text()
    assert "根据您的位置" not in page and "---------" not in grid.content()
    expect(grid.locator("select[name=area] option").first).to_have_text("请选择网格")
    for chip in grid.locator(".chip").all():
        height, inside = chip.evaluate(
            "c => [c.getBoundingClientRect().height, c.scrollWidth <= c.clientWidth]"
        )
        assert height >= 44 and inside, (chip.inner_text(), height, inside)
    screenshot(grid, "phone-intake-no-location")


def test_the_board_menu_shows_the_period_displayed_and_ranks_share(server, person):
    where = point_in("QG-01-01")
    lat, lng = (f'Decimal("{where[key]:.6f}")' for key in ("latitude", "longitude"))
    located = f"latitude={lat}, longitude={lng},"
    code = "from decimal import Decimal\n" + REPORTED_CASE.replace(
        'area=Area.objects.get(code="QG-01-01"),',
        'area=Area.objects.get(code="QG-01-01"), ' + located,
    )
    located_number = server.shell(code).strip().splitlines()[-1]
    street = person("qg_zhihui")
    street.goto("/w/board/")
    period = street.locator("select[name=period]")
    expect(period).to_have_value("7d")  # what the board shows, not the menu's first entry
    street.click("form.board-filters button[type=submit]")  # 查看 keeps it
    street.wait_for_url(re.compile(r"period=7d"))
    street.wait_for_load_state()
    expect(period).to_have_value("7d")
    expect(street.locator(".board-filters").locator("xpath=..")).to_contain_text("至")
    ranks = street.locator('tbody[data-table="communities"] [data-rank]').all_inner_texts()
    numbers = [int(r) for r in ranks if r != "—"]
    assert numbers == sorted(numbers) and (not numbers or numbers[0] == 1), ranks
    # the SVG map (the page without JavaScript) is there, Leaflet's map in its place
    board_map = street.locator("#board-map")
    expect(board_map.locator(".grid-labels text")).to_have_count(28)  # every grid labelled
    expect(board_map.locator(".community-borders path")).to_have_count(5)
    expect(board_map.locator(f'.case-dots circle[data-case="{located_number}"]')).to_have_count(1)
    expect(board_map).to_be_hidden()
    leaflet = street.locator("#board-cases-map")
    expect(leaflet.locator("path.map-grid")).to_have_count(28)
    expect(leaflet.locator("path.map-community")).to_have_count(5)
    label = leaflet.locator(".grid-label:not(.crowded)", has_text="第1网格").first
    expect(label).to_be_visible()  # its short name, and its open count
    expect(label.locator(".open-count")).to_have_text(re.compile(r"^\d+$"))
    expect(leaflet).to_have_attribute("data-dots", re.compile(r"^[1-9]"))  # the located case
    screenshot(street, "desktop-street-board-ranks")


def test_dispatch_suggests_the_usual_departments_first(server, person):
    whistled = DISPATCHED_CASE.split("services.case_dispatch")[0] + "print(case.number)\n"
    number = server.shell(whistled).strip().splitlines()[-1]
    community = person("qingshan_sq", phone=True)
    community.goto(f"/cases/{number}/#action-dispatch")
    form = community.locator("#action-dispatch")
    expect(form).to_contain_text("通常由：")  # 下水管网: the water department's kind
    suggested = form.locator(".helptext").first.inner_text().split("：", 1)[1].split("、")[0]
    first_box = form.locator("input[name=dispatch-departments]").first
    expect(first_box.locator("xpath=..")).to_have_text(suggested)


def test_the_case_list_on_a_phone_is_cards_with_filters(server, person):
    number = server.shell(REPORTED_CASE).strip().splitlines()[-1]
    grid = person("qs_wgy01", phone=True)
    grid.goto("/cases/")
    grid.locator("details.filter-box summary").click()  # folded until used
    grid.fill("input[name=q]", "井盖")
    grid.select_option("select[name=category]", label="下水管网")
    grid.click("form.filters button[type=submit]")
    grid.wait_for_url(re.compile(r"/cases/\?q="))
    grid.wait_for_load_state()
    row = grid.locator("table.cases tbody tr").first
    expect(row).to_contain_text(number)
    width = row.evaluate("r => r.getBoundingClientRect().width")
    assert width > 300, width  # a card across the phone, not a one-character column
    assert grid.evaluate("document.documentElement.scrollWidth <= innerWidth")
    label = row.locator("td[data-label]").first.evaluate(
        "c => getComputedStyle(c, '::before').content"
    )
    assert "标题" in label, label
    expect(grid.locator("select[name=category]")).to_have_value("sewer")  # the filter kept
    screenshot(grid, "phone-case-list")
