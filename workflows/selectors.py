"""Reads about cases: open tasks, common categories, department figures, list pages.

Who sees which cases is `visibility.py`'s question; time limits are `deadlines.py`'s."""

from datetime import timedelta

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from gridcase.inputs import strict_int
from grids.models import Area, Department
from grids.selectors import AnyUser

from .models import Case, CaseDispatch, Category, ReplyTemplate, Responsibility
from .visibility import cases_reported_in, parts_led_by

COMMON_CATEGORIES_WINDOW = timedelta(days=90)

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def case_open_tasks(case: Case) -> QuerySet[Task]:
    """The process's open human tasks (intake, handle, claim, verify)."""
    tasks: QuerySet[Task] = Task.objects.filter(  # viewflow's models are untyped (Any)
        process_id=case.process_id, flow_task_type="HUMAN", status__in=OPEN_TASK_STATUSES
    )
    return tasks


def categories_common_first(user: AnyUser) -> QuerySet[Category]:
    """Active categories, those most reported lately where the user reports (their areas,
    or their own reports) first, then in the taxonomy's order. One query."""
    recent = Q(case__reported_at__gte=timezone.now() - COMMON_CATEGORIES_WINDOW)
    if user.is_authenticated:
        where = cases_reported_in(user, path_field="case__area_path")
        where |= Q(case__reporter=user)
    else:
        where = Q()  # the public: what the whole district reports most
    return (
        Category.objects.filter(active=True)
        .annotate(recent=Count("case", filter=recent & where))
        .order_by("-recent", "sort_order", "code")
    )


FIGURES_WINDOW = timedelta(days=30)


def department_figures(user: AnyUser) -> dict[str, int | float | None]:
    """For the departments the user heads: what is waiting now, and over 30 days how many
    parts were dispatched, claimed in time (响应率), finished, and how they were rated.
    One aggregate query."""
    now = timezone.now()
    parts = CaseDispatch.objects.filter(parts_led_by(user))
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


def cases_page(
    cases: QuerySet[Case], *, after: str, size: int, oldest: bool = False
) -> tuple[list[Case], int | None]:
    """Newest (or, `oldest`, oldest) first, one page after the case with pk `after` (keyset:
    no OFFSET, no COUNT, so a page costs the same at the millionth case as at the first).
    Returns the page and the pk to continue after, or None on the last page."""
    if oldest:
        ordered = cases.order_by("reported_at", "pk")
    else:
        ordered = cases.order_by("-reported_at", "-pk")
    after_pk = strict_int(after)
    if after_pk is not None and (ref := Case.objects.filter(pk=after_pk).first()):
        when = ref.reported_at
        if oldest:
            later = Q(reported_at__gt=when) | Q(reported_at=when, pk__gt=ref.pk)
            ordered = ordered.filter(later)
        else:
            earlier = Q(reported_at__lt=when) | Q(reported_at=when, pk__lt=ref.pk)
            ordered = ordered.filter(earlier)
    rows = list(ordered[: size + 1])
    return rows[:size], rows[size - 1].pk if len(rows) > size else None


def departments_suggested(
    category: Category, street: Area, serving: list[Department]
) -> list[Department]:
    """The departments that usually handle `category` in `street`, of those `serving` it:
    the street's 权责清单 lines for the category in order, then departments of the category's
    default kind. Suggested first when the case is whistled to departments."""
    listed = Responsibility.objects.filter(street=street, category=category).order_by(
        "position", "pk"
    )
    by_pk = {d.pk: d for d in serving}
    suggested = [by_pk[pk] for pk in listed.values_list("department_id", flat=True) if pk in by_pk]
    kind = category.default_department_kind
    suggested += [d for d in serving if kind and d.kind == kind and d not in suggested]
    return suggested


def reply_templates_for(department: Department, kind: str) -> list[ReplyTemplate]:
    """常用回复 of one department for results or returns, in their order (only its own)."""
    return list(ReplyTemplate.objects.filter(department=department, kind=kind))
