"""Races with real threads (each its own connection, released together by a barrier): on
SQLite here, and on PostgreSQL in `make test`'s second pass. Two redemptions of the same
person's points, two people taking the last unit, helpers claiming one request."""

from functools import partial

import pytest

from points import services
from points.errors import AlreadyTaken, InsufficientPoints, OutOfStock
from points.models import Account, Entry, Goods, Redemption
from tests.points.conftest import funded
from tests.threads import all_at_once

race = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@race
def test_two_redemptions_of_the_same_points_one_wins(points_world):
    account = funded(points_world, points=100)
    staff = points_world.people["community1"]
    rice = services.goods_add(shop=points_world.shop, actor=staff, name="大米 5kg", price=60)
    services.goods_receive(goods=rice, actor=staff, quantity=10, donor="爱心企业")
    redeem = partial(
        services.redeem_at_counter, account=account, goods=rice, quantity=1, actor=staff
    )

    outcomes = all_at_once([redeem, redeem, redeem])

    won = [o for o in outcomes if isinstance(o, Redemption)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, InsufficientPoints) for o in outcomes if o not in won), outcomes
    account.refresh_from_db()
    assert account.balance == 40 == services.balance_of(account)
    assert Goods.objects.get(pk=rice.pk).stock == 9  # the losers took no stock
    assert Redemption.objects.count() == 1


@race
def test_the_last_unit_goes_to_one_person(points_world):
    staff = points_world.people["community1"]
    accounts = [
        funded(points_world, name, points=50) for name in ("resident", "party", "volunteer")
    ]
    oil = services.goods_add(shop=points_world.shop, actor=staff, name="食用油", price=30)
    services.goods_receive(goods=oil, actor=staff, quantity=1, donor="超市")

    outcomes = all_at_once(
        [
            partial(services.redeem_at_counter, account=a, goods=oil, quantity=1, actor=staff)
            for a in accounts
        ]
    )

    won = [o for o in outcomes if isinstance(o, Redemption)]
    assert len(won) == 1 and sum(isinstance(o, OutOfStock) for o in outcomes) == 2, outcomes
    assert Goods.objects.get(pk=oil.pk).stock == 0
    balances = sorted(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("balance", flat=True)
    )
    assert balances == [20, 50, 50]
    assert Entry.objects.filter(kind="redeem").count() == 1


@race
def test_exactly_one_helper_claims_a_request(points_world):
    from tests.factories import UserFactory

    c1 = points_world.areas["C1"]
    helpers = [UserFactory(username=f"helper{i}", name=f"党员{i}") for i in range(5)]
    for person in helpers:
        services.account_for_user(user=person, community=c1, kind=Account.Kind.PARTY_MEMBER)
    request = services.help_request_post(
        user=points_world.people["resident"], community=c1, title="帮老人买菜"
    )

    outcomes = all_at_once(
        [partial(services.help_request_claim, request=request, user=p) for p in helpers]
    )

    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    winner = won[0].helper.display_name
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, AlreadyTaken) and o.helper == winner for o in losers), losers


@race
def test_one_correction_of_an_entry_wins(points_world):
    from points.errors import PointsConflict

    account = funded(points_world, points=30)
    earned = account.entries.get()
    staff = points_world.people["community1"]
    correct = partial(services.entry_reverse, entry=earned, actor=staff, reason="重复登记")

    outcomes = all_at_once([correct, correct, correct])

    assert sum(isinstance(o, Entry) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, PointsConflict) for o in outcomes if not isinstance(o, Entry))
    account.refresh_from_db()
    assert account.balance == 0 == services.balance_of(account)
