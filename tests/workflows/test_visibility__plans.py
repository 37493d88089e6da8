"""On PostgreSQL: the department faces of visibility have an index path (no sequential scan
on cases, dispatches or events even where the planner is told to avoid them): the case list
of a department (`cases_visible_to`: the partial index `dispatch_open_part`) and the `dept:`
stream's replay (`streams.DepartmentEvents`)."""

import pytest
from django.db import connection, transaction

from tests.workflows.world import photo
from workflows import services
from workflows.models import CaseEvent
from workflows.streams import DepartmentEvents
from workflows.visibility import cases_visible_to

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)
SCANS = (
    "Seq Scan on workflows_case ",
    "Seq Scan on workflows_casedispatch",
    "Seq Scan on workflows_caseevent",
)


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("ANALYZE")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def parts(world):
    for _ in range(3):
        case = world.dispatched("police", "city")
        police, cop = world.departments["police"], world.people["cop1"]
        services.case_claim(case=case, department=police, actor=cop)
        services.case_dispatch_resolve(
            case=case, department=police, actor=cop, result="已处理", photos=[photo()]
        )
    return world


def test_a_departments_case_list_has_an_index_path(parts):
    text = plan(cases_visible_to(parts.people["cop1"]).order_by("-reported_at", "-id")[:50])
    # (which index the planner takes depends on the table's size: `dispatch_open_part`
    # at a million parts, bench/lists.py; here the point is that there is an index path)
    assert "workflows_casedispatch" in text, text
    assert not [scan for scan in SCANS if scan in text], text


def test_a_department_streams_replay_has_an_index_path(parts):
    police = parts.departments["police"]
    since = CaseEvent.objects.order_by("pk").values_list("pk", flat=True)[2]
    events = CaseEvent.objects.filter(pk__gt=since).filter(
        DepartmentEvents(police.pk, police.code).events_q()
    )
    text = plan(events.order_by("pk")[:5001])
    assert not [scan for scan in SCANS if scan in text], text
