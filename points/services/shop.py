"""积分超市: goods and stock, receipts (物资接收), redemptions at the counter and online.

Stock moves only by compare-and-set UPDATEs that refuse to go below zero (and a CHECK
constraint behind them), in the same transaction as the points, so concurrent redemptions
of the last unit cannot both succeed, and a failure leaves neither points nor stock moved.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, User
from notifications.models import Notification
from notifications.services import notify

from ..errors import OutOfStock, PointsConflict, require
from ..models import Account, Entry, Goods, Redemption, Shop, StockReceipt
from ..permissions import desk_allows
from .ledger import _post, account_for_user, reverse

MAX_QUANTITY = 20


@transaction.atomic
def shop_open(*, community: Area, actor: User, name: str, opening_hours: str = "") -> Shop:
    require(desk_allows(actor, community), _("You may not run this community's shop."))
    shop, _created = Shop.objects.update_or_create(
        community=community,
        defaults={"name": name.strip() or community.name, "opening_hours": opening_hours},
    )
    return shop


@transaction.atomic
def goods_add(*, shop: Shop, actor: User, name: str, price: int, active: bool = True) -> Goods:
    require(desk_allows(actor, shop.community), _("You may not run this community's shop."))
    if not name.strip() or price <= 0:
        raise ValidationError(_("Goods need a name and a price in points."))
    return Goods.objects.create(shop=shop, name=name.strip(), price=price, active=active)


@transaction.atomic
def goods_receive(
    *, goods: Goods, actor: User, quantity: int, donor: str, note: str = ""
) -> StockReceipt:
    """物资接收: units into stock, recorded with the donor."""
    require(desk_allows(actor, goods.shop.community), _("You may not run this community's shop."))
    if quantity <= 0 or not donor.strip():
        raise ValidationError(_("Give the quantity received and who gave it."))
    Goods.objects.filter(pk=goods.pk).update(stock=F("stock") + quantity)
    goods.refresh_from_db(fields=["stock"])
    return StockReceipt.objects.create(
        goods=goods, quantity=quantity, donor=donor.strip(), note=note.strip(), received_by=actor
    )


def _take(goods: Goods, account: Account, quantity: int, actor: User, channel: str) -> Redemption:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(_("Choose a quantity from 1 to %(max)s.") % {"max": MAX_QUANTITY})
    goods = Goods.objects.select_related("shop").get(pk=goods.pk)
    if not goods.active or goods.shop.community_id != account.community_id:
        raise ValidationError(_("These goods are not on sale in this person's community."))
    taken = Goods.objects.filter(pk=goods.pk, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken:
        raise OutOfStock(
            _("Only %(stock)s left of %(name)s.") % {"stock": goods.stock, "name": goods.name}
        )
    handed = channel == Redemption.Channel.COUNTER
    now = timezone.now()
    redemption = Redemption.objects.create(
        account=account,
        goods=goods,
        quantity=quantity,
        points=goods.price * quantity,
        channel=channel,
        status=Redemption.Status.HANDED_OVER if handed else Redemption.Status.REQUESTED,
        created_by=actor,
        handed_over_by=actor if handed else None,
        handed_over_at=now if handed else None,
    )
    _post(account, Entry.Kind.REDEEM, -redemption.points, actor, goods.name, redemption=redemption)
    return redemption


@transaction.atomic
def redeem_at_counter(*, account: Account, goods: Goods, quantity: int, actor: User) -> Redemption:
    """Staff hand the goods over at the counter (the person found by phone or code)."""
    require(desk_allows(actor, account.community), _("You may not run this community's shop."))
    return _take(goods, account, quantity, actor, Redemption.Channel.COUNTER)


@transaction.atomic
def redeem_online(*, user: User, goods: Goods, quantity: int) -> Redemption:
    """A person asks for goods on their phone: points and stock held until pick-up."""
    community = goods.shop.community
    account = account_for_user(user=user, community=community)
    redemption = _take(goods, account, quantity, user, Redemption.Channel.ONLINE)
    notify(
        recipients=_desk_people(community),
        kind=Notification.Kind.QUEUE,
        text=f"积分兑换待领取：{goods.name} × {quantity}（{account.display_name}）",
    )
    return redemption


def _desk_people(community: Area) -> list[User]:
    from grids.roles import Role
    from grids.selectors import unit_members

    return unit_members(community, [Role.COMMUNITY_STAFF])


@transaction.atomic
def redemption_hand_over(*, redemption: Redemption, actor: User) -> Redemption:
    """The person picks up what they asked for online."""
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    require(desk_allows(actor, redemption.account.community), _("You may not run this shop."))
    if redemption.status != Redemption.Status.REQUESTED:
        raise PointsConflict(_("This redemption is not waiting for pick-up."))
    redemption.status = Redemption.Status.HANDED_OVER
    redemption.handed_over_by, redemption.handed_over_at = actor, timezone.now()
    redemption.save(update_fields=["status", "handed_over_by", "handed_over_at"])
    return redemption


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, actor: User, reason: str = "") -> Redemption:
    """Cancel: the points come back (a reversal entry) and so does the stock. Staff may cancel
    any; the person may cancel their own request before pick-up."""
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    account = redemption.account
    own = account.user_id == actor.pk and redemption.status == Redemption.Status.REQUESTED
    require(own or desk_allows(actor, account.community), _("You may not cancel this."))
    if redemption.status == Redemption.Status.CANCELLED:
        raise PointsConflict(_("This redemption is already cancelled."))
    if not own and not reason.strip():
        raise ValidationError(_("Say why the redemption is cancelled."))
    redemption.status = Redemption.Status.CANCELLED
    redemption.cancelled_by, redemption.cancelled_at = actor, timezone.now()
    redemption.cancel_reason = reason.strip()
    redemption.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    Goods.objects.filter(pk=redemption.goods_id).update(stock=F("stock") + redemption.quantity)
    spent = Entry.objects.get(redemption=redemption, kind=Entry.Kind.REDEEM)
    reverse(spent, actor, reason.strip() or _("Redemption cancelled"))
    return redemption
