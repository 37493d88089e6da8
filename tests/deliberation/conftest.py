"""A compound in a small street: its register, owners with verified phones, its committee,
party branch and community staff; and helpers that drive a proposal through the services."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from deliberation import services
from deliberation.choices import CompoundRoleKind
from deliberation.models import Compound, Proposal, Unit
from grids.models import Area, User
from grids.roles import AreaLevel, Role
from tests.factories import AreaFactory, UserFactory, child_area, member

# building, unit, m², owner, phone — the first owner owns two units
REGISTER = [
    ("1栋", "101", "90.00", "王建国", "13800000001"),
    ("1栋", "102", "90.00", "王建国", "13800000001"),
    ("1栋", "201", "120.50", "李秀英", "13800000002"),
    ("1栋", "202", "60.25", "张伟", "13800000003"),
    ("2栋", "101", "150.00", "刘洋", "13800000004"),
    ("2栋", "102", "75.00", "陈静", "13800000005"),
]


def register_csv(rows=REGISTER) -> str:
    lines = ["楼栋,房号,建筑面积,业主,电话"] + [",".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def sweep() -> None:
    call_command("run_timers", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115


def verified(username: str, phone: str = "", **kwargs) -> User:
    return UserFactory(username=username, phone=phone, phone_verified_at=timezone.now(), **kwargs)


@dataclass
class Estate:
    compound: Compound
    areas: dict[str, Area]
    people: dict[str, User] = field(default_factory=dict)

    def unit(self, label: str) -> Unit:
        building, number = label.split("-")
        return Unit.objects.get(
            building__compound=self.compound, building__name=building, number=number
        )

    def propose(self, by: str = "wang", **kwargs) -> Proposal:
        defaults = {
            "title": "更换小区门禁",
            "text": "门禁老化，建议更换并加装监控",
            "matter": "rebuild",
        }
        return services.proposal_propose(
            compound=self.compound, actor=self.people[by], **(defaults | kwargs)
        )

    def submitted(self, **kwargs) -> Proposal:
        proposal = self.propose(**kwargs)
        return services.proposal_cosign(proposal=proposal, actor=self.people["li"])

    def at_review(self, **kwargs) -> Proposal:
        proposal = services.proposal_adopt(
            proposal=self.submitted(**kwargs), actor=self.people["committee"], motion="更换门禁"
        )
        return services.proposal_record_opinion(
            proposal=proposal, actor=self.people["branch"], opinion="同意提交审议"
        )

    def voting(self, days: int = 7, **kwargs) -> Proposal:
        proposal = services.proposal_approve(
            proposal=self.at_review(**kwargs), actor=self.people["staff"]
        )
        return services.proposal_open_vote(
            proposal=proposal,
            actor=self.people["committee"],
            closes_at=timezone.now() + timedelta(days=days),
        )

    def close(self, proposal: Proposal, days: int = 8) -> Proposal:
        with time_machine.travel(timezone.now() + timedelta(days=days), tick=False):
            sweep()
        return Proposal.objects.get(pk=proposal.pk)


@pytest.fixture
def estate(db) -> Estate:
    return estate_build()


def estate_build() -> Estate:
    street = AreaFactory(code="S", level=AreaLevel.STREET, name="白杨街道")
    community = child_area(street, AreaLevel.COMMUNITY, code="S-01", name="邻里社区")
    grid = child_area(community, AreaLevel.GRID, code="S-01-01")
    other = child_area(street, AreaLevel.COMMUNITY, code="S-02", name="大北社区")
    compound = Compound.objects.create(code="HDC", name="和达城", area=grid, cosign_threshold=3)
    estate = Estate(compound, {a.code: a for a in (street, community, grid, other)})
    people = estate.people
    people["staff"] = UserFactory(username="staff", name="社区书记")
    member(people["staff"], Role.COMMUNITY_STAFF, community)
    people["elsewhere"] = UserFactory(username="elsewhere")
    member(people["elsewhere"], Role.COMMUNITY_STAFF, other)
    people["committee"] = UserFactory(username="committee", name="业委会主任")
    people["branch"] = UserFactory(username="branch", name="党支部书记")
    for who, role in (
        ("committee", CompoundRoleKind.COMMITTEE),
        ("branch", CompoundRoleKind.PARTY_BRANCH),
    ):
        services.compound_role_set(
            compound=compound, actor=people["staff"], user=people[who], role=role
        )
    services.compound_register_import(compound=compound, actor=people["staff"], data=register_csv())
    for username, phone in (
        ("wang", "13800000001"),
        ("li", "+86 138-0000-0002"),
        ("zhang", "13800000003"),
        ("liu", "13800000004"),
        ("chen", "13800000005"),
    ):
        people[username] = verified(username, phone, name=username)
    people["unverified"] = UserFactory(username="unverified", phone="13800000003")
    people["stranger"] = verified("stranger", "13900000009")
    return estate
