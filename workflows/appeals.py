"""申诉: what a department's part of a case may be appealed against, and why not when nothing.

A department may appeal, within `deadlines.appeal_window()` of it:
- a poor rating of its part by the whistle-blowing level (评价权, 1–5): 1 or 2 of 5, the
  scores below 3 = 基本满意 (`choices.Rating`: 满意 and 基本满意 count as satisfied in 满意率,
  only 不满意 is poor);
- a rework (返工) of its work: a rework while the case was with the departments, whose event
  names the department among those sent back.
Each rating or rework is appealed at most once by a department (`CaseAppeal.subject`).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import AppealKind, EventKind, Level
from .deadlines import appeal_due, appeal_window
from .models import Case, CaseAppeal, CaseDispatch, CaseEvent

POOR_SCORES = (1, 2)  # of 5: a rating the department may appeal


@dataclass(frozen=True)
class Subject:
    """One rating or rework of a department's part, and until when it may be appealed."""

    kind: str
    event: CaseEvent
    due: datetime


def _rework_touched(event: CaseEvent, code: str) -> bool:
    if "departments" in event.payload:
        return code in event.payload["departments"]
    return event.level == Level.DEPARTMENT  # older events: every working department


def _candidates(case: Case, dispatch: CaseDispatch) -> list[Subject]:
    """Ratings and reworks of the department's part, appealable or not, newest first."""
    code = dispatch.department.code
    since = case.events.filter(created_at__gte=dispatch.dispatched_at).order_by("-pk")
    found: list[Subject] = []
    if dispatch.response_rating in POOR_SCORES and dispatch.rating_voided_at is None:
        rated = since.filter(kind=EventKind.DEPARTMENT_RATED, payload__department=code).first()
        if rated is not None:
            found.append(Subject(AppealKind.RATING, rated, appeal_due(rated.created_at)))
    for event in since.filter(kind=EventKind.REWORKED):
        if _rework_touched(event, code):
            found.append(Subject(AppealKind.REWORK, event, appeal_due(event.created_at)))
    return found


def appeal_subjects(
    case: Case, dispatch: CaseDispatch, now: datetime | None = None
) -> tuple[list[Subject], str]:
    """What the department may appeal now (one per kind, the newest), and when nothing,
    the reason it is told."""
    now = now or timezone.now()
    appealed = set(
        CaseAppeal.objects.filter(case=case, department_id=dispatch.department_id).values_list(
            "subject_id", flat=True
        )
    )
    pending = set(
        CaseAppeal.objects.filter(
            case=case, department_id=dispatch.department_id, state=CaseAppeal.State.PENDING
        ).values_list("kind", flat=True)
    )
    subjects: dict[str, Subject] = {}
    reason = ""
    candidates = _candidates(case, dispatch)
    names = {"department": dispatch.department, "number": case.number, "days": _days()}
    for subject in candidates:
        if subject.event.pk in appealed or subject.kind in pending:
            reason = reason or _("%(department)s has already appealed this on case %(number)s.")
        elif now > subject.due:
            names["when"] = _when(subject.due)
            reason = reason or _(
                "The appeal window of %(days)s days has closed: it ended %(when)s."
            )
        else:
            subjects.setdefault(subject.kind, subject)
    if not candidates:
        reason = _(
            "%(department)s has no poor rating (1 or 2 of 5) and no rework of its work on "
            "case %(number)s to appeal."
        )
    return list(subjects.values()), "" if subjects else reason % names


def _days() -> str:
    return f"{appeal_window().total_seconds() / 86400:g}"


def _when(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
