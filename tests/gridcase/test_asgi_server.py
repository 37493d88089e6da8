"""The real thing: migrate, load the demo street, serve with daphne, log in over HTTP."""

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from tests.processes import daphne, manage

pytestmark = pytest.mark.slow  # a daphne process serving a freshly migrated database


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {
        "DJANGO_SETTINGS_MODULE": "gridcase.settings.dev",
        "GRIDCASE_VAR_DIR": str(var),
        "DJANGO_DEBUG": "0",
    }
    manage("migrate", "--noinput", check=True, **env)
    manage("load_street", "fixtures/data/qinggang.json", check=True, **env)
    with daphne(env, var / "daphne.log") as base:
        yield base


def test_daphne_serves_the_chinese_login_page_and_its_css(server):
    page = urllib.request.urlopen(f"{server}/accounts/login/", timeout=10)
    html = page.read().decode()
    assert page.status == 200 and "登录网格通" in html
    css = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
    assert urllib.request.urlopen(f"{server}{css}", timeout=10).status == 200


def test_a_grid_member_logs_in_over_http_and_lands_on_my_grid(server):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{server}/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "qs_wgy01", "password": "gridcase-demo"}
    ).encode()
    request = urllib.request.Request(
        f"{server}/accounts/login/", data=form, headers={"Referer": f"{server}/accounts/login/"}
    )
    landed = opener.open(request, timeout=10)
    assert landed.geturl() == f"{server}/w/grid/"
    assert "我的网格" in landed.read().decode()
