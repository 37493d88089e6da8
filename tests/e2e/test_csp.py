"""The Content-Security-Policy in a real browser: inline code is refused (and the browser
tests' detector sees it), and the pages, their scripts, the language menu, the live socket,
the board's charts, the API docs and the admin run without one violation."""

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, csp_violations


def test_inline_code_is_refused_and_reported(browser, server):
    context = browser.new_context(base_url=server.url, viewport=DESKTOP)
    found = csp_violations(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    assert "script-src 'self'" in page.evaluate(
        "fetch(location.href).then((r) => r.headers.get('content-security-policy'))"
    )
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__inline_ran = true";
        document.body.append(script);
        const image = '<img src="/none.png" onerror="window.__handler_ran = true">';
        document.body.insertAdjacentHTML("beforeend", image);
    }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__inline_ran === undefined && window.__handler_ran === undefined")
    assert len(found) >= 2 and any("script-src" in v for v in found)
    context.close()


def test_the_pages_run_without_violations(person):
    street = person("qg_zhihui")  # violations fail the test in the fixture's teardown
    street.goto("/w/board/")
    expect(street.locator("#live-status")).to_have_text("实时")  # the socket: connect-src
    expect(street.locator("#board canvas").first).to_be_visible()  # Chart.js
    street.goto("/cases/")
    for language in ("en", "zh-hans"):  # the menu's script sends it, not an onchange=
        with street.expect_navigation():
            street.select_option("#language-select", language)
        expect(street.locator("html")).to_have_attribute("lang", language)
    street.goto("/api/docs/")
    expect(street.locator(".swagger-ui .info .title")).to_contain_text("GridCase API")
    admin = person("admin")
    admin.goto("/admin/")
    expect(admin.locator("#site-name")).to_be_visible()
    admin.goto("/admin/grids/area/")
    expect(admin.locator("#result_list")).to_be_visible()
