"""Shared machinery of the case services: locking, transitions, events, tasks, numbering."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.base import Node
from viewflow.workflow.models import Task

from grids.models import Area, User
from grids.roles import AreaLevel
from grids.selectors import area_ancestor_at
from notifications.models import Notification
from notifications.services import notify
from notifications.sms import send_sms

from ..boards.counters import counters_record
from ..choices import AREA_LEVEL_BY_CASE_LEVEL, Level, Status
from ..errors import CaseActionDenied, CaseConflict
from ..flows import CaseFlow
from ..lifecycle import BoundTransition, CaseLifecycle, DispatchLifecycle, unmet_reason
from ..models import Case, CaseAppeal, CaseEvent, CaseNumberSequence, CasePhoto
from ..photos import CleanPhoto
from ..selectors import OPEN_TASK_STATUSES
from ..streams import event_publish


def text_required(value: str, message: str) -> str:
    """The stripped text, or a ValidationError with `message` when there is none."""
    if not value or not value.strip():
        raise ValidationError(message)
    return value.strip()


def photos_attach(
    case: Case,
    kind: str,
    images: list[CleanPhoto],
    actor: User | None,
    appeal: CaseAppeal | None = None,
) -> None:
    """Store photos already cleaned by `photos.photo_clean` (re-encoded, server-named), with
    the time each was taken when the upload said (and the appeal they are evidence of)."""
    for image in images:
        CasePhoto.objects.create(
            case=case,
            kind=kind,
            image=image,
            uploaded_by=actor,
            taken_at=image.taken_at,
            appeal=appeal,
        )


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise CaseActionDenied(message)


@contextmanager
def case_locked(case: Case) -> Iterator[Case]:
    """Lock the process row, then the case row (always in this order), and yield a fresh case."""
    if case.process_id is None:
        yield Case.objects.select_for_update().get(pk=case.pk)
        return
    with CaseFlow.lock(case.process_id):
        yield Case.objects.select_for_update().get(pk=case.pk)


def transition_check(
    machine: CaseLifecycle | DispatchLifecycle, name: str, actor: User | None
) -> None:
    """Refuse unless `name` of the status machine may happen now: 403 when `actor` lacks the
    transition's permission, 409 when the status or a condition does not allow it.
    `actor=None` is the system (timers, the flow's Join), which needs no permission."""
    method: BoundTransition = getattr(machine, name)
    case = machine.case
    if actor is not None:
        answers = [t.has_perm(machine, actor) for t in method.get_transitions()]
        if not any(answers):  # not theirs to do in any status: 403 before 409
            reason = next((str(a.message) for a in answers if hasattr(a, "message")), "")
            _refuse(actor, method, case, reason=reason)
    if not method.can_proceed():
        raise CaseConflict(
            unmet_reason(machine, name)
            or _("Case %(number)s is %(status)s: you cannot %(action)s it now.")
            % {"number": case.number, "status": case.get_status_display(), "action": method.label}
        )
    if actor is not None and not (allowed := method.has_perm(actor)):
        _refuse(actor, method, case, reason=getattr(allowed, "message", ""))


def _refuse(actor: User, method: BoundTransition, case: Case, reason: str = "") -> NoReturn:
    """403, with the permission's own reason when it gave one (`permissions.Unmet`)."""
    raise CaseActionDenied(
        reason
        or _("%(actor)s may not %(action)s case %(number)s.")
        % {"actor": actor, "action": method.label, "number": case.number}
    )


def transition(
    case: Case,
    name: str,
    actor: User | None,
    machine: CaseLifecycle | DispatchLifecycle | None = None,
) -> str:
    """Run a transition of the case's lifecycle (or of `machine`, a department's part of
    the case) after `transition_check`; return the case status it left."""
    machine = machine or CaseLifecycle(case)
    transition_check(machine, name, actor)
    before = case.status
    try:
        getattr(machine, name)()
    except TransitionNotAllowed as exc:  # a race between the check and the call
        raise CaseConflict(
            _("Case %(number)s changed meanwhile: cannot %(action)s it.")
            % {"number": case.number, "action": getattr(machine, name).label}
        ) from exc
    return before


def event_record(
    case: Case, kind: str, actor: User | None, *, before: str = "", **payload: object
) -> CaseEvent:
    """Append to the case's log, in the same transaction as the change it records."""
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        from_status=before,
        to_status=case.status,
        level=case.level,
        payload=payload,
        published=False,  # until the publisher says the layer took it
    )
    counters_record(case, event)  # the board's counters, in the same transaction
    event_publish(event)
    if before and before != case.status and case.follower_count:
        followers_tell(case, event)
    return event


def followers_tell(case: Case, event: CaseEvent) -> None:
    """A status change reaches the followers: in-app for accounts; SMS for phones when the
    case is closed (after commit)."""
    followers = list(case.followers.select_related("user"))
    text = f"{case.number} {case.get_status_display()}：{case.title}"
    notify(
        recipients=[f.user for f in followers],
        kind=Notification.Kind.CASE_UPDATE,
        text=text,
        case=case,
        event=event,
    )
    if case.status == Status.CLOSED:
        for phone in {f.contact_phone for f in followers if f.user is None and f.contact_phone}:
            transaction.on_commit(partial(send_sms, phone, text), robust=True)


def event_announce(
    case: Case,
    kind: str,
    actor: User | None,
    *,
    before: str = "",
    tell: Iterable[User | None] = (),
    notice: str = "",
    text: str = "",
    **payload: object,
) -> CaseEvent:
    """Log the event and tell the people concerned (in-app, pushed live, alerts by email)."""
    event = event_record(case, kind, actor, before=before, **payload)
    notify(recipients=tell, kind=notice, text=text, case=case, event=event)
    return event


def open_task(case: Case, node: Node, **data: object) -> Task:
    """The one open task of `node` in the case's process (optionally matching task.data)."""
    tasks = Task.objects.filter(
        process_id=case.process_id, flow_task=node, status__in=OPEN_TASK_STATUSES
    )
    for task in tasks.select_related("owner"):
        if all(task.data.get(key) == value for key, value in data.items()):
            return task
    raise CaseConflict(
        _("Case %(number)s is not waiting for this step (%(step)s).")
        % {"number": case.number, "step": node.name}
    )


def task_complete(task: Task, actor: User) -> None:
    """Finish a human task as `actor` (claiming it first if nobody has) and move the flow on."""
    activation = task.flow_task.activation_class(task)
    if task.owner_id is None:
        activation.assign(actor)
    elif task.owner_id != getattr(actor, "pk", None):
        activation.reassign(actor)
    activation.start(None)
    activation.execute()


def area_for_level(case: Case, level: str) -> Area:
    area = area_ancestor_at(case.area, AREA_LEVEL_BY_CASE_LEVEL[level])
    if area is None:
        raise CaseConflict(
            _("Case %(number)s lies in no %(level)s.")
            % {"number": case.number, "level": Level(level).label}
        )
    return area


def case_number_next(area: Area, day: date) -> str:
    """QG-20261121-0042: street code, local date, a per-street daily counter.

    The number is taken in a short transaction of its own, committed before the report's
    transaction starts, so the street's counter row is locked for one statement, not for the
    whole report (which would make a street's intake serial). Numbers are therefore unique
    but may have gaps: a report that fails after taking its number (a lost submission-key
    race, a database error) leaves that number unused. Inside a caller's transaction the
    counter row stays locked until that transaction ends (still unique, no gap on rollback).
    """
    street = area_ancestor_at(area, AreaLevel.STREET) or area
    with transaction.atomic():
        last = _counter_increment(street.pk, day)
        if last is None:  # the street's first case of the day
            try:
                with transaction.atomic():  # a savepoint: another report may create it first
                    last = CaseNumberSequence.objects.create(street=street, day=day, last=1).last
            except IntegrityError:
                last = _counter_increment(street.pk, day)
    return f"{street.code}-{day:%Y%m%d}-{last:04d}"


def _counter_increment(street_id: int, day: date) -> int | None:
    """The counter after adding one, in one statement (PostgreSQL, SQLite ≥ 3.35); None if
    the street has no counter row for `day` yet."""
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE street_id = %s AND day = %s RETURNING last",
            [street_id, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return row[0] if row else None
