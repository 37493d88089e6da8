"""What the case engine publishes live, registered with the transport (`notifications`).

Streams (`AppConfig.ready()` registers them): `case:<number>`, `area:<code>` (the area and
everything below), `dept:<code>` (cases dispatched to the department) and `user:` (cases the
person reported, handles or claimed); each authorised by `visibility`, the pages' rules.
`event_publish` sends every `CaseEvent` after commit to the groups of its case: the case's
area and every ancestor, each department it is dispatched to, the case, and the people it
concerns. Payloads carry ids, status and level,
never personal data. `events_missed` is the replay source: what a socket with `since` missed.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from grids.models import Area, Department, Membership, User
from notifications.broadcasts import publish_now, publish_on_commit, users_signal_on_commit
from notifications.streams import (
    FORBIDDEN,
    UNKNOWN,
    Grant,
    replay_source_register,
    stream_register,
)

from .choices import EventKind
from .models import Case, CaseDispatch, CaseEvent
from .visibility import (
    area_stream_allowed,
    can_view,
    department_stream_allowed,
    event_departments,
    part_open_q,
)

Unit = TypeVar("Unit", Area, Department, Case)

REPLAY_LIMIT = 5000  # beyond this many missed events a reload is cheaper than a replay
COMMIT_SLACK = timedelta(seconds=30)  # longer than any case transaction runs


# --- what a stream shows, and who may follow it -----------------------------------------------


def _user_stream(user: User, key: str) -> Grant | str:
    if key:
        return UNKNOWN
    claimed = CaseDispatch.objects.filter(part_open_q(), claimed_by=user).values("case_id")
    q = Q(reporter=user) | Q(handler=user) | Q(pk__in=claimed)
    return Grant(f"user.{user.pk}", q)


@dataclass(frozen=True)
class DepartmentEvents:
    """The `dept:` stream's replay selection: the events of the cases where the department's
    part is going on, and those naming it (its own part's, once ended: the event that ended
    it, its rating) — what `event_groups` sent its group."""

    department: int
    code: str

    def events_q(self) -> Q:
        going_on = CaseDispatch.objects.filter(part_open_q(), department_id=self.department)
        ever = CaseDispatch.objects.filter(department_id=self.department).values("case_id")
        named = Q(payload__department=self.code) | Q(payload__from_department=self.code)
        return Q(case__in=going_on.values("case_id")) | (Q(case__in=ever) & named)


def _unit_stream(
    kind: str,
    find: Callable[[str], Unit | None],
    allowed: Callable[[User, Unit], bool],
    cases: Callable[[Unit], "Q | DepartmentEvents"],
    *,
    hidden: str = FORBIDDEN,
) -> Callable[[User, str], Grant | str]:
    """`<kind>:<key>`: the unit the key names, if the user may see its cases (one place that
    decides between "unknown" and "forbidden"). `hidden` is the answer for a unit the user
    may not follow: areas and departments are public names (FORBIDDEN), a case the user may
    not see is answered as if it did not exist (UNKNOWN), as its page and API do (404)."""

    def authorise(user: User, key: str) -> Grant | str:
        unit = find(key) if key else None
        if unit is None:
            return UNKNOWN
        if not allowed(user, unit):
            return hidden
        return Grant(f"{kind}.{unit.pk}", cases(unit))

    return authorise


def streams_register() -> None:
    stream_register("user", _user_stream)
    stream_register(
        "area",
        _unit_stream(
            "area",
            lambda code: Area.objects.filter(code=code).first(),
            area_stream_allowed,
            lambda area: Q(area_path__startswith=area.path),
        ),
    )
    stream_register(
        "dept",
        _unit_stream(
            "dept",
            lambda code: Department.objects.filter(code=code).first(),
            department_stream_allowed,
            lambda department: DepartmentEvents(department.pk, department.code),
        ),
    )
    stream_register(
        "case",
        _unit_stream(
            "case",
            lambda number: Case.objects.filter(number=number).first(),
            can_view,
            lambda case: Q(pk=case.pk),
            hidden=UNKNOWN,
        ),
    )
    replay_source_register(events_missed)


# --- publishing -------------------------------------------------------------------------


class DispatchRow(NamedTuple):
    department: int
    code: str
    active: bool
    going_on: bool  # `visibility.part_open`
    claimer: int | None


def _dispatch_rows(case: Case) -> list[DispatchRow]:
    """Each of the case's dispatches, as the groups need them: one query."""
    rows = case.dispatches.order_by("pk").values_list(
        "department_id",
        "department__code",
        "active",
        "resolved_at",
        "return_accepted_at",
        "claimed_by_id",
    )
    return [
        DispatchRow(dept, code, active, active and resolved is None and accepted is None, claimer)
        for dept, code, active, resolved, accepted, claimer in rows
    ]


def event_payload(event: CaseEvent, departments: list[int] | None = None) -> dict[str, Any]:
    """The client-facing form of `event`; `departments` (active ones, sorted) if already read."""
    case = event.case
    if departments is None:
        departments = sorted(
            case.dispatches.filter(active=True).values_list("department_id", flat=True)
        )
    return {
        "id": event.pk,
        "kind": event.kind,
        "case": case.pk,
        "number": case.number,
        "status": case.status,
        "level": case.level,
        "area": case.area_id,
        "departments": departments,
        "at": event.created_at.isoformat(),
    }


def _parts_told(event: CaseEvent, rows: list[DispatchRow]) -> list[DispatchRow]:
    """The parts an event is sent to: those going on, and those it names (the event that
    ended a part, a rating of it). A department whose part has ended hears nothing later."""
    named = event_departments(event.payload)
    return [row for row in rows if row.going_on or row.code in named]


def event_groups(event: CaseEvent, dispatches: list[DispatchRow] | None = None) -> list[str]:
    case = event.case
    rows = _dispatch_rows(case) if dispatches is None else dispatches
    told = _parts_told(event, rows)
    groups = [f"area.{pk}" for pk in case.area.ancestor_ids]
    groups += [f"dept.{row.department}" for row in told]
    groups.append(f"case.{case.pk}")
    people = {case.reporter_id, case.handler_id, event.actor_id}
    people |= {row.claimer for row in told}
    groups += [f"user.{pk}" for pk in sorted(p for p in people if p)]
    return list(dict.fromkeys(groups))


# Events after which a department's part may have ended: its members' sockets re-authorise
# their streams (a `case:` stream of a case whose part ended is revoked).
PART_ENDING = frozenset(
    {
        EventKind.DISPATCHED,  # a new round replaces the old parts
        EventKind.DISPATCH_RESOLVED,
        EventKind.RETURN_ACCEPTED,
        EventKind.REASSIGNED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    }
)


def event_publish(event: CaseEvent) -> None:
    """Send `event` to its groups once the transaction commits; nothing if it rolls back.
    Once the layer took it, the event is marked published."""
    rows = _dispatch_rows(event.case)  # read inside the transaction, once for both
    departments = sorted(row.department for row in rows if row.active)
    publish_on_commit(
        event_groups(event, rows), event_payload(event, departments), partial(_sent, event.pk)
    )
    if event.kind in PART_ENDING:
        ended = {row.department for row in rows} - {row.department for row in rows if row.going_on}
        if ended:
            members = Membership.objects.filter(department_id__in=ended).values_list(
                "user_id", flat=True
            )
            users_signal_on_commit(sorted(set(members)), {"type": "access.changed"})


def _sent(*pks: int) -> None:
    CaseEvent.objects.filter(pk__in=pks, published=False).update(published=True)


RESEND_AFTER = timedelta(seconds=5)  # the publisher's own path has had its chance by then
RESEND_BATCH = 200


def events_resend(now: datetime | None = None) -> bool:
    """The timer dispatcher's slice: send the committed events that never went out live —
    their worker was killed between commit and publication, or Redis was away — and mark
    them. Sockets drop the ids they already had, so a late copy is harmless; a socket that
    stayed connected would otherwise never see these (its replay starts after its newest id).
    True when more are waiting."""
    cutoff = (now or timezone.now()) - RESEND_AFTER
    waiting = CaseEvent.objects.filter(published=False, created_at__lt=cutoff).order_by("pk")
    events = list(waiting.select_related("case", "case__area")[: RESEND_BATCH + 1])
    for event in events[:RESEND_BATCH]:
        rows = _dispatch_rows(event.case)
        departments = sorted(row.department for row in rows if row.active)
        publish_now(event_groups(event, rows), event_payload(event, departments))
        _sent(event.pk)
    return len(events) > RESEND_BATCH


# --- replay -------------------------------------------------------------------------------


def replay_window() -> timedelta:
    return timedelta(seconds=getattr(settings, "GRIDCASE_REPLAY_WINDOW_SECONDS", 24 * 3600))


def events_missed(
    selections: list[Q | DepartmentEvents], since: int
) -> list[dict[str, Any]] | None:
    """Payloads of the events a client with `since` may lack, oldest first; None: resync.

    Ids are taken at insert, not at commit: on PostgreSQL a transaction holding a lower id can
    commit after the client saw a higher one. So the replay also covers events at or below
    `since` written up to COMMIT_SLACK before it, and those never sent live; clients drop the
    ids they already have.
    """
    now = timezone.now()
    if CaseEvent.objects.filter(pk__gt=since, created_at__lt=now - replay_window()).exists():
        return None
    anchor = CaseEvent.objects.filter(pk__lte=since).order_by("-pk").values("created_at").first()
    # Also any event not sent live yet (its worker died before publishing, Redis was away, or
    # the dispatcher has not sent it late yet): no socket can have had it live.
    recent = Q(pk__gt=since) | Q(published=False)
    if anchor is not None:
        recent |= Q(created_at__gte=anchor["created_at"] - COMMIT_SLACK)
    cases_q = Q(pk__in=[])
    events_q = Q(pk__in=[])
    for selection in selections:
        if isinstance(selection, DepartmentEvents):
            events_q |= selection.events_q()
        else:
            cases_q |= selection
    events_q |= Q(case__in=Case.objects.filter(cases_q).values("pk"))
    events = list(
        CaseEvent.objects.filter(recent)
        .filter(events_q)
        .select_related("case")
        .order_by("pk")[: REPLAY_LIMIT + 1]
    )
    if len(events) > REPLAY_LIMIT:
        return None
    # One query for every replayed case, not one per event.
    departments: defaultdict[int, list[int]] = defaultdict(list)
    dispatches = CaseDispatch.objects.filter(
        case__in={event.case_id for event in events}, active=True
    ).order_by("department_id")
    for case_id, department_id in dispatches.values_list("case_id", "department_id"):
        departments[case_id].append(department_id)
    return [event_payload(event, departments[event.case_id]) for event in events]
