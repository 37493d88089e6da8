"""Login, logout and landing: every demo account lands on its role's home."""

from pathlib import Path

import pytest
from django.urls import reverse

from grids.loading import street_data_load, street_file_read
from grids.roles import Role
from tests.factories import UserFactory, member

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "data" / "qinggang.json"
HOME_OF_ROLE = {
    Role.ADMINISTRATOR: "/admin/",
    Role.STREET_OFFICIAL: "/w/board/",
    Role.COMMUNITY_STAFF: "/w/community/",
    Role.DEPARTMENT_HEAD: "/w/department/",
    Role.DEPARTMENT_STAFF: "/w/department/",
    Role.GRID_LEADER: "/w/grid/",
    Role.GRID_MEMBER: "/w/grid/",
    Role.RESIDENT: "/w/resident/",
}
TITLE_OF_HOME = {
    "/admin/": "网格通管理后台",
    "/w/board/": "街道看板",
    "/w/community/": "社区待办",
    "/w/department/": "部门待办",
    "/w/grid/": "我的网格",
    "/w/resident/": "我的诉求",
}
DEMO_DATA = street_file_read(DEMO)


@pytest.fixture
def demo_street(db):
    street_data_load(DEMO_DATA)


def test_login_page_speaks_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录网格通" in html and "用户名" in html and "密码" in html
    assert '<label for="id_username">' in html


def test_english_is_available(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in to GridCase" in response.content.decode()


def test_language_switch_sticks(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in to GridCase" in client.get(reverse("login")).content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_password_is_refused_in_chinese(client, demo_street):
    response = client.post(reverse("login"), {"username": "qs_wgy01", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()  # Django's own zh-hans message


def landing_of(client, account: dict) -> tuple[str, str]:
    """Log in through the form as a person would; return (where we landed, the page)."""
    response = client.post(
        reverse("login"),
        {"username": account["username"], "password": account["password"]},
        follow=True,
    )
    landed = response.redirect_chain[-1][0] if response.redirect_chain else "(no redirect)"
    client.post(reverse("logout"))
    return landed, response.content.decode() if response.status_code == 200 else ""


def test_every_demo_account_lands_on_its_roles_home(client, demo_street):
    wrong = []
    for account in DEMO_DATA["users"]:  # one test, one load of the street, 70+ logins
        roles = [Role(m["role"]) for m in account["memberships"]]
        home = HOME_OF_ROLE[min(roles, key=list(HOME_OF_ROLE).index)]
        landed, page = landing_of(client, account)
        if landed != home or TITLE_OF_HOME[home] not in page:
            wrong.append((account["username"], home, landed))
    assert wrong == []
    assert len(DEMO_DATA["users"]) >= 8


def test_a_workbench_outside_your_roles_is_forbidden(client, tree):
    grid_member = UserFactory()
    member(grid_member, Role.GRID_MEMBER, tree["S-01-01"])
    client.force_login(grid_member)
    assert client.get("/w/grid/").status_code == 200
    assert client.get("/w/board/").status_code == 403
    assert client.get("/w/nowhere/").status_code == 404


def test_several_roles_show_a_switcher(client, tree):
    user = UserFactory()
    member(user, Role.COMMUNITY_STAFF, tree["S-01"])
    member(user, Role.GRID_MEMBER, tree["S-01-01"])
    client.force_login(user)
    html = client.get("/w/community/").content.decode()
    assert 'href="/w/grid/"' in html and 'aria-current="page"' in html


def test_an_account_without_a_role_is_told_so(client, db):
    client.force_login(UserFactory())
    response = client.get("/", follow=True)
    assert "尚未分配角色" in response.content.decode()


def test_logout_shows_the_chinese_logged_out_page(client, db):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "您已安全退出" in response.content.decode()
    assert client.get("/").status_code == 302
