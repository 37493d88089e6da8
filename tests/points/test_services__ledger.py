"""The ledger: entries are appended, the balance is their sum and never negative."""

import pytest
from django.core.exceptions import ValidationError

from points import services
from points.errors import InsufficientPoints, PointsConflict, PointsDenied
from points.models import Account, Entry
from tests.points.conftest import funded


def test_an_award_appends_an_entry_and_moves_the_balance(points_world):
    account = funded(points_world, points=30)
    entry = account.entries.get()
    assert (entry.kind, entry.points, entry.actor.username) == ("earn", 30, "community1")
    assert account.balance == 30 == services.balance_of(account)


def test_a_correction_is_a_reversing_entry_never_an_edit(points_world):
    account = funded(points_world, points=30)
    earned = account.entries.get()
    correction = services.entry_reverse(
        entry=earned, actor=points_world.people["community1"], reason="重复登记"
    )
    account.refresh_from_db()
    assert (correction.kind, correction.points, correction.reverses_id) == (
        "reverse",
        -30,
        earned.pk,
    )
    assert Entry.objects.get(pk=earned.pk).points == 30  # the original stands
    assert account.balance == 0 == services.balance_of(account)
    with pytest.raises(PointsConflict):
        services.entry_reverse(entry=earned, actor=points_world.people["community1"], reason="再次")


def test_a_correction_needs_a_reason_and_the_desk(points_world):
    account = funded(points_world, points=30)
    earned = account.entries.get()
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=earned, actor=points_world.people["community1"], reason=" ")
    with pytest.raises(PointsDenied):  # another community's staff
        services.entry_reverse(entry=earned, actor=points_world.people["community2"], reason="x")
    assert Entry.objects.count() == 1


def test_the_balance_never_goes_negative(points_world):
    account = funded(points_world, points=30)
    with pytest.raises(InsufficientPoints):
        services.points_expire(
            account=account, points=31, actor=points_world.people["community1"], note="年度清零"
        )
    account.refresh_from_db()
    assert account.balance == 30 and account.entries.count() == 1
    services.points_expire(
        account=account, points=30, actor=points_world.people["community1"], note="年度清零"
    )
    account.refresh_from_db()
    assert account.balance == 0 == services.balance_of(account)


def test_manual_items_respect_the_monthly_cap(points_world):
    account = services.account_for_user(
        user=points_world.people["resident"], community=points_world.areas["C1"]
    )
    clean = points_world.rules["clean"]
    staff = points_world.people["community1"]
    services.points_award(account=account, rule=clean, actor=staff)
    services.points_award(account=account, rule=clean, actor=staff)
    with pytest.raises(PointsConflict):
        services.points_award(account=account, rule=clean, actor=staff)
    account.refresh_from_db()
    assert account.balance == 20


def test_only_the_communitys_desk_awards(points_world):
    account = services.account_for_user(
        user=points_world.people["resident"], community=points_world.areas["C1"]
    )
    for username in ("grid1", "resident", "community2", "cop1"):
        with pytest.raises(PointsDenied):
            services.points_award(
                account=account,
                rule=points_world.rules["clean"],
                actor=points_world.people[username],
            )
    street = points_world.people["street"]  # the street above may
    services.points_award(account=account, rule=points_world.rules["clean"], actor=street)
    assert account.entries.count() == 1


def test_automatic_items_are_not_awarded_by_hand(points_world):
    account = services.account_for_user(
        user=points_world.people["resident"], community=points_world.areas["C1"]
    )
    with pytest.raises(ValidationError):
        services.points_award(
            account=account,
            rule=points_world.rules["case"],
            actor=points_world.people["community1"],
        )


def test_accounts_by_phone_join_the_login_that_verifies_the_phone(points_world):
    c1 = points_world.areas["C1"]
    by_phone = services.account_for_phone(phone="138 0013 8000", community=c1, name="王先生")
    assert (by_phone.user, by_phone.phone) == (None, "13800138000")
    assert services.account_for_phone(phone="13800138000", community=c1) == by_phone
    resident = points_world.people["resident"]
    assert services.account_for_user(user=resident, community=c1) != by_phone  # not verified
    Account.objects.filter(user=resident).delete()
    from django.utils import timezone

    type(resident).objects.filter(pk=resident.pk).update(
        phone="+86 138-0013-8000", phone_verified_at=timezone.now()
    )  # as grids.services.phone_code_confirm leaves it
    resident.refresh_from_db()
    assert services.account_for_user(user=resident, community=c1).pk == by_phone.pk
    with pytest.raises(ValidationError):
        services.account_for_phone(phone="12", community=c1)


def test_accounts_belong_to_communities(points_world):
    with pytest.raises(ValidationError):
        services.account_for_user(
            user=points_world.people["resident"], community=points_world.areas["G1"]
        )
