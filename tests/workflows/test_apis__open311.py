"""Open311 GeoReport v2: every JSON answer validated against the public schemas, the XML forms
parsed and compared, and the round trip a plain Open311 client makes."""

from datetime import timedelta
from io import StringIO
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.factories import square
from tests.workflows.open311_schemas import validate
from tests.workflows.world import photo
from workflows import services
from workflows.choices import Source
from workflows.models import Case, Category

BASE = "/open311/v2"
G1_POINT = {"lat": "30.05", "long": "104.05"}  # inside grid G1 (see `located`)


@pytest.fixture
def located(world):
    """Boundaries: the street S, community C1 inside it, grids G1 and G2 inside C1."""
    shapes = {
        "S": square(104.0, 30.0, 1.0),
        "C1": square(104.0, 30.0, 0.5),
        "G1": square(104.0, 30.0, 0.1),
        "G2": square(104.1, 30.0, 0.1),
    }
    for code, shape in shapes.items():
        world.areas[code].boundary = shape
        world.areas[code].save()
    return world


@pytest.fixture
def api_key(db) -> str:
    out = StringIO()
    call_command("open311_key", "issue", "hotline12345", "--name", "12345 热线", stdout=out)
    return out.getvalue().strip()


def post(client, api_key: str, fmt: str = "json", remote_addr: str = "127.0.0.1", **fields):
    data = {
        "api_key": api_key,
        "service_code": "corridor",
        "description": "3栋2单元楼道堆满纸箱，堵住了消防通道",
        **G1_POINT,
        **fields,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data, REMOTE_ADDR=remote_addr)


def xml_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    return [{child.tag: (child.text or "") for child in item} for item in root]


def same_data(json_row: dict, xml_row: dict) -> None:
    """The XML form carries the same values as the JSON form (null ↔ empty element)."""
    assert set(xml_row) == set(json_row)
    for key, value in json_row.items():
        expected = "" if value is None else str(value).lower() if isinstance(value, bool) else value
        if isinstance(value, float):
            assert float(xml_row[key]) == value
        else:
            assert xml_row[key] == str(expected), key


def assert_w3c(value: str) -> None:
    parsed = parse_datetime(value)
    assert parsed is not None and parsed.tzinfo is not None, value


def test_services_conform_and_xml_matches(client, db):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services_ = response.json()
    validate(services_, "services.json")
    assert {s["service_code"] for s in services_} == set(
        Category.objects.filter(active=True).values_list("code", flat=True)
    )
    rows = xml_rows(client.get(f"{BASE}/services.xml"))
    for json_row, xml_row in zip(services_, rows, strict=True):
        same_data(json_row, xml_row)


def test_service_definition_conforms_and_unknown_service_is_404(client, db):
    response = client.get(f"{BASE}/services/corridor.json")
    assert response.status_code == 200
    definition = response.json()
    validate(definition, "service-definition.json")
    root = ET.fromstring(client.get(f"{BASE}/services/corridor.xml").content)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "corridor"
    codes = [a.findtext("code") for a in root.find("attributes")]
    assert codes == [a["code"] for a in definition["attributes"]]
    keys = [v.findtext("key") for v in root.find("attributes")[1].find("values")]
    assert keys == ["false", "true"]

    missing = client.get(f"{BASE}/services/no_such.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404
    assert ET.fromstring(client.get(f"{BASE}/services/no_such.xml").content).tag == "errors"


def test_round_trip_post_read_back_and_see_it_closed(client, located, api_key):
    world = located
    assert client.get(f"{BASE}/services.json").status_code == 200
    created = post(client, api_key, **{"attribute[title]": "楼道堆物", "first_name": "王"})
    assert created.status_code == 201, created.content
    [receipt] = created.json()
    request_id = receipt["service_request_id"]

    case = Case.objects.get(number=request_id)
    assert case.source == Source.OPEN311 and case.area == world.areas["G1"]
    assert case.title == "楼道堆物" and case.contact_name == "王"
    assert case.events.filter(kind="case.reported").exists()  # the same flow as any case

    [row] = client.get(f"{BASE}/requests/{request_id}.json").json()
    validate([row], "requests.json")
    assert row["status"] == "open" and row["service_code"] == "corridor"
    assert row["lat"] == 30.05 and row["long"] == 104.05
    assert row["agency_responsible"] == world.areas["G1"].name
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert_w3c(row[key])

    grid1 = world.people["grid1"]
    services.case_accept(case=case, actor=grid1)
    services.case_resolve(case=case, actor=grid1, result="纸箱已清走", photos=[photo()])
    services.case_verify(case=case, actor=world.people["leader1"])

    [row] = client.get(f"{BASE}/requests/{request_id}.json").json()
    validate([row], "request.json")
    assert row["status"] == "closed"
    assert row["status_notes"] == "纸箱已清走"
    assert row["expected_datetime"] is None
    assert row["media_url"].startswith("http://testserver/")
    [xml_row] = xml_rows(client.get(f"{BASE}/requests/{request_id}.xml"))
    same_data(row, xml_row)


def test_agency_responsible_is_the_lead_department(client, located, api_key):
    world = located
    [receipt] = post(client, api_key).json()
    case = Case.objects.get(number=receipt["service_request_id"])
    services.case_accept(case=case, actor=world.people["grid1"])
    services.case_whistle(
        case=case, actor=world.people["grid1"], whistle_type="routine", reason="需要社区"
    )
    services.case_dispatch(
        case=case,
        actor=world.people["community1"],
        departments=[world.departments["city"], world.departments["police"]],
        lead=world.departments["police"],
        whistle_type="hard",
        reason="联合处置",
    )
    [row] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert row["agency_responsible"] == world.departments["police"].name
    assert row["status"] == "open"


def test_reassignment_and_extension_show_to_the_citizen(client, located, api_key):
    """改派 changes the agency responsible; 延期 the expected date and the status notes."""
    world = located
    [receipt] = post(client, api_key).json()
    case = Case.objects.get(number=receipt["service_request_id"])
    services.case_accept(case=case, actor=world.people["grid1"])
    services.case_whistle(
        case=case, actor=world.people["grid1"], whistle_type="routine", reason="需要社区"
    )
    police, city = world.departments["police"], world.departments["city"]
    services.case_dispatch(
        case=case,
        actor=world.people["community1"],
        departments=[police],
        lead=police,
        whistle_type="routine",
        reason="请处理",
    )
    services.case_reassign(
        case=case,
        department=police,
        actor=world.people["community1"],
        to_department=city,
        reason="改派",
    )
    services.case_claim(case=case, department=city, actor=world.people["city1"])
    case = Case.objects.get(pk=case.pk)
    due = case.resolve_due + timedelta(days=2)
    services.case_extension_ask(case=case, actor=world.people["city1"], due=due, reason="等材料")
    services.case_extension_approve(case=case, actor=world.people["community1"], due=due)
    [row] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert row["agency_responsible"] == city.name
    assert parse_datetime(row["expected_datetime"]) == due.replace(microsecond=0)
    assert "办理期限已延至" in row["status_notes"]
    services.case_suspension_ask(
        case=Case.objects.get(pk=case.pk),
        actor=world.people["city1"],
        reason="weather",
        resume_at=timezone.now() + timedelta(days=3),
    )
    [row] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert "挂起" not in row["status_notes"]  # asked, not yet approved: nothing changed
    services.case_suspension_approve(
        case=Case.objects.get(pk=case.pk), actor=world.people["community1"]
    )
    [row] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert "已挂起（天气原因）" in row["status_notes"] and row["expected_datetime"] is None


def test_request_list_filters_and_default_window(client, located, api_key):
    with time_machine.travel(timezone.now() - timedelta(days=100), tick=False):
        [old] = post(client, api_key).json()
    [fresh] = post(client, api_key, service_code="parking").json()
    located.report()  # a patrol finding: never public through Open311

    def ids(**params) -> set[str]:
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        validate(response.json(), "requests.json") if response.json() else None
        return {r["service_request_id"] for r in response.json()}

    assert ids() == {fresh["service_request_id"]}  # the last 90 days by default
    start = (timezone.now() - timedelta(days=200)).isoformat()
    both = {old["service_request_id"], fresh["service_request_id"]}
    assert ids(start_date=start) == both
    assert ids(start_date=start, service_code="corridor") == {old["service_request_id"]}
    assert ids(start_date=start, status="closed") == set()
    assert ids(start_date=start, status="open") == both
    assert ids(service_request_id=f"{old['service_request_id']},NOPE") == {
        old["service_request_id"]
    }
    assert len(xml_rows(client.get(f"{BASE}/requests.xml", {"start_date": start}))) == 2

    bad = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400 and bad.json()[0]["description"].startswith("start_date:")
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


def test_tokens_and_discovery(client, located, api_key):
    [receipt] = post(client, api_key).json()
    token = receipt["token"]
    [row] = client.get(f"{BASE}/tokens/{token}.json").json()
    assert row == {"service_request_id": receipt["service_request_id"], "token": token}
    assert xml_rows(client.get(f"{BASE}/tokens/{token}.xml")) == [row]
    assert client.get(f"{BASE}/tokens/NOPE.json").status_code == 404

    discovery = client.get(f"{BASE}/discovery.json").json()
    [endpoint] = discovery["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert root.find("endpoints/endpoint/url").text == endpoint["url"]
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == endpoint["formats"]


BAD_POSTS = [
    ({"api_key": ""}, 403, "api_key:"),
    ({"api_key": "not-a-key"}, 403, "api_key:"),
    ({"service_code": "no_such"}, 400, "service_code:"),
    ({"service_code": ""}, 400, "service_code:"),
    ({"description": "x" * 4001}, 400, "description:"),
    ({"description": ""}, 400, "description:"),
    ({"lat": "91", "long": "104"}, 400, "lat:"),
    ({"lat": "30.05", "long": "east"}, 400, "long:"),
    ({"lat": "nan", "long": "104.05"}, 400, "lat:"),
    ({"lat": "31.5", "long": "104.5"}, 400, "lat:"),  # outside every boundary
    ({"lat": "30.05", "long": None}, 400, "lat:"),
    ({"lat": None, "long": None}, 400, "lat:"),
    ({"attribute[colour]": "red"}, 400, "attribute[colour]:"),
    ({"attribute[anonymous]": "maybe"}, 400, "attribute[anonymous]:"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url:"),
    ({"description": "bad\x00byte"}, 400, "description:"),
    ({"api_key": "bad\x00key"}, 400, "api_key:"),
]


@pytest.mark.parametrize(("fields", "status", "reason"), BAD_POSTS)
def test_bad_posts_are_refused_with_a_reason_and_write_nothing(
    client, located, api_key, fields, status, reason
):
    fields = {"api_key": api_key, **fields}
    response = post(client, **fields)
    assert response.status_code == status, response.content
    [problem] = response.json()
    assert problem["code"] == status
    assert problem["description"].startswith(reason)
    assert not Case.objects.exists()


def test_malformed_bodies_and_revoked_keys(client, located, api_key):
    as_json = client.post(
        f"{BASE}/requests.json", '{"api_key": "' + api_key, content_type="application/json"
    )
    assert as_json.status_code == 400 and "form data" in as_json.json()[0]["description"]
    xml_error = post(client, api_key, fmt="xml", service_code="no_such")
    assert xml_error.status_code == 400
    assert ET.fromstring(xml_error.content).find("error/code").text == "400"

    call_command("open311_key", "revoke", "hotline12345", stdout=StringIO())
    assert post(client, api_key).status_code == 403
    assert not Case.objects.exists()


def test_an_ordinary_rest_token_is_not_an_api_key(client, located):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=located.people["resident"])
    assert post(client, token.key).status_code == 403


def test_address_only_lands_in_the_named_area(client, located, api_key):
    response = post(client, api_key, lat=None, long=None, address_string="测试街道 一网格 3栋")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.area == located.areas["G1"] and case.latitude is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_posts_are_rate_limited_per_address_and_per_key(
    client, located, api_key, settings, fmt, minute_window
):
    settings.GRIDCASE_RATE_LIMITS = {**settings.GRIDCASE_RATE_LIMITS, "open311_post": "2/minute"}
    assert post(client, api_key, fmt=fmt).status_code == 201
    assert post(client, api_key, fmt=fmt).status_code == 201
    refused = post(client, api_key, fmt=fmt)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    # the same key from another address is still over its own limit
    assert post(client, api_key, fmt=fmt, remote_addr="10.0.0.9").status_code == 429
    assert Case.objects.count() == 2
    assert client.get(f"{BASE}/requests.{fmt}").status_code == 200  # reading is not limited


def test_request_lists_cost_the_same_queries_for_one_or_many(client, located, api_key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(f"{BASE}/requests.json").json()) == count
        return len(queries.captured_queries)

    post(client, api_key)
    queries_for(1)  # warm-up (per-process caches; the first capture here came back empty)
    one = queries_for(1)
    for _ in range(4):
        post(client, api_key, service_code="parking")
    assert one > 0 and queries_for(5) == one


def test_control_characters_do_not_break_the_xml(client, located, api_key):
    [receipt] = post(client, api_key, description="门口\x01有\x1f杂物").json()
    [row] = xml_rows(client.get(f"{BASE}/requests/{receipt['service_request_id']}.xml"))
    assert row["description"] == "门口有杂物"


def test_offsets_postgresql_refuses_are_converted(client, located, api_key):
    post(client, api_key)
    response = client.get(f"{BASE}/requests.json", {"start_date": "2000-05-05T11:01:44-22:56"})
    assert response.status_code == 200 and len(response.json()) == 1
    response = client.get(f"{BASE}/requests.json", {"start_date": "0001-01-01T00:00:00+10:00"})
    assert response.status_code == 400 and response.json()[0]["description"].startswith(
        "start_date"
    )


def test_keys_are_their_own_scoped_revocable_expiring_records(client, located):
    from rest_framework.test import APIClient

    from workflows.models import Open311Key

    out = StringIO()
    call_command("open311_key", "issue", "gateway", "--days", "30", stdout=out)
    key = out.getvalue().strip()
    record = Open311Key.objects.get()
    assert record.digest != key and key not in record.digest and record.last_used_at is None
    assert post(client, key).status_code == 201
    record.refresh_from_db()
    assert record.last_used_at is not None  # when it was last used
    rest = APIClient()
    rest.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert rest.get("/api/v1/cases/").status_code == 401  # not a REST token: no reporters' data
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert post(client, key).status_code == 403  # expired
    listed = StringIO()
    call_command("open311_key", "list", stdout=listed)
    assert "gateway" in listed.getvalue() and key not in listed.getvalue()


def test_old_token_keys_become_open311_keys_and_stop_being_rest_tokens(located):
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory
    from workflows.apis.open311.keys import open311_key_find

    account = UserFactory(username="old_gateway")
    account.groups.add(Group.objects.get_or_create(name="open311-clients")[0])
    token = Token.objects.create(user=account)
    migration = importlib.import_module("workflows.migrations.0023_open311_keys")
    migration.tokens_to_keys(apps, None)
    assert not Token.objects.filter(key=token.key).exists()  # no longer a REST token
    found = open311_key_find(token.key)  # the gateway's key still works for Open311
    assert found is not None and found.account == account
