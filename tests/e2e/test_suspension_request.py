"""挂起 asked by the handler and 督办's badge in a real browser: the grid member asks on a phone
to suspend a case (the owner cannot be reached); the community finds the request on its
workbench and approves it on the case page (laptop); the grid member sees the case suspended.
The street supervises another case: the badge shows on the grid's phone cards, the case list
and the case page."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

HANDLED_CASES = """
from grids.models import Area, User
from workflows import services
from workflows.models import Category
person = lambda name: User.objects.get(username=name)
numbers = []
for title in ("楼道堆物", "共享单车乱停"):
    case = services.case_report(
        title=title, description=title + "，需要处理。",
        category=Category.objects.get(code="corridor"),
        area=Area.objects.get(code="QG-01-01"), source="grid_patrol", reporter=person("qs_wgy01"),
    )
    services.case_accept(case=case, actor=person("qs_wgy01"))
    numbers.append(case.number)
print(" ".join(numbers))
"""


def test_the_grid_asks_to_suspend_and_the_community_approves(server, person):
    asked, supervised = server.shell(HANDLED_CASES).strip().splitlines()[-1].split()
    grid = person("qs_wgy01", phone=True)
    grid.goto(f"/cases/{asked}/")
    form = grid.locator("#action-ask_suspension")
    form.locator("summary").click()
    form.locator("select[name$=-reason]").select_option("unreachable")
    form.locator("input[name$=-resume_at]").fill("2030-01-15T09:00")
    form.locator("textarea[name$=-note]").fill("业主在外地，下月回来")
    screenshot(grid, "phone-ask-suspension")
    form.locator("button[type=submit]").click()
    expect(grid.locator(".suspension-requests")).to_contain_text("待审批")

    community = person("qingshan_sq")
    community.goto("/w/community/")
    card = community.locator(f'.case-card[data-case="{asked}"]')
    expect(card).to_contain_text("业主在外地")
    screenshot(community, "desktop-requests-to-decide")
    card.locator("a[href$='#action-approve_suspension']").click()
    approve = community.locator("#action-approve_suspension")
    expect(approve).to_be_visible()
    expect(approve).to_contain_text("业主在外地")
    approve.locator("button[type=submit]").click()
    expect(community.locator("dd.suspended")).to_contain_text("2030-01-15")
    screenshot(community, "desktop-suspension-approved")

    grid.goto(f"/cases/{asked}/")
    expect(grid.locator(".case-head")).to_contain_text("已挂起")
    expect(grid.locator("ol.timeline")).to_contain_text("申请人")

    street = person("qg_zhihui")
    street.goto(f"/cases/{supervised}/")
    form = street.locator("#action-supervise")
    form.locator("summary").click()
    form.locator("textarea[name$=-instruction]").fill("三日内清理完毕")
    form.locator("input[name$=-due]").fill("2030-01-10T18:00")
    form.locator("button[type=submit]").click()
    expect(street.locator(".case-head .badge.supervised")).to_be_visible()
    street.goto("/cases/")
    row = street.locator("table.cases tr", has_text=supervised)
    expect(row.locator(".badge.supervised")).to_be_visible()
    screenshot(street, "desktop-case-list-supervised")

    grid.goto("/w/grid/")
    badge = grid.locator(f'.case-card[data-case="{supervised}"] .badge.supervised').first
    expect(badge).to_be_visible()
    screenshot(grid, "phone-my-grid-supervised")

    street.goto("/w/board/")
    expect(street.locator("body")).to_contain_text("督办按期办结率")
    screenshot(street, "desktop-board-supervision")
    board = person("qg_zhihui", phone=True)
    board.goto("/w/board/")
    expect(board.locator(".supervised-list")).to_contain_text(supervised)
    screenshot(board, "phone-board-supervision")
