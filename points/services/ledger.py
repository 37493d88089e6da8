"""The ledger: accounts and their entries. Every change of a balance goes through `_post`.

`_post` runs inside the caller's transaction: it locks the account row (`select_for_update`
on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) and moves the balance with a
compare-and-set UPDATE that refuses to go below zero, so two redemptions racing for the same
points cannot both win; the balance's CHECK constraint is the last line.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, User
from grids.phones import normalise_phone, verified_phone
from grids.roles import AreaLevel

from ..errors import InsufficientPoints, PointsConflict, require
from ..models import Account, EarningRule, Entry
from ..permissions import desk_allows


def _post(
    account: Account, kind: str, points: int, actor: User | None, note: str = "", **cause: object
) -> Entry:
    """Append one entry and move the balance by `points`, never below zero."""
    Account.objects.select_for_update().filter(pk=account.pk).first()
    moved = Account.objects.filter(pk=account.pk, balance__gte=-points).update(
        balance=F("balance") + points
    )
    if not moved:
        account.refresh_from_db(fields=["balance"])
        raise InsufficientPoints(
            _("Not enough points: %(balance)s available, %(needed)s needed.")
            % {"balance": account.balance, "needed": -points}
        )
    entry = Entry.objects.create(
        account=account, kind=kind, points=points, actor=actor, note=note[:200], **cause
    )
    account.refresh_from_db(fields=["balance"])
    return entry


def _community(area: Area) -> Area:
    if area.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Points accounts belong to a community."))
    return area


def account_for_user(*, user: User, community: Area, kind: str = "") -> Account:
    """The user's account in `community`: theirs, else the one opened for their verified phone
    (a report or a counter visit before they had a login), else a new one."""
    _community(community)
    with transaction.atomic():
        account = Account.objects.filter(community=community, user=user).first()
        phone = verified_phone(user)
        if account is None and phone:
            account = (
                Account.objects.select_for_update()
                .filter(community=community, phone=phone, user__isnull=True)
                .first()
            )
            if account is not None:
                account.user = user
                account.save(update_fields=["user"])
        if account is None:
            account = _create(community=community, user=user, phone=phone, name=user.name)
        if kind and account.kind != kind:
            account.kind = kind
            account.save(update_fields=["kind"])
    return account


def account_for_phone(*, phone: str, community: Area, name: str = "") -> Account:
    """The account of the person with this phone in `community` (opened if new)."""
    _community(community)
    number = normalise_phone(phone)
    if len(number.lstrip("+")) < 7:
        raise ValidationError(_("Enter a phone number."))
    with transaction.atomic():
        account = Account.objects.filter(community=community, phone=number).first()
        if account is None:
            owner = _user_with_phone(number)
            if owner is not None:
                return account_for_user(user=owner, community=community)
            account = _create(community=community, user=None, phone=number, name=name)
    return account


def _user_with_phone(number: str) -> User | None:
    for user in User.objects.filter(is_active=True, phone__endswith=number[-7:]):
        if verified_phone(user) == number:
            return user
    return None


def _create(*, community: Area, user: User | None, phone: str, name: str) -> Account:
    try:
        with transaction.atomic():  # a savepoint: the same person may be opened meanwhile
            return Account.objects.create(
                community=community, user=user, phone=phone, name=name[:64]
            )
    except IntegrityError:
        if user is not None:
            return Account.objects.get(community=community, user=user)
        return Account.objects.get(community=community, phone=phone)


def month_earned(account: Account, rule: EarningRule) -> int:
    """Points `account` earned by `rule` this local month, net of reversals."""
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    total = Entry.objects.filter(account=account, rule=rule, created_at__gte=start).aggregate(
        total=Sum("points")
    )["total"]
    return int(total or 0)


def earn(
    account: Account,
    points: int,
    actor: User | None,
    note: str,
    *,
    rule: EarningRule | None = None,
    **cause: object,
) -> Entry | None:
    """Earn `points` (for `rule`: up to its monthly cap); None when the cap is reached."""
    Account.objects.select_for_update().filter(pk=account.pk).first()  # the cap counts too
    if rule is not None and rule.monthly_cap is not None:
        points = min(points, rule.monthly_cap - month_earned(account, rule))
    if points <= 0:
        return None
    return _post(account, Entry.Kind.EARN, points, actor, note, rule=rule, **cause)


@transaction.atomic
def points_award(*, account: Account, rule: EarningRule, actor: User, note: str = "") -> Entry:
    """A community staff member awards one item of the list (正向积分事项) by hand."""
    require(desk_allows(actor, account.community), _("You may not award points here."))
    if rule.community_id != account.community_id or not rule.active:
        raise ValidationError(_("Choose an active item of this community's list."))
    if rule.awarded_by != EarningRule.Awarder.COMMUNITY_STAFF:
        raise ValidationError(_("This item is awarded automatically."))
    entry = earn(account, rule.points, actor, note.strip() or rule.item, rule=rule)
    if entry is None:
        raise PointsConflict(_("The monthly cap of this item is reached for this person."))
    return entry


@transaction.atomic
def entry_reverse(*, entry: Entry, actor: User, reason: str) -> Entry:
    """A correction: a new entry with the opposite points (never an edit), once per entry."""
    entry = Entry.objects.select_related("account__community").get(pk=entry.pk)
    require(desk_allows(actor, entry.account.community), _("You may not correct this ledger."))
    Account.objects.select_for_update().filter(pk=entry.account_id).first()  # one correction
    if not reason.strip():
        raise ValidationError(_("Say why the entry is corrected."))
    if entry.kind == Entry.Kind.REVERSE or Entry.objects.filter(reverses=entry).exists():
        raise PointsConflict(_("This entry is already corrected."))
    if entry.redemption_id:
        raise PointsConflict(_("Cancel the redemption instead: that returns the goods too."))
    return reverse(entry, actor, reason.strip())


def reverse(entry: Entry, actor: User | None, reason: str) -> Entry:
    cause = {
        name: getattr(entry, name)
        for name in ("rule", "case", "activity", "redemption", "help_request")
    }
    return _post(
        entry.account, Entry.Kind.REVERSE, -entry.points, actor, reason, reverses=entry, **cause
    )


@transaction.atomic
def points_expire(*, account: Account, points: int, actor: User, note: str) -> Entry:
    """Points that lapse (the community's rules say when): a negative `expire` entry."""
    require(desk_allows(actor, account.community), _("You may not change this ledger."))
    if points <= 0:
        raise ValidationError(_("Give a positive number of points."))
    return _post(account, Entry.Kind.EXPIRE, -points, actor, note.strip() or _("Expired"))


def balance_of(account: Account) -> int:
    """The balance as the sum of the entries (the stored balance must always equal it)."""
    return int(account.entries.aggregate(total=Sum("points"))["total"] or 0)


@transaction.atomic
def account_kind_set(*, account: Account, kind: str, actor: User) -> Account:
    """The desk registers a person as a party member or volunteer (who answer help requests),
    a rider, or a resident."""
    require(desk_allows(actor, account.community), _("You may not change this account."))
    if kind not in Account.Kind.values:
        raise ValidationError(_("Choose a kind of account."))
    Account.objects.filter(pk=account.pk).update(kind=kind)
    account.kind = kind
    return account
