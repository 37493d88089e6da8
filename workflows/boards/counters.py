"""Keeping the board counters (`counter_models`) in step with the cases, event by event.

A case contributes a fixed set of counts that depends only on its row (reported that day,
answered in time, closed at grid level…). `event_record` calls `counters_record` in the
transaction of every event: it subtracts what the case contributed as it was read (under the
services' lock) and adds what it contributes now, so any change — a whistle moving a deadline,
a rating reopening a case — lands without each service knowing the metrics. Ratings are the
exception: they count on the event's day, from the event, because a 不满意 that reopens a case
is cleared from its row.

Writes are `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (PostgreSQL and SQLite), in
a fixed key order, so concurrent events never lose an increment and never deadlock on
counter rows; they lock one row per area and day.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from ..choices import EventKind, Level, Rating, Status
from .counter_models import AreaCloseCount, AreaDayCount, AreaDayMix, DepartmentDayCount
from .metrics import GOOD_RATINGS, VOID

if TYPE_CHECKING:  # annotations only: the cases and events reach this module as arguments
    from ..models import Case, CaseDispatch, CaseEvent

NO_DUE_DAY = date.min  # a closed case without a resolve deadline
# The case fields the counts are made of (attnames, as `Model.from_db` receives them).
COUNTED_FIELDS = (
    "area_path",
    "reported_at",
    "status",
    "level",
    "category_id",
    "responded_at",
    "respond_due",
    "closed_at",
    "resolve_due",
    "rating",
    "rework_count",
    "closed_level",
)
TABLES = {
    "day": AreaDayCount,
    "mix": AreaDayMix,
    "close": AreaCloseCount,
    "dept": DepartmentDayCount,
}
KEYS = {
    "day": ("area_path", "day"),
    "mix": ("area_path", "day", "level", "category_id"),
    "close": ("area_path", "day", "due_day"),
    "dept": ("area_path", "day", "department_id"),
}

CountKey = tuple[str, *tuple[str | date | int, ...]]  # ("day"|"mix"|"close"|"dept", *key values)
Counts = dict[CountKey, dict[str, int]]  # key -> column -> n


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai (TIME_ZONE) day of an aware datetime."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def _before(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and a <= b


def case_counts(row: Mapping[str, Any]) -> Counts:
    """What one case, as `row` (COUNTED_FIELDS), adds to the counters."""
    path, status = row["area_path"], row["status"]
    void = status in VOID
    reported_day = ("day", path, local_day(row["reported_at"]))
    answered = row["responded_at"] is not None or void
    in_time = _before(row["responded_at"], row["respond_due"]) or (
        row["responded_at"] is None and void and _before(row["closed_at"], row["respond_due"])
    )
    counts: Counts = defaultdict(dict)
    counts[reported_day] = {
        "reported": 1,
        "answered": int(answered),
        "answered_in_time": int(answered and in_time),
    }
    mix = ("mix", path, reported_day[2], row["level"], row["category_id"])
    counts[mix] = {"reported": 1}
    if not void and row["resolve_due"] is not None:
        _add(counts, ("day", path, local_day(row["resolve_due"])), {"due": 1})
    if status == Status.CLOSED and row["closed_at"] is not None:
        closed_at, resolve_due = row["closed_at"], row["resolve_due"]
        closed_day = local_day(closed_at)
        level = row["closed_level"]
        _add(
            counts,
            ("day", path, closed_day),
            {
                "closed": 1,
                "solved": int(row["rating"] != Rating.DISSATISFIED),
                "reworked": int(row["rework_count"] >= 1),
                "closed_in_grid": int(level == Level.GRID),
                "closed_in_community": int(level in (Level.GRID, Level.COMMUNITY)),
                "close_micros": (closed_at - row["reported_at"]) // timedelta(microseconds=1),
            },
        )
        due_day = local_day(resolve_due) if resolve_due is not None else NO_DUE_DAY
        counts[("close", path, closed_day, due_day)] = {
            "closed": 1,
            "on_time": int(_before(closed_at, resolve_due)),
        }
    return counts


def _add(counts: Counts, key: CountKey, more: Mapping[str, int]) -> None:
    into = counts[key]
    for name, n in more.items():
        into[name] = into.get(name, 0) + n


def counts_diff(before: Counts, after: Counts) -> Counts:
    """after − before, without the zeros."""
    delta: Counts = defaultdict(dict)
    for key in before.keys() | after.keys():
        old, new = before.get(key, {}), after.get(key, {})
        for name in old.keys() | new.keys():
            n = new.get(name, 0) - old.get(name, 0)
            if n:
                delta[key][name] = n
    return delta


def counts_apply(delta: Counts) -> None:
    """Add `delta` to the counter rows (created when missing), in key order."""
    if not delta:
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        for key in sorted(delta, key=repr):
            kind, values = key[0], key[1:]
            table = ops.quote_name(TABLES[kind]._meta.db_table)
            columns = [*KEYS[kind], *delta[key]]
            params = [ops.adapt_datefield_value(v) if isinstance(v, date) else v for v in values]
            params += list(delta[key].values())
            quoted = [ops.quote_name(c) for c in columns]
            increments = ", ".join(
                f"{c} = {table}.{c} + excluded.{c}" for c in quoted[len(KEYS[kind]) :]
            )
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quoted)}) "  # names are ours
                f"VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON CONFLICT ({', '.join(quoted[: len(KEYS[kind])])}) DO UPDATE SET {increments}",
                params,
            )


def counted_row(case: "Case") -> dict[str, Any]:
    return {name: getattr(case, name) for name in COUNTED_FIELDS}


def _loaded(case: "Case") -> dict[str, Any]:
    names, values = case._loaded_row  # set by Case.from_db
    row = dict(zip(names, values, strict=True))
    missing = [name for name in COUNTED_FIELDS if name not in row]
    if missing:  # a deferred field: the row as read is unknown, the counts would drift
        raise RuntimeError(f"case {case.pk} was read without {missing}: cannot count it")
    return row


def counters_record(case: "Case", event: "CaseEvent") -> None:
    """Bring the counters up to date with `case` as it is now, and count a rating event.

    The case's previous counts are those of the row it was read from (`Case.from_db`, under
    the services' lock), or of the last call for this instance; a case never read from the
    database is new and counted nothing before.
    """
    before: Counts
    if hasattr(case, "_counted"):
        before = case._counted
    elif hasattr(case, "_loaded_row"):
        before = case_counts(_loaded(case))
    else:
        before = {}
    after = case_counts(counted_row(case))
    delta = counts_diff(before, after)
    if event.kind == EventKind.RATED:
        rating = event.payload.get("rating")
        day = ("day", case.area_path, local_day(event.created_at))
        _add(delta, day, {"rated": 1, "satisfied": int(rating in GOOD_RATINGS)})
    elif event.kind == EventKind.SUPERVISED:  # 督办 begun, on the day of its row's start
        started = case.supervisions.filter(ended_at__isnull=True).values_list("started_at")
        _add(delta, ("day", case.area_path, local_day(started.get()[0])), {"supervised": 1})
    elif event.kind == EventKind.SUPERVISION_ENDED:
        _supervision_ended(delta, case, event.payload)
    elif event.kind in DISPATCH_EVENTS:
        DISPATCH_EVENTS[event.kind](delta, case, event.payload)
    if event.kind in OPERATION_COLUMNS:
        operation_counts(delta, case.area_path, event.kind, event.created_at, event.payload)
        if event.kind == EventKind.APPEAL_UPHELD and event.payload.get("dispatch"):
            _rating_set_aside(delta, case, event.payload)
    counts_apply(delta)
    case._counted = after  # type: ignore[attr-defined]  # read back by the next call


# Dispatch events. A dispatch's counted fields are written once each by the services (claimed,
# returned: each at most once, never after a return; the rating may be replaced, its event
# carries the previous score), so each event adds its own change; the dispatch is read back
# the way its service chose it.
def _dispatch_key(case: "Case", dispatch: "CaseDispatch") -> CountKey:
    return ("dept", case.area_path, local_day(dispatch.dispatched_at), dispatch.department_id)


def _dispatched(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    for dispatch in case.dispatches.filter(active=True):  # the round just created
        _add(delta, _dispatch_key(case, dispatch), {"dispatched": 1})


def _claimed(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    dispatch = _latest(case, payload, claimed_at__isnull=False, active=True)
    in_time = _before(dispatch.claimed_at, dispatch.claim_due)
    _add(delta, _dispatch_key(case, dispatch), {"answered": 1, "answered_in_time": int(in_time)})


def _returned(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    dispatch = _latest(case, payload, returned_at__isnull=False)
    if dispatch.claimed_at is None:  # a claim before it already counted as the answer
        in_time = _before(dispatch.returned_at, dispatch.claim_due)
        counts = {"answered": 1, "answered_in_time": int(in_time)}
        _add(delta, _dispatch_key(case, dispatch), counts)


def _return_refused(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    """退单审核 refused: the return (or the claim before it) is no longer the department's
    answer; it must report for duty again, and that claim counts then."""
    dispatch = _latest(case, payload, active=True)
    counts = {"answered": -1, "answered_in_time": -int(bool(payload["answered_in_time"]))}
    _add(delta, _dispatch_key(case, dispatch), counts)


def _reassigned(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    """改派: the new department's part is a dispatch of its own (the old one keeps its counts)."""
    dispatch = _latest(case, payload, active=True)
    _add(delta, _dispatch_key(case, dispatch), {"dispatched": 1})


def _rated(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    dispatch = _latest(case, payload, claimed_at__isnull=False)
    previous = payload.get("previous")
    counts = {"rated": int(previous is None), "rating_sum": payload["score"] - (previous or 0)}
    _add(delta, _dispatch_key(case, dispatch), counts)


def _latest(case: "Case", payload: dict[str, Any], **conditions: bool) -> "CaseDispatch":
    dispatches = case.dispatches.filter(department__code=payload["department"], **conditions)
    dispatch = dispatches.order_by("-pk").first()
    if dispatch is None:  # the event's service has just written it; a count would be lost
        raise RuntimeError(f"case {case.pk}: no {payload['department']} dispatch to count")
    return dispatch


def _supervision_ended(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    """督办 ended with the case's closing (its `ended_at`): the area's count on the closed day;
    each part it marked (`parts`, once each) on the dispatch's day, as its ratings."""
    assert case.closed_at is not None
    on_time = int(bool(payload["on_time"]))
    counts = {"supervisions_ended": 1, "supervisions_on_time": on_time}
    _add(delta, ("day", case.area_path, local_day(case.closed_at)), counts)
    for dispatch in case.dispatches.filter(pk__in=payload.get("parts", [])):
        _add(delta, _dispatch_key(case, dispatch), counts)


# The dispatcher's operations, counted on the event's day for the case's area and for the
# departments the event names (`department`, or `departments` for a suspension): 延期
# granted, 挂起, 申诉 upheld. `rebuild` counts the same events with this same function.
OPERATION_COLUMNS: dict[str, str] = {
    EventKind.EXTENSION_APPROVED: "extended",
    EventKind.SUSPENDED: "suspended",
    EventKind.APPEAL_UPHELD: "appeals_upheld",
}


def operation_departments(payload: Mapping[str, Any]) -> list[str]:
    codes = payload.get("departments") or []
    return [*codes, payload["department"]] if payload.get("department") else list(codes)


def operation_counts(
    delta: Counts,
    area_path: str,
    kind: str,
    created_at: datetime,
    payload: Mapping[str, Any],
    department_ids: Mapping[str, int] | None = None,
) -> None:
    """One operation event's counts: its area's day, and each department it names."""
    from grids.models import Department

    column, day = OPERATION_COLUMNS[kind], local_day(created_at)
    _add(delta, ("day", area_path, day), {column: 1})
    codes = operation_departments(payload)
    if department_ids is None and codes:
        department_ids = dict(Department.objects.filter(code__in=codes).values_list("code", "pk"))
    for code in codes:
        if department_ids and code in department_ids:
            _add(delta, ("dept", area_path, day, department_ids[code]), {column: 1})


def _rating_set_aside(delta: Counts, case: "Case", payload: dict[str, Any]) -> None:
    """申诉 upheld against a rating: it leaves the department's ratings (on its part's day)."""
    dispatch = case.dispatches.get(pk=payload["dispatch"])
    _add(delta, _dispatch_key(case, dispatch), {"rated": -1, "rating_sum": -payload["score"]})


# By the event's stored kind (a `CaseEvent.kind` string, as `EventKind` members are).
DISPATCH_EVENTS: dict[str, Callable[[Counts, "Case", dict[str, Any]], None]] = {
    EventKind.DISPATCHED: _dispatched,
    EventKind.CLAIMED: _claimed,
    EventKind.RETURNED: _returned,
    EventKind.RETURN_REFUSED: _return_refused,
    EventKind.REASSIGNED: _reassigned,
    EventKind.DEPARTMENT_RATED: _rated,
}
