"""A resident without an account reports on her phone and lands on a confirmation: the case
number with a copy button, and what happens next."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


def test_a_public_report_is_confirmed_with_the_number_and_the_next_steps(person):
    resident = person(None, phone=True, permissions=["clipboard-read", "clipboard-write"])
    resident.goto("/report/")
    resident.locator(".chip", has_text="噪音扰民").click()
    resident.fill("textarea[name=description]", "楼下烧烤店每晚十二点后还很吵。")
    resident.select_option("select[name=area]", index=1)
    resident.fill("input[name=contact_phone]", "13700001111")
    resident.click("form.report-form button[type=submit]")
    resident.wait_for_url(re.compile(r"/track/QG-\d{8}-\d{4}/$"))
    number = resident.url.rstrip("/").rsplit("/", 1)[-1]
    confirmation = resident.locator(".confirmation")
    expect(confirmation.locator("#case-number")).to_have_text(number)
    expect(confirmation).to_contain_text("接下来会怎样")
    expect(confirmation).to_contain_text("137****1111")
    confirmation.get_by_role("button", name="复制").click()
    expect(confirmation.locator("[data-copy]")).to_have_text("已复制")
    assert resident.evaluate("navigator.clipboard.readText()") == number
    screenshot(resident, "phone-report-confirmation")
    resident.reload()  # shown once: the progress page stays
    expect(resident.locator(".confirmation")).to_have_count(0)
    expect(resident.locator(".progress-now")).to_be_visible()
