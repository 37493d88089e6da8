import pytest

from grids.roles import Role
from points import services
from points.models import Account, EarningRule
from tests.factories import UserFactory, member


@pytest.fixture
def points_world(world):
    """The workflows world plus a rider, a party member, a volunteer and C1's points programme:
    the 随手拍 rule (+5), a manual item (+10, at most 20 a month), a help rule, a shop."""
    c1 = world.areas["C1"]
    rider = UserFactory(username="rider", name="骑手小赵")
    member(rider, Role.GRID_MEMBER, world.areas["G2"], part_time=True)
    world.people["rider"] = rider
    for username, kind in (
        ("party", Account.Kind.PARTY_MEMBER),
        ("volunteer", Account.Kind.VOLUNTEER),
    ):
        person = UserFactory(username=username, name=username)
        member(person, Role.RESIDENT, world.areas["G1"])
        world.people[username] = person
        services.account_for_user(user=person, community=c1, kind=kind)
    staff = world.people["community1"]
    world.rules = {
        "case": services.rule_save(
            community=c1, actor=staff, item="随手拍上报问题", points=5, trigger="case_report"
        ),
        "clean": services.rule_save(
            community=c1, actor=staff, item="房前屋后干净整洁", points=10, monthly_cap=20
        ),
        "help": services.rule_save(
            community=c1, actor=staff, item="帮扶空巢老人", points=10, trigger="help"
        ),
    }
    world.shop = services.shop_open(community=c1, actor=staff, name="青悦积分超市")
    return world


def closed(world, case, by="grid1"):
    """Accept, resolve and verify `case` through the case services."""
    from workflows import services as case_services

    actor = world.people[by]
    case = case_services.case_accept(case=case, actor=actor)
    case = case_services.case_resolve(case=case, actor=actor, result="已清理")
    return case_services.case_verify(case=case, actor=actor)


def funded(world, username="resident", points=100):
    """An account in C1 with `points` earned by hand (as the desk would)."""
    account = services.account_for_user(user=world.people[username], community=world.areas["C1"])
    rule = EarningRule.objects.create(community=world.areas["C1"], item="志愿服务", points=points)
    services.points_award(account=account, rule=rule, actor=world.people["community1"])
    account.refresh_from_db()
    return account
