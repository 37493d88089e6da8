"""居民吹哨、党员报到: a resident asks, one party member or volunteer claims (报到) within the
departments' claim limit, does it, the resident confirms, the helper earns the points.
Requests nobody claims in time go to community staff (`help_requests_escalate`)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification
from notifications.services import notify
from workflows.deadlines import DEPARTMENT_CLAIM_LIMIT

from ..errors import AlreadyTaken, PointsConflict, require
from ..models import Account, EarningRule, HelpRequest
from ..permissions import desk_allows
from .ledger import account_for_user, earn

DEFAULT_HELP_POINTS = 10  # 帮扶空巢老人、残疾人、留守儿童等弱势群体的加10分 (果园社区)
CLAIM_LIMIT = DEPARTMENT_CLAIM_LIMIT  # the same 30 minutes a department has to report for duty


def _helpers(community: Area) -> list[User]:
    accounts = Account.objects.filter(
        community=community,
        kind__in=[Account.Kind.PARTY_MEMBER, Account.Kind.VOLUNTEER],
        user__is_active=True,
    ).select_related("user")
    return [a.user for a in accounts if a.user is not None]


def _rule(community: Area) -> EarningRule | None:
    return (
        EarningRule.objects.filter(
            community=community, trigger=EarningRule.Trigger.HELP, active=True
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def help_request_post(
    *, user: User, community: Area, title: str, description: str = "", address: str = ""
) -> HelpRequest:
    """A resident blows the whistle (居民吹哨): the community's helpers are told at once."""
    if not title.strip():
        raise ValidationError(_("Say what help you need."))
    account = account_for_user(user=user, community=community)
    rule = _rule(community)
    request = HelpRequest.objects.create(
        community=community,
        requester=account,
        title=title.strip()[:100],
        description=description.strip(),
        address=address.strip(),
        points=rule.points if rule else DEFAULT_HELP_POINTS,
        claim_due=timezone.now() + CLAIM_LIMIT,
    )
    notify(
        recipients=[u for u in _helpers(community) if u.pk != user.pk],
        kind=Notification.Kind.QUEUE,
        text=f"居民吹哨：{request.title}（{community.name}）",
    )
    return request


@transaction.atomic
def help_request_claim(*, request: HelpRequest, user: User) -> HelpRequest:
    """党员报到: exactly one helper wins (a compare-and-set on the request's row); the others
    are told who claimed it and when."""
    helper = Account.objects.filter(community_id=request.community_id, user=user).first()
    require(
        helper is not None and helper.helper,
        _("Only the community's registered party members and volunteers answer requests."),
    )
    assert helper is not None
    require(helper.pk != request.requester_id, _("You cannot answer your own request."))
    now = timezone.now()
    won = HelpRequest.objects.filter(
        pk=request.pk,
        helper__isnull=True,
        status__in=[HelpRequest.Status.OPEN, HelpRequest.Status.ESCALATED],
    ).update(helper=helper, claimed_at=now, status=HelpRequest.Status.CLAIMED)
    request = HelpRequest.objects.select_related("helper__user", "requester__user").get(
        pk=request.pk
    )
    if not won:
        if request.helper is None:
            raise PointsConflict(
                _("This request is %(status)s.") % {"status": request.get_status_display()}
            )
        raise AlreadyTaken(
            _("Already claimed by %(helper)s at %(time)s.")
            % {
                "helper": request.helper.display_name,
                "time": timezone.localtime(request.claimed_at).strftime("%H:%M")
                if request.claimed_at
                else "",
            },
            helper=request.helper.display_name,
            claimed_at=request.claimed_at,
        )
    notify(
        recipients=[request.requester.user],
        kind=Notification.Kind.CASE_UPDATE,
        text=f"{helper.display_name} 已报到：{request.title}",
    )
    return request


@transaction.atomic
def help_request_done(*, request: HelpRequest, user: User, note: str = "") -> HelpRequest:
    request = (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("helper")
        .get(pk=request.pk)
    )
    require(
        request.helper is not None and request.helper.user_id == user.pk,
        _("This is not yours to finish."),
    )
    if request.status != HelpRequest.Status.CLAIMED:
        raise PointsConflict(
            _("This request is %(status)s.") % {"status": request.get_status_display()}
        )
    request.status, request.done_at, request.done_note = (
        HelpRequest.Status.DONE,
        timezone.now(),
        note.strip()[:200],
    )
    request.save(update_fields=["status", "done_at", "done_note"])
    notify(
        recipients=[request.requester.user],
        kind=Notification.Kind.CASE_UPDATE,
        text=f"请确认：{request.title} 已完成",
    )
    return request


@transaction.atomic
def help_request_confirm(*, request: HelpRequest, user: User) -> HelpRequest:
    """The resident (or, for one without a login, community staff) confirms: the helper earns
    the request's points, once."""
    request = (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "helper")
        .get(pk=request.pk)
    )
    own = request.requester.user_id == user.pk
    require(own or desk_allows(user, request.community), _("Only the resident confirms the help."))
    if request.status != HelpRequest.Status.DONE or request.helper is None:
        raise PointsConflict(
            _("This request is %(status)s.") % {"status": request.get_status_display()}
        )
    request.status, request.confirmed_at = HelpRequest.Status.CONFIRMED, timezone.now()
    request.save(update_fields=["status", "confirmed_at"])
    entry = earn(
        request.helper,
        request.points,
        user,
        request.title,
        rule=_rule(request.community),
        help_request=request,
    )
    if entry is not None:  # None: the helper reached the item's monthly cap
        notify(
            recipients=[request.helper.user],
            kind=Notification.Kind.CASE_UPDATE,
            text=f"积分 +{entry.points}：{request.title}",
        )
    return request


@transaction.atomic
def help_request_cancel(*, request: HelpRequest, user: User) -> HelpRequest:
    request = (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("requester")
        .get(pk=request.pk)
    )
    own = request.requester.user_id == user.pk
    require(own or desk_allows(user, request.community), _("You may not cancel this request."))
    if request.status in (HelpRequest.Status.CONFIRMED, HelpRequest.Status.CANCELLED):
        raise PointsConflict(
            _("This request is %(status)s.") % {"status": request.get_status_display()}
        )
    request.status = HelpRequest.Status.CANCELLED
    request.save(update_fields=["status"])
    return request


def help_requests_escalate(*, now: datetime | None = None) -> int:
    """Requests nobody claimed in time go to their community's staff (notified once)."""
    now = now or timezone.now()
    count = 0
    late = HelpRequest.objects.filter(
        Q(status=HelpRequest.Status.OPEN), claim_due__lt=now, escalated_at__isnull=True
    )
    for pk in late.values_list("pk", flat=True):
        with transaction.atomic():
            moved = HelpRequest.objects.filter(pk=pk, status=HelpRequest.Status.OPEN).update(
                status=HelpRequest.Status.ESCALATED, escalated_at=now
            )
            if moved:
                request = HelpRequest.objects.select_related("community").get(pk=pk)
                notify(
                    recipients=unit_members(request.community, [Role.COMMUNITY_STAFF]),
                    kind=Notification.Kind.OVERDUE,
                    text=f"居民吹哨无人报到：{request.title}",
                )
                count += 1
    return count
