"""The register import: every kind of bad row reported with its line, nothing written on
any error; a good file creates and updates units and owners."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deliberation import services
from deliberation.errors import DeliberationDenied
from deliberation.models import Building, Compound, Owner, Unit

GOOD = (
    "\ufeffbuilding,unit,floor_area,owners,phones\r\n"
    "3栋,101,88.5,赵敏;钱进,+86 139-0000-0001；13900000002\r\n"
    '3栋,102,"1,020.25",孙丽,13900000003\r\n'
    "\r\n"
)


def counts() -> tuple[int, int, int]:
    return Building.objects.count(), Unit.objects.count(), Owner.objects.count()


def test_a_good_file_creates_units_and_owners(estate):
    before = counts()
    result = services.compound_register_import(
        compound=estate.compound, actor=estate.people["staff"], data=GOOD.encode()
    )
    assert (result.created, result.updated, result.owners) == (2, 0, 3)
    assert counts() == (before[0] + 1, before[1] + 2, before[2] + 3)
    unit = estate.unit("3栋-101")
    assert unit.floor_area == Decimal("88.50")
    assert sorted(unit.owners.values_list("phone", flat=True)) == ["13900000001", "13900000002"]
    assert estate.unit("3栋-102").floor_area == Decimal("1020.25")


def test_importing_again_updates_in_place(estate):
    data = "楼栋,房号,建筑面积,业主,电话\n1栋,101,95,王建国;王芳,13800000001;13800000011\n"
    result = services.compound_register_import(
        compound=estate.compound, actor=estate.people["staff"], data=data
    )
    assert (result.created, result.updated) == (0, 1)
    unit = estate.unit("1栋-101")
    assert unit.floor_area == Decimal("95.00") and unit.owners.count() == 2
    assert Unit.objects.filter(building__compound=estate.compound).count() == 6  # others stay


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1栋,,90,某,13800000009", "building and unit are required"),
        ("1栋,301,abc,某,13800000009", "is not a number"),
        ("1栋,301,-5,某,13800000009", "more than 0"),
        ("1栋,301,0,某,13800000009", "more than 0"),
        ("1栋,301,90.123,某,13800000009", "two decimals"),
        ("1栋,301,NaN,某,13800000009", "more than 0"),
        ("1栋,301,90,,", "at least one owner"),
        ("1栋,301,90,甲;乙,13800000009", "one phone per owner"),
        ("1栋,301,90,某,12-34", "not a phone number"),
        ("1栋,301,90,甲;乙,13800000009;+86 13800000009", "same phone"),
        ("1栋,301,90", "at least one owner"),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_written(estate, row, message):
    before = counts()
    data = f"楼栋,房号,建筑面积,业主,电话\n1栋,302,90,好,13800000008\n{row}\n"
    with pytest.raises(ValidationError) as caught:
        services.compound_register_import(
            compound=estate.compound, actor=estate.people["staff"], data=data
        )
    assert any(m.startswith("Line 3:") and message in m for m in caught.value.messages), (
        caught.value.messages
    )
    assert counts() == before  # not even the good line 2


def test_every_bad_row_is_reported_at_once(estate):
    data = (
        "楼栋,房号,建筑面积,业主,电话\n1栋,301,x,某,13800000009\n1栋,302,90,某,1\n"
        "1栋,301,90,某,13800000009\n1栋,301,91,某,13800000008\n"
    )
    with pytest.raises(ValidationError) as caught:
        services.compound_register_import(
            compound=estate.compound, actor=estate.people["staff"], data=data
        )
    lines = [m.split(":")[0] for m in caught.value.messages]
    assert lines == ["Line 2", "Line 3", "Line 5"]  # line 5 repeats line 4's unit
    assert "already on line 4" in caught.value.messages[-1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"building,unit,owners,phones\n1,1,a,13800000001\n", "floor_area"),
        (b"building,unit,floor_area,owners,phones\n", "no units"),
        ("楼栋,房号,建筑面积,业主,电话\n1栋,1,9,某,13800000001\n".encode("gbk"), "UTF-8"),
    ],
)
def test_bad_files(estate, data, message):
    before = counts()
    with pytest.raises(ValidationError, match=message):
        services.compound_register_import(
            compound=estate.compound, actor=estate.people["staff"], data=data
        )
    assert counts() == before


def test_only_the_communitys_staff_keep_the_register(estate):
    for who in ("elsewhere", "committee", "wang"):
        with pytest.raises(DeliberationDenied):
            services.compound_register_import(
                compound=estate.compound, actor=estate.people[who], data=GOOD
            )
    assert not Unit.objects.filter(building__name="3栋").exists()


def test_a_compound_elsewhere_is_not_this_staffs(estate):
    other = Compound.objects.create(code="DLSA", name="多蓝水岸", area=estate.areas["S-02"])
    with pytest.raises(DeliberationDenied):
        services.compound_register_import(compound=other, actor=estate.people["staff"], data=GOOD)
    services.compound_register_import(compound=other, actor=estate.people["elsewhere"], data=GOOD)
    assert Unit.objects.filter(building__compound=other).count() == 2


@pytest.mark.parametrize(
    "data",
    [b"building,unit\x00", 'building,unit,floor_area,owners,phones\n1,"2,3\n', "1" * 10],
)
def test_what_is_not_csv_is_refused(estate, data):
    before = counts()
    with pytest.raises(ValidationError):
        services.compound_register_import(
            compound=estate.compound, actor=estate.people["staff"], data=data
        )
    assert counts() == before


def test_a_phone_too_long_is_refused(estate):
    data = "楼栋,房号,建筑面积,业主,电话\n1栋,401,90,某," + "1" * 25 + "\n"
    with pytest.raises(ValidationError, match="not a phone number"):
        services.compound_register_import(
            compound=estate.compound, actor=estate.people["staff"], data=data
        )
