"""Reporting through the pages: the grid found from a location, resend-safe submissions,
categories most used first, the public form without an account, tracking and rating."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from shapely.geometry import shape

from grids.models import Area
from grids.selectors import area_at_point
from tests.workflows.demo_street import (
    DEMO_DATA,
    PHONE,
    as_,
    dispatched,
    jpeg,
    person,
    reported,
)
from workflows import services
from workflows.models import Case, Category
from workflows.selectors import categories_common_first


def inside(code: str) -> tuple[float, float]:
    boundary = next(a["boundary"] for a in DEMO_DATA["areas"] if a["code"] == code)
    point = shape(boundary).representative_point()
    return round(point.y, 6), round(point.x, 6)


def report(client, **fields):
    data = {
        "category": Category.objects.get(code="corridor").pk,
        "description": "楼道堆满纸箱。",
        "submission_key": str(uuid.uuid4()),
        **fields,
    }
    return client.post("/cases/new/", data)


def test_the_deepest_area_at_a_point(street):
    lat, lng = inside("QG-01-01-02")
    assert area_at_point(lat, lng).code == "QG-01-01-02"
    assert area_at_point(lat, lng, deepest="grid").code == "QG-01-01"
    assert area_at_point(0, 0) is None


def test_the_location_endpoint_names_the_grid_or_says_why_not(client, street):
    lat, lng = inside("QG-02-03")
    found = client.get(f"/areas/at/?lat={lat}&lng={lng}")
    assert found.status_code == 200 and found.json()["area"]["code"].startswith("QG-02-03")
    assert client.get("/areas/at/?lat=10&lng=10").status_code == 404
    assert "不在任何网格内" in client.get("/areas/at/?lat=10&lng=10").json()["error"]
    assert client.get("/areas/at/?lat=x&lng=1").status_code == 400
    assert client.get("/areas/at/?lat=91&lng=1").status_code == 400


def test_a_grid_member_reports_with_a_location_only(client, street):
    lat, lng = inside("QG-01-01-01")
    response = report(as_(client, "qs_wgy01"), latitude=lat, longitude=lng, photos=[jpeg()])
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.area.code == "QG-01-01-01"
    assert case.title.startswith("楼道堆物 · ") and case.photos.count() == 1
    assert (float(case.latitude), float(case.longitude)) == (lat, lng)


def test_a_point_outside_the_members_grids_is_a_form_error(client, street):
    lat, lng = inside("QG-02-01")  # another community
    response = report(as_(client, "qs_wgy01"), latitude=lat, longitude=lng)
    assert response.status_code == 400 and not Case.objects.exists()
    assert "不在您可上报的任何网格内" in response.content.decode()  # pages speak zh-hans
    half = report(client, latitude=lat)
    assert half.status_code == 400 and not Case.objects.exists()


def test_sending_the_same_form_twice_makes_one_case(client, street):
    key = str(uuid.uuid4())
    grid = Area.objects.get(code="QG-01-01").pk
    first = report(as_(client, "qs_wgy01"), area=grid, submission_key=key)
    again = report(client, area=grid, submission_key=key)
    case = Case.objects.get()
    assert first["Location"] == again["Location"] == f"/cases/{case.number}/"
    other = report(as_(client, "qs_wgy02"), area=grid, submission_key=key)
    assert other.status_code == 400 and Case.objects.count() == 1


def test_categories_most_reported_here_come_first(street):
    member = person("qs_wgy01")
    default_first = categories_common_first(member)[0].code
    for _ in range(2):
        reported(category=Category.objects.get(code="noise"))
    assert categories_common_first(member)[0].code == "noise" != default_first
    assert categories_common_first(person("cg_wang"))[0].code == default_first


def test_a_resident_without_an_account_reports_follows_and_rates(
    client, street, sms_outbox, django_capture_on_commit_callbacks
):
    lat, lng = inside("QG-01-02")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/report/",
            {
                "category": Category.objects.get(code="noise").pk,
                "description": "夜里装修噪音。",
                "latitude": lat,
                "longitude": lng,
                "contact_phone": "139-1234-5678",
                "anonymous": "on",
            },
        )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/track/{case.number}/"
    assert case.reporter is None and case.anonymous and case.contact_phone == "13912345678"
    # the tracking code by SMS, to the phone given
    assert [m.phone for m in sms_outbox] == ["13912345678"]
    assert case.number in sms_outbox[0].text and "/track/" in sms_outbox[0].text
    confirmed = client.get(response["Location"]).content.decode()
    assert 'class="card confirmation"' in confirmed and "139****5678" in confirmed
    assert 'class="card confirmation"' not in client.get(response["Location"]).content.decode()

    stranger = client.__class__()
    assert stranger.get(f"/track/{case.number}/")["Location"] == "/track/"
    wrong = stranger.post("/track/", {"number": case.number, "phone": "13900000000"})
    assert wrong.status_code == 400
    right = stranger.post("/track/", {"number": case.number.lower(), "phone": "13912345678"})
    assert right["Location"] == f"/track/{case.number}/"
    page = stranger.get(right["Location"]).content.decode()
    assert case.number in page and 'id="rate"' not in page  # not closed yet

    close(case)
    assert 'id="rate"' in stranger.get(f"/track/{case.number}/").content.decode()
    empty = stranger.post(f"/track/{case.number}/rate/", {"rating": ""})
    assert empty.status_code == 302 and empty["Location"] == f"/track/{case.number}/#rate"
    assert 'class="message error"' in stranger.get(f"/track/{case.number}/").content.decode()
    stranger.post(f"/track/{case.number}/rate/", {"rating": "satisfied"})
    assert Case.objects.get().rating == "satisfied"


def test_the_public_form_needs_a_phone(client, street):
    response = client.post(
        "/report/",
        {"category": Category.objects.get(code="noise").pk, "description": "噪音", "area": ""},
    )
    assert response.status_code == 400 and not Case.objects.exists()
    errors = response.context["form"].errors
    assert "contact_phone" in errors and "area" in errors


def close(case: Case) -> None:
    grid = person("qs_wgy02")  # the grid member of QG-01-02
    case = services.case_accept(case=case, actor=grid)
    case = services.case_resolve(case=case, actor=grid, result="已处理")
    services.case_verify(case=case, actor=grid)


def test_the_reporter_is_masked_for_people_who_do_not_need_them(client, street):
    case = dispatched()
    own = as_(client, "resident_liu").get(f"/cases/{case.number}/").content.decode()
    assert PHONE in own and "刘霞" in own
    police = as_(client, "pcs_zhang").get(f"/cases/{case.number}/").content.decode()
    assert PHONE not in police and "刘霞" not in police and "刘*" in police


def test_a_submission_key_opens_only_its_first_senders_case(client, street):
    """A public report sent again with another visitor's submission key is a report of its
    own: never the first visitor's case (and its phone)."""
    lat, lng = inside("QG-01-02")
    form = client.get("/report/").context["form"]
    key = str(form["submission_key"].value())
    data = {
        "category": Category.objects.get(code="noise").pk,
        "description": "夜里装修噪音。",
        "latitude": lat,
        "longitude": lng,
        "contact_phone": "13912345678",
        "submission_key": key,
    }
    first = client.post("/report/", data)
    case = Case.objects.get()
    again = client.post("/report/", data)  # the same visitor retrying: the same case
    assert first["Location"] == again["Location"] == f"/track/{case.number}/"

    stranger = client.__class__()
    stranger.get("/report/")
    copied = stranger.post("/report/", {**data, "contact_phone": "13800000000"})
    assert copied.status_code == 302 and copied["Location"] != first["Location"]
    assert stranger.get(first["Location"])["Location"] == "/track/"  # not theirs to see
    assert Case.objects.count() == 2 and Case.objects.get(pk=case.pk).contact_phone == "13912345678"


def test_the_service_never_matches_anonymous_senders_by_key_alone(street):
    key = uuid.uuid4()
    fields = {
        "title": "噪音",
        "description": "夜里装修噪音。",
        "category": Category.objects.get(code="noise"),
        "area": Area.objects.get(code="QG-01-02"),
        "source": "resident",
        "submission_key": key,
    }
    case = services.case_report(contact_phone="13912345678", **fields)
    assert services.case_report(contact_phone="13912345678", **fields) == case
    with pytest.raises(ValidationError):  # another phone never gets the first sender's case
        services.case_report(contact_phone="13800000000", **fields)
