"""The points programme of the demo street (青杠街道 "青悦积分"), made through the services.

Every community gets the earning list of the seeds (果园社区's +10 items, 随手拍), a shop with
goods received from donors, residents registered by phone, party members and volunteers,
activities with attendance, redemptions and help requests. Closed demo cases reported by
residents and riders are paid by the same award the closing event pays. Idempotent: a street
whose communities already have shops is left alone.
"""

import random
from datetime import timedelta

from django.core.management.base import OutputWrapper
from django.db import transaction
from django.utils import timezone

from grids import services as grid_services
from grids.models import Area, User
from grids.roles import AreaLevel, Role
from grids.selectors import unit_members
from workflows.models import Case

from . import services
from .models import Account, Activity, Entry, Goods, HelpRequest, Shop

RULES = [  # item, points, trigger, evidence, monthly cap
    ("随手拍上报问题（结案后）", 5, "case_report", "案件结案", 50),
    ("义务参加社区公益活动或志愿服务", 10, "manual", "活动签到", None),
    ("房前屋后干净整洁", 10, "manual", "网格员拍照", 10),
    ("帮扶空巢老人、残疾人、留守儿童", 10, "help", "居民确认", 60),
    ("见义勇为、创先争优", 20, "manual", "社区两委认定", None),
    ("参与矛盾纠纷化解", 10, "manual", "调解记录", 30),
]
GOODS = [  # name, price, quantity received, donor
    ("肥皂", 5, 60, "青杠超市"),
    ("水杯", 15, 40, "爱心企业"),
    ("水桶", 115, 10, "青杠街道"),
    ("理发卡", 20, 30, "社区理发店"),
    ("洗衣液", 25, 40, "爱心企业"),
    ("面粉 5kg", 40, 20, "共建单位"),
    ("食用油 5L", 60, 20, "共建单位"),
    ("大米 10kg", 100, 20, "青杠超市"),
]
ACTIVITIES = [  # title, kind, days from today, points
    ("清理小区绿化带垃圾", "labour", -40, 10),
    ("老年人免费体检志愿服务", "volunteer", -25, 10),
    ("广场舞展演", "culture", -12, 5),
    ("义务植树", "labour", -5, 10),
    ("免费磨刀便民服务", "volunteer", 2, 10),
    ("书法展览布展", "culture", 6, 5),
]
HELPERS = [  # username, name, kind (per community: suffix -01 … )
    ("party", "党员", Account.Kind.PARTY_MEMBER),
    ("volunteer", "志愿者", Account.Kind.VOLUNTEER),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"


def demo_points_create(*, seed: int = 2026, stdout: OutputWrapper | None = None) -> dict[str, int]:
    communities = list(Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path"))
    if not communities or Shop.objects.filter(community__in=communities).exists():
        return {}
    rng = random.Random(seed)
    with transaction.atomic():
        for number, community in enumerate(communities, start=1):
            _community(community, number, rng)
        paid = _pay_closed_cases()
    counts = {
        "accounts": Account.objects.count(),
        "entries": Entry.objects.count(),
        "cases paid": paid,
        "activities": Activity.objects.count(),
        "goods": Goods.objects.count(),
        "help requests": HelpRequest.objects.count(),
    }
    if stdout:
        for name, value in counts.items():
            stdout.write(f"  {name:<14} {value:>5}")
    return counts


def _staff(community: Area) -> User:
    staff = unit_members(community, [Role.COMMUNITY_STAFF])
    if staff:
        return staff[0]
    return User.objects.filter(is_superuser=True).order_by("pk")[0]


def _community(community: Area, number: int, rng: random.Random) -> None:
    staff = _staff(community)
    rules = {
        item: services.rule_save(
            community=community,
            actor=staff,
            item=item,
            points=points,
            trigger=trigger,
            evidence=evidence,
            monthly_cap=cap,
        )
        for item, points, trigger, evidence, cap in RULES
    }
    shop = services.shop_open(
        community=community,
        actor=staff,
        name=f"{community.name}积分超市",
        opening_hours="周一至周五 9:00–17:00",
    )
    goods = []
    for name, price, quantity, donor in GOODS:
        item = services.goods_add(shop=shop, actor=staff, name=name, price=price)
        services.goods_receive(goods=item, actor=staff, quantity=quantity, donor=donor)
        goods.append(item)
    people = _residents(community, number, rng) + _helpers(community, number)
    manual = [rules[r[0]] for r in RULES if r[2] == "manual"]
    for account in people:
        for rule in rng.sample(manual, k=rng.randint(1, 3)):
            services.points_award(account=account, rule=rule, actor=staff)
    _activities(community, staff, people, rng)
    for account in rng.sample(people, k=min(6, len(people))):
        affordable = [g for g in goods if g.price <= account.balance]
        if affordable:
            services.redeem_at_counter(
                account=account, goods=rng.choice(affordable), quantity=1, actor=staff
            )
    _help(community, people)


def _residents(community: Area, number: int, rng: random.Random) -> list[Account]:
    """Residents registered at the desk by phone (no login), and the demo logins living here."""
    accounts = []
    for i in range(12):
        phone = f"139{number:02d}{i:06d}"
        name = f"{rng.choice(SURNAMES)}{'先生' if i % 2 else '阿姨'}"
        accounts.append(services.account_for_phone(phone=phone, community=community, name=name))
    for user in (
        User.objects.filter(memberships__area__path__startswith=community.path)
        .filter(memberships__role__in=[Role.RESIDENT, Role.GRID_MEMBER], is_active=True)
        .distinct()
    ):
        if not user.memberships.exclude(role=Role.RESIDENT).exclude(part_time=True).exists():
            accounts.append(services.account_for_user(user=user, community=community))
    return accounts


def _helpers(community: Area, number: int) -> list[Account]:
    """A party member and a volunteer with logins (password gridcase-demo), living in the
    community's first grid, registered at the desk."""
    grid = Area.objects.filter(parent=community).order_by("path").first() or community
    accounts = []
    for prefix, label, kind in HELPERS:
        username = f"{prefix}_{number:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, password="gridcase-demo", name=f"{community.name}{label}"
            )
            grid_services.membership_add(user=user, role=Role.RESIDENT, area=grid)
        accounts.append(services.account_for_user(user=user, community=community, kind=kind))
    return accounts


def _activities(community: Area, staff: User, people: list[Account], rng: random.Random) -> None:
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    for title, kind, days, points in ACTIVITIES:
        activity = services.activity_publish(
            community=community,
            actor=staff,
            title=title,
            kind=kind,
            starts_at=today + timedelta(days=days),
            points=points,
            place=f"{community.name}党群服务中心",
            capacity=30,
        )
        for account in rng.sample(people, k=min(8, len(people))):
            if days < 0:
                services.activity_attendance_mark(activity=activity, account=account, actor=staff)
            elif account.user is not None:
                services.activity_signup(activity=activity, user=account.user)


def _help(community: Area, people: list[Account]) -> None:
    helpers = [a for a in people if a.helper and a.user is not None]
    residents = [a for a in people if not a.helper and a.user is not None]
    asker = residents[0] if residents else None
    if asker is None or asker.user is None or not helpers or helpers[0].user is None:
        return
    done = services.help_request_post(
        user=asker.user, community=community, title="帮独居老人买米扛上楼", address="3栋2单元"
    )
    services.help_request_claim(request=done, user=helpers[0].user)
    services.help_request_done(request=done, user=helpers[0].user, note="已送到家")
    services.help_request_confirm(request=done, user=asker.user)
    services.help_request_post(
        user=asker.user, community=community, title="楼道灯泡坏了，帮忙换一下", address="5栋"
    )


def _pay_closed_cases() -> int:
    """The closing award for demo cases closed before the programme was loaded."""
    paid = 0
    for case in Case.objects.filter(status="closed").select_related("area", "reporter"):
        entry = services.case_award(case=case)
        if entry is not None:
            paid += 1
    return paid
