"""Demo data for `make demo`: 青山苑 in 青山社区 of the demo street 青杠街道, with its register,
committee and party branch, one proposal in the owners' vote and one 居民议事会 meeting —
all made through the services, so their history, tasks and timers are real."""

from __future__ import annotations

import random
from datetime import timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from grids.models import Area, User

from . import services
from .choices import CompoundRoleKind
from .models import Compound, Unit
from .permissions import community_of

CODE = "QG-01-QSY"
PASSWORD = "gridcase-demo"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "建国",
    "秀英",
    "伟",
    "芳",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "霞",
]
# Demo accounts that own a unit (their phones are verified): (username, name, phone, unit)
OWNERS = [
    ("resident_liu", "刘霞", "13800000046", ("1栋", "301")),
    ("owner_zhou", "周强", "13900001001", ("2栋", "101")),
    ("owner_sun", "孙丽", "13900001002", ("3栋", "202")),
]
STAFF = [
    ("qsy_ywh", "张建华", CompoundRoleKind.COMMITTEE),
    ("qsy_dzb", "何梅", CompoundRoleKind.PARTY_BRANCH),
]


class DemoDataError(Exception):
    pass


def _register_csv() -> str:
    rng = random.Random(2026)
    owned = {unit: (name, phone) for _, name, phone, unit in OWNERS}
    lines = ["楼栋,房号,建筑面积,业主,电话"]
    serial = 0
    for building in ("1栋", "2栋", "3栋", "4栋"):
        for floor in (1, 2, 3):
            for door in (1, 2):
                number = f"{floor}0{door}"
                area = rng.choice(["78.50", "89.20", "96.00", "112.35", "124.80", "143.60"])
                if (building, number) in owned:
                    name, phone = owned[(building, number)]
                else:
                    serial += 1
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    phone = f"139{serial:08d}"
                lines.append(f"{building},{number},{area},{name},{phone}")
    return "\n".join(lines) + "\n"


def _account(username: str, name: str, phone: str = "") -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"name": name, "phone": phone}
    )
    if created:
        user.set_password(PASSWORD)
    if phone and user.phone != phone:
        user.phone = phone
    user.save()  # (a changed phone is saved unverified first)
    if phone and user.phone_verified_at is None:  # the demo owners' phones count as verified
        user.phone_verified_at = timezone.now()
        user.save(update_fields=["phone_verified_at"])
    return user


@transaction.atomic
def demo_deliberation_create() -> list[str]:
    """Create the demo compound once (idempotent: later runs only re-verify the owners)."""
    owners = {username: _account(username, name, phone) for username, name, phone, _ in OWNERS}
    if Compound.objects.filter(code=CODE).exists():
        return [f"{CODE} already there"]
    area = Area.objects.filter(code="QG-01-01-01").first()
    staff = User.objects.filter(username="qingshan_sq").first()
    if area is None or staff is None:
        raise DemoDataError("Load the demo street first (load_street fixtures/data/qinggang.json).")
    compound = Compound.objects.create(code=CODE, name="青山苑", area=area, cosign_threshold=3)
    services.compound_register_import(compound=compound, actor=staff, data=_register_csv())
    roles = {}
    for username, name, role in STAFF:
        roles[role] = _account(username, name)
        services.compound_role_set(compound=compound, actor=staff, user=roles[role], role=role)
    committee, branch = roles[CompoundRoleKind.COMMITTEE], roles[CompoundRoleKind.PARTY_BRANCH]
    community = community_of(compound)
    assert community is not None  # QG-01-01-01 lies in 青山社区

    start = timezone.now() - timedelta(days=21)

    def on_day(day: float) -> time_machine.travel:
        return time_machine.travel(start + timedelta(days=day), tick=False)

    with on_day(0):
        meeting = services.meeting_record(
            community=community,
            actor=staff,
            held_on=timezone.localdate(),
            place="青山社区党群服务中心",
            attendees="林娟（社区）、张建华（业委会）、何梅（小区党支部）、居民代表 8 人",
            topics="青山苑门禁老化、监控盲区；3栋楼道堆物",
            decisions=["青山苑门禁和监控改造提交五议两公开", "3栋楼道堆物由网格员上报处理"],
        )
    gate = meeting.decisions.order_by("pk").first()
    assert gate is not None
    with on_day(1):
        proposal = services.proposal_propose(
            compound=compound,
            actor=owners["resident_liu"],
            title="更换小区门禁并加装监控",
            text="小区门禁老化、经常失灵，3栋和4栋之间有监控盲区。建议更换人脸识别门禁，"
            "增设6个监控点位，费用从公共收益中列支。",
            matter="rebuild",
        )
        proposal.source_decision = gate
        proposal.save(update_fields=["source_decision"])
    for day, username in ((2, "owner_zhou"), (3, "owner_sun")):
        with on_day(day):
            proposal = services.proposal_cosign(proposal=proposal, actor=owners[username])
    with on_day(6):
        proposal = services.proposal_adopt(
            proposal=proposal,
            actor=committee,
            motion="更换全部4个出入口门禁，增设6个监控点位，预算12万元，从公共收益列支。",
        )
    with on_day(9):
        proposal = services.proposal_record_opinion(
            proposal=proposal,
            actor=branch,
            opinion="同意。建议公开三家报价，施工期间安排党员志愿者值守。",
        )
    with on_day(12):
        proposal = services.proposal_approve(
            proposal=proposal, actor=staff, note="程序合规，同意提交业主大会表决。"
        )
    with on_day(14):
        proposal = services.proposal_open_vote(
            proposal=proposal, actor=committee, closes_at=start + timedelta(days=31)
        )
    with on_day(15):
        services.vote_cast(proposal=proposal, actor=owners["owner_zhou"], choice="for")
    with on_day(16):
        services.vote_cast(proposal=proposal, actor=owners["owner_sun"], choice="for")
    paper = Unit.objects.filter(building__compound=compound).exclude(
        owners__phone__startswith="138"
    )
    for day, unit in enumerate(paper.exclude(building__name__in=["2栋", "3栋"])[:6], start=17):
        owner = unit.owners.first()
        assert owner is not None
        with on_day(day):
            services.vote_enter_paper(
                proposal=proposal, actor=staff, unit=unit, choice="for", owner_name=owner.name
            )
    return [
        f"{compound.name} {CODE}: {Unit.objects.filter(building__compound=compound).count()} units",
        f"proposal “{proposal.title}” in the owners' vote; "
        "owners resident_liu, owner_zhou, owner_sun; "
        "committee qsy_ywh, party branch qsy_dzb, community staff qingshan_sq",
    ]
