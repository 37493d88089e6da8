"""督办 on every list: the badge comes from the case row each list already reads
(`Case.supervised_due`), so the number of queries does not grow with the supervised rows; it
goes when the case closes. And the requests waiting for a level (延期, 挂起) on its workbench."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.models import Department
from tests.workflows.demo_street import as_, dispatched, fresh, person, reported
from workflows import services

BADGE = 'class="badge supervised"'


def queries(client, url: str) -> tuple[int, str]:
    client.get(url)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    return len(captured), page.content.decode()


def supervise(case):
    return services.case_supervise(
        case=case,
        actor=person("qg_zhihui"),
        instruction="三日内办结",
        due=timezone.now() + timedelta(days=3),
    )


def accepted():
    return services.case_accept(case=reported(), actor=person("qs_wgy01"))


def test_the_badge_on_grid_lists_and_the_case_list_without_a_query_per_row(client, street):
    supervise(accepted())
    accepted()
    as_(client, "qs_wgy01")
    grid, page = queries(client, "/w/grid/")
    assert page.count(BADGE) >= 1
    listed, table = queries(client, "/cases/")
    assert table.count(BADGE) == 1
    for _ in range(5):
        supervise(accepted())
        supervise(reported())
    assert queries(client, "/w/grid/")[0] == grid
    count, table = queries(client, "/cases/")
    assert count == listed and table.count(BADGE) == 11


def test_the_badge_on_the_department_queue_and_the_case_page(client, street):
    police = Department.objects.get(code="QG-PCS")
    supervise(dispatched())
    as_(client, "pcs_li")
    few, page = queries(client, "/w/department/")
    assert page.count(BADGE) == 1
    for _ in range(4):
        supervise(dispatched())
    case = supervise_claimed = dispatched()
    services.case_claim(case=case, department=police, actor=person("pcs_zhang"))
    supervise(fresh(supervise_claimed))
    count, page = queries(client, "/w/department/")
    assert count == few and page.count(BADGE) == 6
    detail = client.get(f"/cases/{case.number}/").content.decode()
    assert BADGE in detail.split('class="card case-head"')[1].split("</section>")[0]


def test_the_badge_goes_when_the_case_closes(client, street):
    grid = person("qs_wgy01")
    case = accepted()
    supervise(case)
    assert fresh(case).supervised_due is not None
    services.case_resolve(case=fresh(case), actor=grid, result="已清理")
    services.case_verify(case=fresh(case), actor=person("qingshan_sq"))
    case = fresh(case)
    assert case.supervised_due is None and case.supervisions.get().on_time is True
    assert BADGE not in as_(client, "qs_wgy01").get(f"/cases/{case.number}/").content.decode()


def test_requests_to_decide_on_the_community_workbench_without_a_query_per_row(client, street):
    grid = person("qs_wgy01")

    def asked():
        case = accepted()
        services.case_extension_ask(
            case=case, actor=grid, due=case.resolve_due + timedelta(days=2), reason="等待配合"
        )
        case = accepted()
        services.case_suspension_ask(
            case=case,
            actor=grid,
            reason="court",
            resume_at=timezone.now() + timedelta(days=9),
        )

    asked()
    as_(client, "qingshan_sq")
    few, page = queries(client, "/w/community/")
    assert page.count("#action-approve_extension") == 1
    assert page.count("#action-approve_suspension") == 1
    for _ in range(3):
        asked()
    count, page = queries(client, "/w/community/")
    assert count == few
    assert page.count("#action-approve_extension") == 4
    assert page.count("#action-approve_suspension") == 4
    # the grid asks, it does not decide: not on its lists
    assert "#action-approve_" not in as_(client, "qs_wgy01").get("/w/grid/").content.decode()


def test_a_suspended_card_offers_no_quick_actions(client, street):
    case = accepted()
    services.case_suspend(
        case=case,
        actor=person("qingshan_sq"),
        reason="weather",
        resume_at=timezone.now() + timedelta(days=2),
    )
    working = accepted()
    page = as_(client, "qs_wgy01").get("/w/grid/").content.decode()
    card = page.split(f'data-case="{case.number}"')[1].split("</li>")[0]
    assert 'class="taps"' not in card  # its work waits with its clocks
    assert 'class="taps"' in page.split(f'data-case="{working.number}"')[1].split("</li>")[0]
    timeline = client.get(f"/cases/{case.number}/").content.decode().split('class="timeline"')[1]
    assert "天气原因" in timeline and "weather" not in timeline  # the reason as words
