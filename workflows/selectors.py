"""Every read about cases: time limits, visible cases, open tasks."""

from datetime import timedelta

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from grids.selectors import areas_q, departments_q

from .choices import Level, Priority
from .models import Case, CaseDispatch, Category, TimeLimitPolicy

COMMON_CATEGORIES_WINDOW = timedelta(days=90)

# Defaults from practice (DESIGN.md): (respond/claim, resolve) per priority.
DEFAULT_LIMITS: dict[str, tuple[timedelta, timedelta]] = {
    Priority.EMERGENCY: (timedelta(minutes=5), timedelta(hours=2)),
    Priority.URGENT: (timedelta(minutes=30), timedelta(hours=24)),
    Priority.NORMAL: (timedelta(hours=2), timedelta(days=7)),
    Priority.COMPLEX: (timedelta(hours=2), timedelta(days=15)),
}
DEPARTMENT_CLAIM_LIMIT = timedelta(minutes=30)  # 部门 30 分钟内报到
OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def time_limits(category: Category, priority: str, level: str) -> tuple[timedelta, timedelta]:
    """(respond, resolve) for a level: the category's own policy, else the default policy."""
    policies = TimeLimitPolicy.objects.filter(
        Q(category=category) | Q(category__isnull=True), priority=priority, level=level
    )
    policy = min(policies, key=lambda p: p.category_id is None, default=None)
    if policy is not None:
        return policy.respond, policy.resolve
    respond, resolve = DEFAULT_LIMITS[priority]
    if level == Level.DEPARTMENT:
        respond = min(respond, DEPARTMENT_CLAIM_LIMIT)
    return respond, resolve


def cases_visible_to(user) -> QuerySet[Case]:
    """Cases in the user's areas, dispatched to their departments, or reported by them."""
    if not user.is_authenticated:
        return Case.objects.none()
    query = areas_q(user, "view_area_cases", path_field="area_path")
    # The dispatch table alone (no join back to cases): PostgreSQL hashes the department's
    # case ids once, then walks the newest-first index.
    query |= Q(
        pk__in=CaseDispatch.objects.filter(
            departments_q(user, "view_department_cases", pk_field="department")
        ).values("case_id")
    )
    query |= Q(reporter=user)
    return Case.objects.filter(query)


def case_open_tasks(case: Case) -> QuerySet[Task]:
    """The process's open human tasks (intake, handle, claim, verify)."""
    return Task.objects.filter(
        process_id=case.process_id, flow_task_type="HUMAN", status__in=OPEN_TASK_STATUSES
    )


def categories_common_first(user) -> QuerySet[Category]:
    """Active categories, those most reported lately where the user reports (their areas,
    or their own reports) first, then in the taxonomy's order. One query."""
    recent = Q(case__reported_at__gte=timezone.now() - COMMON_CATEGORIES_WINDOW)
    if user.is_authenticated:
        where = areas_q(user, "report_area_cases", path_field="case__area_path")
        where |= Q(case__reporter=user)
    else:
        where = Q()  # the public: what the whole district reports most
    return (
        Category.objects.filter(active=True)
        .annotate(recent=Count("case", filter=recent & where))
        .order_by("-recent", "sort_order", "code")
    )


FIGURES_WINDOW = timedelta(days=30)


def department_figures(user) -> dict:
    """For the departments the user heads: what is waiting now, and over 30 days how many
    parts were dispatched, claimed in time (响应率), finished, and how they were rated.
    One aggregate query."""
    now = timezone.now()
    parts = CaseDispatch.objects.filter(
        departments_q(user, "assign_department_cases", pk_field="department")
    )
    working = Q(active=True, returned_at__isnull=True, resolved_at__isnull=True)
    recent = Q(dispatched_at__gte=now - FIGURES_WINDOW)
    figures = parts.aggregate(
        waiting=Count("pk", filter=working & Q(claimed_by__isnull=True)),
        in_hand=Count("pk", filter=working & Q(claimed_by__isnull=False)),
        late=Count(
            "pk",
            filter=working
            & (Q(claimed_by__isnull=True, claim_due__lt=now) | Q(resolve_due__lt=now)),
        ),
        dispatched=Count("pk", filter=recent),
        claimed_in_time=Count("pk", filter=recent & Q(claimed_at__lte=F("claim_due"))),
        finished=Count("pk", filter=recent & Q(resolved_at__isnull=False)),
        rating=Avg("response_rating", filter=recent),
        claim_seconds=Avg(F("claimed_at") - F("dispatched_at"), filter=recent),
    )
    dispatched = figures["dispatched"]
    figures["response_rate"] = figures["claimed_in_time"] / dispatched if dispatched else None
    wait = figures.pop("claim_seconds")
    figures["claim_minutes"] = wait.total_seconds() / 60 if wait is not None else None
    return figures


def cases_page(cases: QuerySet[Case], *, after: str, size: int) -> tuple[list[Case], int | None]:
    """Newest first, one page after the case with pk `after` (keyset: no OFFSET, no COUNT,
    so a page costs the same at the millionth case as at the first). Returns the page and
    the pk to continue after, or None on the last page."""
    ordered = cases.order_by("-reported_at", "-pk")
    if after.isdigit() and (ref := Case.objects.filter(pk=int(after)).first()):
        when = ref.reported_at
        ordered = ordered.filter(Q(reported_at__lt=when) | Q(reported_at=when, pk__lt=ref.pk))
    rows = list(ordered[: size + 1])
    return rows[:size], rows[size - 1].pk if len(rows) > size else None
