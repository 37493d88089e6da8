"""积分超市: each community's shop, its goods and stock, receipts (物资接收) and redemptions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area

User = settings.AUTH_USER_MODEL


class Shop(models.Model):
    community = models.OneToOneField(
        Area, models.PROTECT, related_name="points_shop", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("points shop")
        verbose_name_plural = _("points shops")

    def __str__(self) -> str:
        return self.name


class Goods(models.Model):
    """洗衣液, 水杯, 理发卡, 米面油…: a points price and the units in stock."""

    shop = models.ForeignKey(Shop, models.PROTECT, related_name="goods", verbose_name=_("shop"))
    name = models.CharField(_("name"), max_length=100)
    price = models.PositiveIntegerField(_("price (points)"))
    stock = models.IntegerField(_("in stock"), default=0)
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["shop", "price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_stock_gte_0"),
            models.CheckConstraint(condition=Q(price__gt=0), name="points_price_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price})"


class StockReceipt(models.Model):
    """物资接收: goods received into stock, with who gave them."""

    goods = models.ForeignKey(Goods, models.PROTECT, related_name="receipts")
    quantity = models.PositiveIntegerField(_("quantity"))
    donor = models.CharField(_("donor"), max_length=100)
    note = models.CharField(_("note"), max_length=200, blank=True)
    received_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("receipt of goods")
        verbose_name_plural = _("receipts of goods")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="points_receipt_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.goods.name} +{self.quantity} ({self.donor})"


class Redemption(models.Model):
    """An exchange of points for goods: at the counter (handed over at once) or requested
    online (points and stock held until picked up). Cancelling reverses both."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested, waiting for pick-up")
        HANDED_OVER = "handed_over", _("Handed over")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("At the counter")
        ONLINE = "online", _("Requested online")

    account = models.ForeignKey(
        "points.Account", models.PROTECT, related_name="redemptions", verbose_name=_("account")
    )
    goods = models.ForeignKey(Goods, models.PROTECT, related_name="redemptions")
    quantity = models.PositiveIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    handed_over_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    cancelled_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="points_redeem_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.goods.name} × {self.quantity}"
