"""The board's period figures counted from the cases themselves: the test oracle.

This is how `workflows.metrics` computed them before the counters (issue 7, benchmark 4),
kept verbatim so tests can check that the counters give the same figures for the same data.
"""

from collections.abc import Iterable

from django.db.models import Count, DurationField, F, Q, Sum
from django.db.models.functions import TruncDate

from grids.models import Department
from workflows.boards.metrics import (
    GOOD_RATINGS,
    VOID,
    DepartmentTally,
    Period,
    Spread,
    Tally,
    _tally_into,
)
from workflows.choices import OPEN_STATUSES, Level, Rating, Status
from workflows.models import (
    Case,
    CaseAppeal,
    CaseDispatch,
    CaseEvent,
    CaseExtension,
    CaseSupervision,
)


def _period_counts(period: Period) -> tuple[dict, Q]:
    """Conditional aggregates over cases (one per Tally field), and which cases they touch."""
    reported = period.q("reported_at")
    closed = Q(status=Status.CLOSED) & period.q("closed_at")
    answered = Q(responded_at__isnull=False) | Q(status__in=VOID)
    response_due = reported & (answered | Q(respond_due__lte=period.now))
    in_time = Q(responded_at__lte=F("respond_due")) | Q(
        responded_at__isnull=True, status__in=VOID, closed_at__lte=F("respond_due")
    )
    deadline_passed = Q(resolve_due__gte=period.start, resolve_due__lt=period.until)
    due_to_close = ~Q(status__in=VOID) & (deadline_passed | closed)
    closed_of_due = due_to_close & Q(status=Status.CLOSED, closed_at__lt=period.end)
    open_now = Q(status__in=OPEN_STATUSES)
    counts = {
        "reported": Count("pk", filter=reported),
        "response_due": Count("pk", filter=response_due),
        "responded_in_time": Count("pk", filter=response_due & in_time),
        "closed": Count("pk", filter=closed),
        "solved": Count("pk", filter=closed & ~Q(rating=Rating.DISSATISFIED)),
        "reworked": Count("pk", filter=closed & Q(rework_count__gte=1)),
        "closed_in_grid": Count("pk", filter=closed & Q(closed_level=Level.GRID)),
        "closed_in_community": Count(
            "pk", filter=closed & Q(closed_level__in=(Level.GRID, Level.COMMUNITY))
        ),
        "close_seconds": Sum(
            F("closed_at") - F("reported_at"), filter=closed, output_field=DurationField()
        ),
        "due_to_close": Count("pk", filter=due_to_close),
        "closed_of_due": Count("pk", filter=closed_of_due),
        "closed_on_time": Count("pk", filter=closed_of_due & Q(closed_at__lte=F("resolve_due"))),
        "open_now": Count("pk", filter=open_now),
        "overdue_now": Count("pk", filter=open_now & Q(overdue=True)),
    }
    return counts, reported | period.q("closed_at") | deadline_passed | open_now


def area_tallies(*, path: str, period: Period) -> dict[str, Tally]:
    """Tallies per case `area_path` under `path`: two aggregate queries, whatever the size
    (one pass over the cases the period touches and the open ones, one over the ratings)."""
    counts, touched = _period_counts(period)
    tallies: dict[str, Tally] = {}

    def add(rows: Iterable[dict], key: str) -> None:
        for row in rows:
            tallies.setdefault(row.pop(key), Tally()).add(row)

    below = Case.objects.filter(touched, area_path__startswith=path).order_by()
    add(below.values("area_path").annotate(**counts), "area_path")
    ratings = CaseEvent.objects.filter(
        period.q("created_at"), kind="case.rated", case__area_path__startswith=path
    ).order_by()
    add(
        ratings.values("case__area_path").annotate(
            rated=Count("pk"), satisfied=Count("pk", filter=Q(payload__rating__in=GOOD_RATINGS))
        ),
        "case__area_path",
    )
    begun = CaseSupervision.objects.filter(
        period.q("started_at"), case__area_path__startswith=path
    ).order_by()
    add(begun.values("case__area_path").annotate(supervised=Count("pk")), "case__area_path")
    ended = CaseSupervision.objects.filter(
        period.q("ended_at"), case__area_path__startswith=path
    ).order_by()
    add(
        ended.values("case__area_path").annotate(
            supervisions_ended=Count("pk"),
            supervisions_on_time=Count("pk", filter=Q(on_time=True)),
        ),
        "case__area_path",
    )
    for path_, n in _operations(path, period).items():  # 延期 granted, 挂起, 申诉 upheld
        tally = tallies.setdefault(path_, Tally())
        tally.add(n)
    return tallies


def _operations(path: str, period: Period) -> dict[str, dict[str, int]]:
    """Per case area_path: extensions granted and appeals upheld (decided in the period, from
    their rows) and suspensions (begun in the period, from the log)."""
    found: dict[str, dict[str, int]] = {}
    sources = [
        ("extended", CaseExtension.objects.filter(period.q("decided_at"), state="approved")),
        ("appeals_upheld", CaseAppeal.objects.filter(period.q("decided_at"), state="upheld")),
        ("suspended", CaseEvent.objects.filter(period.q("created_at"), kind="case.suspended")),
    ]
    for name, rows in sources:
        grouped = (
            rows.filter(case__area_path__startswith=path)
            .order_by()
            .values("case__area_path")
            .annotate(n=Count("pk"))
        )
        for row in grouped:
            found.setdefault(row["case__area_path"], {})[name] = row["n"]
    return found


def _department_operations(path: str, period: Period) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}

    def add(department_id: int, name: str, n: int = 1) -> None:
        into = found.setdefault(department_id, {})
        into[name] = into.get(name, 0) + n

    below = Q(case__area_path__startswith=path)
    for name, rows in (
        ("extended", CaseExtension.objects.filter(below, period.q("decided_at"), state="approved")),
        (
            "appeals_upheld",
            CaseAppeal.objects.filter(below, period.q("decided_at"), state="upheld"),
        ),
    ):
        for row in rows.filter(department__isnull=False).values("department_id"):
            add(row["department_id"], name)
    ids = dict(Department.objects.values_list("code", "pk"))
    suspensions = CaseEvent.objects.filter(below, period.q("created_at"), kind="case.suspended")
    for payload in suspensions.values_list("payload", flat=True):
        for code in payload.get("departments", []):
            add(ids[code], "suspended")
    return found


def spread(*, path: str, period: Period) -> Spread:
    """What the charts show: two aggregate queries (reported, closed), whatever the size."""
    below = Case.objects.filter(area_path__startswith=path).order_by()
    reported = (
        below.filter(period.q("reported_at"))
        .annotate(day=TruncDate("reported_at"))
        .values_list("day", "level", "category__code", "category__name")
        .annotate(n=Count("pk"))
    )
    result = Spread()
    for day, level, code, name, n in reported:
        _tally_into(result.reported_per_day, day, n)
        _tally_into(result.by_level, level, n)
        _tally_into(result.by_category, (code, name), n)
    result.closed_per_day = dict(
        below.filter(period.q("closed_at"), status=Status.CLOSED)
        .annotate(day=TruncDate("closed_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    return result


def department_tallies(*, path: str, period: Period) -> dict[int, DepartmentTally]:
    """Per department id, its dispatches on cases under `path`: one aggregate query."""
    now = period.now
    dispatched = period.q("dispatched_at")
    answered = Q(claimed_at__isnull=False) | Q(returned_at__isnull=False)
    claims_due = dispatched & (answered | Q(claim_due__lte=now))
    in_time = Q(claimed_at__lte=F("claim_due")) | Q(
        claimed_at__isnull=True, returned_at__lte=F("claim_due")
    )
    late_now = Q(
        active=True,
        returned_at__isnull=True,
        resolved_at__isnull=True,
        case__status__in=OPEN_STATUSES,
        case__suspended_at__isnull=True,  # 挂起: its clocks stand still
    ) & (Q(claimed_at__isnull=True, claim_due__lt=now) | Q(resolve_due__lt=now))
    counted = Q(response_rating__isnull=False, rating_voided_at__isnull=True)  # 申诉 upheld: out
    rows = (
        CaseDispatch.objects.filter(case__area_path__startswith=path)
        .filter(dispatched | late_now)
        .order_by()
        .values("department_id")
        .annotate(
            dispatched=Count("pk", filter=dispatched),
            claims_due=Count("pk", filter=claims_due),
            claimed_in_time=Count("pk", filter=claims_due & in_time),
            rated=Count("pk", filter=dispatched & counted),
            rating_sum=Sum("response_rating", filter=dispatched & counted),
            overdue_now=Count("pk", filter=late_now),
            supervisions_ended=Count(
                "pk", filter=dispatched & Q(supervision_on_time__isnull=False)
            ),
            supervisions_on_time=Count("pk", filter=dispatched & Q(supervision_on_time=True)),
        )
    )
    tallies = {}
    for row in rows:
        department_id = row.pop("department_id")
        tallies[department_id] = DepartmentTally(**{k: v or 0 for k, v in row.items()})
    for department_id, counts in _department_operations(path, period).items():
        tally = tallies.setdefault(department_id, DepartmentTally())
        for name, n in counts.items():
            setattr(tally, name, getattr(tally, name) + n)
    return tallies
