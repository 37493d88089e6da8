"""Time limits and deadlines: the one place that says how long each step may take.

The limits are `TimeLimitPolicy` rows (editable in the admin; migration 0002 writes the
defaults below as rows), per category × priority × level. Services set deadlines only through
`deadlines_set` and `dispatch_deadlines`; the flow's timers read the deadlines these wrote.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .choices import Level, Priority
from .models import Case, Category, TimeLimitPolicy

# Defaults from practice (DESIGN.md): (respond/claim, resolve) per priority.
DEFAULT_LIMITS: dict[str, tuple[timedelta, timedelta]] = {
    Priority.EMERGENCY: (timedelta(minutes=5), timedelta(hours=2)),
    Priority.URGENT: (timedelta(minutes=30), timedelta(hours=24)),
    Priority.NORMAL: (timedelta(hours=2), timedelta(days=7)),
    Priority.COMPLEX: (timedelta(hours=2), timedelta(days=15)),
}
DEPARTMENT_CLAIM_LIMIT = timedelta(minutes=30)  # 部门 30 分钟内报到
# 退单审核: the dispatching level reviews a department's return within this time.
RETURN_REVIEW_LIMIT = timedelta(hours=2)
# 延期: how many times a case's deadline may be asked to move (setting GRIDCASE_MAX_EXTENSIONS).
DEFAULT_MAX_EXTENSIONS = 2
# 不满意 within this window after closing reopens the case (once); the flow waits as long
# for the resident's rating.
REOPEN_WINDOW = timedelta(days=7)


def default_limits(priority: str, level: str) -> tuple[timedelta, timedelta]:
    """(respond, resolve) from practice, before any policy row says otherwise."""
    respond, resolve = DEFAULT_LIMITS[priority]
    if level == Level.DEPARTMENT:
        respond = min(respond, DEPARTMENT_CLAIM_LIMIT)
    return respond, resolve


def time_limits(category: Category, priority: str, level: str) -> tuple[timedelta, timedelta]:
    """(respond, resolve) for a level: the category's own policy, else the default policy."""
    policies = TimeLimitPolicy.objects.filter(
        Q(category=category) | Q(category__isnull=True), priority=priority, level=level
    )
    policy = min(policies, key=lambda p: p.category_id is None, default=None)
    if policy is not None:
        return policy.respond, policy.resolve
    return default_limits(priority, level)


def deadlines_set(case: Case, level: str, now: datetime | None = None) -> None:
    """The case's respond and resolve deadlines from now, for the level that has it now."""
    now = now or timezone.now()
    respond, resolve = time_limits(case.category, case.priority, level)
    case.respond_due, case.resolve_due = now + respond, now + resolve
    case.overdue = False


def dispatch_deadlines(case: Case, now: datetime) -> tuple[datetime, datetime]:
    """(claim by, resolve by) for the departments a case is dispatched to at `now`; the case
    carries the same deadlines while it is with them."""
    claim, resolve = time_limits(case.category, case.priority, Level.DEPARTMENT)
    case.respond_due, case.resolve_due = now + claim, now + resolve
    return now + claim, now + resolve


def within_reopen_window(closed_at: datetime | None, now: datetime | None = None) -> bool:
    return closed_at is not None and (now or timezone.now()) - closed_at <= REOPEN_WINDOW


def nearby_closed_window() -> timedelta:
    """How long after closing a case is still offered as "already reported" (我也遇到) and
    may be followed: `GRIDCASE_NEARBY_CLOSED_DAYS`, 30 days by default."""
    return timedelta(days=int(getattr(settings, "GRIDCASE_NEARBY_CLOSED_DAYS", 30)))


def within_nearby_window(closed_at: datetime | None, now: datetime | None = None) -> bool:
    return closed_at is not None and (now or timezone.now()) - closed_at <= nearby_closed_window()


def obvious_duplicate_window() -> timedelta:
    """Open311 reports this soon after an earlier one nearby are marked for staff review:
    `GRIDCASE_OBVIOUS_DUPLICATE_HOURS`, 24 hours by default."""
    return timedelta(hours=float(getattr(settings, "GRIDCASE_OBVIOUS_DUPLICATE_HOURS", 24)))


def part_claim_due(case: Case, now: datetime) -> datetime:
    """A department's new claim deadline (改派 to it, or its return refused): the claim
    limit from now. The case keeps its resolve deadline: moving it is 延期's business."""
    claim, _resolve = time_limits(case.category, case.priority, Level.DEPARTMENT)
    return now + claim


def return_review_due(now: datetime) -> datetime:
    return now + RETURN_REVIEW_LIMIT


def extensions_allowed() -> int:
    """延期 requests per case: the GRIDCASE_MAX_EXTENSIONS setting, default 2."""
    return int(getattr(settings, "GRIDCASE_MAX_EXTENSIONS", DEFAULT_MAX_EXTENSIONS))


def extension_apply(case: Case, granted: datetime) -> None:
    """An approved extension: the case's resolve deadline, and that of each department part
    still working on it, become `granted` (the on-time figures count against it)."""
    case.resolve_due = granted
    case.dispatches.filter(active=True, returned_at__isnull=True, resolved_at__isnull=True).update(
        resolve_due=granted
    )


# 申诉: a department appeals a rating or a rework within this many days (GRIDCASE_APPEAL_DAYS).
DEFAULT_APPEAL_DAYS = 3


def appeal_window() -> timedelta:
    """How long after a rating or a rework the department may appeal it:
    `GRIDCASE_APPEAL_DAYS`, 3 days by default."""
    return timedelta(days=float(getattr(settings, "GRIDCASE_APPEAL_DAYS", DEFAULT_APPEAL_DAYS)))


def appeal_due(since: datetime) -> datetime:
    """The end of the appeal window of a rating or rework given at `since`."""
    return since + appeal_window()


def within_appeal_window(since: datetime, now: datetime | None = None) -> bool:
    return (now or timezone.now()) <= appeal_due(since)
