"""申诉 in a real browser: the community rated the police's part 1 of 5; the police's head
appeals on the case page (phone) with a reason and a photo; the street official finds it on
the board and in the appeals list (phone), upholds it on the case page (laptop), and the
case page shows the decision."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.slow

RATED_CASE = """
from grids.models import Area, Department, User
from workflows import services
from workflows.models import Category
person = lambda name: User.objects.get(username=name)
police = Department.objects.get(code="QG-PCS")
case = services.case_report(
    title="夜间施工噪音", description="小区旁工地夜间施工，噪音扰民。",
    category=Category.objects.get(code="street_vending"), area=Area.objects.get(code="QG-01-01"),
    source="grid_patrol", reporter=person("qs_wgy01"),
)
services.case_accept(case=case, actor=person("qs_wgy01"))
services.case_whistle(case=case, actor=person("qs_wgy01"), whistle_type="routine", reason="需部门")
services.case_dispatch(case=case, actor=person("qingshan_sq"), departments=[police],
                       lead=police, whistle_type="routine", reason="请派出所处理")
services.case_claim(case=case, department=police, actor=person("pcs_zhang"))
services.dispatch_rate(case=case, department=police, actor=person("qingshan_sq"), score=1)
print(case.number)
"""


def photo(path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#3a6").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_the_police_appeal_a_poor_rating_and_the_street_upholds_it(server, person, tmp_path):
    number = server.shell(RATED_CASE).strip().splitlines()[-1]
    head = person("pcs_li", phone=True)
    head.goto(f"/cases/{number}/")
    form = head.locator("#action-appeal-QG-PCS")
    form.locator("summary").click()
    form.locator("textarea[name$=-reason]").fill("接警后 10 分钟到场，执法记录仪可证")
    head.set_input_files("input[name=appeal-QG-PCS-photos]", photo(tmp_path / "proof.jpg"))
    expect(form.locator(".photo-thumbs img")).to_have_count(1)
    screenshot(head, "phone-appeal-form")
    form.locator("button[type=submit]").click()
    expect(head.locator(".appeals-on-case")).to_contain_text("接警后 10 分钟到场")

    street = person("qg_zhihui", phone=True)
    street.goto("/w/board/")
    expect(street.locator("[data-metric=appeals_pending]")).to_contain_text("1")
    street.locator("#board-returns").scroll_into_view_if_needed()
    screenshot(street, "phone-board-appeals")
    street.locator("#board-returns a[href='/w/appeals/']").click()
    card = street.locator(f'.appeal-card[data-case="{number}"]')
    expect(card).to_contain_text("接警后 10 分钟到场")
    expect(card.locator(".appeal-photos img")).to_have_count(1)
    screenshot(street, "phone-appeals-list")

    laptop = person("qg_zhihui")
    laptop.goto("/w/appeals/")
    screenshot(laptop, "desktop-appeals-list")
    laptop.locator(f'.appeal-card[data-case="{number}"] a.button.primary').click()
    decide = laptop.locator("#action-uphold_appeal-QG-PCS")
    expect(decide).to_be_visible()
    decide.locator("textarea[name$=-reason]").fill("执法记录仪证实按时到场，评价不计入")
    screenshot(laptop, "desktop-appeal-decision")
    decide.locator("button[type=submit]").click()
    expect(laptop.locator(".appeals-on-case [data-state=upheld]")).to_be_visible()
    expect(laptop.locator(".timeline")).to_contain_text("执法记录仪证实按时到场")
    screenshot(laptop, "desktop-appeal-upheld")
    laptop.goto("/w/appeals/?state=decided")
    expect(laptop.locator(f'.appeal-card[data-case="{number}"]')).to_contain_text("成立")
    laptop.goto("/w/board/")
    expect(laptop.locator("#board-returns [data-metric=appeals_upheld]")).to_contain_text("1")
    screenshot(laptop, "desktop-board-appeals")
    laptop.goto("/w/report/")  # the month's 考核 report: the police's line counts it
    police = laptop.locator('.report-table tr[data-unit="QG-PCS"]')
    expect(police).to_be_visible()
    screenshot(laptop, "desktop-report-operations")
