"""The workbenches: what each list holds, one-tap actions that come back to the list, the
department head's assignment and figures, and query counts that do not grow with the lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.models import Department
from tests.workflows.demo_street import as_, dispatched, fresh, person, reported
from workflows import services
from workflows.choices import Status
from workflows.errors import CaseActionDenied
from workflows.selectors import department_figures


def queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_grid_lists_do_not_query_per_case(client, street):
    grid = person("qs_wgy01")
    for _ in range(2):
        services.case_accept(case=reported(), actor=grid)
        reported()
    as_(client, "qs_wgy01")
    few = queries(client, "/w/grid/")
    for _ in range(6):
        services.case_accept(case=reported(), actor=grid)
        reported()
    dispatched()
    assert queries(client, "/w/grid/") == few


def test_a_full_section_shows_the_newest_and_links_to_the_rest(client, street, monkeypatch):
    monkeypatch.setattr("workflows.views.workbenches.SECTION_SIZE", 3)
    cases = [reported() for _ in range(4)]
    page = as_(client, "qs_wgy01").get("/w/grid/").content.decode()
    shown = [case.number for case in cases if f'data-case="{case.number}"' in page]
    assert shown == [case.number for case in cases[1:]]  # the newest three
    assert '<span class="count">3+</span>' in page
    assert 'href="/cases/?status=reported&amp;level=grid"' in page
    listed = client.get("/cases/?status=reported&level=grid").content.decode()
    assert all(case.number in listed for case in cases)


def test_the_department_queue_does_not_query_per_case(client, street):
    dispatched()
    as_(client, "pcs_li")
    few = queries(client, "/w/department/")
    for _ in range(5):
        dispatched()
    services.case_claim(
        case=dispatched(),
        department=Department.objects.get(code="QG-PCS"),
        actor=person("pcs_zhang"),
    )
    assert queries(client, "/w/department/") == few


def test_one_tap_accept_returns_to_the_list(client, street):
    case = reported()
    page = as_(client, "qs_wgy01").get("/w/grid/").content.decode()
    assert f'action="/cases/{case.number}/accept/"' in page
    response = client.post(f"/cases/{case.number}/accept/", {"next": "/w/grid/"})
    assert response["Location"] == "/w/grid/" and fresh(case).status == Status.HANDLING
    foreign = client.post(f"/cases/{reported().number}/accept/", {"next": "https://evil.test/"})
    assert foreign["Location"].startswith("/cases/")


def test_a_head_gives_a_case_to_staff_and_moves_it(client, street):
    case = dispatched()
    police = Department.objects.get(code="QG-PCS")
    head = as_(client, "pcs_li")
    page = head.get(f"/cases/{case.number}/").content.decode()
    assert 'id="action-assign-QG-PCS"' in page
    zhang, he = person("pcs_zhang"), person("pcs_he")
    response = head.post(
        f"/cases/{case.number}/assign/QG-PCS/", {"assign-QG-PCS-assignee": zhang.pk}
    )
    assert response.status_code == 302
    part = fresh(case).dispatches.get()
    assert part.claimed_by == zhang and fresh(case).status == Status.HANDLING
    services.case_assign(case=case, department=police, actor=person("pcs_li"), assignee=he)
    assert fresh(case).dispatches.get().claimed_by == he
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["case.claimed", "case.assigned"]
    staff = as_(client, "pcs_zhang").post(
        f"/cases/{case.number}/assign/QG-PCS/", {"assign-QG-PCS-assignee": zhang.pk}, follow=True
    )
    assert 'class="message error"' in staff.content.decode()
    assert fresh(case).dispatches.get().claimed_by == he


def test_a_head_cannot_give_work_to_someone_outside_the_department(street):
    case = dispatched()
    police = Department.objects.get(code="QG-PCS")
    with pytest.raises(CaseActionDenied, match="does not work for"):
        services.case_assign(
            case=case, department=police, actor=person("pcs_li"), assignee=person("cg_wang")
        )
    assert fresh(case).dispatches.get().claimed_by is None


def test_department_figures_for_heads(client, street):
    police = Department.objects.get(code="QG-PCS")
    dispatched()
    services.case_claim(case=dispatched(), department=police, actor=person("pcs_zhang"))
    figures = department_figures(person("pcs_li"))
    assert (figures["waiting"], figures["in_hand"], figures["dispatched"]) == (1, 1, 2)
    assert figures["response_rate"] == 0.5 and figures["claim_minutes"] is not None
    assert department_figures(person("pcs_zhang"))["dispatched"] == 0  # not a head
    assert (
        'data-figure="response_rate">50%'
        in as_(client, "pcs_li").get("/w/department/").content.decode()
    )


def test_the_process_diagram_marks_the_current_step(client, street):
    case = dispatched()
    response = as_(client, "pcs_zhang").get(f"/cases/{case.number}/process.svg")
    svg = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml" and svg.startswith("<svg")
    assert 'width="100%"' not in svg.split(">", 1)[0] and 'class="done"' in svg
    assert as_(client, "cg_wang").get(f"/cases/{case.number}/process.svg").status_code == 404


def test_the_case_list_pages_by_keyset_newest_first(client, street, monkeypatch):
    monkeypatch.setattr("workflows.views.cases.CASES_PER_PAGE", 2)
    numbers = [reported().number for _ in range(5)]
    as_(client, "qg_zhihui")
    seen, url = [], "/cases/"
    while url:
        response = client.get(url)
        seen += [c.number for c in response.context["cases"]]
        after = response.context["after"]
        url = f"/cases/?after={after}" if after else ""
    assert seen == numbers[::-1]
    assert queries(client, "/cases/?after=999999") == queries(client, "/cases/?after=x") + 1


def test_the_case_list_filters_keep_their_values_and_name_bad_ones(client, street):
    accepted, open_case = reported(), reported()
    services.case_accept(case=accepted, actor=person("qs_wgy01"))
    page = as_(client, "qg_zhihui").get("/cases/?status=handling&area=NOPE").content.decode()
    assert '<option value="handling" selected>' in page
    assert 'value="NOPE"' in page and 'class="errorlist' in page
    listed = client.get("/cases/?status=handling").content.decode()
    assert accepted.number in listed and open_case.number not in listed


def test_the_queue_claims_or_assigns_several_and_reports_each_refusal(client, street):
    first, second = dispatched(), dispatched()
    police = as_(client, "pcs_li")  # the police station's head
    queue = police.get("/w/department/").content.decode()
    assert 'name="assignee"' in queue and f'value="{first.number}:QG-PCS"' in queue
    he = person("pcs_he")
    response = police.post(
        "/w/department/selected/",
        {"action": "assign", "assignee": he.pk, "part": [f"{first.number}:QG-PCS", "X-1:QG-PCS"]},
        follow=True,
    )
    assert response.redirect_chain == [("/w/department/", 302)]
    html = response.content.decode()
    assert 'class="message success"' in html and first.number in html
    assert "X-1：没有这个案件。" in html
    assert fresh(first).dispatches.get().claimed_by == he
    assert fresh(second).dispatches.get().claimed_by is None
    outsider = as_(client, "cg_wang").post(
        "/w/department/selected/", {"action": "claim", "part": [f"{second.number}:QG-PCS"]}
    )
    assert outsider.status_code == 302 and fresh(second).dispatches.get().claimed_by is None
    assert (
        as_(client, "pcs_zhang").post("/w/department/selected/", {"action": "x"}).status_code == 400
    )
