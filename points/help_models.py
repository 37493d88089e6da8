"""居民吹哨、党员报到: a resident's small request for help, claimed by one party member or
volunteer of the community within a time limit, done, confirmed by the resident."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area

User = settings.AUTH_USER_MODEL


class HelpRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a helper")
        ESCALATED = "escalated", _("Not claimed in time: with community staff")
        CLAIMED = "claimed", _("Claimed")
        DONE = "done", _("Done, waiting for the resident")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    community = models.ForeignKey(
        Area, models.PROTECT, related_name="help_requests", verbose_name=_("community")
    )
    requester = models.ForeignKey(
        "points.Account", models.PROTECT, related_name="help_asked", verbose_name=_("resident")
    )
    title = models.CharField(_("what is needed"), max_length=100)
    description = models.TextField(_("details"), max_length=2000, blank=True)
    address = models.CharField(_("where"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    points = models.PositiveIntegerField(_("points for the helper"))
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    claim_due = models.DateTimeField(_("claim by"))
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    helper = models.ForeignKey(
        "points.Account",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="help_given",
        verbose_name=_("helper"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title
