"""The pages through HTTP: 我的积分, the desk, the counter, refusals with their statuses."""

import pytest
from django.test import Client

from points import services
from points.models import Account, Entry, Goods, HelpRequest, Redemption
from tests.points.conftest import funded


def client_for(world, username) -> Client:
    client = Client()
    client.force_login(world.people[username])
    return client


@pytest.fixture
def cup(points_world):
    staff = points_world.people["community1"]
    goods = services.goods_add(shop=points_world.shop, actor=staff, name="水杯", price=20)
    services.goods_receive(goods=goods, actor=staff, quantity=3, donor="青杠超市")
    return goods


def test_my_points_offers_to_open_an_account_then_shows_it(points_world, cup):
    client = client_for(points_world, "resident")
    page = client.get("/points/")
    assert page.status_code == 200
    assert "一社区" in page.text and "/points/join/S-01/" in page.text
    assert not Account.objects.filter(user__username="resident").exists()  # GET writes nothing
    assert client.post("/points/join/S-01/").status_code == 303
    account = Account.objects.get(user__username="resident")
    page = client.get("/points/")
    assert account.code in page.text and "水杯" in page.text
    assert '<svg role="img"' in page.text  # the code as a QR for the counter's scanner
    assert client.post("/points/join/S-02/").status_code == 403  # not their community


def test_online_request_and_refusals_keep_their_status(points_world, cup):
    funded(points_world, points=25)
    client = client_for(points_world, "resident")
    assert client.post(f"/points/goods/{cup.pk}/request/", {"quantity": 1}).status_code == 303
    refused = client.post(f"/points/goods/{cup.pk}/request/", {"quantity": 1})
    assert refused.status_code == 409 and "积分不足" in refused.text  # zh-hans by default
    assert client.post(f"/points/goods/{cup.pk}/request/", {"quantity": 0}).status_code == 400
    assert Redemption.objects.count() == 1 and Goods.objects.get(pk=cup.pk).stock == 2
    redemption = Redemption.objects.get()
    other = client_for(points_world, "party")
    assert other.post(f"/points/redemptions/{redemption.pk}/cancel/").status_code == 404
    assert client.post(f"/points/redemptions/{redemption.pk}/cancel/").status_code == 303
    assert Account.objects.get(user__username="resident").balance == 25


def test_the_desk_finds_a_person_by_code_or_phone_and_redeems(points_world, cup):
    account = funded(points_world, points=50)
    desk = client_for(points_world, "community1")
    assert desk.get("/points/desk/").status_code == 302  # one community: straight to it
    found = desk.get("/points/desk/S-01/", {"q": account.code.lower()})
    assert found.status_code == 302 and found.url == f"/points/desk/S-01/accounts/{account.pk}/"
    assert desk.get("/points/desk/S-01/", {"q": "13900000000"}).status_code == 404
    url = f"/points/desk/S-01/accounts/{account.pk}/"
    assert desk.get(url).status_code == 200
    assert desk.post(url + "redeem/", {"goods": cup.pk, "quantity": 2}).status_code == 303
    account.refresh_from_db()
    assert account.balance == 10 and Goods.objects.get(pk=cup.pk).stock == 1
    refused = desk.post(url + "redeem/", {"goods": cup.pk, "quantity": 1})
    assert refused.status_code == 409


def test_the_desk_is_for_the_communitys_staff(points_world):
    account = funded(points_world, points=10)
    for username in ("resident", "grid1", "community2", "cop1"):
        client = client_for(points_world, username)
        assert client.get("/points/desk/S-01/").status_code == 403, username
        assert client.get(f"/points/desk/S-01/accounts/{account.pk}/").status_code == 403
        assert client.get("/points/desk/S-01/ledger.csv").status_code == 403
    assert Client().get("/points/").status_code == 302  # to the login


def test_award_reverse_and_export(points_world):
    account = services.account_for_user(
        user=points_world.people["resident"], community=points_world.areas["C1"]
    )
    desk = client_for(points_world, "community1")
    url = f"/points/desk/S-01/accounts/{account.pk}/"
    clean = points_world.rules["clean"]
    assert desk.post(url + "award/", {"rule": clean.pk, "note": "照片"}).status_code == 303
    earned = Entry.objects.get()
    assert desk.post(url + "reverse/", {"entry": earned.pk, "reason": ""}).status_code == 400
    assert (
        desk.post(url + "reverse/", {"entry": earned.pk, "reason": "登记错误"}).status_code == 303
    )
    account.refresh_from_db()
    assert account.balance == 0 and Entry.objects.count() == 2
    export = desk.get("/points/desk/S-01/ledger.csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("id,time,account") and len(lines) == 3
    assert "房前屋后干净整洁" in lines[1] and ",-10," in lines[2]
    assert desk.get("/points/desk/S-01/ledger.csv", {"start": "nonsense"}).status_code == 400
    book = desk.get("/points/desk/S-01/ledger.xlsx", {"start": "2000-01-01"})
    assert book.status_code == 200 and book["Content-Type"].endswith("spreadsheetml.sheet")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(book.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["id", "time", "account"] and len(values) == 3
    assert [row[6] for row in values[1:]] == [10, -10]
    assert desk.get("/points/desk/S-01/ledger.pdf").status_code == 404


def test_rules_are_edited_by_the_desk(points_world):
    desk = client_for(points_world, "community1")
    new = {
        "item": "垃圾分类示范户",
        "points": 8,
        "trigger": "manual",
        "monthly_cap": "",
        "active": "on",
    }
    assert desk.post("/points/desk/S-01/rules/", new).status_code == 303
    rule = points_world.areas["C1"].points_rules.get(item="垃圾分类示范户")
    assert rule.monthly_cap is None and rule.awarded_by == "community_staff"
    changed = new | {"points": 12, "monthly_cap": 24}
    assert desk.post(f"/points/desk/S-01/rules/{rule.pk}/", changed).status_code == 303
    rule.refresh_from_db()
    assert (rule.points, rule.monthly_cap) == (12, 24)
    assert desk.post("/points/desk/S-01/rules/", new | {"points": -1}).status_code == 400
    other = client_for(points_world, "community2")
    assert other.post(f"/points/desk/S-01/rules/{rule.pk}/", changed).status_code == 403


def test_help_request_through_the_pages(points_world):
    resident, party = client_for(points_world, "resident"), client_for(points_world, "party")
    assert resident.post("/points/help/new/S-01/", {"title": ""}).status_code == 400
    assert resident.post("/points/help/new/S-01/", {"title": "帮忙换灯泡"}).status_code == 303
    request = HelpRequest.objects.get()
    assert "帮忙换灯泡" in party.get("/points/").text
    assert (
        client_for(points_world, "grid1").post(f"/points/help/{request.pk}/claim/").status_code
        == 403
    )
    assert party.post(f"/points/help/{request.pk}/claim/").status_code == 303
    taken = client_for(points_world, "volunteer").post(f"/points/help/{request.pk}/claim/")
    assert taken.status_code == 409 and "party" in taken.text
    assert party.post(f"/points/help/{request.pk}/done/", {"note": "已换"}).status_code == 303
    assert resident.post(f"/points/help/{request.pk}/confirm/").status_code == 303
    assert Account.objects.get(user__username="party").balance == 10


def test_activity_check_in_and_walk_in(points_world):
    desk = client_for(points_world, "community1")
    data = {"title": "义务植树", "kind": "volunteer", "starts_at": "2026-01-01T09:00", "points": 10}
    assert desk.post("/points/desk/S-01/activities/", data).status_code == 303
    activity = points_world.areas["C1"].points_activities.get()
    resident = client_for(points_world, "resident")
    assert resident.post(f"/points/activities/{activity.pk}/signup/").status_code == 303
    wrong = resident.post(f"/points/activities/{activity.pk}/checkin/", {"code": "NOPE"})
    assert wrong.status_code == 400
    code = {"code": activity.checkin_code}
    assert resident.post(f"/points/activities/{activity.pk}/checkin/", code).status_code == 303
    volunteer = Account.objects.get(user__username="volunteer")
    walk_in = desk.post(
        f"/points/desk/S-01/activities/{activity.pk}/attendance/", {"q": volunteer.code}
    )
    assert walk_in.status_code == 303
    assert sorted(Entry.objects.values_list("account__user__username", flat=True)) == [
        "resident",
        "volunteer",
    ]
    page = desk.get(f"/points/desk/S-01/activities/{activity.pk}/")
    assert activity.checkin_code in page.text and '<svg role="img"' in page.text  # the QR
    scanned = client_for(points_world, "party").get(
        f"/points/activities/{activity.pk}/checkin/", {"code": activity.checkin_code}
    )  # what the QR opens: a page with the code filled in, nothing written yet
    assert scanned.status_code == 200 and f'value="{activity.checkin_code}"' in scanned.text
    assert Entry.objects.count() == 2


def test_the_board_shows_each_communitys_figures(points_world):
    funded(points_world, points=30)
    street = client_for(points_world, "street")
    page = street.get("/points/board/")
    assert page.status_code == 200 and "一社区" in page.text and "二社区" in page.text
    assert client_for(points_world, "resident").get("/points/board/").status_code == 403
