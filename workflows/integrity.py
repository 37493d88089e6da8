"""Is a case whole? Its status, its process's tasks, its departments' parts and its events agree.

Every service writes all of these in one transaction, so a crash, a killed worker or a lost
database connection can leave a case before the change or after it, never between. This is
the one check of that promise: the fault tests run it over every case after each fault, and
`manage.py cases_check` runs it on a live database (after an incident, a restore).

A case is half-written when, for example, its status moved but no event says so, a
department's open part has no task to claim it with, an open case has no open task (nobody
could ever act on it), or an ended case still has one.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .choices import ENDED_STATUSES, EventKind, Level, Status
from .models import Case, CaseDispatch, CaseEvent
from .selectors import OPEN_TASK_STATUSES

AREA_LEVELS = (Level.GRID, Level.COMMUNITY, Level.STREET)
WAITS = ("TIMER", "JOIN")  # open tasks that are not steps: a time limit, a Join waiting
# The open steps (not timers, not a waiting Join) a case in each status has, besides the
# departments' parts.
STEPS_FOR_STATUS: dict[str, list[list[str]]] = {
    Status.REPORTED: [["intake"]],
    Status.RESOLVED: [["verify"]],
    Status.CLOSED: [[], ["feedback"]],  # the resident's rating is awaited for a while
    Status.REJECTED: [[]],
    Status.DUPLICATE: [[]],
}


def case_problems(
    case: Case,
    events: list[CaseEvent],
    tasks: list[Task],
    dispatches: list[CaseDispatch],
) -> list[str]:
    """What disagrees in one case (empty when it is whole), from its rows read together:
    its events, its process's open tasks and its departments' parts."""
    problems = _events_problems(case, events)
    if case.process_id is None:  # history loaded in bulk has none; open work needs one
        return problems if case.status in ENDED_STATUSES else [*problems, "open without a process"]
    steps = sorted(
        (t for t in tasks if t.status in OPEN_TASK_STATUSES and t.flow_task_type not in WAITS),
        key=lambda t: t.flow_task.name,
    )
    names = [t.flow_task.name for t in steps]
    if case.status == Status.HANDLING and case.level in AREA_LEVELS:
        if names != ["handle"]:
            problems.append(f"handling at {case.level} with open steps {names}, not [handle]")
    elif case.status in (Status.DISPATCHED, Status.HANDLING):
        problems += _parts_problems(case, steps, dispatches, events)
    elif names not in STEPS_FOR_STATUS[case.status]:
        problems.append(f"{case.status} with open steps {names}")
    if case.status == Status.REPORTED and case.level not in AREA_LEVELS:
        problems.append(f"reported at level {case.level}")
    if case.status == Status.CLOSED and case.closed_at is None:
        problems.append("closed without a closing time")
    return problems


def _events_problems(case: Case, events: list[CaseEvent]) -> list[str]:
    if not events:
        return ["no events"]
    problems = []
    if events[0].kind != EventKind.REPORTED:
        problems.append(f"first event is {events[0].kind}, not {EventKind.REPORTED}")
    if events[-1].to_status != case.status:
        last = events[-1]
        problems.append(f"status {case.status} but the last event #{last.pk} says {last.to_status}")
    times = [e.created_at for e in events]
    if times != sorted(times):
        problems.append("events out of time order")
    reworks = sum(e.kind == EventKind.REWORKED for e in events)
    if case.rework_count != reworks:
        problems.append(f"rework count {case.rework_count} but {reworks} rework events")
    return problems


def _parts_problems(
    case: Case, steps: list[Task], dispatches: list[CaseDispatch], events: list[CaseEvent]
) -> list[str]:
    """With the departments: one open claim step per part still worked on (owned by whoever
    claimed it), one review step per return waiting for review, nothing else."""
    active = [d for d in dispatches if d.active]
    working = [d for d in active if not d.returned_at and not d.resolved_at]
    in_review = [d for d in active if d.returned_at and not d.return_accepted_at]
    names = [t.flow_task.name for t in steps]
    wanted = sorted(["claim"] * len(working) + ["review_return"] * len(in_review))
    problems = []
    if case.level != Level.DEPARTMENT:
        problems.append(f"{case.status} at level {case.level}, not with departments")
    if names != wanted:
        problems.append(f"open steps {names}, but the parts need {wanted}")
    claims = {
        (t.data or {}).get("dispatch"): t.owner_id for t in steps if t.flow_task.name == "claim"
    }
    if claims != {d.pk: d.claimed_by_id for d in working}:
        problems.append("the open claim steps do not match the parts being worked on")
    reviews = {(t.data or {}).get("dispatch") for t in steps if t.flow_task.name == "review_return"}
    if reviews != {d.pk for d in in_review}:
        problems.append("the open review steps do not match the returns under review")
    # Dispatched until a department reports for duty; handling from then on.
    if case.status == Status.DISPATCHED and any(d.claimed_at for d in active):
        problems.append("dispatched, yet a department has claimed its part")
    if case.status == Status.HANDLING and not any(e.kind == EventKind.CLAIMED for e in events):
        problems.append("handled by departments, yet no department ever claimed it")
    return problems


def cases_problems(cases: QuerySet[Case] | None = None) -> dict[str, list[str]]:
    """{case number: problems} for every case of `cases` (all by default) that is not whole.

    Reads in batches of a few queries, so a district's cases take seconds, not a query each.
    """
    found: dict[str, list[str]] = {}
    queryset = (cases if cases is not None else Case.objects.all()).order_by("pk")
    for batch in _batches(queryset.values_list("pk", flat=True), 500):
        found |= _batch_problems(batch)
    return found


def _batch_problems(pks: list[int]) -> dict[str, list[str]]:
    cases = list(Case.objects.filter(pk__in=pks).order_by("pk"))
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.filter(case_id__in=pks).order_by("pk"):
        events[event.case_id].append(event)
    tasks: dict[int, list[Task]] = defaultdict(list)
    processes = [c.process_id for c in cases if c.process_id]
    for task in Task.objects.filter(process_id__in=processes, status__in=OPEN_TASK_STATUSES):
        tasks[task.process_id].append(task)
    dispatches: dict[int, list[CaseDispatch]] = defaultdict(list)
    for part in CaseDispatch.objects.filter(case_id__in=pks).order_by("pk"):
        dispatches[part.case_id].append(part)
    found = {}
    for case in cases:
        problems = case_problems(
            case, events[case.pk], tasks[case.process_id or 0], dispatches[case.pk]
        )
        if problems:
            found[case.number] = problems
    return found


def _batches(pks: Iterable[int], size: int) -> Iterable[list[int]]:
    batch: list[int] = []
    for pk in pks.iterator() if isinstance(pks, QuerySet) else pks:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def timers_late(grace: timedelta) -> list[int]:
    """Timer tasks due more than `grace` ago that have not fired: ids, oldest first. The
    dispatcher fires a due timer within a sweep (5 s); one still waiting long after never
    fired (a dispatcher that is down, or a sweep that keeps failing on it)."""
    late = Task.objects.filter(
        flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lt=timezone.now() - grace
    )
    return list(late.order_by("scheduled", "pk").values_list("pk", flat=True))
