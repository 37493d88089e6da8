"""Real-browser tests: Playwright drives Debian's chromium against a real daphne server.

The server runs the project as `make demo` does (dev settings, its own SQLite under a
temporary GRIDCASE_VAR_DIR, the demo street loaded, no demo cases). Chromium and the CJK
fonts come from Debian's packages, installed here when missing (we are root in CI);
`npx playwright install` cannot download browsers on these machines. With CI=true a
missing browser fails the run; elsewhere the tests are skipped loudly.
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import ROOT, daphne, manage
from tests.services import ServiceUnavailable, apt_install

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "gridcase-demo"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def _chromium() -> str:
    """/usr/bin/chromium, installing Debian's chromium and CJK fonts first if missing."""
    try:
        if not shutil.which("chromium"):
            apt_install("chromium", "the chromium browser")
        if not Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists():
            apt_install("fonts-noto-cjk", "Chinese fonts for the browser")
    except ServiceUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need chromium: {exc}")
        pytest.skip(f"browser tests need chromium: {exc}")
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict
    log: Path  # daphne's output: the console SMS backend writes its messages here

    def shell(self, code: str) -> str:
        """Run Python in `manage.py shell` against the server's database; its stdout."""
        return manage("shell", "-c", code, check=True, **self.env).stdout


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    """daphne serving a fresh copy of the demo street on a free loopback port."""
    var = tmp_path_factory.mktemp("e2e-var")
    env = {
        "DJANGO_SETTINGS_MODULE": "gridcase.settings.dev",
        "GRIDCASE_VAR_DIR": str(var),
        "DJANGO_DEBUG": "1",  # media (photos) served by Django, as in `make demo`
    }
    manage("migrate", "--noinput", check=True, **env)
    manage("webpush_keys", "--if-missing", check=True, **env)  # as `make demo` does
    manage("load_street", "fixtures/data/qinggang.json", check=True, **env)
    with daphne(env, var / "daphne.log") as base:
        yield LiveServer(base, env, var / "daphne.log")


def csp_violations(context) -> list[str]:
    """Every Content-Security-Policy violation in `context`'s pages, as chromium reports it
    (a console error, and a `securitypolicyviolation` event we log the same way)."""
    found: list[str] = []
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`))"
    )

    def seen(message) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            found.append(f"{message.page.url if message.page else ''}: {text}")

    context.on("console", seen)
    return found


@pytest.fixture
def person(browser, server):
    """person(username, phone=False, **context options) → a logged-in page in its own context.

    Every page's Content-Security-Policy violations fail the test at the end."""
    contexts = []
    context_violations: list[list[str]] = []

    def login(username: str | None, *, phone: bool = False, **options):
        context = browser.new_context(
            base_url=server.url,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        context_violations.append(csp_violations(context))
        page = context.new_page()
        if username:
            page.goto("/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]:not(.link)")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield login
    for context in contexts:
        context.close()
    found = [v for each in context_violations for v in each]
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under var/screenshots/ (kept as a CI artifact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
