"""The REST API: the same visibility and permissions as the pages, every action through the
services, errors as {"code", "detail"}, filters and cursor pages without N+1."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import square
from tests.workflows.world import photo
from workflows.models import Case, CaseEvent

API = "/api/v1"


def as_user(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(world):
    return lambda name: as_user(world.people[name])


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def test_anonymous_gets_401_and_a_token_for_a_password(client, world):
    assert APIClient().get(f"{API}/cases/").status_code == 401
    response = APIClient().post(
        f"{API}/auth/token/", {"username": "grid1", "password": "pw"}, format="json"
    )
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(f"{API}/cases/").status_code == 200
    wrong = APIClient().post(f"{API}/auth/token/", {"username": "grid1", "password": "no"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "authorization"


def test_lists_show_only_what_the_pages_show(world, api):
    g1 = world.report()
    g3 = world.report(area="G3", by="grid3")
    dispatched = world.dispatched("police")
    assert numbers(api("grid1").get(f"{API}/cases/")) == {g1.number, dispatched.number}
    assert numbers(api("grid3").get(f"{API}/cases/")) == {g3.number}
    assert numbers(api("cop1").get(f"{API}/cases/")) == {dispatched.number}
    assert numbers(api("city1").get(f"{API}/cases/")) == set()
    assert numbers(api("street").get(f"{API}/cases/")) == {g1.number, g3.number, dispatched.number}
    assert api("grid3").get(f"{API}/cases/{g1.number}/").status_code == 404
    assert api("street").get(f"{API}/cases/S%00/").status_code == 404
    assert api("city1").post(f"{API}/cases/{g1.number}/accept/").status_code == 404


def test_filters(world, api):
    g1 = world.report()
    g3 = world.report(area="G3", by="grid3", category=_category("parking"), title="乱停车")
    dispatched = world.dispatched("police")
    street = api("street")

    def listed(**params) -> set[str]:
        return numbers(street.get(f"{API}/cases/", params))

    assert listed(status="reported") == {g1.number, g3.number}
    assert listed(level="department") == {dispatched.number}
    assert listed(area="S-01") == {g1.number, dispatched.number}
    assert listed(department="PCS") == {dispatched.number}
    assert listed(category="parking") == {g3.number}
    assert listed(priority="normal", q="乱停") == {g3.number}
    assert listed(q=g1.number.lower()) == {g1.number}
    assert listed(overdue="true") == set()
    assert (
        listed(reported_after="2000-01-01T00:00:00Z", reported_before="2001-01-01T00:00:00Z")
        == set()
    )
    for bad in ({"area": "NOPE"}, {"status": "lost"}, {"reported_after": "soon"}):
        response = street.get(f"{API}/cases/", bad)
        assert response.status_code == 400 and response.json()["fields"], bad


def test_cursor_pages_with_a_constant_number_of_queries(world, api, django_assert_num_queries):
    made = {world.dispatched("police", "city").number for _ in range(3)}
    made |= {world.report().number for _ in range(3)}
    street = api("street")
    seen, url = set(), f"{API}/cases/?page_size=4"
    while url:
        page = street.get(url).json()
        seen |= {row["number"] for row in page["results"]}
        url = page["next"]
    assert seen == made
    street.get(f"{API}/cases/?page_size=1")  # warm up the token/session lookups equally
    with django_assert_num_queries(_count(street, 1)):
        street.get(f"{API}/cases/?page_size=6")
    assert street.get(f"{API}/cases/?cursor=garbage").status_code == 404


def _count(client, size: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{API}/cases/?page_size={size}").status_code == 200
    return len(queries)


def _category(code: str):
    from workflows.models import Category

    return Category.objects.get(code=code)


def test_report_json_and_multipart_with_photos(world, api):
    grid1 = api("grid1")
    body = {
        "title": "井盖缺失",
        "description": "路口井盖不见了",
        "category": "sewer",
        "area": "S-01-01",
    }
    created = grid1.post(f"{API}/cases/", body, format="json")
    assert created.status_code == 201, created.content
    detail = created.json()
    assert detail["source"] == "grid_patrol" and detail["area"] == "S-01-01"
    assert [e["kind"] for e in detail["events"]] == ["case.reported"]

    resident = api("resident")
    body = {**body, "area": "S-01-01", "photos": [photo(), photo(color="blue")]}
    created = resident.post(f"{API}/cases/", body, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["source"] == "resident"
    assert [p["kind"] for p in created.json()["photos"]] == ["before", "before"]


def test_report_by_location(world, api):
    world.areas["G2"].boundary = square(104.1, 30.0, 0.1)
    world.areas["G2"].save()
    body = {"title": "t", "description": "d", "category": "sewer"}
    grid2 = api("grid2")
    created = grid2.post(f"{API}/cases/", {**body, "latitude": 30.05, "longitude": 104.15})
    assert created.status_code == 201, created.content
    assert created.json()["area"] == "S-01-02" and created.json()["latitude"] == 30.05
    outside = grid2.post(f"{API}/cases/", {**body, "latitude": 31.05, "longitude": 104.15})
    assert outside.status_code == 400 and outside.json()["code"] == "outside"


BAD_REPORTS = [
    ({"description": "x" * 4001}, "description"),
    ({"category": "no_such"}, "category"),
    ({"area": "NOPE"}, "area"),
    ({"latitude": 91, "longitude": 104}, "latitude"),
    ({"latitude": "north", "longitude": 104}, "latitude"),
    ({"latitude": 30}, "non_field_errors"),
    ({"title": ["a", "list"]}, "title"),
    ({"priority": "whenever"}, "priority"),
]


@pytest.mark.parametrize(("change", "field"), BAD_REPORTS)
def test_bad_reports_say_why_and_write_nothing(world, api, change, field):
    body = {"title": "t", "description": "d", "category": "sewer", "area": "S-01-01", **change}
    response = api("grid1").post(f"{API}/cases/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Case.objects.exists()


def test_non_image_upload_malformed_json_and_foreign_areas(world, api):
    body = {"title": "t", "description": "d", "category": "sewer", "area": "S-01-01"}
    fake = SimpleUploadedFile("x.jpg", b"#!/bin/sh\necho hi\n", content_type="image/jpeg")
    response = api("grid1").post(f"{API}/cases/", {**body, "photos": [fake]}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "not_an_image"
    broken = api("grid1").post(f"{API}/cases/", '{"title": ', content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"
    foreign = api("grid3").post(f"{API}/cases/", body, format="json")
    assert foreign.status_code == 403 and foreign.json()["code"] == "denied"
    resident = api("resident").post(f"{API}/cases/", {**body, "priority": "urgent"}, format="json")
    assert resident.status_code == 400 and "priority" in resident.json()["fields"]
    assert not Case.objects.exists()


def test_the_whole_loop_through_the_api(world, api):
    number = world.report(by="resident", source="resident").number
    grid1, community1, cop1 = api("grid1"), api("community1"), api("cop1")

    def act(client, action: str, status: int = 200, **body):
        response = client.post(f"{API}/cases/{number}/{action}/", body, format="json")
        assert response.status_code == status, response.content
        return response.json()

    assert act(grid1, "accept")["status"] == "handling"
    act(grid1, "whistle", whistle_type="routine", reason="社区协调")
    act(community1, "dispatch", departments=["PCS"], lead="PCS", whistle_type="hard", reason="处置")
    assert act(cop1, "claim", department="PCS")["status"] == "handling"
    lost = act(api("cop2"), "claim", 409, department="PCS")
    assert lost["code"] == "already_claimed" and lost["claimed_by"] == "cop1"
    resolved = cop1.post(
        f"{API}/cases/{number}/resolve/",
        {"department": "PCS", "result": "已清理", "photos": [photo()]},
        format="multipart",
    )
    assert resolved.status_code == 200, resolved.content
    # the police's part has ended: its answer is that part's history, not the case now
    assert resolved.json()["part_ended"] is True and "status" not in resolved.json()
    assert community1.get(f"{API}/cases/{number}/").json()["status"] == "resolved"
    act(community1, "rate-department", department="PCS", score=5)
    assert (
        act(community1, "verify", method="phone", reason="电话回访", note="核查")["status"]
        == "closed"
    )
    assert act(api("resident"), "rate", rating="satisfied")["rating"] == "satisfied"
    act(cop1, "comment", 403, text="后续回访")  # its part ended: comments are closed to it
    detail = act(community1, "comment", text="后续回访")
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds[0] == "case.reported" and kinds[-1] == "case.commented"
    assert {"case.claimed", "case.closed", "case.rated", "dispatch.rated"} <= set(kinds)


def test_permissions_and_states_are_the_services(world, api):
    number = world.report().number
    denied = api("grid2").post(f"{API}/cases/{number}/accept/")
    assert denied.status_code == 404  # grid2 cannot even see it
    street_case = world.report(area="G2", by="grid2").number
    leader = api("leader1").post(f"{API}/cases/{street_case}/accept/")
    assert leader.status_code == 404
    by_phone = {"method": "phone", "reason": "电话回访"}
    assert api("grid1").post(f"{API}/cases/{number}/verify/", by_phone).status_code == 409
    assert api("grid1").post(f"{API}/cases/{number}/accept/").status_code == 200
    again = api("grid1").post(f"{API}/cases/{number}/accept/")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    rate = api("street").post(f"{API}/cases/{number}/rate/", {"rating": "satisfied"})
    assert rate.status_code == 403 and rate.json()["code"] == "denied"
    unknown = api("grid1").post(f"{API}/cases/{number}/claim/", {"department": "NOPE"})
    assert unknown.status_code == 400 and "department" in unknown.json()["fields"]
    empty = api("grid1").post(f"{API}/cases/{number}/comment/", {"text": "  "})
    assert empty.status_code == 400
    assert not CaseEvent.objects.filter(kind="case.commented").exists()


def test_anonymous_reporters_stay_anonymous(world, api):
    case = world.report(
        by="resident", source="resident", anonymous=True, contact_phone="13800000001"
    )
    detail = api("grid1").get(f"{API}/cases/{case.number}/").json()
    assert detail["contact"] == {"anonymous": True}
    assert detail["events"][0]["actor"] is None
    own = api("resident").get(f"{API}/cases/{case.number}/").json()
    assert own["events"][0]["actor"] is None  # the log is the same for everyone


def test_contact_phone_is_masked_for_those_who_do_not_handle(world, api):
    case = world.dispatched("police")
    case.contact_name, case.contact_phone = "刘", "13800000001"
    case.save()
    assert (
        api("cop1").get(f"{API}/cases/{case.number}/").json()["contact"]["phone"] == "138****0001"
    )


def test_too_large_bodies_get_413(world, api, settings):
    settings.GRIDCASE_MAX_REQUEST_BYTES = 1000
    body = {"title": "t", "description": "d" * 2000, "category": "sewer", "area": "S-01-01"}
    response = api("grid1").post(f"{API}/cases/", body, format="json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    settings.GRIDCASE_MAX_REQUEST_BYTES = 10**8
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api("grid1").post(f"{API}/cases/", body, format="json")
    assert response.status_code == 413
    assert not Case.objects.exists()


def test_schema_and_local_docs(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/cases/{number}/claim/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"drf_spectacular_sidecar" in docs.content and b"cdn" not in docs.content.lower()


def test_input_postgresql_cannot_compare_is_a_400_not_a_500(world, api):
    """Found by the fuzzer on PostgreSQL: NUL characters and time-zone offsets beyond ±16 h."""
    street = api("street")
    for params in (
        {"reported_after": "3406-05-05T11:01:44-22:56"},
        {"area": "S\x00"},
        {"department": "P\x00CS"},
    ):
        response = street.get(f"{API}/cases/", params)
        assert response.status_code in (200, 400), (params, response.content)
    assert (
        street.get(f"{API}/cases/", {"reported_after": "0001-01-01T00:00:00+10:00"}).status_code
        == 400
    )
    number = world.report().number
    for body in ({"department": "P\x00CS"}, {"departments": ["\x00"], "lead": "PCS"}):
        response = api("community1").post(f"{API}/cases/{number}/claim/", body, format="json")
        assert response.status_code == 400, response.content
    nul = APIClient()
    nul.credentials(HTTP_AUTHORIZATION="Token abc\x00def")
    assert nul.get(f"{API}/cases/").status_code == 401
