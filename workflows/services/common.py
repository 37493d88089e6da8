"""Shared machinery of the case services: locking, events, tasks, deadlines, numbering."""

from contextlib import contextmanager
from datetime import datetime

from django.db.models import F
from django.utils import timezone
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.models import Task

from grids.models import Area
from grids.roles import AreaLevel
from grids.selectors import area_ancestor_at

from ..choices import Level
from ..errors import CaseActionDenied, CaseConflict
from ..flows import CaseFlow, CaseLifecycle
from ..models import Case, CaseCounter, CaseEvent
from ..selectors import OPEN_TASK_STATUSES, time_limits

LEVEL_OF_AREA = {
    AreaLevel.GRID: Level.GRID,
    AreaLevel.MICROGRID: Level.GRID,
    AreaLevel.BUILDING: Level.GRID,
    AreaLevel.COMMUNITY: Level.COMMUNITY,
    AreaLevel.STREET: Level.STREET,
}
AREA_LEVEL_OF = {
    Level.GRID: AreaLevel.GRID,
    Level.COMMUNITY: AreaLevel.COMMUNITY,
    Level.STREET: AreaLevel.STREET,
}


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise CaseActionDenied(message)


@contextmanager
def case_locked(case: Case):
    """Lock the process row, then the case row (always in this order), and yield a fresh case."""
    if case.process_id is None:
        yield Case.objects.select_for_update().get(pk=case.pk)
        return
    with CaseFlow.lock(case.process_id):
        yield Case.objects.select_for_update().get(pk=case.pk)


def transition(case: Case, name: str, actor) -> str:
    """Run a status transition of the case's lifecycle; return the status it left."""
    method = getattr(CaseLifecycle(case), name)
    action = name.replace("_", " ")
    if not method.can_proceed():
        raise CaseConflict(f"Case {case.number} is {case.get_status_display()}: cannot {action}.")
    if actor is not None and not method.has_perm(actor):  # None: the system (timers)
        raise CaseActionDenied(f"{actor} may not {action} case {case.number}.")
    before = case.status
    try:
        method()
    except TransitionNotAllowed as exc:  # a race between the check and the call
        raise CaseConflict(f"Case {case.number}: cannot {action}.") from exc
    return before


def event_record(case: Case, kind: str, actor, *, before: str = "", **payload) -> CaseEvent:
    """Append to the case's log, in the same transaction as the change it records."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        from_status=before,
        to_status=case.status,
        level=case.level,
        payload=payload,
    )


def open_task(case: Case, node, **data) -> Task:
    """The one open task of `node` in the case's process (optionally matching task.data)."""
    tasks = Task.objects.filter(
        process_id=case.process_id, flow_task=node, status__in=OPEN_TASK_STATUSES
    )
    for task in tasks.select_related("owner"):
        if all(task.data.get(key) == value for key, value in data.items()):
            return task
    raise CaseConflict(f"Case {case.number} has no open {node.name} step.")


def task_complete(task: Task, actor) -> None:
    """Finish a human task as `actor` (claiming it first if nobody has) and move the flow on."""
    activation = task.flow_task.activation_class(task)
    if task.owner_id is None:
        activation.assign(actor)
    elif task.owner_id != getattr(actor, "pk", None):
        activation.reassign(actor)
    activation.start(None)
    activation.execute()


def deadlines_set(case: Case, level: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    respond, resolve = time_limits(case.category, case.priority, level)
    case.respond_due, case.resolve_due = now + respond, now + resolve
    case.overdue = False


def area_for_level(case: Case, level: str) -> Area:
    area = area_ancestor_at(case.area, AREA_LEVEL_OF[level])
    if area is None:
        raise CaseConflict(f"Case {case.number} lies in no {level}.")
    return area


def case_number_next(area: Area, day) -> str:
    """QG-20261121-0042: street code, local date, a per-street daily counter."""
    street = area_ancestor_at(area, AreaLevel.STREET) or area
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(street=street, day=day)
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{street.code}-{day:%Y%m%d}-{counter.last:04d}"
