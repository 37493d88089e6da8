"""What a department clerk sees after each action, in a real browser: the answer to every POST
is a redirect to a GET page with the result message (form errors shown on the case page, at
the form), and a live refresh of that page keeps the message and any form being filled in."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_claim_race import DISPATCHED_CASE

CLAIMED = DISPATCHED_CASE.replace(
    "print(case.number)",
    'services.case_claim(case=case, department=police, actor=person("pcs_zhang"))\n'
    "print(case.number)",
)


def comment(page, other, number: str, text: str) -> None:
    """Someone else writes on the case in their browser: a live event on `page` (once its
    socket is up; the demo's channel layer lives in the server process)."""
    expect(page.locator("#live-status[data-status=connected]")).to_be_attached()
    other.goto(f"/cases/{number}/#action-comment")
    other.fill("textarea[name=comment-text]", text)
    other.click("#action-comment button[type=submit]")
    expect(other.locator(".message.success")).to_be_visible()


def test_errors_and_results_land_on_the_case_page_and_survive_live_refreshes(server, person):
    number = server.shell(CLAIMED).strip().splitlines()[-1]
    police, community = person("pcs_zhang"), person("qingshan_sq")
    police.goto(f"/cases/{number}/#action-return-QG-PCS")
    police.fill("textarea[name=return-QG-PCS-reason]", "   ")  # blank: the server refuses
    police.click("#action-return-QG-PCS button[type=submit]")
    police.wait_for_url(re.compile(rf"/cases/{number}/#action-return-QG-PCS$"))
    error = police.locator("#id_return-QG-PCS-reason_error")
    expect(error).to_be_visible()
    expect(police.locator("#action-return-QG-PCS")).to_have_attribute("open", "")
    comment(police, community, number, "社区已知悉")  # a live event while the error is on screen
    expect(police.locator("#live-notice")).to_contain_text("此页面已有变化")
    expect(error).to_be_visible()  # not swept away by the refresh

    police.fill("textarea[name=return-QG-PCS-reason]", "不属于本所职责，应由城管处理")
    police.click("#action-return-QG-PCS button[type=submit]")
    police.wait_for_url(re.compile(rf"/cases/{number}/$"))
    message = police.locator(".message.success")
    expect(message).to_have_text("已退回派遣方。")
    comment(police, community, number, "收到，改派城管")
    expect(police.locator(".timeline")).to_contain_text("收到，改派城管")  # refreshed live
    expect(message).to_have_text("已退回派遣方。")  # and the result message is still there
    screenshot(police, "desktop-after-return")

    police.locator("#action-comment summary").click()
    police.fill("textarea[name=comment-text]", "我所可协助")  # typed, not yet sent
    police.locator("h1").click()  # the cursor leaves the field
    comment(police, community, number, "请城管今天到场")
    expect(police.locator("#live-notice")).to_contain_text("此页面已有变化")
    assert police.input_value("textarea[name=comment-text]") == "我所可协助"
