"""The boards' figures, defined once (DESIGN.md "Metrics for the boards").

Each metric is a ratio of two counts over a period [start, end) in Asia/Shanghai days:

- 响应率 response rate: cases reported in the period whose first answer (受理, or a rejection /
  duplicate mark) came by the response deadline ÷ those reported in the period that are due an
  answer (answered, or their deadline has passed). For departments: dispatches claimed (报到)
  or returned by the claim deadline ÷ dispatches of the period due a claim.
- 解决率 resolution rate: cases closed in the period that the resident did not rate 不满意 ÷
  cases closed in the period. Rejected and duplicate cases are never "closed" here.
- 满意率 satisfaction rate: ratings given in the period that were 满意 or 基本满意 ÷ ratings given
  (read from the event log: a 不满意 that reopens a case is cleared from the case row).
- 按期结案率 on-time closure and 结案率 closure rate: of the cases due to close in the period
  (resolve deadline passed inside the period, or closed in it; rejected/duplicate excluded;
  the status machine has no suspended state), those closed by the period's end on time
  (closed_at ≤ resolve deadline) and at all.
- 返工率 rework rate: closed in the period with at least one 返工 ÷ closed in the period.
- 网格内解决率 / 社区内解决率: closed in the period at grid level (resp. at grid or community
  level) ÷ closed in the period: "小事不出网格，大事不出社区".
- overdue now: open cases marked overdue, now (not bound to the period);
- average hours to close: mean of closed_at − reported_at over cases closed in the period.
- department ranking: the whistle-blowers' 1–5 response ratings of dispatches of the period.
- 督办 supervised: supervisions the street began in the period; 督办按期率 supervisions on
  time: of the supervisions that ended in the period (the case closed), those closed by the
  supervision's due time. For departments: their parts of the period's dispatches that were
  at work when a case's (first) supervision ended, and how many of those on time.

- department ranking: the whistle-blowers' 1–5 response ratings of dispatches of the period
  (a rating set aside by an upheld 申诉 no longer counts; nor does an upheld rework in 返工率).
- extensions granted (延期), suspensions (挂起), upheld appeals (申诉): events of the period,
  per area (the case's) and per department (the one asking, working, appealing).

A ratio with nothing to divide by is None ("—" on the page), never 0 and never an error.
Counts are gathered per case `area_path` with a fixed number of aggregate queries and rolled up
in Python to every community and grid, so the query count does not grow with the data. They are
read from the per-area, per-day counters (`workflows.boards.readers`);
tests/workflows/metrics_oracle.py counts the same figures from the cases, and the tests hold
the two equal.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ..choices import Rating, Status

VOID = (Status.REJECTED, Status.DUPLICATE)  # ended without being handled
NOT_VOID = tuple(s for s in Status if s not in VOID)
GOOD_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)
ONE_DAY = timedelta(days=1)

Figure = float | int | None  # a metric's value; None: nothing to measure
_K = TypeVar("_K", bound=Hashable)


@dataclass(frozen=True)
class Period:
    """[start, end) in aware datetimes; `now` bounds which deadlines have passed."""

    start: datetime
    end: datetime
    now: datetime

    @property
    def until(self) -> datetime:
        return min(self.end, self.now)

    def q(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})


@dataclass(frozen=True)
class Metric:
    name: str
    label: StrOrPromise
    kind: str  # "rate" (0..1), "count", "hours", "score" (1..5)
    higher_is_better: bool = True

    def display(
        self, value: Figure, *, csv: bool = False, base: int | None = None, min_base: int = 0
    ) -> str:
        """How a figure reads. On the page: "—" when there is nothing to measure, a rate as
        "12.5%", hours and scores to one decimal; a figure measured on a base of cases says
        it ("100.0% · 9 件"), and below `min_base` reads "样本不足 · 3 件" instead. In the CSV
        export: an empty cell, a rate as "12.5" (its heading says "%"), hours and scores to
        two decimals (the bases have columns of their own)."""
        if value is None:
            return "" if csv else "—"
        if self.kind == "rate":
            text = f"{value * 100:.1f}" if csv else f"{value * 100:.1f}%"
        elif self.kind in ("hours", "score"):
            text = f"{value:.2f}" if csv else f"{value:.1f}"
        else:
            text = str(value)
        if csv or base is None:
            return text
        if base < min_base:
            return str(_("Too few cases · %(base)d cases") % {"base": base})
        return str(_("%(value)s · %(base)d cases") % {"value": text, "base": base})

    @property
    def number_format(self) -> str | None:
        """The spreadsheet's format of the figure, kept as a number (a rate as 0..1)."""
        return {"rate": "0.0%", "hours": "0.00", "score": "0.00"}.get(self.kind)

    def heading(self, *, csv: bool = False) -> str:
        """The column's heading; in the CSV export a rate's says it is in %."""
        return f"{self.label} (%)" if csv and self.kind == "rate" else str(self.label)


# The dispatcher's operations of the period (counted on the event's day): 延期 granted, 挂起,
# 申诉 upheld. Counts, shown for each area and department and in the monthly report.
OPERATION_METRICS: tuple[Metric, ...] = (
    Metric("extended", _("Extensions granted"), "count", higher_is_better=False),
    Metric("suspended", _("Suspensions"), "count", higher_is_better=False),
    Metric("appeals_upheld", _("Upheld appeals"), "count", higher_is_better=False),
)
AREA_METRICS: tuple[Metric, ...] = (
    Metric("response_rate", _("Response rate"), "rate"),
    Metric("resolution_rate", _("Resolution rate"), "rate"),
    Metric("satisfaction_rate", _("Satisfaction rate"), "rate"),
    Metric("on_time_closure_rate", _("On-time closure rate"), "rate"),
    Metric("closure_rate", _("Closure rate"), "rate"),
    Metric("rework_rate", _("Rework rate"), "rate", higher_is_better=False),
    Metric("in_grid_rate", _("Solved in the grid"), "rate"),
    Metric("in_community_rate", _("Solved in the community"), "rate"),
    Metric("overdue_now", _("Overdue now"), "count", higher_is_better=False),
    Metric("avg_close_hours", _("Average hours to close"), "hours", higher_is_better=False),
    Metric("reported", _("Reported"), "count"),
    Metric("closed", _("Closed"), "count"),
    Metric("open_now", _("Open now"), "count", higher_is_better=False),
    Metric("supervised", _("Supervised (督办)"), "count"),
    Metric("supervision_on_time_rate", _("Supervisions on time"), "rate"),
    *OPERATION_METRICS,
)
DEPARTMENT_METRICS: tuple[Metric, ...] = (
    Metric("avg_rating", _("Whistle-blowers' rating"), "score"),
    Metric("response_rate", _("Response rate"), "rate"),
    Metric("rated", _("Ratings"), "count"),
    Metric("dispatched", _("Dispatched"), "count"),
    Metric("overdue_now", _("Overdue now"), "count", higher_is_better=False),
    Metric("supervised", _("Supervised (督办)"), "count"),
    Metric("supervision_on_time_rate", _("Supervisions on time"), "rate"),
    *OPERATION_METRICS,
)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass
class Tally:
    """Raw counts for one area and everything below it; tallies add up.

    Field names double as annotation names, so none may repeat a Case field's name (an
    annotation would shadow the field inside the other aggregates' filters).
    """

    reported: int = 0
    response_due: int = 0
    responded_in_time: int = 0
    closed: int = 0
    solved: int = 0
    reworked: int = 0
    closed_in_grid: int = 0
    closed_in_community: int = 0
    close_seconds: float = 0.0
    due_to_close: int = 0
    closed_of_due: int = 0
    closed_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    open_now: int = 0
    overdue_now: int = 0
    supervised: int = 0
    supervisions_ended: int = 0
    supervisions_on_time: int = 0

    extended: int = 0
    suspended: int = 0
    appeals_upheld: int = 0

    def add(self, counts: dict[str, float | timedelta | None]) -> None:
        for name, value in counts.items():
            if isinstance(value, timedelta):
                value = value.total_seconds()
            setattr(self, name, getattr(self, name) + (value or 0))

    def figures(self) -> dict[str, Figure]:
        """Every AREA_METRICS value, by name."""
        return {
            "response_rate": _ratio(self.responded_in_time, self.response_due),
            "resolution_rate": _ratio(self.solved, self.closed),
            "satisfaction_rate": _ratio(self.satisfied, self.rated),
            "on_time_closure_rate": _ratio(self.closed_on_time, self.due_to_close),
            "closure_rate": _ratio(self.closed_of_due, self.due_to_close),
            "rework_rate": _ratio(self.reworked, self.closed),
            "in_grid_rate": _ratio(self.closed_in_grid, self.closed),
            "in_community_rate": _ratio(self.closed_in_community, self.closed),
            "overdue_now": self.overdue_now,
            "avg_close_hours": _ratio(self.close_seconds / 3600, self.closed),
            "reported": self.reported,
            "closed": self.closed,
            "open_now": self.open_now,
            "supervised": self.supervised,
            "supervision_on_time_rate": _ratio(self.supervisions_on_time, self.supervisions_ended),
            "extended": self.extended,
            "suspended": self.suspended,
            "appeals_upheld": self.appeals_upheld,
        }

    def bases(self) -> dict[str, int]:
        """The number of cases each rate and average of `figures()` is measured on."""
        return {
            "response_rate": self.response_due,
            "resolution_rate": self.closed,
            "satisfaction_rate": self.rated,
            "on_time_closure_rate": self.due_to_close,
            "closure_rate": self.due_to_close,
            "rework_rate": self.closed,
            "in_grid_rate": self.closed,
            "in_community_rate": self.closed,
            "avg_close_hours": self.closed,
            "supervision_on_time_rate": self.supervisions_ended,
        }


@dataclass
class DepartmentTally:
    """One department's dispatches of the period, and its overdue parts now."""

    dispatched: int = 0
    claims_due: int = 0
    claimed_in_time: int = 0
    rated: int = 0
    rating_sum: int = 0
    overdue_now: int = 0
    supervisions_ended: int = 0
    supervisions_on_time: int = 0

    extended: int = 0
    suspended: int = 0
    appeals_upheld: int = 0

    def figures(self) -> dict[str, Figure]:
        return {
            "avg_rating": _ratio(self.rating_sum, self.rated),
            "response_rate": _ratio(self.claimed_in_time, self.claims_due),
            "rated": self.rated,
            "dispatched": self.dispatched,
            "overdue_now": self.overdue_now,
            "supervised": self.supervisions_ended,
            "supervision_on_time_rate": _ratio(self.supervisions_on_time, self.supervisions_ended),
            "extended": self.extended,
            "suspended": self.suspended,
            "appeals_upheld": self.appeals_upheld,
        }

    def bases(self) -> dict[str, int]:
        return {
            "avg_rating": self.rated,
            "response_rate": self.claims_due,
            "supervision_on_time_rate": self.supervisions_ended,
        }


TALLY_FIELDS = tuple(f.name for f in fields(Tally))


def roll_up(tallies: dict[str, Tally], area_ids: Iterable[int]) -> dict[int, Tally]:
    """Sum path tallies into each of `area_ids` (an area covers every path through it)."""
    wanted = {area_id: Tally() for area_id in area_ids}
    for path, tally in tallies.items():
        counts = {name: getattr(tally, name) for name in TALLY_FIELDS}
        for part in path.split("/"):
            if part and int(part) in wanted:
                wanted[int(part)].add(counts)
    return wanted


def midnight(day: date) -> datetime:
    """The start of local `day` (a period's bounds are local midnights)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def period_days(period: Period) -> tuple[date, date]:
    """The first and last local day the period covers."""
    first = timezone.localdate(period.start)
    last = timezone.localdate(period.end - timedelta(microseconds=1))
    return first, last


@dataclass
class Spread:
    """Cases reported in the period by local day, by current level and by category, and
    cases closed per local day."""

    reported_per_day: dict[date, int] = field(default_factory=dict)
    closed_per_day: dict[date, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    by_category: dict[tuple[str, str], int] = field(default_factory=dict)

    def trend(self, period: Period) -> list[tuple[date, int, int]]:
        """(local day, reported, closed) for every day of the period."""
        day, last = period_days(period)
        days = []
        while day <= last:
            days.append((day, self.reported_per_day.get(day, 0), self.closed_per_day.get(day, 0)))
            day += timedelta(days=1)
        return days


def _tally_into(target: dict[_K, int], key: _K, n: int) -> None:
    target[key] = target.get(key, 0) + n
