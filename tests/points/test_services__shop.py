"""积分超市: receipts with the donor, counter and online redemptions, cancelling reverses."""

import pytest
from django.core.exceptions import ValidationError

from points import services
from points.errors import OutOfStock, PointsConflict, PointsDenied
from points.models import Entry, Goods, Redemption, StockReceipt
from tests.points.conftest import funded


@pytest.fixture
def soap(points_world):
    staff = points_world.people["community1"]
    goods = services.goods_add(shop=points_world.shop, actor=staff, name="肥皂", price=15)
    services.goods_receive(goods=goods, actor=staff, quantity=5, donor="青杠超市")
    return goods


def test_a_receipt_records_the_donor_and_adds_stock(points_world, soap):
    receipt = StockReceipt.objects.get()
    assert (receipt.quantity, receipt.donor, receipt.received_by.username) == (
        5,
        "青杠超市",
        "community1",
    )
    assert Goods.objects.get(pk=soap.pk).stock == 5
    with pytest.raises(ValidationError):
        services.goods_receive(
            goods=soap, actor=points_world.people["community1"], quantity=3, donor=""
        )
    with pytest.raises(PointsDenied):
        services.goods_receive(
            goods=soap, actor=points_world.people["community2"], quantity=3, donor="x"
        )
    assert Goods.objects.get(pk=soap.pk).stock == 5


def test_counter_redemption_takes_points_and_stock_together(points_world, soap):
    account = funded(points_world, points=40)
    staff = points_world.people["community1"]
    redemption = services.redeem_at_counter(account=account, goods=soap, quantity=2, actor=staff)
    account.refresh_from_db()
    assert (redemption.status, redemption.points) == ("handed_over", 30)
    assert account.balance == 10 == services.balance_of(account)
    assert Goods.objects.get(pk=soap.pk).stock == 3
    with pytest.raises(OutOfStock):
        services.redeem_at_counter(account=account, goods=soap, quantity=4, actor=staff)
    with pytest.raises(ValidationError):
        services.redeem_at_counter(account=account, goods=soap, quantity=0, actor=staff)
    account.refresh_from_db()
    assert account.balance == 10 and Goods.objects.get(pk=soap.pk).stock == 3


def test_online_request_is_held_until_pick_up(points_world, soap):
    account = funded(points_world, points=40)
    resident = points_world.people["resident"]
    redemption = services.redeem_online(user=resident, goods=soap, quantity=1)
    account.refresh_from_db()
    assert (redemption.status, account.balance) == ("requested", 25)
    with pytest.raises(PointsDenied):
        services.redemption_hand_over(redemption=redemption, actor=resident)
    services.redemption_hand_over(redemption=redemption, actor=points_world.people["community1"])
    with pytest.raises(PointsConflict):
        services.redemption_hand_over(
            redemption=redemption, actor=points_world.people["community1"]
        )
    assert Redemption.objects.get().status == "handed_over"


def test_cancelling_reverses_points_and_stock(points_world, soap):
    account = funded(points_world, points=40)
    resident = points_world.people["resident"]
    redemption = services.redeem_online(user=resident, goods=soap, quantity=2)
    services.redemption_cancel(redemption=redemption, actor=resident)
    account.refresh_from_db()
    assert account.balance == 40 == services.balance_of(account)
    assert Goods.objects.get(pk=soap.pk).stock == 5
    reversal = Entry.objects.get(kind="reverse")
    assert (reversal.points, reversal.redemption_id) == (30, redemption.pk)
    with pytest.raises(PointsConflict):
        services.redemption_cancel(
            redemption=redemption, actor=points_world.people["community1"], reason="x"
        )
    # a counter redemption: only staff, with a reason
    handed = services.redeem_at_counter(
        account=account, goods=soap, quantity=1, actor=points_world.people["community1"]
    )
    with pytest.raises(PointsDenied):
        services.redemption_cancel(redemption=handed, actor=resident)
    with pytest.raises(ValidationError):
        services.redemption_cancel(redemption=handed, actor=points_world.people["community1"])
    services.redemption_cancel(
        redemption=handed, actor=points_world.people["community1"], reason="退货"
    )
    account.refresh_from_db()
    assert account.balance == 40 and Goods.objects.get(pk=soap.pk).stock == 5


def test_redeeming_another_communitys_goods_is_refused(points_world, soap):
    staff2 = points_world.people["community2"]
    shop2 = services.shop_open(community=points_world.areas["C2"], actor=staff2, name="二社区超市")
    cup = services.goods_add(shop=shop2, actor=staff2, name="水杯", price=10)
    services.goods_receive(goods=cup, actor=staff2, quantity=2, donor="x")
    account = funded(points_world, points=40)
    with pytest.raises(PointsDenied):
        services.redeem_at_counter(account=account, goods=cup, quantity=1, actor=staff2)
    with pytest.raises(ValidationError):
        services.redeem_at_counter(
            account=account, goods=cup, quantity=1, actor=points_world.people["street"]
        )
