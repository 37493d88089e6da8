"""Recompute every board counter from the cases and the rating and operation events (延期
granted, 挂起, 申诉 upheld), set-based (the departments' operations in one pass over their
events, through the live counting function).

`INSERT INTO counters SELECT … GROUP BY …` per table, the SELECTs written with the ORM (so the
local-day truncation is the database's own, as in `TruncDate`), inside one transaction that
first empties the tables: idempotent, and what `counters_record` keeps up to date afterwards.
Used by `manage.py counters_rebuild`, migration 0027 (the latest to change the counters; a
migration that changes them again moves the call there) and the data generator.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Count,
    F,
    Func,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from ..choices import EventKind, Level, Rating, Status
from .counter_models import DAY_COUNTS
from .counters import NO_DUE_DAY, OPERATION_COLUMNS, Counts, counts_apply, operation_counts
from .metrics import GOOD_RATINGS, VOID

if TYPE_CHECKING:  # the live models' types; at run time `apps` gives them (historical ones too)
    from ..models import Case, CaseDispatch, CaseEvent, CaseSupervision

Sql = tuple[str, tuple[str | int, ...]]  # (SQL, parameters), as Django's `as_sql` returns them
Grouped = QuerySet[Model, Mapping[str, Any]]  # a `values()` query, run here only as SQL


class Micros(Func):
    """Microseconds from the second timestamp to the first, as an integer."""

    output_field = BigIntegerField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Sql:
        template = "(EXTRACT(EPOCH FROM (%(expressions)s)) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(  # Django's own function, in µs
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Sql:
        return self.as_sql(compiler, connection, function="django_timestamp_diff", **extra)


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def _all_columns(
    qs: Grouped, given: Mapping[str, Aggregate], columns: Sequence[str] = DAY_COUNTS
) -> Grouped:
    """`given` aggregates, and 0 for every other column, in `columns`' order."""
    zero = Value(0, output_field=BigIntegerField())
    # Computed names: the stubs cannot follow them, and type the result Any.
    annotated: Grouped = qs.annotate(**{name: given.get(name, zero) for name in columns})
    return annotated


def _columns(model: type[Model], keys: Sequence[str]) -> tuple[str, ...]:
    """The counted columns of a (possibly historical) counter model, in field order."""
    return tuple(
        f.name for f in model._meta.concrete_fields if f.name != "id" and f.name not in keys
    )


def _day_sources(
    case: "type[Case]",
    event: "type[CaseEvent]",
    supervision: "type[CaseSupervision]",
    columns: Sequence[str] = DAY_COUNTS,
) -> list[Grouped]:
    cases = case.objects.order_by()
    void = Q(status__in=VOID)
    answered = Q(responded_at__isnull=False) | void
    in_time = Q(responded_at__lte=F("respond_due")) | Q(
        responded_at__isnull=True, status__in=VOID, closed_at__lte=F("respond_due")
    )
    reported = _all_columns(
        cases.values(path=F("area_path"), d=_day("reported_at")),
        {
            "reported": Count("pk"),
            "answered": Count("pk", filter=answered),
            "answered_in_time": Count("pk", filter=answered & in_time),
        },
        columns,
    )
    closed = _all_columns(
        cases.filter(status=Status.CLOSED, closed_at__isnull=False).values(
            path=F("area_path"), d=_day("closed_at")
        ),
        {
            "closed": Count("pk"),
            "solved": Count("pk", filter=~Q(rating=Rating.DISSATISFIED)),
            "reworked": Count("pk", filter=Q(rework_count__gte=1)),
            "closed_in_grid": Count("pk", filter=Q(closed_level=Level.GRID)),
            "closed_in_community": Count(
                "pk", filter=Q(closed_level__in=(Level.GRID, Level.COMMUNITY))
            ),
            "close_micros": Sum(Micros(F("closed_at"), F("reported_at"))),
        },
        columns,
    )
    due = _all_columns(
        cases.exclude(void)
        .filter(resolve_due__isnull=False)
        .values(path=F("area_path"), d=_day("resolve_due")),
        {"due": Count("pk")},
        columns,
    )
    rated = _all_columns(
        event.objects.order_by()
        .filter(kind=EventKind.RATED)
        .values(path=F("case__area_path"), d=_day("created_at")),
        {
            "rated": Count("pk"),
            "satisfied": Count("pk", filter=Q(payload__rating__in=GOOD_RATINGS)),
        },
        columns,
    )
    sources = [reported, closed, due, rated]
    if "supervised" in columns:  # 督办's columns, from migration 0025 on
        sources.append(
            _all_columns(
                supervision.objects.order_by().values(
                    path=F("case__area_path"), d=_day("started_at")
                ),
                {"supervised": Count("pk")},
                columns,
            )
        )
        sources.append(
            _all_columns(
                supervision.objects.order_by()
                .filter(ended_at__isnull=False)
                .values(path=F("case__area_path"), d=_day("ended_at")),
                {
                    "supervisions_ended": Count("pk"),
                    "supervisions_on_time": Count("pk", filter=Q(on_time=True)),
                },
                columns,
            )
        )
    operations = [  # 延期 granted, 挂起, 申诉 upheld: on the event's day (counters.py)
        _all_columns(
            event.objects.order_by()
            .filter(kind=kind)
            .values(path=F("case__area_path"), d=_day("created_at")),
            {column: Count("pk")},
            columns,
        )
        for kind, column in OPERATION_COLUMNS.items()
        if column in columns
    ]
    return [*sources, *operations]


def _insert(
    cursor: CursorWrapper, table: str, columns: tuple[str, ...], sql: str, params: Sequence[Any]
) -> int:
    quote = connection.ops.quote_name
    cursor.execute(
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) {sql}", params
    )
    written: int = cursor.rowcount  # DB-API: the rows the statement wrote
    return written


def counters_rebuild(apps: Apps = global_apps) -> dict[str, int]:
    """Empty the counter tables and refill them from the data; rows written per table.

    `apps`: a migration's historical registry, or the live one. On PostgreSQL the counter
    tables are locked against concurrent `counters_record` writers for the duration.
    """
    case, event = apps.get_model("workflows", "Case"), apps.get_model("workflows", "CaseEvent")
    dispatch = apps.get_model("workflows", "CaseDispatch")
    supervision = apps.get_model("workflows", "CaseSupervision")
    day_table, mix_table, close_table, dept_table = (
        apps.get_model("workflows", name)._meta.db_table
        for name in ("AreaDayCount", "AreaDayMix", "AreaCloseCount", "DepartmentDayCount")
    )
    day_columns = _columns(apps.get_model("workflows", "AreaDayCount"), ("area_path", "day"))
    dept_model = apps.get_model("workflows", "DepartmentDayCount")
    dept_columns = _columns(dept_model, ("area_path", "day", "department"))
    quote = connection.ops.quote_name
    written: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (day_table, mix_table, close_table, dept_table):
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"DELETE FROM {quote(table)}")
        parts: list[str] = []
        params: list[Any] = []  # as Django compiled them
        for source in _day_sources(case, event, supervision, day_columns):
            sql, more = source.query.sql_with_params()
            parts.append(sql)
            params += more
        sums = ", ".join(f"SUM({quote(c)})" for c in day_columns)
        union = " UNION ALL ".join(parts)
        written["day"] = _insert(
            cursor,
            day_table,
            ("area_path", "day", *day_columns),
            f"SELECT path, d, {sums} FROM ({union}) u GROUP BY path, d",
            params,
        )
        mix = (
            case.objects.order_by()
            .values(path=F("area_path"), d=_day("reported_at"), lv=F("level"), c=F("category"))
            .annotate(n=Count("pk"))
        )
        sql, more = mix.query.sql_with_params()
        columns: tuple[str, ...] = ("area_path", "day", "level", "category_id", "reported")
        written["mix"] = _insert(cursor, mix_table, columns, sql, more)
        close = (
            case.objects.order_by()
            .filter(status=Status.CLOSED, closed_at__isnull=False)
            .values(
                path=F("area_path"),
                d=_day("closed_at"),
                due=Coalesce(_day("resolve_due"), Value(NO_DUE_DAY)),
            )
            .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(closed_at__lte=F("resolve_due"))))
        )
        sql, more = close.query.sql_with_params()
        columns = ("area_path", "day", "due_day", "closed", "on_time")
        written["close"] = _insert(cursor, close_table, columns, sql, more)
        fields = {f.name for f in dispatch._meta.concrete_fields}
        voided, supervised = "rating_voided_at" in fields, "supervision_on_time" in fields
        sql, more = _department_source(dispatch, voided, supervised).query.sql_with_params()
        columns = ("department_id", "area_path", "day", *DEPARTMENT_COLUMNS)
        columns += SUPERVISION_COLUMNS if supervised else ()
        written["dept"] = _insert(cursor, dept_table, columns, sql, more)
        if "extended" in dept_columns:
            written["dept"] += _department_operations(apps)
    return written


def _department_operations(apps: Apps) -> int:
    """The departments' 延期 granted, 挂起 and 申诉 upheld, from their events, counted by
    the function that counts them live (a department's code in a JSON list is not portable
    SQL): one pass over those events only. Rows touched."""
    event = apps.get_model("workflows", "CaseEvent")
    department = apps.get_model("grids", "Department")
    ids = dict(department.objects.values_list("code", "pk"))
    rows = (
        event.objects.filter(kind__in=list(OPERATION_COLUMNS))
        .order_by("pk")
        .values_list("case__area_path", "kind", "created_at", "payload")
    )
    delta: Counts = defaultdict(dict)
    for path, kind, created_at, payload in rows.iterator():
        operation_counts(delta, path, kind, created_at, payload or {}, ids)
    departments = {key: counts for key, counts in delta.items() if key[0] == "dept"}
    counts_apply(departments)
    return len(departments)


DEPARTMENT_COLUMNS = ("dispatched", "answered", "answered_in_time", "rated", "rating_sum")
SUPERVISION_COLUMNS = ("supervisions_ended", "supervisions_on_time")  # from 0025 on


def _department_source(
    dispatch: "type[CaseDispatch]", voided: bool = True, supervised: bool = True
) -> Grouped:
    answered = Q(claimed_at__isnull=False) | Q(returned_at__isnull=False)
    in_time = Q(claimed_at__lte=F("claim_due")) | Q(
        claimed_at__isnull=True, returned_at__lte=F("claim_due")
    )
    # 申诉 upheld against a rating: it no longer counts (`rating_voided_at`, from 0027 on)
    counted = Q(response_rating__isnull=False)
    if voided:
        counted &= Q(rating_voided_at__isnull=True)
    supervisions: dict[str, Aggregate] = {}
    if supervised:  # 督办: the parts at work when a case's first supervision ended
        supervisions = {
            "se": Count("pk", filter=Q(supervision_on_time__isnull=False)),
            "so": Count("pk", filter=Q(supervision_on_time=True)),
        }
    return (
        dispatch.objects.order_by()
        .values(dep=F("department"), path=F("case__area_path"), d=_day("dispatched_at"))
        .annotate(
            n=Count("pk"),
            a=Count("pk", filter=answered),
            t=Count("pk", filter=answered & in_time),
            r=Count("pk", filter=counted),
            s=Coalesce(Sum("response_rating", filter=counted), 0),
            **supervisions,
        )
    )
