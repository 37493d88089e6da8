"""Every read about the organisation, above all: where may this user see and act?

Visibility has two faces that must always agree (a property-based test checks it):
- `areas_q` / `departments_q` build a `Q()` for querysets (lists, boards, counts);
- `area_allows` / `department_allows` answer for one object (detail pages, websockets).
A permission granted on an Area covers the Area and every Area below it.

Every answer comes from `user_grants`: the user's object permissions read in one query and
kept on the user object, as Django keeps `_perm_cache` for model permissions. A request's user
is loaded per request; the membership services drop the cache of the user they change.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, Value
from guardian.models import GroupObjectPermission, UserObjectPermission
from shapely.geometry import Point

from .geo import NESTING_TOLERANCE_DEG, BoundaryError, polygon_from_geojson
from .models import Area, Department, Membership, User
from .roles import ROLE_PRECEDENCE

AnyUser = User | AnonymousUser
NOTHING = Q(pk__in=[])


def signed_in(user: object) -> User:
    """The person behind a request that requires a login (pages behind `login_required`,
    the API's `IsAuthenticated`): narrowed from "maybe anonymous", refused if it is not."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("This needs a signed-in account.")
    return user


def _sees_everything(user: AnyUser, perm: str) -> bool:
    """Superusers, and holders of the model-wide permission, act everywhere."""
    return user.is_active and (user.is_superuser or perm in user_grants(user).everywhere)


@dataclass(frozen=True)
class Grants:
    """A user's permissions on areas and departments (directly or through groups)."""

    pks: dict[tuple[str, str], frozenset[int]]  # (model, codename) -> object pks
    area_paths: dict[int, str] = field(default_factory=dict)  # path of every granted area
    area_levels: dict[int, str] = field(default_factory=dict)  # level of every granted area
    everywhere: frozenset[str] = frozenset()  # codenames held model-wide (not per object)

    def on(self, model: type[Area] | type[Department], perm: str) -> frozenset[int]:
        model_name = cast(str, model._meta.model_name)  # set for every installed model
        return self.pks.get((model_name, perm), frozenset())


GRANTS_CACHE = "_gridcase_grants"


def user_grants(user: User) -> Grants:
    """The grants of `user`: one query (two with areas), then kept on the user object.

    Model-wide permissions come in the same query (as Django's ModelBackend would read them:
    the user's own and those of their groups), marked by an empty object key."""
    cached: Grants | None = getattr(user, GRANTS_CACHE, None)
    if cached is not None:
        return cached
    fields = ("content_type__model", "permission__codename", "object_pk")
    mine = {"content_type__app_label": "grids"}
    direct = UserObjectPermission.objects.filter(user=user, **mine).values_list(*fields)
    grouped = GroupObjectPermission.objects.filter(group__user=user, **mine).values_list(*fields)
    model_wide = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user), **mine)
        .annotate(everywhere=Value("", output_field=CharField()))
        .values_list("content_type__model", "codename", "everywhere")
        .order_by()  # Permission's default ordering is not allowed inside a UNION
    )
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    everywhere = set()
    for model, codename, object_pk in direct.union(grouped, model_wide, all=True):
        if object_pk == "":
            everywhere.add(codename)
        else:
            found[(model, codename)].add(int(object_pk))
    area_pks = set().union(*(pks for (model, _), pks in found.items() if model == "area"))
    rows = (
        Area.objects.filter(pk__in=area_pks).values_list("pk", "path", "level") if area_pks else []
    )
    paths, levels = {pk: path for pk, path, _ in rows}, {pk: level for pk, _, level in rows}
    grants = Grants(
        {key: frozenset(pks) for key, pks in found.items()}, paths, levels, frozenset(everywhere)
    )
    setattr(user, GRANTS_CACHE, grants)
    return grants


def user_grants_forget(user: User) -> None:
    """Drop the kept grants of this user object (after its memberships changed)."""
    user.__dict__.pop(GRANTS_CACHE, None)


def area_grant_paths(user: AnyUser, perm: str) -> list[str]:
    """Paths of the areas on which `user` holds `perm` directly, minus those nested in others."""
    if not user.is_authenticated or not user.is_active:
        return []
    grants = user_grants(user)
    paths = sorted(grants.area_paths[pk] for pk in grants.on(Area, perm) if pk in grants.area_paths)
    roots: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def areas_q(user: AnyUser, perm: str, *, path_field: str = "path") -> Q:
    """Q over rows whose area path (`path_field`, e.g. "area__path") is where `user` may `perm`."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if _sees_everything(user, perm):
        return Q()
    query = NOTHING
    for path in area_grant_paths(user, perm):
        query |= Q(**{f"{path_field}__startswith": path})
    return query


def area_allows(user: AnyUser, perm: str, area: Area) -> bool:
    """May `user` `perm` in `area`? True if granted on the area or any of its ancestors."""
    if not user.is_authenticated or not user.is_active:
        return False
    if _sees_everything(user, perm):
        return True
    return not user_grants(user).on(Area, perm).isdisjoint(area.ancestor_ids)


def area_allows_here(user: AnyUser, perm: str, area: Area) -> bool:
    """Is `perm` granted on `area` itself — its own people, not those of the areas above it
    (who hold it there by inheritance)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if _sees_everything(user, perm):
        return True
    return area.pk in user_grants(user).on(Area, perm)


def areas_here_q(user: AnyUser, perm: str, *, pk_field: str = "pk") -> Q:
    """The queryset face of `area_allows_here`: rows whose area (`pk_field`, e.g.
    "verifier_area") is one on which `user` holds `perm` itself."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if _sees_everything(user, perm):
        return Q()
    return Q(**{f"{pk_field}__in": sorted(user_grants(user).on(Area, perm))})


def area_grant_paths_at(user: AnyUser, perm: str, levels: Iterable[str]) -> list[str]:
    """Paths of the areas at one of `levels` on which `user` holds `perm` directly."""
    if not user.is_authenticated or not user.is_active:
        return []
    grants, wanted = user_grants(user), set(levels)
    return sorted(
        grants.area_paths[pk]
        for pk in grants.on(Area, perm)
        if pk in grants.area_paths and grants.area_levels.get(pk) in wanted
    )


def departments_q(user: AnyUser, perm: str, *, pk_field: str = "pk") -> Q:
    """Q over anything keyed by a department (`pk_field`) on which `user` holds `perm`."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if _sees_everything(user, perm):
        return Q()
    return Q(**{f"{pk_field}__in": sorted(user_grants(user).on(Department, perm))})


def departments_any(user: AnyUser, perm: str) -> bool:
    """Does `user` hold `perm` on at least one department (or on all of them)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    return _sees_everything(user, perm) or bool(user_grants(user).on(Department, perm))


def department_allows(user: AnyUser, perm: str, department: Department) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if _sees_everything(user, perm):
        return True
    return department.pk in user_grants(user).on(Department, perm)


def user_roles(user: AnyUser) -> list[str]:
    """The user's distinct roles, most senior first."""
    if not user.is_authenticated:
        return []
    return roles_held(Membership.objects.filter(user=user).values_list("role", flat=True))


def roles_held(roles: Iterable[str]) -> list[str]:
    """Distinct `roles`, most senior first."""
    held = set(roles)
    return [role for role in ROLE_PRECEDENCE if role in held]


def user_memberships(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("area", "department").order_by("pk")
    )


def unit_members(unit: Area | Department, roles: list[str] | tuple[str, ...]) -> list[User]:
    """Active people holding one of `roles` directly on `unit`."""
    field = "memberships__area" if isinstance(unit, Area) else "memberships__department"
    return list(
        User.objects.filter(**{field: unit}, memberships__role__in=roles, is_active=True)
        .distinct()
        .order_by("pk")
    )


def area_ancestor_at(area: Area, level: str) -> Area | None:
    """The area itself or its ancestor at `level` (e.g. the community of a grid)."""
    if area.level == level:
        return area
    return Area.objects.filter(pk__in=area.ancestor_ids, level=level).first()


def area_at_point(latitude: float, longitude: float, *, deepest: str = "") -> Area | None:
    """The deepest area whose boundary contains the point (down to `deepest` if given).

    Starts from the tops of the bounded subtrees (areas with a boundary whose parent has
    none, usually the streets) and walks down, one query per level over the children of the
    area found so far. Areas without a (valid) boundary are skipped: a grid without one
    leaves its community to answer. On an edge shared by neighbours the smallest code wins.
    None when the point is in no area or out of range."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    point = Point(float(longitude), float(latitude))
    bounded = Area.objects.exclude(boundary__isnull=True).order_by("code")
    tops = bounded.filter(Q(parent__isnull=True) | Q(parent__boundary__isnull=True))
    found = max(
        (area for area in tops if _covers(area, point)), key=lambda a: a.depth, default=None
    )
    while found is not None and found.level != deepest:
        match = next((area for area in bounded.filter(parent=found) if _covers(area, point)), None)
        if match is None:
            break
        found = match
    return found


def _covers(area: Area, point: Point) -> bool:
    try:
        polygon = polygon_from_geojson(area.boundary)
    except BoundaryError:  # the loader refuses these; an admin edit may not have
        return False
    return polygon.buffer(NESTING_TOLERANCE_DEG).covers(point)
