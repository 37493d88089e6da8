"""The monthly 考核 report: for a street and a month, each community, grid and department with
the board's figures for that month, a composite score, a competition ranking, 环比 against the
previous month and the 红黑榜 (top and bottom three).

Every figure is the board's: the report builds the street's board (`board_build`, read from
the counters) for the month and for the month before, so it agrees with the board for the
same dates by construction (tests/workflows/test_report.py holds them equal).

- Areas: 响应率, 解决率, 满意率 (the 三率), 按期结案率, 返工率, reported and closed; score = 100 ×
  the weighted mean of the 三率 that have something to measure (weights per street,
  `ReportSettings`, default equal). Base: cases reported in the month.
- Departments: the board has their 响应率 (claims in time) and the whistle-blowers' rating
  (1–5); score = 100 × the weighted mean of 响应率 (the response weight) and rating ÷ 5 (the
  satisfaction weight). Base: dispatches in the month.
- Ranking: by score, best first; equal scores (to 0.01) share a rank and the next rank skips
  (1, 1, 3); units under the minimum base, or with no score, are listed unranked.
- Operations of the month, per unit: extensions granted (延期), suspensions (挂起), upheld
  appeals (申诉), from the board's counters like every other figure (an upheld appeal has
  already taken its rating out of the department's, or its rework out of the 返工率).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from grids.models import Area

from ..models import ReportSettings
from .board import Board, Row, board_build
from .metrics import Figure, Period, midnight

OPERATIONS = ("extended", "suspended", "appeals_upheld")
AREA_FIGURES = (
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_closure_rate",
    "rework_rate",
    "reported",
    "closed",
    *OPERATIONS,
)
DEPARTMENT_FIGURES = ("response_rate", "avg_rating", "dispatched", "rated", *OPERATIONS)
BOARD_SIZE = 3  # 红黑榜: top and bottom three


@dataclass(frozen=True)
class Weights:
    response: float = 1.0
    resolution: float = 1.0
    satisfaction: float = 1.0
    min_base: int = 5


def street_weights(street: Area) -> Weights:
    found = ReportSettings.objects.filter(street=street).first()
    if found is None:
        return Weights()
    return Weights(
        found.response_weight, found.resolution_weight, found.satisfaction_weight, found.min_base
    )


def month_period(month: date, now: datetime) -> Period:
    """[the month's first local midnight, the next month's)."""
    first = month.replace(day=1)
    following = date(first.year + (first.month // 12), first.month % 12 + 1, 1)
    return Period(midnight(first), midnight(following), now)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def weighted(parts: list[tuple[Figure, float]]) -> float | None:
    """100 × Σ wᵢ·xᵢ / Σ wᵢ over the parts that have a value; None if none has."""
    present = [
        (float(value), weight) for value, weight in parts if value is not None and weight > 0
    ]
    total = sum(weight for _value, weight in present)
    return 100 * sum(v * w for v, w in present) / total if total else None


def area_score(figures: dict[str, Figure], weights: Weights) -> float | None:
    return weighted(
        [
            (figures["response_rate"], weights.response),
            (figures["resolution_rate"], weights.resolution),
            (figures["satisfaction_rate"], weights.satisfaction),
        ]
    )


def department_score(figures: dict[str, Figure], weights: Weights) -> float | None:
    rating = figures["avg_rating"]
    return weighted(
        [
            (figures["response_rate"], weights.response),
            (None if rating is None else float(rating) / 5, weights.satisfaction),
        ]
    )


def competition_ranks(scores: list[float | None]) -> list[int | None]:
    """Standard competition ranking (1, 1, 3) of the scores, best first; None stays None.
    Scores equal to two decimals tie."""
    keyed = sorted((round(s, 2), i) for i, s in enumerate(scores) if s is not None)
    ranks: list[int | None] = [None] * len(scores)
    previous: float | None = None
    rank = 0
    for position, (score, index) in enumerate(sorted(keyed, key=lambda k: -k[0]), start=1):
        if score != previous:
            rank, previous = position, score
        ranks[index] = rank
    return ranks


@dataclass
class Line:
    code: str
    name: str
    figures: dict[str, Figure]
    base: int
    score: float | None
    previous_score: float | None
    rank: int | None = None

    @property
    def change(self) -> float | None:
        """环比: this month's score minus last month's (points)."""
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


@dataclass
class Section:
    kind: str  # "community", "grid" or "department"
    figures: tuple[str, ...]
    lines: list[Line]
    red: list[Line] = field(default_factory=list)  # 红榜: the best three ranked
    black: list[Line] = field(default_factory=list)  # 黑榜: the worst three ranked


@dataclass
class MonthlyReport:
    street: Area
    month: date
    weights: Weights
    total: Line
    sections: list[Section]


def _section(
    kind: str,
    rows: list[Row],
    before: dict[str, Row],
    figures: tuple[str, ...],
    score: Callable[[dict[str, Figure]], float | None],
    base_figure: str,
    min_base: int,
) -> Section:
    lines = []
    for row in rows:
        base = int(row.figures[base_figure] or 0)
        earlier = before.get(row.code)
        lines.append(
            Line(
                row.code, row.name, {name: row.figures[name] for name in figures}, base,
                score(row.figures), score(earlier.figures) if earlier else None,
            )
        )  # fmt: skip
    eligible = [line.score if line.base >= min_base else None for line in lines]
    for line, rank in zip(lines, competition_ranks(eligible), strict=True):
        line.rank = rank
    lines.sort(key=lambda line: (line.rank is None, line.rank or 0, line.code))
    ranked = [line for line in lines if line.rank is not None]
    size = min(BOARD_SIZE, len(ranked) // 2)  # the two boards never share a unit
    return Section(kind, figures, lines, ranked[:size], ranked[::-1][:size] if size else [])


def _board(street: Area, month: date, now: datetime) -> Board:
    period = month_period(month, now)
    return board_build(scope=street, period=period, sort="response_rate", dsort="avg_rating")


def monthly_report(*, street: Area, month: date, now: datetime) -> MonthlyReport:
    """The street's 考核 report for `month` (any day of it), figures from the board."""
    weights = street_weights(street)
    this = _board(street, month, now)
    last = _board(street, previous_month(month), now)

    def areas(rows: list[Row], before: list[Row], kind: str) -> Section:
        return _section(
            kind, rows, {r.code: r for r in before}, AREA_FIGURES,
            lambda f: area_score(f, weights), "reported", weights.min_base,
        )  # fmt: skip

    departments = _section(
        "department", this.departments, {r.code: r for r in last.departments},
        DEPARTMENT_FIGURES, lambda f: department_score(f, weights), "dispatched", weights.min_base,
    )  # fmt: skip
    total = Line(
        street.code, street.name, {n: this.total.figures[n] for n in AREA_FIGURES},
        int(this.total.figures["reported"] or 0), area_score(this.total.figures, weights),
        area_score(last.total.figures, weights),
    )  # fmt: skip
    return MonthlyReport(
        street=street,
        month=month.replace(day=1),
        weights=weights,
        total=total,
        sections=[
            areas(this.communities, last.communities, "community"),
            areas(this.grids, last.grids, "grid"),
            departments,
        ],
    )
