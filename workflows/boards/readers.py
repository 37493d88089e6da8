"""Reading the board's period figures (`metrics` defines them) from the counters.

The period's counts are sums of the per-area, per-local-day counters `counters` keeps in the
transaction of every event; only what moves with the clock is counted live from cases and
dispatches (open and overdue now, answers and claims whose deadline passed without one, the
rest of today's resolve deadlines), each on a partial or small index range. A fixed number of
queries whatever the data; periods are whole local days.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from grids.models import Area

from ..choices import OPEN_STATUSES, Status
from ..models import Case, CaseDispatch
from .counter_models import (
    DAY_COUNTS,
    AreaCloseCount,
    AreaDayCount,
    AreaDayMix,
    DepartmentDayCount,
)
from .metrics import (
    NOT_VOID,
    ONE_DAY,
    VOID,
    DepartmentTally,
    Period,
    Spread,
    Tally,
    _tally_into,
    midnight,
    period_days,
)

# AreaDayCount columns summed as they are (`due` is cut at the last day deadlines passed).
DAY_SUMS = tuple(name for name in DAY_COUNTS if name != "due")


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
        if period.start != midnight(first) or period.end != midnight(last + ONE_DAY):
            raise ValueError("The counters hold whole local days: the period must too.")
        if period.until >= period.end:
            return cls(first, last, last, period.end, period.end)
        due_last = timezone.localdate(period.until)
        cut_to = midnight(due_last + ONE_DAY)
        return cls(first, last, due_last, max(period.until, period.start), cut_to)


def _paths(path: str) -> list[str]:
    """The area paths under `path`: the counters' keys, each an index seek."""
    return list(Area.objects.filter(path__startswith=path).values_list("path", flat=True))


def _counter_sums(paths: list[str], days: Days) -> QuerySet[AreaDayCount, Mapping[str, Any]]:
    sums = {f"n_{name}": Sum(name) for name in DAY_SUMS}
    sums["n_due"] = Sum("due", filter=Q(day__lte=days.due_last))
    return (
        AreaDayCount.objects.filter(area_path__in=paths, day__gte=days.first, day__lte=days.last)
        .order_by()
        .values("area_path")
        .annotate(**sums)
    )


def _close_sums(paths: list[str], days: Days) -> list[QuerySet[AreaCloseCount, Mapping[str, Any]]]:
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


def _live_counts(
    path: str, period: Period, days: Days
) -> tuple[QuerySet[Case, Mapping[str, Any]], QuerySet[Case, Mapping[str, Any]]]:
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
    rows: dict[str, dict[str, int]] = {}
    live, to_come = _live_counts(path, period, days)
    for queryset in (_counter_sums(paths, days), *_close_sums(paths, days), live, to_come):
        for row in queryset:
            into = rows.setdefault(row["area_path"], {})
            for name, value in row.items():
                if name != "area_path":  # the key; every other column is a count
                    into[name] = into.get(name, 0) + (value or 0)
    return {area_path: _tally(row) for area_path, row in rows.items()}


def _tally(row: dict[str, int]) -> Tally:
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
        supervised=n("n_supervised", 0),
        supervisions_ended=n("n_supervisions_ended", 0),
        supervisions_on_time=n("n_supervisions_on_time", 0),
        extended=n("n_extended", 0),
        suspended=n("n_suspended", 0),
        appeals_upheld=n("n_appeals_upheld", 0),
    )


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
        case__suspended_at__isnull=True,  # 挂起: its clocks stand still
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
            n_supervisions_ended=Sum("supervisions_ended"),
            n_supervisions_on_time=Sum("supervisions_on_time"),
            n_extended=Sum("extended"),
            n_suspended=Sum("suspended"),
            n_appeals_upheld=Sum("appeals_upheld"),
        )
    )
    below = CaseDispatch.objects.filter(case__area_path__startswith=path).order_by()
    late = below.filter(unanswered, dispatched, claim_due__lte=now)  # partial index each
    overdue = below.filter(late_now)
    rows: dict[int, dict[str, Any]] = {}  # the aggregates (int, or None over no rows)
    for queryset in (
        counted,
        late.values("department_id").annotate(late=Count("pk")),
        overdue.values("department_id").annotate(overdue=Count("pk")),
    ):
        for row in queryset:
            counts = {name: n for name, n in row.items() if name != "department_id"}
            rows.setdefault(row["department_id"], {}).update(counts)
    return {pk: _department_tally(row) for pk, row in rows.items()}


def _department_tally(row: dict[str, Any]) -> DepartmentTally:
    n = row.get
    return DepartmentTally(
        dispatched=n("n_dispatched") or 0,
        claims_due=(n("n_answered") or 0) + (n("late") or 0),
        claimed_in_time=n("n_in_time") or 0,
        rated=n("n_rated") or 0,
        rating_sum=n("n_rating_sum") or 0,
        overdue_now=n("overdue") or 0,
        supervisions_ended=n("n_supervisions_ended") or 0,
        supervisions_on_time=n("n_supervisions_on_time") or 0,
        extended=n("n_extended") or 0,
        suspended=n("n_suspended") or 0,
        appeals_upheld=n("n_appeals_upheld") or 0,
    )


def verify_methods(*, path: str, period: Period) -> dict[str, int]:
    """核查方式: the cases below `path` closed in `period`, per verification method ("" for a
    close without one recorded). A live query on the closing time (index on closed_at):
    a month's closings, not the counters, since the method is a column of the case."""
    rows = (
        Case.objects.filter(period.q("closed_at"), area_path__startswith=path, status=Status.CLOSED)
        .values("verify_method")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["verify_method"]: row["n"] for row in rows}


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
