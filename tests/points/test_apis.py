"""/api/v1/points/: the same services and rules as the pages, in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from points import services
from points.models import Account, Entry, HelpRequest, Redemption
from tests.points.conftest import funded


def api(world, username) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.people[username])
    return client


@pytest.fixture
def rice(points_world):
    staff = points_world.people["community1"]
    goods = services.goods_add(shop=points_world.shop, actor=staff, name="大米", price=30)
    services.goods_receive(goods=goods, actor=staff, quantity=2, donor="爱心企业")
    return goods


def test_schema_lists_the_points_endpoints(client, db):
    schema = client.get("/api/schema/").content
    for path in (
        b"/api/v1/points/accounts/",
        b"/api/v1/points/redemptions/",
        b"/api/v1/points/help-requests/",
    ):
        assert path in schema


def test_my_accounts_and_ledger(points_world):
    account = funded(points_world, points=40)
    mine = api(points_world, "resident").get("/api/v1/points/accounts/")
    assert mine.status_code == 200 and [a["balance"] for a in mine.json()] == [40]
    detail = api(points_world, "resident").get(f"/api/v1/points/accounts/{account.pk}/")
    assert detail.json()["entries"][0]["points"] == 40
    assert (
        api(points_world, "party").get(f"/api/v1/points/accounts/{account.pk}/").status_code == 404
    )
    assert (
        api(points_world, "community1").get(f"/api/v1/points/accounts/{account.pk}/").status_code
        == 200
    )
    assert APIClient().get("/api/v1/points/accounts/").status_code in (401, 403)


def test_redeem_online_and_at_the_counter_with_refusals(points_world, rice):
    account = funded(points_world, points=40)
    resident, desk = api(points_world, "resident"), api(points_world, "community1")
    online = resident.post(
        "/api/v1/points/redemptions/", {"goods": rice.pk, "quantity": 1}, format="json"
    )
    assert online.status_code == 201 and online.json()["status"] == "requested"
    poor = resident.post("/api/v1/points/redemptions/", {"goods": rice.pk}, format="json")
    assert poor.status_code == 409 and poor.json()["code"] == "insufficient_points"
    assert (
        resident.post("/api/v1/points/redemptions/", {"goods": "x"}, format="json").status_code
        == 400
    )
    counter = {"goods": rice.pk, "account": account.pk}
    assert resident.post("/api/v1/points/redemptions/", counter, format="json").status_code == 403
    pk = online.json()["id"]
    assert resident.post(f"/api/v1/points/redemptions/{pk}/hand-over/").status_code == 403
    assert (
        desk.post(f"/api/v1/points/redemptions/{pk}/cancel/", {"reason": "缺货"}).status_code == 200
    )
    account.refresh_from_db()
    assert account.balance == 40 and Redemption.objects.get().status == "cancelled"


def test_awards_and_corrections_by_the_desk(points_world):
    account = services.account_for_user(
        user=points_world.people["resident"], community=points_world.areas["C1"]
    )
    body = {"account": account.pk, "rule": points_world.rules["clean"].pk}
    assert api(points_world, "grid1").post("/api/v1/points/awards/", body).status_code == 403
    made = api(points_world, "community1").post("/api/v1/points/awards/", body)
    assert made.status_code == 201 and made.json()["points"] == 10
    entry = made.json()["id"]
    fix = api(points_world, "community1").post(
        f"/api/v1/points/entries/{entry}/reverse/", {"reason": "错"}
    )
    assert fix.status_code == 201 and fix.json()["points"] == -10
    again = api(points_world, "community1").post(
        f"/api/v1/points/entries/{entry}/reverse/", {"reason": "错"}
    )
    assert again.status_code == 409
    assert Entry.objects.count() == 2


def test_rules_and_figures_follow_the_desk_and_board_rules(points_world):
    rule = {"item": "文明家庭", "points": 20, "trigger": "manual"}
    assert (
        api(points_world, "resident")
        .post("/api/v1/points/communities/S-01/rules/", rule)
        .status_code
        == 403
    )
    assert (
        api(points_world, "community1")
        .post("/api/v1/points/communities/S-01/rules/", rule)
        .status_code
        == 201
    )
    assert (
        api(points_world, "resident").get("/api/v1/points/communities/S-01/figures/").status_code
        == 403
    )
    figures = api(points_world, "street").get("/api/v1/points/communities/S-01/figures/")
    assert figures.status_code == 200 and figures.json()["registered"] == 2  # party, volunteer


def test_help_requests_claim_once(points_world):
    resident = api(points_world, "resident")
    made = resident.post(
        "/api/v1/points/help-requests/", {"community": "S-01", "title": "帮忙取药"}
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    assert [
        r["id"] for r in api(points_world, "party").get("/api/v1/points/help-requests/").json()
    ] == [pk]
    assert (
        api(points_world, "party").post(f"/api/v1/points/help-requests/{pk}/claim/").status_code
        == 200
    )
    lost = api(points_world, "volunteer").post(f"/api/v1/points/help-requests/{pk}/claim/")
    assert lost.status_code == 409 and lost.json()["code"] == "already_claimed"
    assert (
        api(points_world, "party").post(f"/api/v1/points/help-requests/{pk}/done/").status_code
        == 200
    )
    assert resident.post(f"/api/v1/points/help-requests/{pk}/confirm/").status_code == 200
    assert HelpRequest.objects.get().status == "confirmed"
    assert Account.objects.get(user__username="party").balance == 10
    elsewhere = resident.post("/api/v1/points/help-requests/", {"community": "S-02", "title": "x"})
    assert elsewhere.status_code == 403
