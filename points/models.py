"""积分: accounts per community, the append-only ledger, earning rules and activities.

The shop (积分超市) and help requests (居民吹哨、党员报到) are in `shop_models.py` and
`help_models.py`, imported here so Django finds them. Everything is written by
`points.services`; entries are never edited or deleted (a correction is a reversing entry).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area

User = settings.AUTH_USER_MODEL


def person_code() -> str:
    """The code on a person's phone page that the counter types or scans (10 characters)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Account(models.Model):
    """One person's points in one community: with a login (`user`) or by verified phone."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        RIDER = "rider", _("Rider / part-time grid member")
        PARTY_MEMBER = "party_member", _("Party member")
        VOLUNTEER = "volunteer", _("Volunteer")

    community = models.ForeignKey(
        Area, models.PROTECT, related_name="points_accounts", verbose_name=_("community")
    )
    user = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="points_accounts",
        verbose_name=_("user"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RESIDENT)
    code = models.CharField(_("code"), max_length=16, unique=True, default=person_code)
    # The sum of the account's entries, kept by the ledger service in the entry's transaction.
    balance = models.IntegerField(_("balance"), default=0)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        ordering = ["community", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_gte_0"),
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(user__isnull=False),
                name="points_account_user_unique",
            ),
            models.UniqueConstraint(
                fields=["community", "phone"],
                condition=~Q(phone=""),
                name="points_account_phone_unique",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(phone=""), name="points_account_has_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} · {self.community.name}"

    @property
    def display_name(self) -> str:
        if self.user_id and self.user:
            return str(self.user)
        return self.name or phone_masked(self.phone)

    @property
    def helper(self) -> bool:
        """Party members and volunteers answer help requests (党员报到)."""
        return self.kind in (self.Kind.PARTY_MEMBER, self.Kind.VOLUNTEER)


def phone_masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class EarningRule(models.Model):
    """One line of the community's 正向积分事项清单, editable by community staff."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Awarded by hand")
        CASE_REPORT = "case_report", _("A report closed (随手拍)")
        ACTIVITY = "activity", _("Attending an activity")
        HELP = "help", _("Helping a neighbour (党员报到)")

    class Awarder(models.TextChoices):
        COMMUNITY_STAFF = "community_staff", _("Community staff")
        SYSTEM = "system", _("Automatically")

    community = models.ForeignKey(
        Area, models.PROTECT, related_name="points_rules", verbose_name=_("community")
    )
    item = models.CharField(_("item"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    trigger = models.CharField(
        _("earned by"), max_length=16, choices=Trigger.choices, default=Trigger.MANUAL
    )
    awarded_by = models.CharField(
        _("who awards it"),
        max_length=16,
        choices=Awarder.choices,
        default=Awarder.COMMUNITY_STAFF,
    )
    evidence = models.CharField(_("evidence needed"), max_length=200, blank=True)
    monthly_cap = models.PositiveIntegerField(_("cap per person per month"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["community", "trigger", "item"]

    def __str__(self) -> str:
        return f"{self.item} +{self.points}"


class Activity(models.Model):
    """志愿服务, 文体活动, 义务劳动: published by community staff; attendance earns points."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer service")
        CULTURE = "culture", _("Culture and sports")
        LABOUR = "labour", _("Voluntary labour")

    community = models.ForeignKey(
        Area, models.PROTECT, related_name="points_activities", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    points = models.PositiveIntegerField(_("points for attending"))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    # Shown at the activity; attendees type or scan it to record their attendance.
    checkin_code = models.CharField(_("check-in code"), max_length=16, default=person_code)
    published_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class Signup(models.Model):
    activity = models.ForeignKey(Activity, models.PROTECT, related_name="signups")
    account = models.ForeignKey(Account, models.PROTECT, related_name="signups")
    signed_up_at = models.DateTimeField(_("signed up"), default=timezone.now)
    attended_at = models.DateTimeField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["activity", "account"], name="points_signup_once")
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.activity}"


class Entry(models.Model):
    """One line of the ledger: append-only. The account's balance is the sum of `points`."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        REVERSE = "reverse", _("Reversed")
        EXPIRE = "expire", _("Expired")

    account = models.ForeignKey(Account, models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    points = models.IntegerField(_("points"))  # earn > 0; redeem, expire < 0; reverse either
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # The cause: exactly the fields that apply are set.
    rule = models.ForeignKey(EarningRule, models.PROTECT, null=True, blank=True, related_name="+")
    case = models.ForeignKey(
        "workflows.Case", models.PROTECT, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(Activity, models.PROTECT, null=True, blank=True, related_name="+")
    redemption = models.ForeignKey(
        "points.Redemption", models.PROTECT, null=True, blank=True, related_name="entries"
    )
    help_request = models.ForeignKey(
        "points.HelpRequest", models.PROTECT, null=True, blank=True, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["account", "-id"], name="points_entry_account")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="earn") | Q(points__gt=0), name="points_earn_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["redeem", "expire"]) | Q(points__lt=0),
                name="points_spend_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reverse") | Q(reverses__isnull=False),
                name="points_reverse_names_entry",
            ),
            # Once per case, per activity attendance, per help request: a reopened case or
            # a second attendance mark cannot pay twice.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind="earn", case__isnull=False),
                name="points_earn_once_per_case",
            ),
            models.UniqueConstraint(
                fields=["activity", "account"],
                condition=Q(kind="earn", activity__isnull=False),
                name="points_earn_once_per_attendance",
            ),
            models.UniqueConstraint(
                fields=["help_request"],
                condition=Q(kind="earn", help_request__isnull=False),
                name="points_earn_once_per_help",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    @property
    def cause(self) -> str:
        if self.case_id:
            return str(_("Case %(number)s")) % {"number": self.case.number if self.case else ""}
        if self.activity_id:
            return str(self.activity)
        if self.redemption_id:
            return str(_("Redemption #%(id)s")) % {"id": self.redemption_id}
        if self.help_request_id:
            return str(_("Help request #%(id)s")) % {"id": self.help_request_id}
        if self.reverses_id:
            return str(_("Correction of entry #%(id)s")) % {"id": self.reverses_id}
        return self.rule.item if self.rule_id and self.rule else ""


from .help_models import HelpRequest  # noqa: E402
from .shop_models import Goods, Redemption, Shop, StockReceipt  # noqa: E402

__all__ = [
    "Account",
    "Activity",
    "EarningRule",
    "Entry",
    "Goods",
    "HelpRequest",
    "Redemption",
    "Shop",
    "Signup",
    "StockReceipt",
]
