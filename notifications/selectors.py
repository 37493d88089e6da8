"""Reads for the live-event socket: which streams a user may follow, and what they missed."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from grids.models import Area, Department
from grids.selectors import area_allows, department_allows
from workflows.models import Case, CaseDispatch, CaseEvent
from workflows.permissions import can_view

from .broadcasts import event_payload
from .models import Notification

REPLAY_LIMIT = 5000  # beyond this many missed events a reload is cheaper than a replay
COMMIT_SLACK = timedelta(seconds=30)  # longer than any case transaction runs


def replay_window() -> timedelta:
    return timedelta(seconds=getattr(settings, "GRIDCASE_REPLAY_WINDOW_SECONDS", 24 * 3600))


def stream_authorise(user, name: str) -> tuple[str | None, str | None, Q | None]:
    """(group, refusal code, Q over cases) for one stream name; the same rules as the pages."""
    kind, _, key = name.partition(":")
    if kind == "user" and not key:
        q = Q(reporter=user) | Q(handler=user) | Q(dispatches__claimed_by=user)
        return f"user.{user.pk}", None, q
    lookups = {"area": (Area, "code"), "dept": (Department, "code"), "case": (Case, "number")}
    if kind not in lookups or not key:
        return None, "invalid", None
    model, field = lookups[kind]
    unit = model.objects.filter(**{field: key}).first()
    if unit is None:
        return None, "unknown", None
    allowed = {
        "area": lambda: area_allows(user, "view_area_cases", unit),
        "dept": lambda: department_allows(user, "view_department_cases", unit),
        "case": lambda: can_view(user, unit),
    }[kind]()
    if not allowed:
        return None, "forbidden", None
    q = {
        "area": lambda: Q(area_path__startswith=unit.path),
        "dept": lambda: Q(dispatches__department=unit),
        "case": lambda: Q(pk=unit.pk),
    }[kind]()
    return f"{kind}.{unit.pk}", None, q


def events_missed(cases_q: Q, since: int) -> list[dict] | None:
    """Payloads of the events a client with `since` may lack, oldest first; None: resync.

    Ids are taken at insert, not at commit: on PostgreSQL a transaction holding a lower id can
    commit after the client saw a higher one. So the replay also covers events at or below
    `since` written up to COMMIT_SLACK before it; clients drop the ids they already have.
    """
    now = timezone.now()
    if CaseEvent.objects.filter(pk__gt=since, created_at__lt=now - replay_window()).exists():
        return None
    anchor = CaseEvent.objects.filter(pk__lte=since).order_by("-pk").values("created_at").first()
    recent = Q(pk__gt=since)
    if anchor is not None:
        recent |= Q(created_at__gte=anchor["created_at"] - COMMIT_SLACK)
    cases = Case.objects.filter(cases_q).values("pk")
    events = list(
        CaseEvent.objects.filter(recent, case__in=cases)
        .select_related("case")
        .order_by("pk")[: REPLAY_LIMIT + 1]
    )
    if len(events) > REPLAY_LIMIT:
        return None
    departments = defaultdict(list)  # one query for every replayed case, not one per event
    dispatches = CaseDispatch.objects.filter(
        case__in={event.case_id for event in events}, active=True
    ).order_by("department_id")
    for case_id, department_id in dispatches.values_list("case_id", "department_id"):
        departments[case_id].append(department_id)
    return [event_payload(event, departments[event.case_id]) for event in events]


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
