"""Refused requests in a real browser: the public report form's script shows the 429's
message under the form (which keeps what was typed) instead of a script error, and the
tracking page answers a page in the site's layout and language instead of raw JSON.

Its own server, with small public limits, so the other browser tests keep theirs."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, csp_violations, screenshot
from tests.processes import daphne, manage

from .test_case_loop import point_in

RESIDENT_PHONE = "13987654321"


@pytest.fixture(scope="module")
def limited(tmp_path_factory) -> Iterator[LiveServer]:
    var = tmp_path_factory.mktemp("e2e-limited")
    env = {
        "DJANGO_SETTINGS_MODULE": "gridcase.settings.dev",
        "GRIDCASE_VAR_DIR": str(var),
        "GRIDCASE_RATE_REPORT": "1/hour",
        "GRIDCASE_RATE_TRACK": "1/hour",
    }
    manage("migrate", "--noinput", check=True, **env)
    manage("load_street", "fixtures/data/qinggang.json", check=True, **env)
    with daphne(env, var / "daphne.log") as base:
        yield LiveServer(base, env, var / "daphne.log")


@pytest.fixture
def visitor(browser, limited):
    contexts, violations = [], []

    def open_page(viewport: dict, **options):
        phone = viewport == PHONE
        context = browser.new_context(
            base_url=limited.url,
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        violations.append(csp_violations(context))
        page = context.new_page()
        page.script_errors = []
        page.on("pageerror", lambda error: page.script_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    found = [v for each in violations for v in each]
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


def fill_report(page) -> None:
    page.goto("/report/")
    expect(page.locator(".locate-status")).to_contain_text("QG-01-02")
    page.locator(".chip", has_text="噪音扰民").click()
    page.fill("textarea[name=description]", "夜里装修噪音，已经持续一周。")
    page.fill("input[name=contact_phone]", RESIDENT_PHONE)


def test_a_refused_report_says_when_to_retry_and_keeps_the_form(visitor):
    resident = visitor(PHONE, geolocation=point_in("QG-01-02"), permissions=["geolocation"])
    fill_report(resident)
    resident.click("form.report-form button[type=submit]")
    resident.wait_for_url(re.compile(r"/track/QG-\d{8}-\d{4}/$"))

    fill_report(resident)  # the same phone again within the hour
    resident.click("form.report-form button[type=submit]")
    status = resident.locator(".send-status")
    expect(status).to_have_attribute("data-state", "refused")
    # the window ends on the hour: seconds are left near it, minutes otherwise
    expect(status).to_contain_text(re.compile(r"请求过于频繁，请 \d+ (分钟|秒)后再试"))
    assert "{" not in status.inner_text()  # no raw JSON
    expect(resident.locator("textarea[name=description]")).to_have_value(
        "夜里装修噪音，已经持续一周。"
    )
    expect(resident.locator("form.report-form button[type=submit]")).to_be_enabled()
    assert resident.script_errors == []
    screenshot(resident, "phone-report-refused")


def test_the_tracking_page_refuses_with_a_page(visitor):
    for viewport, name in ((PHONE, "phone-track-refused"), (DESKTOP, "desktop-track-refused")):
        page = visitor(viewport)
        page.goto("/track/")
        page.fill("input[name=number]", "QG-20260101-0001")
        page.fill("input[name=phone]", "13900000000")
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        refused = page.locator("[data-refused]")
        if viewport == PHONE:  # the first wrong guess is a form error; the second is refused
            expect(page.locator(".error, .errorlist").first).to_be_visible()
            page.click("form button[type=submit]")
        expect(refused).to_have_attribute("data-refused", "429")
        expect(page.locator("h1")).to_have_text("请求过于频繁")
        expect(refused).to_contain_text(re.compile(r"请 \d+ (分钟|秒)后再试"))
        expect(page.locator("header.topbar")).to_be_visible()  # the site's layout
        assert "\\u" not in page.content() and page.script_errors == []
        screenshot(page, name)
