"""The street/community board: which period, which area, and every figure on it.

The figures come from `metrics` (defined there once) through `readers`; this module picks the
units, ranks them, and shapes the result for the page, its JSON twin and the CSV export. A
board costs a fixed number of queries whatever the number of areas, departments or cases.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from grids.models import Area, Department
from grids.roles import AreaLevel
from grids.selectors import AnyUser

from ..choices import OPEN_STATUSES, Level, VerifyMethod
from ..models import Case, CaseAppeal, CaseDispatch, CaseEvent, CaseExtension, CaseSupervision
from ..visibility import board_allowed, board_areas
from .map import GridMap, Shape, grid_map
from .metrics import (
    AREA_METRICS,
    DEPARTMENT_METRICS,
    ONE_DAY,
    DepartmentTally,
    Figure,
    Metric,
    Period,
    Spread,
    Tally,
    midnight,
    roll_up,
)
from .readers import area_tallies, department_tallies, spread, verify_methods

MAX_RANGE_DAYS = 366
# Everyone looking at the same board shares one computation while no new event is written (the
# key holds the newest event); the time limit bounds how long figures that move with the clock
# alone (deadlines passing) or an event committed out of id order can lag.
BOARD_CACHE_SECONDS = 30
OVERDUE_LIST_SIZE = 20
PERIODS = (
    ("today", _("Today")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("range", _("Chosen dates")),
)
PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}
BOARD_LEVELS = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID)


class BoardFilterForm(forms.Form):
    """The board's period and rankings (GET)."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Rank areas by"),
        choices=[(m.name, m.label) for m in AREA_METRICS],
        required=False,
    )
    dsort = forms.ChoiceField(
        label=_("Rank departments by"),
        choices=[(m.name, m.label) for m in DEPARTMENT_METRICS],
        required=False,
    )

    DEFAULTS = {"period": "7d", "sort": AREA_METRICS[0].name, "dsort": DEPARTMENT_METRICS[0].name}

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        # The menus show what the board shows: without a choice, the default period (not
        # the first entry of the menu, which a 查看 would then silently switch to).
        values = QueryDict(mutable=True)
        if data is not None:
            values.update(data)
        for name, default in self.DEFAULTS.items():
            if not values.get(name):
                values[name] = default
        super().__init__(values, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns (its stub allows None, for overrides)
        for name, default in self.DEFAULTS.items():
            data[name] = data.get(name) or default
        if data["period"] != "range":
            return data
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            raise forms.ValidationError(_("Choose both dates of the range."))
        if end < start:
            raise forms.ValidationError(_("The range ends before it starts."))
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days.") % {"days": MAX_RANGE_DAYS}
            )
        return data

    def period_get(self, now: datetime) -> Period:
        """The chosen period in local days (call after is_valid())."""
        data = self.cleaned_data
        today = timezone.localdate(now)
        if data["period"] == "range":
            first, last = data["start"], data["end"]
        else:
            first, last = today - timedelta(days=PERIOD_DAYS[data["period"]] - 1), today
        return Period(midnight(first), midnight(last + ONE_DAY), now)


def board_scope(user: AnyUser, code: str | None) -> Area:
    """The area whose board `user` asked for (by code), or their own: the area of their
    board permission (a street official's street, community staff's community)."""
    if code is None:
        found = Area.objects.filter(board_areas(user), level__in=BOARD_LEVELS)
        area = found.order_by("path").first()
        if area is None:
            raise PermissionDenied(_("You have no board."))
        return area
    area = Area.objects.filter(code=code, level__in=BOARD_LEVELS).first()
    if area is None:
        raise Http404(_("No such area."))
    if not board_allowed(user, area):
        raise PermissionDenied(_("This board is not part of your areas."))
    return area


@dataclass
class Row:
    """One unit's line on the board: an area or a department."""

    code: str
    name: str
    kind: str  # "total", "community", "grid" or "department"
    figures: dict[str, Figure]
    metrics: tuple[Metric, ...]
    bases: dict[str, int] = field(default_factory=dict)  # cases each rate is measured on
    min_base: int = 0  # fewer cases than this: 样本不足
    rank: int | None = None  # in its table by the chosen metric; None: not ranked (last)

    def cells(self) -> list[tuple[Metric, str]]:
        return [
            (
                m,
                m.display(
                    self.figures[m.name], base=self.bases.get(m.name), min_base=self.min_base
                ),
            )
            for m in self.metrics
        ]

    def measured(self, metric_name: str) -> bool:
        """Whether the figure may be ranked: there is one, on enough cases."""
        base = self.bases.get(metric_name)
        return self.figures[metric_name] is not None and (base is None or base >= self.min_base)


def min_base() -> int:
    return int(getattr(settings, "GRIDCASE_BOARD_MIN_BASE", 5))


@dataclass
class Board:
    scope: Area
    period: Period
    total: Row
    communities: list[Row]
    grids: list[Row]
    departments: list[Row]
    trend: list[tuple[date, int, int]]
    by_level: list[tuple[StrOrPromise, int]]
    by_category: list[tuple[str, int]]
    map: GridMap | None
    verify_methods: list[tuple[StrOrPromise, int]]  # 核查方式 of the period's closings
    overdue: list[Case]
    last_event_id: int
    returns: list[CaseDispatch] = field(default_factory=list)  # 退单审核 waiting for review
    extended: int = 0  # cases granted an extension (延期) in the period
    supervised: list[Case] = field(default_factory=list)  # 督办 open now
    supervisions: tuple[int, int] = (0, 0)  # 督办 ended in the period: (ended, on time)
    appeals_pending: int = 0  # 申诉 waiting for the street's decision, now
    sort: str = ""
    dsort: str = ""


def ranked(rows: list[Row], metric_name: str, metrics: tuple[Metric, ...]) -> list[Row]:
    """Best first by `metric_name`, ties sharing a rank (1, 1, 3); units with nothing to
    measure, or too few cases to measure it on (样本不足), last and without a rank."""
    metric = next(m for m in metrics if m.name == metric_name)
    sign = -1 if metric.higher_is_better else 1

    def value(row: Row) -> float:
        figure = row.figures[metric_name]
        return 0.0 if figure is None else sign * figure

    ranked_rows = sorted(
        (r for r in rows if r.measured(metric_name)), key=lambda r: (value(r), r.code)
    )
    rest = sorted((r for r in rows if not r.measured(metric_name)), key=lambda r: r.code)
    for index, row in enumerate(ranked_rows):
        before = ranked_rows[index - 1] if index else None
        same = before is not None and value(before) == value(row)
        row.rank = before.rank if same and before is not None else index + 1
    for row in rest:
        row.rank = None
    return ranked_rows + rest


def _shape() -> str:
    """A fingerprint of the fields of every class in a cached board."""
    classes = (Board, Row, GridMap, Shape, Tally, DepartmentTally, Spread, Period)
    names = [(c.__qualname__, [f.name for f in fields(c)]) for c in classes]
    return hashlib.sha256(repr(names).encode()).hexdigest()[:12]


_SHAPE = _shape()


def board_get(*, scope: Area, period: Period, sort: str, dsort: str) -> Board:
    """`scope`'s board: one query when it was computed since the newest event, else built."""
    newest = CaseEvent.objects.order_by("-pk").values_list("pk", "created_at").first()
    last_id, written = newest or (0, None)
    parts = (scope.pk, scope.path, period.start, period.end, sort, dsort, last_id, written)
    parts_key = repr((*parts, min_base()))
    # The cached value is a pickle of these classes: the key names the module and the
    # classes' fields, so a worker of another release sharing the cache (Redis) never reads
    # a board without the fields it expects (a release that adds one starts a new key).
    key = f"{__name__}:{_SHAPE}:" + hashlib.sha256(parts_key.encode()).hexdigest()
    board: Board | None = cache.get(key)
    if board is None:
        board = board_build(scope=scope, period=period, sort=sort, dsort=dsort)
        board.last_event_id = last_id  # what the figures include at least
        cache.set(key, board, BOARD_CACHE_SECONDS)
    return board


def board_build(*, scope: Area, period: Period, sort: str, dsort: str) -> Board:
    """Every figure of `scope`'s board for `period`: ten queries, whatever the data."""
    units = list(
        Area.objects.filter(
            path__startswith=scope.path, level__in=(AreaLevel.COMMUNITY, AreaLevel.GRID)
        ).only("pk", "code", "name", "level", "path", "boundary", "parent_id")
    )
    rolled = roll_up(
        area_tallies(path=scope.path, period=period), [scope.pk, *(u.pk for u in units)]
    )

    least = min_base()

    def row(area: Area, kind: str) -> Row:
        tally = rolled[area.pk]
        return Row(area.code, area.name, kind, tally.figures(), AREA_METRICS, tally.bases(), least)

    grids = [u for u in units if u.level == AreaLevel.GRID]
    communities = [row(u, "community") for u in units if u.level == AreaLevel.COMMUNITY]
    charts = spread(path=scope.path, period=period)
    return Board(
        scope=scope,
        period=period,
        total=row(scope, "total"),
        communities=ranked(communities, sort, AREA_METRICS),
        grids=ranked([row(g, "grid") for g in grids], sort, AREA_METRICS),
        departments=ranked(_department_rows(scope, period), dsort, DEPARTMENT_METRICS),
        trend=charts.trend(period),
        by_level=[(level.label, charts.by_level.get(level, 0)) for level in Level],
        by_category=sorted(
            ((name, n) for (_code, name), n in charts.by_category.items()),
            key=lambda item: -item[1],
        ),
        map=grid_map(
            grids,
            {g.pk: rolled[g.pk].open_now for g in grids},
            communities=[u for u in units if u.level == AreaLevel.COMMUNITY],
            cases=_open_case_points(scope),
        ),
        verify_methods=_verify_methods(scope, period),
        overdue=_overdue(scope),
        returns=returns_in_review(scope),
        extended=cases_extended(scope, period),
        supervised=cases_supervised(scope),
        supervisions=supervisions_ended(scope, period),
        appeals_pending=appeals_waiting(scope),
        last_event_id=CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0,
        sort=sort,
        dsort=dsort,
    )


def _department_rows(scope: Area, period: Period) -> list[Row]:
    tallies = department_tallies(path=scope.path, period=period)
    street_id = scope.ancestor_ids[0]
    departments = Department.objects.filter(Q(streets=street_id) | Q(pk__in=list(tallies)))
    least = min_base()
    rows = []
    for d in departments.distinct().order_by("code"):
        tally = tallies.get(d.pk, DepartmentTally())
        figures, bases = tally.figures(), tally.bases()
        rows.append(Row(d.code, d.name, "department", figures, DEPARTMENT_METRICS, bases, least))
    return rows


MAP_DOTS = 500  # open cases drawn on the map at most (the newest)


def _open_case_points(scope: Area) -> list[tuple[str, float, float]]:
    """(number, latitude, longitude) of the newest open cases reported with a location."""
    rows = (
        Case.objects.filter(
            area_path__startswith=scope.path,
            status__in=OPEN_STATUSES,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by("-reported_at")
        .values_list("number", "latitude", "longitude")[:MAP_DOTS]
    )
    return [
        (number, float(lat), float(lon))
        for number, lat, lon in rows
        if lat is not None and lon is not None
    ]


def _verify_methods(scope: Area, period: Period) -> list[tuple[StrOrPromise, int]]:
    counts = verify_methods(path=scope.path, period=period)
    rows: list[tuple[StrOrPromise, int]] = [(m.label, counts.get(m.value, 0)) for m in VerifyMethod]
    if counts.get(""):
        rows.append((_("Not recorded"), counts[""]))
    return rows


def cases_extended(scope: Area, period: Period) -> int:
    """Cases under `scope` granted an extension (延期) in the period (one query)."""
    granted = CaseExtension.objects.filter(
        period.q("decided_at"), state="approved", case__area_path__startswith=scope.path
    )
    return granted.values("case").distinct().count()


def cases_supervised(scope: Area) -> list[Case]:
    """Open cases under `scope` the street supervises (督办), the nearest due first."""
    return list(
        Case.objects.filter(
            area_path__startswith=scope.path,
            supervisions__isnull=False,  # one join: a supervision, and that one still open
            supervisions__ended_at__isnull=True,
        )
        .select_related("area")
        .only("number", "title", "area__name")
        .order_by("supervisions__due", "pk")[:OVERDUE_LIST_SIZE]
    )


def supervisions_ended(scope: Area, period: Period) -> tuple[int, int]:
    """督办 that ended (the case closed) in the period under `scope`: (ended, on time)."""
    ended = CaseSupervision.objects.filter(
        period.q("ended_at"), case__area_path__startswith=scope.path
    ).aggregate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    return ended["n"] or 0, ended["on_time"] or 0


def appeals_waiting(scope: Area) -> int:
    """申诉 under `scope` waiting for the street's decision (one query, on a small set)."""
    return CaseAppeal.objects.filter(
        state=CaseAppeal.State.PENDING, case__area_path__startswith=scope.path
    ).count()


def returns_in_review(scope: Area) -> list[CaseDispatch]:
    """Departments' returns under `scope` waiting for the dispatching level's review, the
    longest-waiting first (退单审核; their deadline is `review_due`)."""
    return list(
        CaseDispatch.objects.filter(
            case__area_path__startswith=scope.path,
            active=True,
            returned_at__isnull=False,
            return_accepted_at__isnull=True,
        )
        .select_related("case", "department")
        .only(
            "review_due",
            "returned_at",
            "return_reason",
            "department__name",
            "case__number",
            "case__title",
        )
        .order_by("review_due", "pk")[:OVERDUE_LIST_SIZE]
    )


def _overdue(scope: Area) -> list[Case]:
    return list(
        Case.objects.filter(
            area_path__startswith=scope.path, overdue=True, status__in=OPEN_STATUSES
        )
        .select_related("category", "area")
        .only(
            "number",
            "title",
            "level",
            "status",
            "resolve_due",
            "reported_at",
            "category__name",
            "area__name",
            "area__code",
        )
        .order_by("resolve_due", "pk")[:OVERDUE_LIST_SIZE]
    )
