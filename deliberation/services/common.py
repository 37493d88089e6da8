"""Shared machinery of the deliberation services: locking, transitions, the audit log, tasks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.base import Node
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from grids.models import User
from notifications.models import Notification
from notifications.services import notify
from notifications.sms import send_sms
from workflows.lifecycle import BoundTransition

from ..errors import DeliberationConflict, DeliberationDenied
from ..flows import ProposalFlow
from ..lifecycle import ProposalLifecycle, unmet_reason
from ..models import Proposal, ProposalEvent
from ..streams import event_publish

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def text_required(value: str, message: str, limit: int = 4000) -> str:
    if not value or not value.strip():
        raise ValidationError(message)
    if len(value) > limit:
        raise ValidationError(_("At most %(max)d characters, please.") % {"max": limit})
    return value.strip()


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise DeliberationDenied(message)


@contextmanager
def proposal_locked(proposal: Proposal) -> Iterator[Proposal]:
    """Lock the process row, then the proposal row (always in this order); yield it fresh."""
    if proposal.process_id is None:
        yield Proposal.objects.select_for_update().select_related("compound").get(pk=proposal.pk)
        return
    with ProposalFlow.lock(proposal.process_id):
        yield Proposal.objects.select_for_update().select_related("compound").get(pk=proposal.pk)


def transition_check(machine: ProposalLifecycle, name: str, actor: User | None) -> None:
    """403 without the transition's permission, 409 when the status or a condition does not
    allow it now. `actor=None` is the system (timers), which needs no permission."""
    method: BoundTransition = getattr(machine, name)
    proposal = machine.proposal
    if actor is not None and not any(t.has_perm(machine, actor) for t in method.get_transitions()):
        _refuse(actor, method, proposal)
    if not method.can_proceed():
        raise DeliberationConflict(
            unmet_reason(machine, name)
            or _("“%(title)s” is %(status)s: you cannot %(action)s it now.")
            % {
                "title": proposal.title,
                "status": proposal.get_status_display(),
                "action": method.label,
            }
        )
    if actor is not None and not method.has_perm(actor):
        _refuse(actor, method, proposal)


def _refuse(actor: User, method: BoundTransition, proposal: Proposal) -> NoReturn:
    raise DeliberationDenied(
        _("%(actor)s may not %(action)s “%(title)s”.")
        % {"actor": actor, "action": method.label, "title": proposal.title}
    )


def transition(proposal: Proposal, name: str, actor: User | None) -> str:
    """Run a transition after `transition_check`; return the status it left."""
    machine = ProposalLifecycle(proposal)
    transition_check(machine, name, actor)
    before = proposal.status
    try:
        getattr(machine, name)()
    except TransitionNotAllowed as exc:  # a race between the check and the call
        raise DeliberationConflict(_("The proposal changed meanwhile.")) from exc
    return before


def event_record(
    proposal: Proposal,
    kind: str,
    actor: User | None,
    *,
    before: str = "",
    tell: Iterable[User | None] = (),
    text: str = "",
    notice: str = Notification.Kind.QUEUE,
    **payload: object,
) -> ProposalEvent:
    """Append to the proposal's audit log in the same transaction, publish it after commit,
    and tell the people concerned."""
    event = ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        actor=actor,
        from_status=before or proposal.status,
        to_status=proposal.status,
        payload=payload,
    )
    event_publish(event)
    if text:
        notify(recipients=tell, kind=notice, text=text)
    return event


def owners_text_on_commit(proposal: Proposal, text: str) -> None:
    """A text message to every owner's phone in the register (one per phone), after commit:
    owners without an account hear of the vote too."""
    from ..models import Owner

    phones = sorted(
        set(
            Owner.objects.filter(unit__building__compound=proposal.compound_id).values_list(
                "phone", flat=True
            )
        )
    )

    def send() -> None:
        for phone in phones:
            send_sms(phone, text)

    transaction.on_commit(send, robust=True)


def open_task(proposal: Proposal, node: Node) -> Task:
    task = (
        Task.objects.filter(
            process_id=proposal.process_id, flow_task=node, status__in=OPEN_TASK_STATUSES
        )
        .select_related("owner")
        .first()
    )
    if task is None:
        raise DeliberationConflict(
            _("“%(title)s” is not waiting for this step (%(step)s).")
            % {"title": proposal.title, "step": node.name}
        )
    return task


def task_complete(task: Task, actor: User) -> None:
    """Finish a human task as `actor` (claiming it first if nobody has) and move the flow on."""
    activation = task.flow_task.activation_class(task)
    if task.owner_id is None:
        activation.assign(actor)
    elif task.owner_id != actor.pk:
        activation.reassign(actor)
    activation.start(None)
    activation.execute()
