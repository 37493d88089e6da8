"""Who sees which cases: the one module that answers it, with two faces that must agree.

- `cases_visible_to(user)` — a queryset for lists, the API and search;
- `can_view(user, case)` — one case, for pages, actions and the `case:` stream.
A hypothesis test (tests/workflows/test_visibility_property.py) checks that they always give
the same answer. A case is visible to the people of its area (and every area above it), to
the departments whose part of it is going on, and to its reporter (their account, or their
verified phone given as the contact). A department whose part has ended keeps only that
part's history (`parts_seen`, `part_events`, `part_photos`): no action, no later events,
no live stream of the case.

The other questions of the same kind live here too, so that no other module builds its own
visibility `Q`: which areas' and departments' streams a user may follow (`area_stream_allowed`,
`department_stream_allowed`), whose contact details they see in full (`contact_visible`), the
workbench lists (cases to handle, to verify; department parts to claim or to lead), which
boards they may open (`board_*`), who imports a street's hotline work orders
(`hotline_import_*`), who decides its hot spots (`hotspots_manage_allowed`) and who may
load a case photo (`photo_visible`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grids.models import Area, Department
from grids.phones import verified_phone
from grids.roles import AreaLevel
from grids.selectors import (
    NOTHING,
    AnyUser,
    area_allows,
    area_grant_paths,
    areas_here_q,
    areas_q,
    department_allows,
    departments_any,
    departments_q,
)

from .choices import OPEN_STATUSES, EventKind, Level, PhotoKind, Source
from .models import Case, CaseDispatch, CaseEvent, CasePhoto
from .permissions import (
    VERIFY,
    can_handle,
    can_verify,
    is_reporter,
    on_site_paths,
    verify_paths_below_street,
)

if TYPE_CHECKING:  # lifecycle names `lifecycle_view`: it imports this module
    from .lifecycle import CaseLifecycle

VIEW_AREA = "view_area_cases"
VIEW_DEPARTMENT = "view_department_cases"
BOARD_PERMISSION = "view_area_board"
REPORT = "report_area_cases"


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Cases in the user's areas, where their departments' part is going on, or reported by
    them (a department's ended part leaves only its own history: `parts_seen`)."""
    if not user.is_authenticated:
        return Case.objects.none()
    query = areas_q(user, VIEW_AREA, path_field="area_path")
    # The dispatch table alone (no join back to cases): PostgreSQL hashes the department's
    # open parts' case ids once (the partial index `dispatch_open_part`), then walks the
    # newest-first index.
    parts = CaseDispatch.objects.filter(
        departments_q(user, VIEW_DEPARTMENT, pk_field="department"), part_open_q()
    )
    query |= Q(pk__in=parts.values("case_id"), status__in=OPEN_STATUSES)
    query |= reporter_q(user)
    return Case.objects.filter(query)


def reporter_q(user: AnyUser) -> Q:
    """The cases a person reported: with their account, or with their verified phone as the
    contact (a grid member reporting on a resident's behalf). `is_reporter` is its face for
    one case."""
    query = Q(reporter=user)
    phone = verified_phone(user)
    if phone:
        query |= Q(contact_phone=phone)
    return query


def cases_reported_by(user: AnyUser) -> QuerySet[Case]:
    """The resident's 我的案件."""
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(reporter_q(user))


def can_view(user: AnyUser, case: Case) -> bool:
    """The single-case face of `cases_visible_to`: the whole case, and acting on it."""
    if is_reporter(user, case):
        return True
    if area_allows(user, VIEW_AREA, case.area):
        return True
    if case.status not in OPEN_STATUSES:
        return False
    return any(
        part_open(d) and department_allows(user, VIEW_DEPARTMENT, d.department)
        for d in case.dispatches.all()
    )


# --- a department's part, going on or ended ------------------------------------------------


PART_ENDED = _(
    "Your department's part of case %(number)s has ended: you may read its history, not act "
    "on the case or comment on it."
)


def part_open_q(prefix: str = "") -> Q:
    """A department's part still going on (`part_open` for one): not replaced by a new round
    nor reassigned away (active), its result not reported, its return not accepted."""
    return Q(
        **{
            f"{prefix}active": True,
            f"{prefix}resolved_at__isnull": True,
            f"{prefix}return_accepted_at__isnull": True,
        }
    )


def part_open(dispatch: CaseDispatch) -> bool:
    return dispatch.active and dispatch.resolved_at is None and dispatch.return_accepted_at is None


def parts_seen(user: AnyUser, case: Case) -> list[CaseDispatch]:
    """The parts of `case` whose history `user` reads though `can_view` says no: those of
    their departments, once ended (resolved, returned and the return accepted, reassigned
    away, replaced by a new round, or the case closed). They see the case's facts they
    worked from (title, description, category, priority, place, the problem's photos), their
    parts, the events that name their departments (`event_departments`) and their own
    result photos; nothing later, and no action (not even a comment)."""
    return [
        d for d in case.dispatches.all() if department_allows(user, VIEW_DEPARTMENT, d.department)
    ]


def event_departments(payload: dict[str, Any] | None) -> set[str]:
    """The codes of the departments an event is about (its part's events): the department
    claiming, returning, reporting, rated, reassigned from or to, or dispatched to."""
    payload = payload or {}
    codes = {payload.get("department"), payload.get("from_department")}
    listed = payload.get("departments")
    if isinstance(listed, list):
        codes.update(listed)
    return {code for code in codes if isinstance(code, str) and code}


def part_events(case: Case, parts: list[CaseDispatch]) -> list[CaseEvent]:
    """The case's events of these departments' parts, oldest first."""
    codes = {part.department.code for part in parts}
    events = case.events.select_related("actor").order_by("pk")
    return [event for event in events if event_departments(event.payload) & codes]


def part_photos(case: Case, parts: list[CaseDispatch]) -> list[CasePhoto]:
    """The photos a department whose part ended sees: the problem's (what it was dispatched
    to), and the result photos of its own reports."""
    reporters = {
        event.actor_id
        for event in part_events(case, parts)
        if event.kind == EventKind.DISPATCH_RESOLVED and event.actor_id
    }
    return [
        photo
        for photo in case.photos.all()
        if photo.kind == PhotoKind.BEFORE
        or (photo.kind == PhotoKind.AFTER and photo.uploaded_by_id in reporters)
    ]


def lifecycle_view(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    """`can_view` as a status-machine permission (comments: any status, any viewer)."""
    return can_view(user, lifecycle.case)


# --- streams: whole areas and departments -----------------------------------------------------


def area_stream_allowed(user: AnyUser, area: Area) -> bool:
    """Every case of `area` and below is visible to the user (the `area:` stream)."""
    return area_allows(user, VIEW_AREA, area)


def department_stream_allowed(user: AnyUser, department: Department) -> bool:
    """Every case dispatched to `department` is visible to the user (the `dept:` stream)."""
    return department_allows(user, VIEW_DEPARTMENT, department)


# --- the reporter's contact (privacy.py masks it for everyone else) ---------------------------


def contact_visible(user: AnyUser, case: Case) -> bool:
    """The reporter, and the levels that handle or verify the case (they call back and
    check on site), see the reporter's name and phone in full."""
    return is_reporter(user, case) or can_handle(user, case) or can_verify(user, case)


# --- workbench lists -----------------------------------------------------------------------


def cases_handled_in(user: AnyUser) -> Q:
    """Cases whose handling area is one where the user handles cases."""
    return areas_q(user, "handle_area_cases", path_field="handling_area__path")


def cases_verified_by(user: AnyUser, *, on_site: bool = False) -> Q:
    """The queryset face of `permissions.can_verify`: cases whose verifying level is one of
    the user's areas, or lies below one of their areas below the street (the street's
    officials verify only what the street whistled, dispatched or took over); `on_site`:
    cases lying in the user's grid-level areas, which they verify on the spot."""
    query = NOTHING
    if on_site:
        for path in on_site_paths(user):
            query |= Q(area_path__startswith=path)
        return query
    query = areas_here_q(user, VERIFY, pk_field="verifier_area")
    for path in verify_paths_below_street(user):
        query |= Q(verifier_area__path__startswith=path)
    return query


def cases_in_view_areas(user: AnyUser) -> Q:
    """Cases lying in the user's areas (not those seen only through a department)."""
    return areas_q(user, VIEW_AREA, path_field="area_path")


def cases_reported_in(user: AnyUser, *, path_field: str = "area_path") -> Q:
    """Cases lying where the user may report (their patrol areas)."""
    return areas_q(user, REPORT, path_field=path_field)


def report_areas(user: AnyUser) -> Q:
    """The areas (an `Area` filter) where the user reports as staff, on patrol."""
    return areas_q(user, REPORT)


def reports_as_staff(user: AnyUser, area: Area) -> bool:
    """Staff report as a patrol (in their own areas); everyone else as a resident.

    The report's own area is asked first: staff reporting where they work (the usual case)
    are answered without searching all their grants."""
    if area_allows(user, REPORT, area):
        return True
    return Area.objects.filter(report_areas(user)).exists()


def parts_claimable_by(user: AnyUser) -> Q:
    """Department parts (`CaseDispatch`) the user may claim for their departments."""
    return departments_q(user, "claim_department_cases", pk_field="department")


def parts_dispatched_by(user: AnyUser) -> Q:
    """Department parts (`CaseDispatch`) of cases dispatched from a level the user
    dispatches for: the returns they review (退单审核), the parts they may reassign (改派)."""
    return areas_q(user, "dispatch_area_cases", path_field="case__handling_area__path")


def requests_decided_by(user: AnyUser) -> Q:
    """Cases whose 延期 and 挂起 requests the user decides: the same question as
    `permissions.extension_approver_area` (the level above a grid or community handling the
    case, else the handling level), as a query."""
    below_street = Q(level__in=(Level.GRID, Level.COMMUNITY), handling_area__parent__isnull=False)
    above = areas_q(user, "dispatch_area_cases", path_field="handling_area__parent__path")
    own = areas_q(user, "dispatch_area_cases", path_field="handling_area__path")
    return (below_street & above) | (~below_street & own)


def parts_led_by(user: AnyUser) -> Q:
    """Department parts of the departments the user heads."""
    return departments_q(user, "assign_department_cases", pk_field="department")


def heads_a_department(user: AnyUser) -> bool:
    return departments_any(user, "assign_department_cases")


# --- photos -------------------------------------------------------------------------------

PUBLIC_SOURCES = (Source.OPEN311,)  # requests Open311 shows to anyone, with their photos


def photo_visible(
    user: AnyUser, photo: CasePhoto, tracked: tuple[str, str] | None, shared: bool = False
) -> bool:
    """A case photo: to whoever may see the case (checked at every request, so it ends with
    the membership), to the resident following it by number and phone (`tracked`: the
    result photos the tracking page shows) and, for Open311 requests, to anyone. A reporter
    shown the case as "already reported nearby" (我也遇到) sees its problem photos through the
    short-lived signed link the list gave (`shared`), not the result or verification ones."""
    case = photo.case
    if case.source in PUBLIC_SOURCES:
        return True
    if shared and photo.kind == PhotoKind.BEFORE:
        return True
    if tracked and photo.kind == PhotoKind.AFTER and tracked == (case.number, case.contact_phone):
        return True
    if can_view(user, case):
        return True
    parts = parts_seen(user, case)
    return bool(parts) and photo in part_photos(case, parts)


# --- boards -------------------------------------------------------------------------------


def board_allowed(user: AnyUser, area: Area) -> bool:
    return area_allows(user, BOARD_PERMISSION, area)


def board_areas(user: AnyUser) -> Q:
    """The areas whose board the user may open: the first of their board grants if any
    (their own street or community), else every area the permission covers."""
    paths = area_grant_paths(user, BOARD_PERMISSION)
    return Q(path=paths[0]) if paths else areas_q(user, BOARD_PERMISSION)


# --- the hotline import (hotline/) ---------------------------------------------------------

HOTLINE_IMPORT = "dispatch_area_cases"  # the street's dispatchers take in its work orders


def hotline_import_allowed(user: AnyUser, street: Area) -> bool:
    """Who may import a street's hotline work orders, follow the import, read its error
    report and place its rows by hand: the street's dispatchers (street officials)."""
    return street.level == AreaLevel.STREET and area_allows(user, HOTLINE_IMPORT, street)


def hotline_import_streets(user: AnyUser) -> Q:
    """The streets a user may import for (as a filter on Area)."""
    return Q(level=AreaLevel.STREET) & areas_q(user, HOTLINE_IMPORT)


# --- 未诉先办 hot spots (hotspots/) -------------------------------------------------------


def hotspots_manage_allowed(user: AnyUser, street: Area) -> bool:
    """Who turns a street's hot spot into a proactive case or dismisses it: its dispatchers.
    Everyone who may open a board sees the hot spots inside it."""
    return hotline_import_allowed(user, street)


# --- maps (boards/map.py) --------------------------------------------------------------------


def map_areas(user: AnyUser) -> Q:
    """The areas whose outlines a user's case maps draw (a filter on Area): those where they
    see the cases, else (department staff) the streets their departments serve, and below.
    Outlines are no secret of a case; this only keeps each map to the user's own patch."""
    query = areas_q(user, VIEW_AREA)
    if query != NOTHING or not departments_any(user, VIEW_DEPARTMENT):
        return query
    served = Department.objects.filter(departments_q(user, VIEW_DEPARTMENT))
    streets = Area.objects.filter(level=AreaLevel.STREET, departments__in=served)
    for path in streets.values_list("path", flat=True).distinct():
        query |= Q(path__startswith=path)
    return query


# --- 申诉: the street's list of appeals ---


def appeals_listed_for(user: AnyUser) -> Q:
    """Q over `CaseAppeal`: those of cases in the streets whose appeals the user decides (a
    street official: `permissions.can_supervise`), and their own department's."""
    streets = Area.objects.filter(areas_q(user, "rate_departments"), level=AreaLevel.STREET)
    query = Q(pk__in=[])
    for path in streets.values_list("path", flat=True):
        query |= Q(case__area_path__startswith=path)
    return query | departments_q(user, VIEW_DEPARTMENT, pk_field="department")


def appeals_decided_by(user: AnyUser) -> bool:
    """Whether the user decides any street's appeals (the board links the list then)."""
    return Area.objects.filter(areas_q(user, "rate_departments"), level=AreaLevel.STREET).exists()
