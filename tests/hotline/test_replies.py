"""The reply export: a street's hotline cases that ended in the days chosen, in the hotline's
columns, as .xlsx with dates as dates."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from hotline.mapping import DEFAULT_COLUMNS
from tests.hotline.conftest import csv_bytes
from tests.hotline.test_services__import import submit
from workflows import services
from workflows.models import Case


def closed_and_rated(world, number: str) -> Case:
    case = Case.objects.get(hotline_number=number)
    grid = world.people["grid2"] if case.area == world.areas["G2"] else world.people["grid1"]
    if case.area == world.areas["G3"]:
        grid = world.people["grid3"]
    case = services.case_accept(case=case, actor=grid)
    case = services.case_resolve(case=case, actor=grid, result="已清理完毕")
    case = services.case_verify(case=case, actor=grid)
    return services.case_rate(case=case, rating="satisfied", phone=case.contact_phone)


def export(client, **params):
    return client.get("/hotline/replies/", {"street": "S", **params})


def test_the_reply_lists_the_ended_hotline_cases_of_the_days(world, client):
    assert DEFAULT_COLUMNS["number"] == "工单编号"
    submit(world, csv_bytes(), "orders.csv")
    call_command("run_timers", "--once")
    closed = closed_and_rated(world, "GD001")
    rejected = services.case_reject(
        case=Case.objects.get(hotline_number="GD003"),
        actor=world.people["grid2"],
        reason="非本辖区",
    )
    world.report()  # a grid patrol's case: not the hotline's
    client.force_login(world.people["street"])
    today = timezone.localdate()
    response = export(client, first=today.isoformat(), last=today.isoformat())
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["工单编号", "办理结果", "办结时间", "承办单位", "回访满意度"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {"GD001", "GD003"}
    assert by_number["GD001"][1] == "已清理完毕" and by_number["GD001"][4] == "满意"
    assert isinstance(by_number["GD001"][2], dt.datetime)
    local_closed = timezone.localtime(Case.objects.get(pk=closed.pk).closed_at)
    assert abs(by_number["GD001"][2] - local_closed.replace(tzinfo=None)) < dt.timedelta(seconds=1)
    assert by_number["GD001"][3] == world.areas["G1"].name
    assert by_number["GD003"][1] == rejected.result
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    earlier = load_workbook(io.BytesIO(export(client, first=yesterday, last=yesterday).content))
    assert earlier.active.max_row == 1


def test_a_bad_range_is_a_form_error_and_others_are_refused(world, client):
    client.force_login(world.people["street"])
    assert export(client).status_code == 200  # the form
    assert export(client, first="2026-12-05", last="2026-12-01").status_code == 400
    assert export(client, first="nope", last="2026-12-01").status_code == 400
    client.force_login(world.people["community1"])
    assert export(client, first="2026-12-01", last="2026-12-01").status_code == 403
