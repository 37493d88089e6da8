"""退单审核 in a real browser: the police return a case; the community that dispatched it finds
it on its workbench (phone) and on the case page (laptop), accepts the return and 改派 it to
城管, whose queue shows it live."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

RETURNED_CASE = """
from grids.models import Area, Department, User
from workflows import services
from workflows.models import Category
person = lambda name: User.objects.get(username=name)
police = Department.objects.get(code="QG-PCS")
case = services.case_report(
    title="占道经营", description="菜市场门口占道经营，影响通行。",
    category=Category.objects.get(code="street_vending"), area=Area.objects.get(code="QG-01-01"),
    source="grid_patrol", reporter=person("qs_wgy01"),
)
services.case_accept(case=case, actor=person("qs_wgy01"))
services.case_whistle(case=case, actor=person("qs_wgy01"), whistle_type="routine", reason="需部门")
services.case_dispatch(case=case, actor=person("qingshan_sq"), departments=[police],
                       lead=police, whistle_type="routine", reason="请派出所处理")
services.case_return(case=case, department=police, actor=person("pcs_zhang"),
                     reason="占道经营属城管职责")
print(case.number)
"""


def test_the_community_reviews_a_return_and_reassigns_it(server, person):
    number = server.shell(RETURNED_CASE).strip().splitlines()[-1]
    phone = person("qingshan_sq", phone=True)
    phone.goto("/w/community/")
    card = phone.locator(f'.case-card[data-case="{number}"]')
    expect(card).to_contain_text("占道经营属城管职责")
    screenshot(phone, "phone-returns-to-review")

    city = person("cg_wang")
    city.goto("/w/department/")
    queue = city.locator(f'.dispatch-queue [data-case="{number}"]')
    expect(queue).to_have_count(0)

    laptop = person("qingshan_sq")
    laptop.goto(f"/cases/{number}/")
    form = laptop.locator("#action-accept_return-QG-PCS")
    expect(form).to_be_visible()
    screenshot(laptop, "desktop-return-review")
    form.locator("select[name$=to_department]").select_option(label="青杠城管执法中队")
    form.locator("textarea[name$=-reason]").fill("占道经营由城管处理")
    form.locator("textarea[name$=instruction]").fill("今天下班前到场")
    form.locator("button[type=submit]").click()
    expect(laptop.locator(".dispatches")).to_contain_text("已改派给")
    expect(city.locator(f'.dispatch-queue [data-case="{number}"]')).to_be_visible()

    board = person("qg_zhihui", phone=True)
    board.goto("/w/board/")
    screenshot(board, "phone-board-dispatcher-operations")
    expect(board.locator("#board-returns")).to_contain_text("待审核")
