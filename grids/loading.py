"""Load a street (areas, departments, people and their roles) from a JSON file.

The whole file is validated first and every problem is reported with the record it is in;
only a clean file is written, in one transaction. Loading the same file twice is harmless.
The format is documented in fixtures/README.md.
"""

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from shapely.geometry import Polygon

from . import services
from .geo import BoundaryError, polygon_from_geojson, polygon_within
from .models import Area, Department, Membership, User, code_validator
from .roles import AREA_ROLE_LEVELS, DEPARTMENT_ROLES, LEVEL_RANK, AreaLevel, Role

AREA_KEYS = {"code", "name", "level", "parent", "boundary", "responsible"}
DEPARTMENT_KEYS = {"code", "name", "kind", "streets", "phone"}
USER_KEYS = {
    "username",
    "name",
    "password",
    "email",
    "phone",
    "is_staff",
    "is_superuser",
    "memberships",
}
MEMBERSHIP_KEYS = {"role", "area", "department", "part_time"}

Record = dict[str, Any]  # one JSON object of the file: an area, a department, a user, …
Unit = TypeVar("Unit", Area, Department)


class StreetFileError(Exception):
    """The file cannot be loaded; `errors` names every offending record."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class LoadResult:
    areas: int = 0
    departments: int = 0
    users: int = 0
    memberships_added: int = 0
    accounts: list[dict[str, Any]] = field(default_factory=list)


def street_file_read(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise StreetFileError([f"{path}: no such file"]) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StreetFileError([f"{path}: not valid UTF-8 JSON ({exc})"]) from exc
    if not isinstance(data, dict):
        raise StreetFileError([f"{path}: the top level must be an object"])
    return data


class _Validator:
    """Collects every problem in a street file, each prefixed with the record it is in."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[str] = []
        self.areas: dict[str, Record] = {}  # code -> record, from the file
        self.area_where: dict[str, str] = {}  # code -> "areas[3] 'QG-01'", for messages
        self.polygons: dict[str, Polygon | None] = {}  # code -> the file's boundary, parsed
        self.departments: dict[str, Record] = {}
        self.usernames: set[str] = set()

    def run(self) -> list[str]:
        unknown = set(self.data) - {"areas", "departments", "users"}
        if unknown:
            self.errors.append(f"unknown top-level keys: {', '.join(sorted(unknown))}")
        for section in ("areas", "departments", "users"):
            if not isinstance(self.data.get(section, []), list):
                self.errors.append(f"{section} must be a list")
                return self.errors
        for i, record in enumerate(self.data.get("areas", [])):
            self._record(f"areas[{i}]", record, AREA_KEYS, self._area)
        self._check_area_tree()
        for i, record in enumerate(self.data.get("departments", [])):
            self._record(f"departments[{i}]", record, DEPARTMENT_KEYS, self._department)
        for i, record in enumerate(self.data.get("users", [])):
            self._record(f"users[{i}]", record, USER_KEYS, self._user)
        self._check_responsible()
        return self.errors

    def _record(
        self, where: str, record: Any, keys: set[str], check: Callable[[str, Record], None]
    ) -> None:
        if not isinstance(record, dict):
            self.errors.append(f"{where}: must be an object")
            return
        label = record.get("code") or record.get("username")
        where = f"{where} {label!r}" if isinstance(label, str) else where
        if unknown := set(record) - keys:
            self.errors.append(f"{where}: unknown fields {', '.join(sorted(unknown))}")
        check(where, record)

    def _code(self, where: str, record: Record, seen: dict[str, Record]) -> str | None:
        code = record.get("code")
        if not isinstance(code, str):
            self.errors.append(f"{where}: code is required")
            return None
        try:
            code_validator(code)
        except ValidationError:
            self.errors.append(f"{where}: code {code!r} may only hold A-Z, 0-9 and '-'")
        if code in seen:
            self.errors.append(f"{where}: duplicate code {code!r}")
            return None
        if not isinstance(record.get("name"), str) or not record["name"].strip():
            self.errors.append(f"{where}: name is required")
        return code

    def _area(self, where: str, record: Record) -> None:
        code = self._code(where, record, self.areas)
        if record.get("level") not in AreaLevel.values:
            self.errors.append(
                f"{where}: level {record.get('level')!r} is not one of {', '.join(AreaLevel)}"
            )
        polygon = None
        if record.get("boundary") is not None:
            try:
                polygon = polygon_from_geojson(record["boundary"])
            except BoundaryError as exc:
                self.errors.append(f"{where}: {exc}")
        if code:
            self.areas[code], self.area_where[code], self.polygons[code] = record, where, polygon

    def _area_level(self, code: str) -> tuple[str | None, Polygon | None]:
        """(level, polygon) of an area from the file or, failing that, the database."""
        if code in self.areas:
            return self.areas[code].get("level"), self.polygons[code]
        area = Area.objects.filter(code=code).first()
        if area is None:
            return None, None
        return area.level, polygon_from_geojson(area.boundary) if area.boundary else None

    def _check_area_tree(self) -> None:
        for code, record in self.areas.items():
            where, parent = self.area_where[code], record.get("parent")
            if parent is None:
                if record.get("level") != AreaLevel.STREET:
                    self.errors.append(f"{where}: only a street may have no parent")
                continue
            parent_level, parent_polygon = self._area_level(parent)
            if parent_level is None:
                self.errors.append(
                    f"{where}: unknown parent code {parent!r} (not in this file or the database)"
                )
            elif LEVEL_RANK[parent_level] >= LEVEL_RANK.get(record.get("level", ""), -1):
                self.errors.append(
                    f"{where}: a {record.get('level')} cannot lie under a "
                    f"{parent_level} ({parent!r})"
                )
            elif (
                parent_polygon
                and (polygon := self.polygons[code])
                and not polygon_within(polygon, parent_polygon)
            ):
                self.errors.append(f"{where}: boundary is not inside its parent {parent!r}")

    def _department(self, where: str, record: Record) -> None:
        code = self._code(where, record, self.departments)
        if record.get("kind", "other") not in Department.Kind.values:
            self.errors.append(f"{where}: kind {record.get('kind')!r} is unknown")
        streets = record.get("streets", [])
        if not isinstance(streets, list):
            self.errors.append(f"{where}: streets must be a list of street codes")
            streets = []
        for street in streets:
            if self._area_level(street)[0] != AreaLevel.STREET:
                self.errors.append(f"{where}: {street!r} is not a known street code")
        if code:
            self.departments[code] = record

    def _user(self, where: str, record: Record) -> None:
        username = record.get("username")
        try:
            UnicodeUsernameValidator()(username if isinstance(username, str) else "")
            if not username:
                raise ValidationError("empty")
        except ValidationError:
            self.errors.append(f"{where}: username {username!r} is missing or not valid")
            return
        if username in self.usernames:
            self.errors.append(f"{where}: duplicate username {username!r}")
        self.usernames.add(username)
        for flag in ("is_staff", "is_superuser"):
            if not isinstance(record.get(flag, False), bool):
                self.errors.append(f"{where}: {flag} must be true or false")
        memberships = record.get("memberships", [])
        if not isinstance(memberships, list):
            self.errors.append(f"{where}: memberships must be a list")
            return
        for j, membership in enumerate(memberships):
            self._record(f"{where} memberships[{j}]", membership, MEMBERSHIP_KEYS, self._membership)

    def _membership(self, where: str, record: Record) -> None:
        role, area, department = record.get("role"), record.get("area"), record.get("department")
        if role not in Role.values:
            self.errors.append(f"{where}: role {role!r} is not one of {', '.join(Role)}")
        elif (area is None) == (department is None):
            self.errors.append(f"{where}: give exactly one of area or department")
        elif area is not None:
            level = self._area_level(area)[0]
            if level is None:
                self.errors.append(f"{where}: unknown area code {area!r}")
            elif level not in AREA_ROLE_LEVELS.get(role, ()):
                self.errors.append(f"{where}: a {role} cannot be held on a {level} ({area!r})")
        else:
            known = (
                department in self.departments
                or Department.objects.filter(code=department).exists()
            )
            if not known:
                self.errors.append(f"{where}: unknown department code {department!r}")
            if role not in DEPARTMENT_ROLES:
                self.errors.append(f"{where}: {role} is held on an area, not a department")
        if record.get("part_time") and role != Role.GRID_MEMBER:
            self.errors.append(f"{where}: only a grid_member can be part_time")

    def _check_responsible(self) -> None:
        for code, record in self.areas.items():
            username = record.get("responsible")
            if username is None or username in self.usernames:
                continue
            if not User.objects.filter(username=username).exists():
                self.errors.append(
                    f"{self.area_where[code]}: responsible user {username!r} is not known"
                )


def street_data_validate(data: dict[str, Any]) -> list[str]:
    return _Validator(data).run()


@transaction.atomic
def street_data_load(data: dict[str, Any]) -> LoadResult:
    """Validate everything, then write everything in one transaction (or nothing)."""
    errors = street_data_validate(data)
    if errors:
        raise StreetFileError(errors)
    result = LoadResult()
    memberships_before = Membership.objects.count()
    areas = _write_areas(data.get("areas", []))
    departments = _write_departments(data.get("departments", []), areas)
    for record in data.get("users", []):
        _write_user(record, areas, departments)
        result.accounts.append(record)
    for record in data.get("areas", []):
        if record.get("responsible"):
            area = areas[record["code"]]
            area.responsible = User.objects.get(username=record["responsible"])
            area.save(update_fields=["responsible"])
    result.areas, result.departments = len(data.get("areas", [])), len(departments)
    result.users = len(result.accounts)
    result.memberships_added = Membership.objects.count() - memberships_before
    return result


def _by_code(cache: dict[str, Unit], model: type[Unit], code: str) -> Unit:
    """The unit with `code`, from those written in this load or else from the database."""
    if code not in cache:
        cache[code] = model.objects.get(code=code)
    return cache[code]


def _write_areas(records: list[Record]) -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for record in sorted(records, key=lambda r: LEVEL_RANK[r["level"]]):  # parents first
        area = Area.objects.filter(code=record["code"]).first() or Area(code=record["code"])
        area.name, area.level = record["name"], record["level"]
        area.boundary = record.get("boundary")
        area.parent = _by_code(areas, Area, record["parent"]) if record.get("parent") else None
        area.save()
        areas[area.code] = area
    return areas


def _write_departments(records: list[Record], areas: dict[str, Area]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for record in records:
        department, _ = Department.objects.update_or_create(
            code=record["code"],
            defaults={
                "name": record["name"],
                "kind": record.get("kind", "other"),
                "phone": record.get("phone", ""),
            },
        )
        department.streets.set([_by_code(areas, Area, code) for code in record.get("streets", [])])
        departments[department.code] = department
    return departments


@functools.cache
def _password_hash(password: str) -> str:
    """One (deliberately slow) hash per distinct password: demo accounts share theirs."""
    return make_password(password)


def _write_user(record: Record, areas: dict[str, Area], departments: dict[str, Department]) -> None:
    user = User.objects.filter(username=record["username"]).first() or User(
        username=record["username"]
    )
    user.name = record.get("name", "")
    user.email = record.get("email", "")
    user.phone = record.get("phone", "")
    user.is_staff = record.get("is_staff", False)
    user.is_superuser = record.get("is_superuser", False)
    if record.get("password"):
        user.password = _password_hash(record["password"])
    elif user.pk is None:
        user.set_unusable_password()
    user.save()
    for membership in record.get("memberships", []):
        area, department = membership.get("area"), membership.get("department")
        services.membership_add(
            user=user,
            role=membership["role"],
            area=_by_code(areas, Area, area) if area else None,
            department=_by_code(departments, Department, department) if department else None,
            part_time=membership.get("part_time", False),
        )
