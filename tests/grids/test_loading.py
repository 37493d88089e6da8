import copy
import json
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from grids.loading import StreetFileError, street_data_load, street_file_read
from grids.models import Area, Department, Membership, User
from grids.selectors import area_allows
from tests.factories import square

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "data" / "qinggang.json"


def small_street() -> dict:
    return {
        "areas": [
            {
                "code": "T",
                "name": "测试街道",
                "level": "street",
                "parent": None,
                "boundary": square(106.0, 29.0, 1.0),
                "responsible": "boss",
            },
            {
                "code": "T-01",
                "name": "一社区",
                "level": "community",
                "parent": "T",
                "boundary": square(106.0, 29.0, 0.5),
            },
            {
                "code": "T-01-01",
                "name": "一网格",
                "level": "grid",
                "parent": "T-01",
                "boundary": square(106.0, 29.0, 0.25),
            },
        ],
        "departments": [{"code": "T-PCS", "name": "派出所", "kind": "police", "streets": ["T"]}],
        "users": [
            {
                "username": "boss",
                "name": "街道",
                "password": "pw",
                "memberships": [{"role": "street_official", "area": "T"}],
            },
            {
                "username": "cop",
                "name": "民警",
                "password": "pw",
                "memberships": [{"role": "department_staff", "department": "T-PCS"}],
            },
        ],
    }


def nothing_written() -> bool:
    users = User.objects.exclude(username="AnonymousUser")  # guardian's own row
    return not (
        Area.objects.exists()
        or Department.objects.exists()
        or users.exists()
        or Membership.objects.exists()
        or Group.objects.exists()
    )


def test_a_small_street_loads_with_its_grants(db):
    result = street_data_load(small_street())
    assert (result.areas, result.departments, result.users) == (3, 1, 2)
    grid = Area.objects.get(code="T-01-01")
    assert grid.parent.code == "T-01" and grid.path.startswith(Area.objects.get(code="T").path)
    assert Area.objects.get(code="T").responsible.username == "boss"
    assert area_allows(User.objects.get(username="boss"), "dispatch_area_cases", grid)
    assert User.objects.get(username="cop").check_password("pw")


def test_loading_twice_changes_nothing(db):
    street_data_load(small_street())
    before = (Area.objects.count(), Membership.objects.count(), Group.objects.count())
    paths = dict(Area.objects.values_list("code", "path"))
    result = street_data_load(small_street())
    assert result.memberships_added == 0
    assert (Area.objects.count(), Membership.objects.count(), Group.objects.count()) == before
    assert dict(Area.objects.values_list("code", "path")) == paths


def test_the_demo_street_loads_twice(db):
    first = street_data_load(street_file_read(DEMO))
    second = street_data_load(street_file_read(DEMO))
    assert first.areas == second.areas == Area.objects.count() >= 100
    assert second.memberships_added == 0
    assert Membership.objects.count() == first.memberships_added


def break_unknown_parent(data):
    data["areas"][2]["parent"] = "T-09"


def break_duplicate_code(data):
    data["areas"].append(copy.deepcopy(data["areas"][2]))


def break_point_boundary(data):
    data["areas"][1]["boundary"] = {"type": "Point", "coordinates": [106.1, 29.1]}


def break_self_intersecting(data):
    ring = [[106, 29], [106.2, 29.2], [106.2, 29], [106, 29.2], [106, 29]]
    data["areas"][1]["boundary"] = {"type": "Polygon", "coordinates": [ring]}


def break_outside_parent(data):
    data["areas"][2]["boundary"] = square(106.4, 29.4, 0.3)


def break_level_order(data):
    data["areas"][2]["level"] = "community"
    data["areas"][1]["level"] = "grid"


def break_unknown_role(data):
    data["users"][0]["memberships"][0]["role"] = "mayor"


def break_role_on_wrong_level(data):
    data["users"][0]["memberships"][0]["area"] = "T-01-01"


def break_unknown_department(data):
    data["users"][1]["memberships"][0]["department"] = "T-XX"


def break_unknown_responsible(data):
    data["areas"][0]["responsible"] = "ghost"


def break_open_ring(data):
    data["areas"][0]["boundary"]["coordinates"][0].pop()


@pytest.mark.parametrize(
    ("breaker", "message"),
    [
        (break_unknown_parent, "areas[2] 'T-01-01': unknown parent code 'T-09'"),
        (break_duplicate_code, "areas[3] 'T-01-01': duplicate code 'T-01-01'"),
        (break_point_boundary, "areas[1] 'T-01': boundary type is 'Point', expected 'Polygon'"),
        (break_self_intersecting, "areas[1] 'T-01': boundary is not a valid polygon"),
        (break_outside_parent, "areas[2] 'T-01-01': boundary is not inside its parent 'T-01'"),
        (break_level_order, "areas[2] 'T-01-01': a community cannot lie under a grid"),
        (break_unknown_role, "users[0] 'boss' memberships[0]: role 'mayor' is not one of"),
        (break_role_on_wrong_level, "a street_official cannot be held on a grid ('T-01-01')"),
        (break_unknown_department, "users[1] 'cop' memberships[0]: unknown department code"),
        (break_unknown_responsible, "areas[0] 'T': responsible user 'ghost' is not known"),
        (break_open_ring, "areas[0] 'T': ring 0 is not closed"),
    ],
)
def test_bad_input_names_the_record_and_writes_nothing(db, breaker, message):
    data = small_street()
    breaker(data)
    with pytest.raises(StreetFileError) as excinfo:
        street_data_load(data)
    assert any(message in error for error in excinfo.value.errors), excinfo.value.errors
    assert nothing_written()


def test_every_problem_is_reported_at_once(db):
    data = small_street()
    break_unknown_parent(data)
    break_point_boundary(data)
    break_unknown_role(data)
    with pytest.raises(StreetFileError) as excinfo:
        street_data_load(data)
    assert len(excinfo.value.errors) == 3


def test_a_failure_while_writing_rolls_everything_back(db):
    with (
        mock.patch("grids.services.membership_add", side_effect=[mock.DEFAULT, RuntimeError]),
        pytest.raises(RuntimeError),
    ):
        street_data_load(small_street())
    assert nothing_written()


def test_command_reports_problems_and_exits_non_zero(db, tmp_path):
    data = small_street()
    break_unknown_parent(data)
    path = tmp_path / "street.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match=r"1 problem\(s\), nothing was written"):
        call_command("load_street", str(path))
    assert nothing_written()


def test_command_rejects_a_file_that_is_not_json(db, tmp_path):
    path = tmp_path / "street.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid UTF-8 JSON"):
        call_command("load_street", str(path))


def test_command_prints_accounts(db, tmp_path, capsys):
    path = tmp_path / "street.json"
    path.write_text(json.dumps(small_street()), encoding="utf-8")
    call_command("load_street", str(path), "--print-accounts")
    out = capsys.readouterr().out
    assert "boss" in out and "cop" in out and "pw" in out


def test_command_can_print_accounts_without_loading(db, tmp_path, capsys):
    path = tmp_path / "street.json"
    path.write_text(json.dumps(small_street()), encoding="utf-8")
    call_command("load_street", str(path), "--accounts-only")
    assert "boss" in capsys.readouterr().out
    assert nothing_written()
