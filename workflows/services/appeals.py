"""申诉: a department appeals a poor rating of its part or a rework of its work, with a
reason and evidence photos, within the window; the street's officials decide. Upheld, the
rating or the rework no longer counts in the rankings and rates (the board counters follow,
`boards.counters`); dismissed, it stands. Both decisions and their reasons are in the history."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from grids.models import Department, User
from grids.roles import AreaLevel, Role
from grids.selectors import area_ancestor_at, unit_members
from notifications.models import Notification

from ..appeals import appeal_subjects
from ..choices import AppealKind, EventKind, PhotoKind
from ..errors import CaseActionDenied, CaseConflict
from ..lifecycle import DispatchLifecycle
from ..models import Case, CaseAppeal, CaseDispatch
from ..photos import photo_clean
from .common import case_locked, event_announce, photos_attach, text_required, transition_check

NOTHING_OF_KIND: dict[str, StrOrPromise] = {
    AppealKind.RATING: _lazy(
        "%(department)s has no poor rating on case %(number)s that it may appeal now."
    ),
    AppealKind.REWORK: _lazy(
        "%(department)s has no rework of its work on case %(number)s that it may appeal now."
    ),
}


def _part_of(case: Case, department: Department) -> CaseDispatch:
    """The department's latest part of the case (any round), locked; refused without one."""
    dispatch = (
        case.dispatches.select_for_update(of=("self",))
        .select_related("department")
        .filter(department=department)
        .order_by("-active", "-pk")
        .first()
    )
    if dispatch is None:
        raise CaseActionDenied(
            _("%(department)s had no part in case %(number)s: it has nothing to appeal.")
            % {"department": department, "number": case.number}
        )
    return dispatch


def _street_officials(case: Case) -> list[User]:
    street = area_ancestor_at(case.area, AreaLevel.STREET)
    return unit_members(street, (Role.STREET_OFFICIAL,)) if street else []


@transaction.atomic
def case_appeal(
    *,
    case: Case,
    actor: User,
    department: Department,
    kind: str,
    reason: str,
    photos: Sequence[File[bytes]] = (),
) -> CaseAppeal:
    """申诉 filed by the department's staff or head: against a poor rating (`kind` "rating")
    or a rework ("rework") of its part, within the window, with a reason and photos."""
    if kind not in AppealKind.values:
        raise ValidationError(_("Choose what the appeal is against: a rating or a rework."))
    reason = text_required(reason, _("Say why the appeal is justified."))
    cleaned = [photo_clean(photo) for photo in photos]
    with case_locked(case) as case:
        dispatch = _part_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "appeal", actor)
        subjects, _why = appeal_subjects(case, dispatch)
        subject = next((s for s in subjects if s.kind == kind), None)
        if subject is None:
            raise CaseConflict(
                NOTHING_OF_KIND[kind] % {"department": department, "number": case.number}
            )
        try:
            with transaction.atomic():  # the one-open and once constraints: a simultaneous one
                appeal = CaseAppeal.objects.create(
                    case=case,
                    dispatch=dispatch,
                    department=department,
                    kind=kind,
                    subject=subject.event,
                    appealed_by=actor,
                    reason=reason,
                )
        except IntegrityError as exc:
            raise CaseConflict(_("Another appeal of this came first.")) from exc
        photos_attach(case, PhotoKind.APPEAL, cleaned, actor, appeal=appeal)
        event_announce(
            case,
            EventKind.APPEALED,
            actor,
            before=case.status,
            department=department.code,
            appeal=kind,
            reason=reason,
            photos=len(cleaned),
            tell=_street_officials(case),
            notice=Notification.Kind.QUEUE,
            text=f"{case.number} {department.name} 申诉（{AppealKind(kind).label}）：{reason}",
        )
    return appeal


@transaction.atomic
def case_appeal_uphold(
    *, case: Case, actor: User, department: Department, reason: str, kind: str = ""
) -> CaseAppeal:
    """申诉 upheld: the rating is set aside, or the rework taken off the case's count."""
    return _decide(case, actor, department, kind, reason, upheld=True)


@transaction.atomic
def case_appeal_dismiss(
    *, case: Case, actor: User, department: Department, reason: str, kind: str = ""
) -> CaseAppeal:
    """申诉 dismissed: the rating or the rework stands."""
    return _decide(case, actor, department, kind, reason, upheld=False)


def _decide(
    case: Case, actor: User, department: Department, kind: str, reason: str, *, upheld: bool
) -> CaseAppeal:
    reason = text_required(reason, _("Give the reason for the decision."))
    with case_locked(case) as case:
        dispatch = _part_of(case, department)
        name = "uphold_appeal" if upheld else "dismiss_appeal"
        transition_check(DispatchLifecycle(case, dispatch), name, actor)
        appeal = _pending(case, department, kind)
        now = timezone.now()
        appeal.state = CaseAppeal.State.UPHELD if upheld else CaseAppeal.State.DISMISSED
        appeal.decided_by, appeal.decided_at, appeal.decision_reason = actor, now, reason
        appeal.save()
        payload: dict[str, object] = {}
        if upheld and appeal.kind == AppealKind.RATING:
            part = appeal.dispatch
            part.rating_voided_at = now
            part.save(update_fields=["rating_voided_at"])
            payload = {"dispatch": part.pk, "score": part.response_rating}
        elif upheld:  # the rework no longer counts: the case's rework count drops by one
            case.rework_count = max(case.rework_count - 1, 0)
            case.save()
        heads = unit_members(department, (Role.DEPARTMENT_HEAD,))
        verdict = "申诉成立" if upheld else "申诉驳回"
        event_announce(
            case,
            EventKind.APPEAL_UPHELD if upheld else EventKind.APPEAL_DISMISSED,
            actor,
            before=case.status,
            department=department.code,
            appeal=appeal.kind,
            reason=reason,
            tell=[appeal.appealed_by, *heads],
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{case.number} {verdict}：{reason}",
            **payload,
        )
    return appeal


def _pending(case: Case, department: Department, kind: str) -> CaseAppeal:
    pending = list(case.appeals.select_for_update().filter(department=department, state="pending"))
    if kind:
        pending = [a for a in pending if a.kind == kind]
    if not pending:  # the transition's condition holds under the lock: only a wrong kind
        raise CaseConflict(
            _("No appeal of %(department)s of that kind is waiting on case %(number)s.")
            % {"department": department, "number": case.number}
        )
    if len(pending) > 1:
        raise ValidationError(_("Two appeals are waiting: say which one (rating or rework)."))
    return pending[0]
