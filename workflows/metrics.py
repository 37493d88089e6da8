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

A ratio with nothing to divide by is None ("—" on the page), never 0 and never an error.
Counts are gathered per case `area_path` with a fixed number of aggregate queries and rolled up
in Python to every community and grid, so the query count does not grow with the data. The
period's counts are sums of the counters `workflows.counters` keeps per area and local day in
the transaction of each event (periods are whole local days); only what moves with the clock is
counted live: open and overdue now, answers and claims whose deadline passed unanswered, and
the rest of today's resolve deadlines. tests/workflows/metrics_oracle.py counts the same
figures from the cases, and the tests hold the two equal.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area

from .choices import OPEN_STATUSES, Rating, Status
from .counter_models import AreaCloseCount, AreaDayCount, AreaDayMix, DepartmentDayCount
from .models import Case, CaseDispatch

VOID = (Status.REJECTED, Status.DUPLICATE)  # ended without being handled
NOT_VOID = tuple(s for s in Status if s not in VOID)
GOOD_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)
ONE_DAY = timedelta(days=1)
# AreaDayCount columns summed as they are (`due` is cut at the last day deadlines passed).
DAY_SUMS = (
    "reported",
    "answered",
    "answered_in_time",
    "closed",
    "solved",
    "reworked",
    "closed_in_grid",
    "closed_in_community",
    "close_micros",
    "rated",
    "satisfied",
)


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
    label: object
    kind: str  # "rate" (0..1), "count", "hours", "score" (1..5)
    higher_is_better: bool = True


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
)
DEPARTMENT_METRICS: tuple[Metric, ...] = (
    Metric("avg_rating", _("Whistle-blowers' rating"), "score"),
    Metric("response_rate", _("Response rate"), "rate"),
    Metric("rated", _("Ratings"), "count"),
    Metric("dispatched", _("Dispatched"), "count"),
    Metric("overdue_now", _("Overdue now"), "count", higher_is_better=False),
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

    def add(self, counts: dict) -> None:
        for name, value in counts.items():
            if isinstance(value, timedelta):
                value = value.total_seconds()
            setattr(self, name, getattr(self, name) + (value or 0))

    def figures(self) -> dict[str, float | int | None]:
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

    def figures(self) -> dict[str, float | int | None]:
        return {
            "avg_rating": _ratio(self.rating_sum, self.rated),
            "response_rate": _ratio(self.claimed_in_time, self.claims_due),
            "rated": self.rated,
            "dispatched": self.dispatched,
            "overdue_now": self.overdue_now,
        }


TALLY_FIELDS = tuple(f.name for f in fields(Tally))


@dataclass(frozen=True)
class Days:
    """A period in whole local days, as the counters hold them.

    `due_last` is the last day whose resolve deadlines may have passed by `period.until`;
    deadlines of that day still to come, in [cut_from, cut_to), are counted by the day's
    counters but not yet "due to close": they are taken back out with a live query.
    """

    first: date
    last: date
    due_last: date
    cut_from: datetime
    cut_to: datetime

    @classmethod
    def of(cls, period: Period) -> "Days":
        first, last = period_days(period)
        if period.start != _midnight(first) or period.end != _midnight(last + ONE_DAY):
            raise ValueError("The counters hold whole local days: the period must too.")
        if period.until >= period.end:
            return cls(first, last, last, period.end, period.end)
        due_last = timezone.localdate(period.until)
        cut_to = _midnight(due_last + ONE_DAY)
        return cls(first, last, due_last, max(period.until, period.start), cut_to)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _paths(path: str) -> list[str]:
    """The area paths under `path`: the counters' keys, each an index seek."""
    return list(Area.objects.filter(path__startswith=path).values_list("path", flat=True))


def _counter_sums(paths: list[str], days: Days) -> QuerySet:
    sums = {f"n_{name}": Sum(name) for name in DAY_SUMS}
    sums["n_due"] = Sum("due", filter=Q(day__lte=days.due_last))
    return (
        AreaDayCount.objects.filter(area_path__in=paths, day__gte=days.first, day__lte=days.last)
        .order_by()
        .values("area_path")
        .annotate(**sums)
    )


def _close_sums(paths: list[str], days: Days) -> list[QuerySet]:
    """Closed cases "due to close" in the period: closed in it (first query), or closed
    before it and due in it (second); each an index-only range scan."""
    due_in = Q(due_day__gte=days.first, due_day__lte=days.due_last)
    rows = AreaCloseCount.objects.filter(area_path__in=paths).order_by()
    closed_in = rows.filter(day__gte=days.first, day__lte=days.last)
    due_only = rows.filter(due_in, day__lt=days.first)
    return [
        closed_in.values("area_path").annotate(
            n_closed_not_due=Sum("closed", filter=~due_in),
            n_closed_of_due=Sum("closed"),
            n_on_time=Sum("on_time"),
        ),
        due_only.values("area_path").annotate(
            n_closed_of_due=Sum("closed"), n_on_time=Sum("on_time")
        ),
    ]


def _live_counts(path: str, period: Period, days: Days) -> tuple[QuerySet, QuerySet]:
    """What moves with the clock: open and overdue now, answers late by now, and the rest of
    today's resolve deadlines (small sets, on partial indexes)."""
    below = Case.objects.filter(area_path__startswith=path).order_by()
    open_now = Q(status__in=OPEN_STATUSES)
    unanswered = Q(responded_at__isnull=True, status__in=NOT_VOID)
    live = (
        below.filter(open_now | unanswered)
        .values("area_path")
        .annotate(
            open_now=Count("pk", filter=open_now),
            overdue_now=Count("pk", filter=open_now & Q(overdue=True)),
            late_unanswered=Count(
                "pk", filter=unanswered & Q(respond_due__lte=period.now) & period.q("reported_at")
            ),
        )
    )
    closed_before = Q(status=Status.CLOSED, closed_at__lt=period.start)
    to_come = (
        below.filter(resolve_due__gte=days.cut_from, resolve_due__lt=days.cut_to)
        .exclude(status__in=VOID)
        .values("area_path")
        .annotate(
            not_due_yet=Count("pk", filter=~(Q(status=Status.CLOSED) & period.q("closed_at"))),
            closed_not_due_yet=Count("pk", filter=closed_before),
        )
    )
    return live, to_come


def area_tallies(*, path: str, period: Period) -> dict[str, Tally]:
    """Tallies per case `area_path` under `path`, from the counters plus what moves with the
    clock: six queries, whatever the size (the period must be whole local days)."""
    days = Days.of(period)
    paths = _paths(path)
    rows: dict[str, dict] = {}
    live, to_come = _live_counts(path, period, days)
    for queryset in (_counter_sums(paths, days), *_close_sums(paths, days), live, to_come):
        for row in queryset:
            into = rows.setdefault(row.pop("area_path"), {})
            for name, value in row.items():
                into[name] = into.get(name, 0) + (value or 0)
    return {area_path: _tally(row) for area_path, row in rows.items()}


def _tally(row: dict) -> Tally:
    n = row.get
    return Tally(
        reported=n("n_reported", 0),
        response_due=n("n_answered", 0) + n("late_unanswered", 0),
        responded_in_time=n("n_answered_in_time", 0),
        closed=n("n_closed", 0),
        solved=n("n_solved", 0),
        reworked=n("n_reworked", 0),
        closed_in_grid=n("n_closed_in_grid", 0),
        closed_in_community=n("n_closed_in_community", 0),
        close_seconds=n("n_close_micros", 0) / 1_000_000,
        due_to_close=n("n_due", 0) + n("n_closed_not_due", 0) - n("not_due_yet", 0),
        closed_of_due=n("n_closed_of_due", 0) - n("closed_not_due_yet", 0),
        closed_on_time=n("n_on_time", 0) - n("closed_not_due_yet", 0),
        rated=n("n_rated", 0),
        satisfied=n("n_satisfied", 0),
        open_now=n("open_now", 0),
        overdue_now=n("overdue_now", 0),
    )


def roll_up(tallies: dict[str, Tally], area_ids: Iterable[int]) -> dict[int, Tally]:
    """Sum path tallies into each of `area_ids` (an area covers every path through it)."""
    wanted = {area_id: Tally() for area_id in area_ids}
    for path, tally in tallies.items():
        counts = {name: getattr(tally, name) for name in TALLY_FIELDS}
        for part in path.split("/"):
            if part and int(part) in wanted:
                wanted[int(part)].add(counts)
    return wanted


def department_tallies(*, path: str, period: Period) -> dict[int, DepartmentTally]:
    """Per department id, its dispatches on cases under `path`: the counters of the period's
    days, and the parts late by now (four queries; the period must be whole local days)."""
    days = Days.of(period)
    now, dispatched = period.now, period.q("dispatched_at")
    unanswered = Q(claimed_at__isnull=True, returned_at__isnull=True)
    late_now = Q(
        active=True,
        returned_at__isnull=True,
        resolved_at__isnull=True,
        case__status__in=OPEN_STATUSES,
    ) & (Q(claimed_at__isnull=True, claim_due__lt=now) | Q(resolve_due__lt=now))
    counted = (
        DepartmentDayCount.objects.filter(
            area_path__in=_paths(path), day__gte=days.first, day__lte=days.last
        )
        .order_by()
        .values("department_id")
        .annotate(
            n_dispatched=Sum("dispatched"),
            n_answered=Sum("answered"),
            n_in_time=Sum("answered_in_time"),
            n_rated=Sum("rated"),
            n_rating_sum=Sum("rating_sum"),
        )
    )
    below = CaseDispatch.objects.filter(case__area_path__startswith=path).order_by()
    late = below.filter(unanswered, dispatched, claim_due__lte=now)  # partial index each
    overdue = below.filter(late_now)
    rows: dict[int, dict] = {}
    for queryset in (
        counted,
        late.values("department_id").annotate(late=Count("pk")),
        overdue.values("department_id").annotate(overdue=Count("pk")),
    ):
        for row in queryset:
            rows.setdefault(row.pop("department_id"), {}).update(row)
    return {pk: _department_tally(row) for pk, row in rows.items()}


def _department_tally(row: dict) -> DepartmentTally:
    n = row.get
    return DepartmentTally(
        dispatched=n("n_dispatched") or 0,
        claims_due=(n("n_answered") or 0) + (n("late") or 0),
        claimed_in_time=n("n_in_time") or 0,
        rated=n("n_rated") or 0,
        rating_sum=n("n_rating_sum") or 0,
        overdue_now=n("overdue") or 0,
    )


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


def _tally_into(target: dict, key, n: int) -> None:
    target[key] = target.get(key, 0) + n


def spread(*, path: str, period: Period) -> Spread:
    """What the charts show, from the counters: three queries, whatever the size."""
    days = Days.of(period)
    paths = _paths(path)
    in_period = Q(area_path__in=paths, day__gte=days.first, day__lte=days.last)
    result = Spread()
    per_day = (
        AreaDayCount.objects.filter(in_period)
        .order_by()
        .values_list("day")
        .annotate(n_reported=Sum("reported"), n_closed=Sum("closed"))
    )
    for day, reported, closed in per_day:
        if reported:
            result.reported_per_day[day] = reported
        if closed:
            result.closed_per_day[day] = closed
    mix = (
        AreaDayMix.objects.filter(in_period)
        .order_by()
        .values_list("level", "category__code", "category__name")
        .annotate(n=Sum("reported"))
    )
    for level, code, name, n in mix:
        if n:
            _tally_into(result.by_level, level, n)
            _tally_into(result.by_category, (code, name), n)
    return result
