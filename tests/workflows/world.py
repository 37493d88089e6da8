"""A small street with people in every role, and helpers to drive cases through services."""

import io
from dataclasses import dataclass, field

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis.stateful import RuleBasedStateMachine
from PIL import Image

from grids.models import Area, Department, User
from grids.roles import AreaLevel, Role
from tests.factories import AreaFactory, DepartmentFactory, UserFactory, child_area, member
from workflows import services
from workflows.models import Case, Category


def photo(name: str = "photo.jpg", color: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class World:
    """Street S: communities C1 (grids G1, G2), C2 (grid G3); departments police, city."""

    areas: dict[str, Area] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)

    def report(self, *, area: str = "G1", by: str = "grid1", **kwargs) -> Case:
        defaults = {
            "title": "楼道堆物",
            "description": "3栋楼道堆满杂物",
            "category": Category.objects.get(code="corridor"),
            "source": "grid_patrol",
        }
        return services.case_report(
            area=self.areas[area], reporter=self.people[by], **(defaults | kwargs)
        )

    def at_community(self) -> Case:
        case = services.case_accept(case=self.report(), actor=self.people["grid1"])
        return services.case_whistle(
            case=case, actor=self.people["grid1"], whistle_type="routine", reason="需要社区协调"
        )

    def dispatched(self, *names: str, lead: str | None = None) -> Case:
        names = names or ("police",)
        return services.case_dispatch(
            case=self.at_community(),
            actor=self.people["community1"],
            departments=[self.departments[n] for n in names],
            lead=self.departments[lead or names[0]],
            whistle_type="hard",
            reason="联合处置",
        )


def world_build() -> World:
    world = World()
    street = AreaFactory(code="S", level=AreaLevel.STREET, name="测试街道")
    c1 = child_area(street, AreaLevel.COMMUNITY, code="S-01", name="一社区")
    c2 = child_area(street, AreaLevel.COMMUNITY, code="S-02", name="二社区")
    g1 = child_area(c1, AreaLevel.GRID, code="S-01-01", name="一网格")
    g2 = child_area(c1, AreaLevel.GRID, code="S-01-02", name="二网格")
    g3 = child_area(c2, AreaLevel.GRID, code="S-02-01", name="三网格")
    m1 = child_area(g1, AreaLevel.MICROGRID, code="S-01-01-01", name="一号微网格")
    world.areas = {"S": street, "C1": c1, "C2": c2, "G1": g1, "G2": g2, "G3": g3, "M1": m1}
    police = DepartmentFactory(code="PCS", name="派出所", kind="police")
    city = DepartmentFactory(code="CG", name="城管", kind="urban_management")
    other = DepartmentFactory(code="SW", name="外街道水务", kind="water")
    for department in (police, city):
        department.streets.add(street)
    world.departments = {"police": police, "city": city, "elsewhere": other}
    units = {**world.areas, **world.departments}
    for username, role, unit in ROLES:
        world.people[username] = UserFactory(username=username, name=username)
        member(world.people[username], role, units[unit])
    return world


ROLES = [  # username, role, unit (an area's or department's key in the world)
    ("grid1", Role.GRID_MEMBER, "G1"),
    ("grid2", Role.GRID_MEMBER, "G2"),
    ("grid3", Role.GRID_MEMBER, "G3"),
    ("leader1", Role.GRID_LEADER, "G1"),
    ("community1", Role.COMMUNITY_STAFF, "C1"),
    ("community2", Role.COMMUNITY_STAFF, "C2"),
    ("street", Role.STREET_OFFICIAL, "S"),
    ("admin", Role.ADMINISTRATOR, "S"),
    ("cop1", Role.DEPARTMENT_STAFF, "police"),
    ("cop2", Role.DEPARTMENT_STAFF, "police"),
    ("police_head", Role.DEPARTMENT_HEAD, "police"),
    ("city1", Role.DEPARTMENT_STAFF, "city"),
    ("water1", Role.DEPARTMENT_STAFF, "elsewhere"),
    ("resident", Role.RESIDENT, "M1"),
]
EVERYONE = [username for username, _, _ in ROLES]


class WorldMachine(RuleBasedStateMachine):
    """A hypothesis state machine over a fresh world, with the clock stopped (rules move it)
    and everything rolled back after each run."""

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = time_machine.travel(timezone.now(), tick=False)
        self.traveller = self.clock.start()
        self.world = world_build()

    def teardown(self) -> None:
        self.clock.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
