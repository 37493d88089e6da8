"""Roles, where each may be held, and the object permissions each role grants on its unit.

A role is held on an Area (grid member on a grid, community staff on a community, …) or on a
Department (department staff/head). The permissions below are granted, through guardian, to
one group per (unit, role); a grant on an Area covers every Area below it (see selectors).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    MICROGRID = "microgrid", _("Micro-grid")
    BUILDING = "building", _("Building")


# Depth rank of each level: a child's level must rank strictly below its parent's.
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(AreaLevel.values)}


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_MEMBER = "grid_member", _("Grid member")
    GRID_LEADER = "grid_leader", _("Grid leader")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_OFFICIAL = "street_official", _("Street official")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    ADMINISTRATOR = "administrator", _("Administrator")


# Area levels on which each area role may be held.
AREA_ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.RESIDENT: frozenset(AreaLevel.values),
    Role.GRID_MEMBER: frozenset({AreaLevel.GRID, AreaLevel.MICROGRID}),
    Role.GRID_LEADER: frozenset({AreaLevel.GRID}),
    Role.COMMUNITY_STAFF: frozenset({AreaLevel.COMMUNITY}),
    Role.STREET_OFFICIAL: frozenset({AreaLevel.STREET}),
    Role.ADMINISTRATOR: frozenset({AreaLevel.STREET, AreaLevel.COMMUNITY}),
}
DEPARTMENT_ROLES: frozenset[str] = frozenset({Role.DEPARTMENT_STAFF, Role.DEPARTMENT_HEAD})

# Object permissions (codenames, declared in the models' Meta) granted per role on its unit.
_AREA_WORKER = ("view_area_cases", "report_area_cases", "handle_area_cases", "verify_area_cases")
_AREA_DISPATCHER = (*_AREA_WORKER, "dispatch_area_cases", "assign_area_cases", "view_area_board")
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.RESIDENT: (),  # residents act only on their own cases, never on an area
    Role.GRID_MEMBER: _AREA_WORKER,
    Role.GRID_LEADER: (*_AREA_WORKER, "assign_area_cases"),
    Role.COMMUNITY_STAFF: _AREA_DISPATCHER,
    Role.STREET_OFFICIAL: (*_AREA_DISPATCHER, "rate_departments"),
    Role.ADMINISTRATOR: ("view_area_cases", "view_area_board", "manage_area"),
    Role.DEPARTMENT_STAFF: ("view_department_cases", "claim_department_cases"),
    Role.DEPARTMENT_HEAD: (
        "view_department_cases",
        "claim_department_cases",
        "assign_department_cases",
        "view_department_board",
    ),
}

# Which role's home a user with several roles lands on first (most senior first).
ROLE_PRECEDENCE: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.STREET_OFFICIAL,
    Role.COMMUNITY_STAFF,
    Role.DEPARTMENT_HEAD,
    Role.DEPARTMENT_STAFF,
    Role.GRID_LEADER,
    Role.GRID_MEMBER,
    Role.RESIDENT,
)
