"""Case pages through HTTP: the whole loop clicked through by the demo street's people, and
how the pages answer refusals (400, 403, 404, 409)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.models import Area, Department
from tests.workflows.demo_street import PHONE, as_, dispatched, fresh, jpeg, person, reported
from workflows import services
from workflows.choices import Level, Status
from workflows.models import Case, CaseEvent, Category


def test_the_whole_loop_clicked_through(client, street):
    police = Department.objects.get(code="QG-PCS")
    response = as_(client, "resident_liu").post(
        "/cases/new/",
        {
            "title": "小区门口车辆乱停",
            "description": "晚上车辆停在消防通道上。",
            "category": Category.objects.get(code="parking").pk,
            "area": Area.objects.get(code="QG-01-01-01").pk,
            "contact_name": "刘霞",
            "contact_phone": PHONE,
            "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert (case.status, case.source, case.photos.count()) == (Status.REPORTED, "resident", 2)
    base = f"/cases/{case.number}"

    page = as_(client, "qs_wgy01").get(f"{base}/")
    assert f'action="{base}/accept/"' in page.content.decode()
    response = client.post(f"{base}/accept/", follow=True)
    assert response.status_code == 200 and len(response.context["messages"]) == 1
    assert fresh(case).status == Status.HANDLING and fresh(case).handler.username == "qs_wgy01"

    response = client.post(
        f"{base}/whistle/", {"whistle-whistle_type": "routine", "whistle-reason": "需社区协调"}
    )
    assert response.status_code == 302
    assert (fresh(case).status, fresh(case).level) == (Status.HANDLING, Level.COMMUNITY)

    response = as_(client, "qingshan_sq").post(
        f"{base}/dispatch/",
        {
            "dispatch-departments": [police.pk],
            "dispatch-lead": police.pk,
            "dispatch-whistle_type": "hard",
            "dispatch-reason": "请派出所到场处理",
        },
    )
    assert response.status_code == 302
    assert (fresh(case).status, fresh(case).level) == (Status.DISPATCHED, Level.DEPARTMENT)

    queue = as_(client, "pcs_zhang").get("/w/department/").content.decode()
    assert f'action="{base}/claim/QG-PCS/"' in queue
    assert client.post(f"{base}/claim/QG-PCS/").status_code == 302
    assert fresh(case).status == Status.HANDLING

    response = client.post(
        f"{base}/resolve/QG-PCS/",
        {"resolve-QG-PCS-result": "已联系车主挪车并劝导。", "resolve-QG-PCS-photos": jpeg()},
    )
    assert response.status_code == 302
    assert fresh(case).status == Status.RESOLVED
    assert case.photos.filter(kind="after").count() == 1

    response = as_(client, "qingshan_sq").post(
        f"{base}/verify/",
        {
            "verify-method": "phone",
            "verify-reason": "电话回访居民，已清理",
            "verify-note": "已核查",
            "verify-confirmed": "on",
        },
    )
    assert response.status_code == 302
    assert fresh(case).status == Status.CLOSED

    rate = {"rate-rating": "satisfied", "rate-comment": "处理及时"}
    assert as_(client, "resident_liu").post(f"{base}/rate/", rate).status_code == 302
    assert fresh(case).rating == "satisfied"
    assert list(case.events.values_list("kind", flat=True)) == [
        "case.reported",
        "case.accepted",
        "case.whistled",
        "case.dispatched",
        "case.claimed",
        "case.dispatch_resolved",
        "case.resolved",
        "case.closed",
        "case.rated",
    ]
    page = client.get(f"{base}/").content.decode()
    assert "张芳" in page and "已联系车主挪车并劝导。" in page and "处理及时" in page


def test_a_second_claimer_is_told_who_claimed_first(client, street):
    case = dispatched()
    assert as_(client, "pcs_zhang").post(f"/cases/{case.number}/claim/QG-PCS/").status_code == 302
    response = as_(client, "pcs_li").post(
        f"/cases/{case.number}/claim/QG-PCS/", {"next": "/w/department/"}
    )
    # POST-redirect-GET: back to the queue it was sent from, the reason as a message
    assert response.status_code == 302 and response["Location"] == "/w/department/"
    page = client.get("/w/department/").content.decode()
    assert 'class="message error"' in page and "张芳" in page
    assert fresh(case).dispatches.get().claimed_by.username == "pcs_zhang"


def test_someone_outside_the_area_gets_404_on_the_page_and_on_an_action(client, street):
    """A hidden case answers exactly as a case that does not exist: its number tells nothing."""
    case = reported()
    for outsider in ("qs_wgy02", "cg_wang"):  # the next grid; a department not dispatched
        assert as_(client, outsider).get(f"/cases/{case.number}/").status_code == 404
        hidden = client.post(f"/cases/{case.number}/accept/", HTTP_X_REQUESTED_WITH="fetch")
        unknown = client.post("/cases/QG-20000101-9999/accept/", HTTP_X_REQUESTED_WITH="fetch")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.content == unknown.content
        part = client.post(f"/cases/{case.number}/claim/QG-PCS/", HTTP_X_REQUESTED_WITH="fetch")
        assert part.status_code == 404 and part.content == unknown.content
    assert fresh(case).status == Status.REPORTED
    assert client.get("/cases/").content.decode().count(case.number) == 0


def test_a_refusal_by_the_service_is_the_case_page_with_the_reason(client, street):
    case = reported()
    response = as_(client, "resident_liu").post(f"/cases/{case.number}/accept/", follow=True)
    assert response.redirect_chain == [(f"/cases/{case.number}/", 302)]
    assert "无权对案件" in response.content.decode()
    assert fresh(case).status == Status.REPORTED


def test_a_missing_reason_is_a_form_error_and_changes_nothing(client, street):
    case = reported()
    events = CaseEvent.objects.count()
    response = as_(client, "qs_wgy01").post(
        f"/cases/{case.number}/reject/", {"reject-reason": "  ", "reject-note": "x"}
    )
    # POST-redirect-GET: the case page at the form, its errors shown once
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/#action-reject"
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="id_reject-reason_error"' in html and 'aria-invalid="true"' in html
    assert '<details class="action" id="action-reject" open>' in html
    again = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="id_reject-reason_error"' not in again
    assert fresh(case).status == Status.REPORTED
    assert CaseEvent.objects.count() == events


def test_a_department_result_needs_a_photo(client, street):
    case = dispatched()
    as_(client, "pcs_zhang").post(f"/cases/{case.number}/claim/QG-PCS/")
    response = client.post(
        f"/cases/{case.number}/resolve/QG-PCS/", {"resolve-QG-PCS-result": "已处理"}, follow=True
    )
    assert response.redirect_chain == [(f"/cases/{case.number}/#action-resolve-QG-PCS", 302)]
    html = response.content.decode()
    assert 'id="id_resolve-QG-PCS-photos_error"' in html and "已处理</textarea>" in html
    assert fresh(case).dispatches.get().resolved_at is None


def test_staff_report_in_their_grid_and_residents_anywhere_in_their_street(client, street):
    page = as_(client, "qs_wgy01").get("/cases/new/").content.decode()
    assert "(QG-01-01)" in page and "(QG-01-01-02)" in page and "(QG-01-02)" not in page
    assert "multiple" in page and 'accept="image/*"' in page and 'capture="environment"' in page
    page = as_(client, "resident_liu").get("/cases/new/").content.decode()
    assert "(QG-01-01-01)" in page and "(QG-05-01)" in page and "(QG-01)" not in page
    assert 'name="priority"' not in page and PHONE in page  # their own phone, prefilled
    response = as_(client, "qs_wgy01").post(
        "/cases/new/",
        {
            "title": "井盖缺失",
            "description": "路口井盖缺失。",
            "category": Category.objects.get(code="sewer").pk,
            "area": Area.objects.get(code="QG-01-01").pk,
            "priority": "emergency",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.source, case.priority, case.reporter.username) == (
        "grid_patrol",
        "emergency",
        "qs_wgy01",
    )


def test_a_photo_the_service_refuses_is_shown_on_the_form(client, street):
    bad = SimpleUploadedFile("photo.jpg", b"not a picture at all", content_type="image/jpeg")
    response = as_(client, "qs_wgy01").post(
        "/cases/new/",
        {
            "title": "井盖缺失",
            "description": "路口井盖缺失。",
            "category": Category.objects.get(code="sewer").pk,
            "area": Area.objects.get(code="QG-01-01").pk,
            "photos": [bad],
        },
    )
    assert response.status_code == 400
    assert 'id="id_photos_error"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_repeated_action_is_a_conflict_not_an_error(client, street):
    case = reported()
    assert as_(client, "qs_wgy01").post(f"/cases/{case.number}/accept/").status_code == 302
    response = client.post(f"/cases/{case.number}/accept/", follow=True)
    assert response.redirect_chain == [(f"/cases/{case.number}/", 302)]
    assert 'class="message error"' in response.content.decode()


def test_each_user_sees_only_the_actions_they_may_use(client, street):
    case = reported()
    base = f"/cases/{case.number}"
    page = as_(client, "qs_wgy01").get(f"{base}/").content.decode()
    assert all(f'action="{base}/{name}/"' in page for name in ("accept", "reject", "duplicate"))
    assert f'action="{base}/dispatch/"' not in page
    page = as_(client, "resident_liu").get(f"{base}/").content.decode()
    assert f"{base}/accept/" not in page and f"{base}/rate/" not in page
    case = dispatched()
    page = as_(client, "pcs_zhang").get(f"/cases/{case.number}/").content.decode()
    assert f'action="/cases/{case.number}/claim/QG-PCS/"' in page
    page = as_(client, "qingshan_sq").get(f"/cases/{case.number}/").content.decode()
    assert "/claim/" not in page and "/verify/" not in page


def test_the_phone_is_masked_for_department_staff(client, street):
    case = dispatched()
    page = as_(client, "pcs_zhang").get(f"/cases/{case.number}/").content.decode()
    assert "138****0046" in page and PHONE not in page
    assert PHONE in as_(client, "resident_liu").get(f"/cases/{case.number}/").content.decode()


def test_an_anonymous_reporter_stays_anonymous(client, street):
    case = reported(anonymous=True)
    page = as_(client, "qs_wgy01").get(f"/cases/{case.number}/").content.decode()
    assert PHONE not in page and "****" not in page and "刘霞" not in page


def test_the_case_list_filters_and_needs_no_query_per_case(client, street):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/?status=reported&level=grid").status_code == 200
        return len(queries)

    for _ in range(3):
        reported()
    as_(client, "qg_zhihui")
    few = list_queries()
    for _ in range(17):
        reported()
    assert list_queries() == few
    html = client.get("/cases/?status=reported&level=grid").content.decode()
    assert html.count('href="/cases/QG-') == 20
    assert client.get("/cases/?status=closed").content.decode().count('href="/cases/QG-') == 0


def test_workbench_lists_show_each_role_its_work(client, street):
    case = dispatched()
    assert case.number in as_(client, "qs_wgy01").get("/w/grid/").content.decode()
    assert case.number in as_(client, "resident_liu").get("/w/resident/").content.decode()
    assert case.number in as_(client, "pcs_zhang").get("/w/department/").content.decode()
    assert case.number not in as_(client, "cg_wang").get("/w/department/").content.decode()
    board = as_(client, "qg_zhihui").get("/w/board/").content.decode()
    assert "街道看板" in board and 'data-metric="reported" data-unit="QG">1<' in board


def test_cases_are_read_only_in_the_admin(client, street):
    case = reported()
    admin_client = as_(client, "admin")  # the demo street's superuser
    assert admin_client.get("/admin/workflows/case/").status_code == 200
    assert admin_client.get(f"/admin/workflows/case/{case.pk}/change/").status_code == 200
    assert admin_client.get("/admin/workflows/case/add/").status_code == 403
    assert admin_client.get("/admin/workflows/caseevent/add/").status_code == 403
    response = admin_client.post(f"/admin/workflows/case/{case.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert admin_client.get("/admin/workflows/timelimitpolicy/").status_code == 200
    assert admin_client.get("/admin/workflows/responsibility/add/").status_code == 200  # 权责清单


def test_the_whistle_blower_rates_the_department_once(client, street):
    case = dispatched()
    url = f"/cases/{case.number}/rate/QG-PCS/"
    page = as_(client, "qingshan_sq").get(f"/cases/{case.number}/").content.decode()
    assert url not in page  # nobody has reported for duty yet
    services.case_claim(
        case=case, department=Department.objects.get(code="QG-PCS"), actor=person("pcs_zhang")
    )
    assert url in as_(client, "qingshan_sq").get(f"/cases/{case.number}/").content.decode()
    assert url not in as_(client, "pcs_zhang").get(f"/cases/{case.number}/").content.decode()
    refused = as_(client, "pcs_zhang").post(url, {"rate-QG-PCS-score": "5"}, follow=True)
    assert 'class="message error"' in refused.content.decode()
    assert fresh(case).dispatches.get().response_rating is None
    response = as_(client, "qingshan_sq").post(url, {"rate-QG-PCS-score": "4"})
    assert response.status_code == 302
    assert fresh(case).dispatches.get().response_rating == 4
    assert url not in as_(client, "qingshan_sq").get(f"/cases/{case.number}/").content.decode()


def test_dispatch_suggests_the_departments_that_usually_handle_the_category(client, street):
    from workflows.models import Responsibility

    case = reported(category=Category.objects.get(code="parking"))
    grid = person("qs_wgy01")
    services.case_accept(case=case, actor=grid)
    services.case_whistle(case=case, actor=grid, whistle_type="routine", reason="需部门")
    page = as_(client, "qingshan_sq").get(f"/cases/{case.number}/").content.decode()
    dispatch = page[page.index('id="action-dispatch"') :]
    kind = case.category.default_department_kind
    default = Department.objects.filter(kind=kind, streets__code="QG").first()
    assert default is not None and f"通常由：{default.name}" in dispatch  # the category's kind
    boxes = dispatch[: dispatch.index('name="dispatch-lead"')]
    other = Department.objects.filter(streets__code="QG").exclude(pk=default.pk).order_by("code")
    listed = other.last()
    Responsibility.objects.create(
        street=Area.objects.get(code="QG"), category=case.category, department=listed, position=1
    )
    page = client.get(f"/cases/{case.number}/").content.decode()
    dispatch = page[page.index('id="action-dispatch"') :]
    assert f"通常由：{listed.name}、{default.name}" in dispatch  # 权责清单 first
    boxes = dispatch[: dispatch.index('name="dispatch-lead"')]
    positions = [boxes.index(f'value="{d.pk}"') for d in (listed, default, other.first())]
    assert positions == sorted(positions)  # suggested first, then the others


def test_the_case_list_filters_like_the_api_and_sorts(client, street):
    parking = reported(category=Category.objects.get(code="parking"), title="消防通道停车")
    corridor = reported(title="楼道堆物")
    late = dispatched(title="井盖缺失")
    services.case_mark_overdue(case=late, what="resolve")
    listed = as_(client, "qingshan_sq")

    def numbers(query: str) -> list[str]:
        response = listed.get(f"/cases/?{query}")
        assert response.status_code == 200
        return [case.number for case in response.context["cases"]]

    assert numbers("q=停车") == [parking.number]
    assert numbers("category=parking") == [parking.number]
    assert numbers("department=QG-PCS") == [late.number]
    assert numbers("overdue=on") == [late.number]
    assert numbers("source=grid_patrol") == []
    assert numbers("") == [late.number, corridor.number, parking.number]
    assert numbers("sort=old") == [parking.number, corridor.number, late.number]
    today = fresh(parking).reported_at.astimezone().date().isoformat()
    assert len(numbers(f"start={today}&end={today}")) == 3
    assert numbers("start=2000-01-01&end=2000-01-02") == []
    bad = listed.get("/cases/?start=2026-02-02&end=2026-01-01").content.decode()
    assert 'class="errorlist"' in bad  # a reversed range is an error on the form
