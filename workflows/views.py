"""Landing pages: after login every user goes to the workbench of their most senior role."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from grids.roles import Role
from grids.selectors import user_memberships, user_roles

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
ROLE_HOME = {
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
    title, description, allowed = WORKBENCHES[workbench]
    roles = user_roles(request.user)
    if not allowed & set(roles):
        raise PermissionDenied(_("This workbench is not part of your roles."))
    context = {
        "title": title,
        "description": description,
        "memberships": user_memberships(request.user),
        "workbenches": [(slug, WORKBENCHES[slug][0]) for slug in _homes(roles)],
    }
    return render(request, "workflows/workbench.html", context)


@login_required
def case_task_redirect(request: HttpRequest, **kwargs) -> HttpResponse:
    """viewflow's task URL: the work on a case happens on the case's own page."""
    return redirect("home")
