"""The demo street for tests through HTTP: the `street` fixture (tests/workflows/conftest.py)
loads it with only the people these tests need, and these helpers bring cases to a state
through the services."""

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grids.loading import street_data_load, street_file_read
from grids.models import Area, Department, User
from workflows import services
from workflows.choices import Source
from workflows.models import Case, Category

DEMO_DATA = street_file_read(Path(__file__).resolve().parents[2] / "fixtures/data/qinggang.json")
PEOPLE = {
    "admin",  # superuser
    "qg_zhihui",  # street official, QG
    "qingshan_sq",  # community staff, QG-01
    "qs_wgy01",  # grid member, QG-01-01
    "qs_wgy02",  # grid member, QG-01-02
    "pcs_li",  # police station head
    "pcs_zhang",  # police station staff
    "cg_wang",  # urban management staff
    "resident_liu",  # resident, QG-01-01-01
    "pcs_he",  # police station staff
}
PHONE = "13800000046"


def street_load() -> None:
    """The whole demo street, with only the people these tests need (granting is slow)."""
    users = [user for user in DEMO_DATA["users"] if user["username"] in PEOPLE]
    areas = [
        area if area.get("responsible") in PEOPLE else {**area, "responsible": None}
        for area in DEMO_DATA["areas"]
    ]
    street_data_load({**DEMO_DATA, "users": users, "areas": areas})


def person(username: str) -> User:
    return User.objects.get(username=username)


def jpeg(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def as_(client, username: str):
    client.force_login(person(username))
    return client


def reported(**extra) -> Case:
    """A resident's case in micro-grid QG-01-01-01, through the service."""
    fields = {
        "title": "楼道堆放杂物",
        "description": "3 栋 2 单元楼道堆满纸箱，堵住消防通道。",
        "category": Category.objects.get(code="corridor"),
        "area": Area.objects.get(code="QG-01-01-01"),
        "source": Source.RESIDENT,
        "reporter": person("resident_liu"),
        "contact_name": "刘霞",
        "contact_phone": PHONE,
        **extra,
    }
    return services.case_report(**fields)


def dispatched(**extra) -> Case:
    """Accepted by the grid, whistled up to the community, dispatched to the police station."""
    grid, community = person("qs_wgy01"), person("qingshan_sq")
    case = services.case_accept(case=reported(**extra), actor=grid)
    case = services.case_whistle(case=case, actor=grid, whistle_type="routine", reason="需协调")
    police = Department.objects.get(code="QG-PCS")
    return services.case_dispatch(
        case=case,
        actor=community,
        departments=[police],
        lead=police,
        whistle_type="routine",
        reason="请派出所处理",
    )


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
