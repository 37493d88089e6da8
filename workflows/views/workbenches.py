"""Where each person lands (`home`) and their workbenches: the lists each role works from."""

from collections.abc import Callable, Iterable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grids.models import Membership, User
from grids.roles import Role
from grids.selectors import roles_held, signed_in, unit_members, user_memberships, user_roles

from ..actions import action_get, actions_in
from ..choices import AREA_LEVEL_BY_CASE_LEVEL, OPEN_STATUSES, EventKind, Level, Status
from ..models import Case, CaseDispatch, CaseEvent, CaseExtension, ReplyTemplate, SuspensionRequest
from ..selectors import department_figures
from ..visibility import (
    cases_handled_in,
    cases_in_view_areas,
    cases_reported_by,
    cases_verified_by,
    heads_a_department,
    parts_claimable_by,
    parts_dispatched_by,
    parts_led_by,
    requests_decided_by,
)
from .maps import case_map

# --- landing pages ---------------------------------------------------------------------------

# workbench slug -> (title, what will appear there, roles that may open it)
WORKBENCHES = {
    "grid": (
        _("My grid"),
        _(
            "Mobile intake (photo, location, category) and the list of your "
            "grid's cases: new, mine, overdue, waiting for my verification."
        ),
        {Role.GRID_MEMBER, Role.GRID_LEADER},
    ),
    "community": (
        _("Community queue"),
        _("Cases whistled up to the community, to handle or to whistle on to the departments."),
        {Role.COMMUNITY_STAFF},
    ),
    "department": (
        _("Department queue"),
        _(
            "The live queue of whistled cases to claim "
            "(report for duty), your cases, and for heads the "
            "department's figures."
        ),
        {Role.DEPARTMENT_STAFF, Role.DEPARTMENT_HEAD},
    ),
    "board": (
        _("Street board"),
        _(
            "Live response, resolution and satisfaction rates per "
            "community, grid and department, with rankings."
        ),
        {Role.STREET_OFFICIAL},
    ),
    "resident": (
        _("My cases"),
        _("Report a problem, follow your cases and rate the result."),
        {Role.RESIDENT},
    ),
}
ROLE_HOME: dict[str, str] = {
    Role.STREET_OFFICIAL: "board",
    Role.COMMUNITY_STAFF: "community",
    Role.DEPARTMENT_HEAD: "department",
    Role.DEPARTMENT_STAFF: "department",
    Role.GRID_LEADER: "grid",
    Role.GRID_MEMBER: "grid",
    Role.RESIDENT: "resident",
}


def _homes(roles: list[str]) -> list[str]:
    """Workbench slugs for the user's roles, most senior first, without repeats."""
    return list(dict.fromkeys(ROLE_HOME[role] for role in roles if role in ROLE_HOME))


def workbench_tabs(roles: list[str]) -> list[tuple[str, Promise]]:
    """(slug, title) of each workbench the user's roles open, for the tabs."""
    return [(slug, WORKBENCHES[slug][0]) for slug in _homes(roles)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    if request.user.is_staff and (not roles or roles[0] == Role.ADMINISTRATOR):
        return redirect("admin:index")
    homes = _homes(roles)
    if not homes:
        return render(request, "workflows/no_role.html")
    return redirect("workbench", workbench=homes[0])


@login_required
def workbench(request: HttpRequest, workbench: str) -> HttpResponse:
    if workbench not in WORKBENCHES:
        raise Http404
    if workbench not in WORKBENCH_SECTIONS:
        return redirect("board")  # the board is a page of its own (views/board.py)
    title, description, allowed = WORKBENCHES[workbench]
    user = signed_in(request.user)
    memberships = user_memberships(user)
    roles = roles_held(membership.role for membership in memberships)
    if not allowed & set(roles):
        raise PermissionDenied(_("This workbench is not part of your roles."))
    context = {
        "title": title,
        "description": description,
        "memberships": memberships,
        "workbenches": workbench_tabs(roles),
        "sections": WORKBENCH_SECTIONS[workbench](user),
        "part_actions": {action.name: action for action in actions_in("part")},
        "may_report": workbench in ("grid", "resident"),
        "board_link": workbench == "community",
        "now": timezone.now(),
        "case_map": case_map(user),
        "map_open": request.GET.get("map") == "1",
    }
    if workbench == "department":
        context["replies"] = return_replies(memberships)
        context["replies_link"] = heads_a_department(user)
    return render(request, "workflows/workbench.html", context)


# --- workbench lists -------------------------------------------------------------------------

QUEUE_SIZE = 50  # a department's queue: every part waiting to be claimed, oldest due first
SECTION_SIZE = 20  # a phone-sized section of "my grid"; the case list pages through the rest

Section = dict[str, object]  # one list on a workbench, as the template reads it


def _section(
    title: Promise, cases: QuerySet[Case], *, taps: Iterable[str] = (), more: str = ""
) -> Section:
    """A list of case cards: the newest SECTION_SIZE, and whether there are more.

    `more` is the case list's query for the whole section, when its filters can express it."""
    rows = list(
        cases.select_related("category", "area")
        .defer("description")
        .order_by("-reported_at")[: SECTION_SIZE + 1]
    )
    more_url = f"{reverse('case_list')}?{more}" if more else ""
    return {
        "title": title,
        "cases": rows[:SECTION_SIZE],
        "more": len(rows) > SECTION_SIZE,
        "more_url": more_url,
        "taps": [action_get(name) for name in taps],
    }


def _to_verify(user: User, level: Level) -> Section:
    cases = Case.objects.filter(
        cases_verified_by(user),
        verifier_area__level=AREA_LEVEL_BY_CASE_LEVEL[level],
        status=Status.RESOLVED,
    )
    return _section(_("Waiting for your verification"), cases)  # no list filter says "mine"


def _level_queue(user: User, level: Level, title: Promise) -> list[Section]:
    handling = Case.objects.filter(
        cases_handled_in(user),
        level=level,
        status__in=(Status.REPORTED, Status.HANDLING),
    )
    return [
        _section(title, handling),
        _returns_to_review(user, level),
        requests_to_decide(user),
        _to_verify(user, level),
    ]


def requests_to_decide(user: User) -> Section:
    """延期 and 挂起 requests waiting for this user's level, the oldest first: each card says
    what is asked and opens the case page at the decision (three queries in all)."""
    pending = Q(extensions__state="pending") | Q(suspension_requests__state="pending")
    cases = (
        Case.objects.filter(
            requests_decided_by(user),
            pending,
            status__in=(Status.HANDLING, Status.DISPATCHED),
        )
        .distinct()
        .select_related("category", "area")
        .defer("description")
        .prefetch_related(
            Prefetch(
                "extensions",
                CaseExtension.objects.filter(state="pending"),
                to_attr="pending_extensions",
            ),
            Prefetch(
                "suspension_requests",
                SuspensionRequest.objects.filter(state="pending"),
                to_attr="pending_suspensions",
            ),
        )
        .order_by("reported_at", "pk")
    )
    return {"title": _("Requests to decide"), "cases": list(cases[:QUEUE_SIZE]), "cards": True}


def _returns_to_review(user: User, level: Level) -> Section:
    """退单审核: departments' returns of cases this level dispatched, oldest deadline first."""
    parts = (
        CaseDispatch.objects.filter(
            parts_dispatched_by(user),
            case__handling_area__level=AREA_LEVEL_BY_CASE_LEVEL[level],
            active=True,
            returned_at__isnull=False,
            return_accepted_at__isnull=True,
        )
        .select_related("case", "case__category", "case__area", "department", "claimed_by")
        .defer("case__description")
        .order_by("review_due", "pk")
    )
    return {"title": _("Returns to review"), "dispatches": list(parts[:QUEUE_SIZE])}


def _grid_sections(user: User) -> list[Section]:
    """My grid: new cases to accept, mine to finish, overdue ones, results to verify."""
    in_my_grids = Case.objects.filter(cases_handled_in(user), level=Level.GRID)
    visible = Case.objects.filter(cases_in_view_areas(user))
    to_verify = Case.objects.filter(cases_verified_by(user, on_site=True))
    return [
        _section(
            _("New in my grid"),
            in_my_grids.filter(status=Status.REPORTED),
            taps=["accept"],
            more="status=reported&level=grid",
        ),
        _section(
            _("Mine to finish"),
            Case.objects.filter(handler=user, status=Status.HANDLING),
            taps=["resolve", "whistle"],
        ),
        _section(_("Overdue"), visible.filter(overdue=True, status__in=OPEN_STATUSES)),
        _section(
            _("Waiting for my verification"),
            to_verify.filter(status=Status.RESOLVED),
            taps=["verify", "rework"],
            more="status=resolved",
        ),
        _section(
            _("Whistled up from my grid"),
            visible.filter(status__in=(Status.HANDLING, Status.DISPATCHED)).exclude(
                level=Level.GRID
            ),
        ),
    ]


def _community_sections(user: User) -> list[Section]:
    return _level_queue(user, Level.COMMUNITY, _("Cases at community level"))


def _department_sections(user: User) -> list[Section]:
    """The live queue to claim, my cases, and for heads their staff's cases and figures."""
    open_parts = (
        CaseDispatch.objects.filter(
            active=True,
            returned_at__isnull=True,
            resolved_at__isnull=True,
            case__status__in=(Status.DISPATCHED, Status.HANDLING),
        )
        .select_related("case", "case__category", "case__area", "department", "claimed_by")
        .defer("case__description")
        .order_by("claim_due", "pk")
    )
    mine = parts_claimable_by(user)
    # the newest dispatch first: what arrives during the day comes in at the top
    queue = list(
        open_parts.filter(mine, claimed_by__isnull=True).order_by("-dispatched_at", "-pk")[
            :QUEUE_SIZE
        ]
    )
    in_hand = list(open_parts.filter(claimed_by=user).order_by("resolve_due")[:QUEUE_SIZE])
    heads = heads_a_department(user)
    staff_list: list[CaseDispatch] = []
    if heads:
        staff_parts = open_parts.filter(parts_led_by(user), claimed_by__isnull=False)
        staff_list = list(staff_parts.exclude(claimed_by=user).order_by("resolve_due")[:QUEUE_SIZE])
    notes = whistle_notes([*queue, *in_hand, *staff_list])  # one query for every card
    sections: list[Section] = [
        {
            "title": _("Waiting for us to report for duty"),
            "dispatches": queue,
            "queue": True,
            "notes": notes,
            "select": True,
            "staff": _staff_of_headed(user) if heads else [],
        },
        {"title": _("My cases (claimed by me)"), "dispatches": in_hand, "notes": notes},
    ]
    if heads:
        sections.append(
            {"title": _("In hand with my staff"), "dispatches": staff_list, "notes": notes}
        )
        sections.append(
            {"title": _("Department figures (30 days)"), "figures": department_figures(user)}
        )
    return sections


def return_replies(memberships: list[Membership]) -> dict[int, list[ReplyTemplate]]:
    """常用回复 for returns of the user's departments, by department id (the queue's cards)."""
    departments = [m.department_id for m in memberships if m.department_id]
    replies: dict[int, list[ReplyTemplate]] = {}
    rows = ReplyTemplate.objects.filter(department__in=departments, kind=ReplyTemplate.Kind.RETURN)
    for row in rows:
        replies.setdefault(row.department_id, []).append(row)
    return replies


def _staff_of_headed(user: User) -> list[User]:
    """The staff of the departments `user` heads: whom "give the selected to" offers."""
    staff: dict[int, User] = {}
    for membership in user_memberships(user):
        if membership.role == Role.DEPARTMENT_HEAD and membership.department:
            roles = (Role.DEPARTMENT_STAFF, Role.DEPARTMENT_HEAD)
            for person in unit_members(membership.department, roles):
                staff[person.pk] = person
    return list(staff.values())


def whistle_notes(parts: list[CaseDispatch]) -> dict[int, dict[str, str]]:
    """Case id → the reason of its latest whistle up and the dispatcher's instruction (the
    reason given when it was whistled to the departments), for the queue's cards: one query."""
    notes: dict[int, dict[str, str]] = {p.case_id: {} for p in parts}
    events = CaseEvent.objects.filter(
        case_id__in=list(notes), kind__in=(EventKind.WHISTLED, EventKind.DISPATCHED)
    ).order_by("pk")
    for case_id, kind, payload in events.values_list("case_id", "kind", "payload"):
        key = "whistle" if kind == EventKind.WHISTLED else "instruction"
        notes[case_id][key] = str((payload or {}).get("reason", ""))
    return notes


def street_queue_sections(user: User) -> list[Section]:
    """The street official's own lists, shown under the street board."""
    return _level_queue(user, Level.STREET, _("Cases at street level"))


def _resident_sections(user: User) -> list[Section]:
    return [_section(_("Cases I reported"), cases_reported_by(user))]


WORKBENCH_SECTIONS: dict[str, Callable[[User], list[Section]]] = {
    "grid": _grid_sections,
    "community": _community_sections,
    "department": _department_sections,
    "resident": _resident_sections,
}
