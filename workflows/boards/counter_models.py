"""Pre-aggregated board counters (issue 7, benchmark 4): additive counts per case area and
local day (Asia/Shanghai), kept by `workflows.boards.counters` in the transaction of each event.

Only sums live here; every board ratio is a sum of these divided by a sum of these (see
`workflows.boards.metrics`). One row per area and day, so a busy grid's reports of one day
share a row lock, never a whole street's.
"""

from django.db import models

from ..choices import Level


class AreaDayCount(models.Model):
    """Per case `area_path` and local day: what happened to the cases of that area that day.

    Each quantity belongs to the day of the case's own timestamp it is measured on: reported
    and answered (the answer of a case reported that day) on `reported_at`'s day; closed and
    its qualities on `closed_at`'s day; due on `resolve_due`'s day; ratings on the rating
    event's day; supervisions (督办) on their events' days.
    """

    area_path = models.CharField(max_length=255)
    day = models.DateField()
    reported = models.IntegerField(db_default=0)
    answered = models.IntegerField(db_default=0)  # accepted/claimed, rejected or duplicate
    answered_in_time = models.IntegerField(db_default=0)
    closed = models.IntegerField(db_default=0)
    solved = models.IntegerField(db_default=0)  # closed and not rated 不满意
    reworked = models.IntegerField(db_default=0)
    closed_in_grid = models.IntegerField(db_default=0)
    closed_in_community = models.IntegerField(db_default=0)
    close_micros = models.BigIntegerField(db_default=0)  # Σ closed_at − reported_at, in µs
    due = models.IntegerField(db_default=0)  # not rejected/duplicate, resolve deadline that day
    rated = models.IntegerField(db_default=0)
    satisfied = models.IntegerField(db_default=0)
    # 督办, from its events: supervisions begun that day, and ended that day (the case closed)
    # with how many by their due time.
    supervised = models.IntegerField(db_default=0)
    supervisions_ended = models.IntegerField(db_default=0)
    supervisions_on_time = models.IntegerField(db_default=0)
    # The dispatcher's operations, on the event's day: 延期 granted, 挂起, 申诉 upheld.
    extended = models.IntegerField(db_default=0)
    suspended = models.IntegerField(db_default=0)
    appeals_upheld = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_path", "day"], name="areadaycount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_path} {self.day}"


# AreaDayCount's counted columns, in field order: what the rebuild writes and the board sums.
DAY_COUNTS = tuple(
    field.name
    for field in AreaDayCount._meta.concrete_fields
    if field.name not in ("id", "area_path", "day")
)


class AreaDayMix(models.Model):
    """Cases reported per area and local day by their current level and category (charts)."""

    area_path = models.CharField(max_length=255)
    day = models.DateField()
    level = models.CharField(max_length=16, choices=Level.choices)
    category = models.ForeignKey("workflows.Category", models.CASCADE, related_name="+")
    reported = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "level", "category"], name="areadaymix_unique"
            )
        ]
        indexes = [  # PostgreSQL: the charts' sums without visiting the table's pages
            models.Index(
                fields=["area_path", "day"],
                name="areadaymix_sums",
                include=["level", "category", "reported"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_path} {self.day} {self.level} {self.category_id}"


class AreaCloseCount(models.Model):
    """Closed cases per area, local day closed and local day due (on-time closure needs both
    days: a case closed before a period but due inside it is "due to close" in it)."""

    area_path = models.CharField(max_length=255)
    day = models.DateField()  # closed
    due_day = models.DateField()  # resolve deadline's day; date.min when there is none
    closed = models.IntegerField(db_default=0)
    on_time = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "due_day"], name="areaclosecount_unique"
            )
        ]
        indexes = [  # PostgreSQL: index-only sums (the rows lie scattered over the table)
            models.Index(
                fields=["area_path", "day", "due_day"],
                name="areaclose_closed",
                include=["closed", "on_time"],
            ),
            models.Index(
                fields=["area_path", "due_day", "day"],
                name="areaclose_due",
                include=["closed", "on_time"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_path} closed {self.day} due {self.due_day}"


class DepartmentDayCount(models.Model):
    """Per department, case `area_path` and local day: its dispatches, their claims (报到) or
    returns (and how many by the claim deadline), the whistle-blowers' ratings and the
    supervisions (督办) its parts were under on the day dispatched; its 延期 granted, 挂起
    while it worked on a case and 申诉 upheld on the day of the event."""

    department = models.ForeignKey("grids.Department", models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255)
    day = models.DateField()
    dispatched = models.IntegerField(db_default=0)
    answered = models.IntegerField(db_default=0)
    answered_in_time = models.IntegerField(db_default=0)
    rated = models.IntegerField(db_default=0)
    rating_sum = models.IntegerField(db_default=0)
    # 督办: the department's parts at work when a case's first supervision ended (on the
    # dispatch's day, as the ratings), and how many of those by the supervision's due time.
    supervisions_ended = models.IntegerField(db_default=0)
    supervisions_on_time = models.IntegerField(db_default=0)
    extended = models.IntegerField(db_default=0)
    suspended = models.IntegerField(db_default=0)
    appeals_upheld = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "department"], name="departmentdaycount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.area_path} {self.day}"
