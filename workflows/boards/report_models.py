"""The monthly 考核 report's settings per street: the composite score's weights and the
minimum base below which a unit is listed but not ranked."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Area


class ReportSettings(models.Model):
    street = models.OneToOneField(
        Area, models.CASCADE, related_name="report_settings", verbose_name=_("street")
    )
    response_weight = models.FloatField(
        _("weight of 响应率"), default=1.0, validators=[MinValueValidator(0)]
    )
    resolution_weight = models.FloatField(
        _("weight of 解决率"), default=1.0, validators=[MinValueValidator(0)]
    )
    satisfaction_weight = models.FloatField(
        _("weight of 满意率"), default=1.0, validators=[MinValueValidator(0)]
    )
    min_base = models.PositiveIntegerField(
        _("minimum cases to be ranked"), default=5,
        help_text=_("A unit with fewer cases in the month is listed but not ranked."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("考核 report settings")
        verbose_name_plural = _("考核 report settings")

    def __str__(self) -> str:
        return str(self.street)
