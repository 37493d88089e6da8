"""Public forms' limits: reports per phone number + client address (one address for a whole
community office must not lock out its residents), failed tracking lookups per address and
per case number, and refusals that are pages in the site's language, or JSON for scripts."""

import pytest

from workflows.models import Case, Category

from .test_views__intake import close, inside


@pytest.fixture
def small_limits(settings):
    settings.GRIDCASE_RATE_LIMITS = {
        **settings.GRIDCASE_RATE_LIMITS,
        "report": "2/hour",
        "report_address": "6/hour",
        "track": "3/hour",
    }


def public_report(client, phone: str, **extra):
    lat, lng = inside("QG-01-02")
    data = {
        "category": Category.objects.get(code="noise").pk,
        "description": "夜里装修噪音。",
        "latitude": lat,
        "longitude": lng,
        "contact_phone": phone,
    }
    return client.post("/report/", data, **extra)


def test_residents_behind_one_address_each_have_their_own_limit(client, street, small_limits):
    for phone in ("13900000001", "13900000002"):
        assert [public_report(client, phone).status_code for _ in range(2)] == [302, 302]
    refused = public_report(client, "139-0000-0001")  # the same phone, written differently
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    page = refused.content.decode()
    assert 'data-refused="429"' in page and 'lang="zh-hans"' in page
    assert "请求过于频繁" in page and "分钟后再试" in page  # in the site's language, with when
    assert Case.objects.count() == 4
    assert public_report(client, "13900000003").status_code == 302  # a neighbour still can
    # the address as a whole has a limit of its own, whatever the phones
    assert public_report(client, "13900000004").status_code == 429
    assert public_report(client, "13900000004", REMOTE_ADDR="10.2.2.2").status_code == 302


def test_a_script_gets_a_readable_json_refusal(client, street, small_limits):
    for _ in range(2):
        public_report(client, "13900000001")
    refused = public_report(client, "13900000001", HTTP_X_REQUESTED_WITH="fetch")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    body = refused.json()
    assert body["code"] == "rate_limited" and body["retry_after"] == int(refused["Retry-After"])
    assert body["detail"].startswith("请求过于频繁")  # readable as it is: no \\u escapes
    assert "\\u" not in refused.content.decode()


def test_failed_tracking_lookups_are_limited_not_the_residents_own(client, street, small_limits):
    public_report(client, "13912345678")
    case = Case.objects.get()
    for _ in range(5):  # the resident's own number and phone never count
        right = client.post("/track/", {"number": case.number, "phone": "13912345678"})
        assert right.status_code == 302
    for n in range(3):
        wrong = client.post("/track/", {"number": case.number, "phone": f"1390000000{n}"})
        assert wrong.status_code == 400
    refused = client.post("/track/", {"number": case.number, "phone": "13912345678"})
    assert refused.status_code == 429 and 'data-refused="429"' in refused.content.decode()
    assert "\\u" not in refused.content.decode()
    # guessing the phone of this case from elsewhere is held off too (per case number)
    elsewhere = client.post(
        "/track/", {"number": case.number, "phone": "13912345678"}, REMOTE_ADDR="10.3.3.3"
    )
    assert elsewhere.status_code == 429
    close(case)  # unrelated: rating goes on through the session already opened
    assert client.get(f"/track/{case.number}/").status_code == 200


def test_error_pages_are_in_the_site_layout(client, street):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and 'data-refused="404"' in missing.content.decode()
    assert "没有这个页面" in missing.content.decode()
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert "There is no such page." in english.content.decode()
    api = client.get("/api/v1/nothing/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
