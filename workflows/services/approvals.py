"""What the requests to the approving level share (延期 `extensions`, 挂起 `suspension`): the
department asking, the one-pending row written under the case's lock (a simultaneous request
loses with a conflict), the pending row re-read under the lock, the decision, and who is told
on each side. The services call these inside their own transaction, after `case_locked`."""

from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from grids.models import Department, User
from grids.roles import Role
from grids.selectors import unit_members

from ..choices import Level
from ..errors import CaseConflict
from ..models import ApprovalRequest, Case
from ..permissions import can_work_dispatch, extension_approver_area

APPROVER_ROLES = (Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL)

R = TypeVar("R", bound=ApprovalRequest)


def asking_department(case: Case, actor: User) -> Department | None:
    """The department `actor` asks for (the first still working on the case that they may
    work for), or None when the case is not with departments."""
    if case.level != Level.DEPARTMENT:
        return None
    working = case.dispatches.filter(
        active=True, returned_at__isnull=True, resolved_at__isnull=True
    ).select_related("department")
    return next(d.department for d in working if can_work_dispatch(actor, d))


def request_create(
    model: type[R], *, case: Case, actor: User, conflict: str, **fields: object
) -> R:
    """The pending request; `conflict` when another is pending (the model's constraint)."""
    try:
        with transaction.atomic():  # a savepoint: the constraint's failure leaves the rest
            request = model(
                case=case, department=asking_department(case, actor), requested_by=actor, **fields
            )
            request.save(force_insert=True)
            return request
    except IntegrityError as exc:
        raise CaseConflict(conflict) from exc


def request_pending(requests: "QuerySet[R]", missing: str) -> R:
    """The pending request, locked. The transitions' conditions hold under the case's lock, so
    `missing` is only said if a caller skipped them."""
    request = requests.select_for_update().filter(state=ApprovalRequest.State.PENDING).first()
    if request is None:
        raise CaseConflict(missing)
    return request


def request_decide(request: ApprovalRequest, state: str, actor: User, note: str) -> None:
    """Write the decision (the caller saves the request with what else it decided)."""
    request.state, request.decision_note = state, note.strip()
    request.decided_by, request.decided_at = actor, timezone.now()


def approvers(case: Case) -> list[User]:
    """Who is told of a request: the approving level's community staff and street officials."""
    return unit_members(extension_approver_area(case), APPROVER_ROLES)


def askers(request: ApprovalRequest) -> list[User | None]:
    """Who is told of the decision: the person who asked and their department's heads."""
    heads = unit_members(request.department, (Role.DEPARTMENT_HEAD,)) if request.department else []
    return [request.requested_by, *heads]
