"""A hot spot (未诉先办): a group of same-category cases close together, recomputed on a
schedule; a street official turns it into a proactive case or dismisses it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Area


class HotSpot(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        TURNED = "turned", _("Turned into a case")
        DISMISSED = "dismissed", _("Dismissed")

    street = models.ForeignKey(Area, models.CASCADE, related_name="+", verbose_name=_("street"))
    category = models.ForeignKey(
        "workflows.Category", models.CASCADE, related_name="+", verbose_name=_("category")
    )
    # Which group this is across recomputations: the category and its earliest case.
    anchor = models.ForeignKey(
        "workflows.Case", models.CASCADE, related_name="+", verbose_name=_("first case")
    )
    area = models.ForeignKey(
        Area, models.CASCADE, related_name="+", verbose_name=_("area")
    )  # where most of its cases are
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    case_ids = models.JSONField(_("cases"), default=list)
    count = models.PositiveIntegerField(_("cases"))
    recent = models.PositiveIntegerField(_("last 30 days"))
    previous = models.PositiveIntegerField(_("30 days before"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN, db_index=True
    )
    reason = models.TextField(_("reason for dismissing"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    case = models.ForeignKey(
        "workflows.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="hotspots",
        verbose_name=_("proactive case"),
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("hot spot")
        verbose_name_plural = _("hot spots")
        ordering = ["-count", "-recent", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "anchor"], name="hotspot_identity")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.anchor_id} ({self.count})"

    @property
    def trend(self) -> int:
        return self.recent - self.previous


class HotSpotRun(models.Model):
    """One recomputation: when, how long, how many cases and groups (the schedule's clock)."""

    started_at = models.DateTimeField(_("started"))
    seconds = models.FloatField(_("seconds"))
    cases = models.PositiveIntegerField(_("cases"))
    groups = models.PositiveIntegerField(_("groups"))

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.groups} groups)"
