"""Points the case engine and activities earn: the closing award, sign-up and attendance."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, Membership, User
from grids.roles import AreaLevel, Role
from grids.selectors import area_ancestor_at
from notifications.models import Notification
from notifications.services import notify
from notifications.sms import send_sms
from workflows.choices import Source
from workflows.models import Case

from ..errors import PointsConflict, require
from ..models import Account, Activity, EarningRule, Entry, Signup
from ..permissions import desk_allows
from .ledger import account_for_phone, account_for_user, earn

# Sources where the reporting user is the person who found the problem (not an integration
# account relaying a call): the resident's own report, a rider's 随手拍, a patrol.
PERSONAL_SOURCES = (Source.RESIDENT, Source.SNAPSHOT, Source.GRID_PATROL)


def case_award(*, case: Case) -> Entry | None:
    """On the closing event, in its transaction: the reporter earns the community's
    case-report rule once per case (a reopened case closing again pays nothing more).
    Only residents (with a login or by the phone they gave) and part-time grid members earn;
    staff reporting in their work do not. Rejected or duplicate reports never close."""
    community = area_ancestor_at(case.area, AreaLevel.COMMUNITY)
    if community is None or Entry.objects.filter(case=case, kind=Entry.Kind.EARN).exists():
        return None
    rule = (
        EarningRule.objects.filter(
            community=community, trigger=EarningRule.Trigger.CASE_REPORT, active=True
        )
        .order_by("pk")
        .first()
    )
    account = _reporter_account(case, community) if rule else None
    if rule is None or account is None:
        return None
    note = _("Report %(number)s closed") % {"number": case.number}
    entry = earn(account, rule.points, None, note, rule=rule, case=case)
    if entry is not None and account.user is not None:
        notify(
            recipients=[account.user],
            kind=Notification.Kind.CASE_UPDATE,
            text=f"积分 +{entry.points}：{case.number} 已结案",
            case=case,
        )
    elif entry is not None and account.phone:  # no login: told by SMS, after commit
        phone = account.phone
        text = (
            f"【网格通】您上报的 {case.number} 已结案，获得 {entry.points} 积分，"
            f"可到{community.name}积分超市兑换。"
        )
        transaction.on_commit(lambda: send_sms(phone, text), robust=True)
    return entry


def _reporter_account(case: Case, community: Area) -> Account | None:
    reporter = case.reporter
    if reporter is not None and case.source in PERSONAL_SOURCES:
        kind = _earning_kind(reporter)
        return account_for_user(user=reporter, community=community, kind=kind) if kind else None
    if reporter is None and case.source == Source.RESIDENT and case.contact_phone:
        try:
            return account_for_phone(
                phone=case.contact_phone, community=community, name=case.contact_name
            )
        except ValidationError:  # not a usable phone number: nobody to pay
            return None
    return None


def _earning_kind(user: User) -> str:
    """ "resident" or "rider" if `user` reports as a resident or part-time grid member;
    "" for anybody who holds a working role (they report as part of their job)."""
    rows = list(Membership.objects.filter(user=user).values_list("role", "part_time"))
    working = [r for r, part_time in rows if r != Role.RESIDENT and not part_time]
    if working:
        return ""
    return Account.Kind.RIDER if rows and any(p for _r, p in rows) else Account.Kind.RESIDENT


@transaction.atomic
def activity_publish(
    *,
    community: Area,
    actor: User,
    title: str,
    kind: str,
    starts_at: datetime,
    points: int,
    place: str = "",
    capacity: int | None = None,
) -> Activity:
    require(desk_allows(actor, community), _("You may not publish activities here."))
    if not title.strip() or kind not in Activity.Kind.values or points <= 0:
        raise ValidationError(_("An activity needs a title, a kind and points."))
    return Activity.objects.create(
        community=community,
        title=title.strip(),
        kind=kind,
        starts_at=starts_at,
        points=points,
        place=place.strip(),
        capacity=capacity,
        published_by=actor,
    )


@transaction.atomic
def activity_signup(*, activity: Activity, user: User) -> Signup:
    """A person signs up (once); refused when every place is taken."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)  # places are counted
    account = account_for_user(user=user, community=activity.community)
    if activity.capacity is not None and activity.signups.count() >= activity.capacity:
        raise PointsConflict(_("Every place of this activity is taken."))
    try:
        with transaction.atomic():
            return Signup.objects.create(activity=activity, account=account)
    except IntegrityError:
        raise PointsConflict(_("You have already signed up.")) from None


def _attend(activity: Activity, account: Account, actor: User | None) -> Entry:
    signup, _created = Signup.objects.get_or_create(activity=activity, account=account)
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.attended_at is not None:
        raise PointsConflict(_("Attendance is already recorded."))
    signup.attended_at = timezone.now()
    signup.save(update_fields=["attended_at"])
    entry = earn(account, activity.points, actor, activity.title, activity=activity)
    assert entry is not None  # no rule, no cap: an activity always pays its points
    return entry


@transaction.atomic
def activity_attendance_mark(*, activity: Activity, account: Account, actor: User) -> Entry:
    """Staff mark a person present (signed up or walked in): the activity's points, once."""
    require(desk_allows(actor, activity.community), _("You may not mark attendance here."))
    if account.community_id != activity.community_id:
        raise ValidationError(_("This person has no account in the activity's community."))
    return _attend(activity, account, actor)


@transaction.atomic
def activity_checkin(*, activity: Activity, user: User, code: str) -> Entry:
    """The attendee types or scans the code shown at the activity."""
    if code.strip().upper() != activity.checkin_code:
        raise ValidationError(_("This is not the activity's code."))
    if timezone.now() < activity.starts_at - timedelta(hours=1):
        raise PointsConflict(_("The activity has not started yet."))
    account = account_for_user(user=user, community=activity.community)
    return _attend(activity, account, None)
