"""Every read of the points app: a person's accounts, the desk's look-ups, the figures."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from grids.models import Area, User
from grids.phones import normalise_phone
from grids.roles import AreaLevel
from grids.selectors import area_ancestor_at, user_memberships

from .models import Account, Activity, EarningRule, Entry, Goods, HelpRequest, Redemption


def accounts_of(user: User) -> list[Account]:
    return list(Account.objects.filter(user=user).select_related("community"))


def home_communities(user: User) -> list[Area]:
    """Communities where `user` has an account or holds a role (where they may join)."""
    found: dict[int, Area] = {a.community_id: a.community for a in accounts_of(user)}
    for membership in user_memberships(user):
        if membership.area is not None:
            community = area_ancestor_at(membership.area, AreaLevel.COMMUNITY)
            if community is not None:
                found.setdefault(community.pk, community)
    return sorted(found.values(), key=lambda area: area.path)


def account_find(community: Area, query: str) -> Account | None:
    """The counter's look-up: by the code on the person's phone page, or by phone."""
    text = query.strip().upper()
    if not text:
        return None
    account = Account.objects.filter(community=community, code=text).first()
    if account is None:
        phone = normalise_phone(query)
        if len(phone.lstrip("+")) >= 7:
            account = Account.objects.filter(
                Q(phone=phone) | Q(user__phone=phone), community=community
            ).first()
    return account


def entries_of(account: Account, limit: int = 50) -> list[Entry]:
    return list(
        account.entries.select_related("case", "activity", "actor", "rule").order_by("-pk")[:limit]
    )


def goods_on_sale(community: Area) -> QuerySet[Goods]:
    return Goods.objects.filter(shop__community=community, active=True).order_by("price", "name")


def rules_of(community: Area) -> QuerySet[EarningRule]:
    return EarningRule.objects.filter(community=community).order_by("-active", "trigger", "item")


def activities_upcoming(community: Area) -> QuerySet[Activity]:
    since = timezone.now() - timedelta(days=1)
    return (
        Activity.objects.filter(community=community, starts_at__gte=since)
        .annotate(signed=Count("signups"))
        .order_by("starts_at")
    )


def activities_recent(community: Area, limit: int = 10) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(community=community)
        .annotate(signed=Count("signups"), attended=Count("signups__attended_at"))
        .order_by("-starts_at")[:limit]
    )


def redemptions_waiting(community: Area) -> QuerySet[Redemption]:
    return Redemption.objects.filter(
        account__community=community, status=Redemption.Status.REQUESTED
    ).select_related("account__user", "goods")


def help_open(community: Area) -> QuerySet[HelpRequest]:
    """Requests waiting for a helper (escalated ones too: a helper may still take them)."""
    return HelpRequest.objects.filter(
        community=community, status__in=[HelpRequest.Status.OPEN, HelpRequest.Status.ESCALATED]
    ).select_related("requester__user")


def help_late(community: Area) -> QuerySet[HelpRequest]:
    """Unclaimed past their limit, whether or not the sweep has marked them yet."""
    return help_open(community).filter(claim_due__lt=timezone.now())


def help_of(account: Account) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(Q(requester=account) | Q(helper=account)).select_related(
        "helper__user", "requester__user"
    )


@dataclass(frozen=True)
class Figures:
    """积分 figures of one community for a period (the seeds': registered, issued, redeemed,
    activities held, requests answered)."""

    community: Area
    registered: int
    issued: int
    redeemed: int
    activities: int
    answered: int


def figures(communities: list[Area], start: datetime, end: datetime) -> list[Figures]:
    ids = [c.pk for c in communities]
    in_period = Q(created_at__gte=start, created_at__lt=end)
    registered = dict(
        Account.objects.filter(community_id__in=ids)
        .values_list("community_id")
        .annotate(n=Count("pk"))
    )
    moved: dict[int, dict[str, Any]] = {
        row["account__community_id"]: dict(row)
        for row in Entry.objects.filter(in_period, account__community_id__in=ids)
        .values("account__community_id")
        .annotate(
            # earned, net of corrections; redeemed, net of cancellations
            issued=Sum(
                "points",
                filter=Q(kind=Entry.Kind.EARN)
                | Q(kind=Entry.Kind.REVERSE, redemption__isnull=True),
            ),
            redeemed=Sum("points", filter=Q(redemption__isnull=False)),
        )
    }
    held = dict(
        Activity.objects.filter(community_id__in=ids, starts_at__gte=start, starts_at__lt=end)
        .values_list("community_id")
        .annotate(n=Count("pk"))
    )
    answered = dict(
        HelpRequest.objects.filter(
            community_id__in=ids, confirmed_at__gte=start, confirmed_at__lt=end
        )
        .values_list("community_id")
        .annotate(n=Count("pk"))
    )
    return [
        Figures(
            community=c,
            registered=registered.get(c.pk, 0),
            issued=int(moved.get(c.pk, {}).get("issued") or 0),
            redeemed=-int(moved.get(c.pk, {}).get("redeemed") or 0),
            activities=held.get(c.pk, 0),
            answered=answered.get(c.pk, 0),
        )
        for c in communities
    ]


def ledger_rows(community: Area, start: datetime, end: datetime) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(
            account__community=community, created_at__gte=start, created_at__lt=end
        )
        .select_related("account__user", "actor", "case", "activity", "rule")
        .order_by("pk")
    )
