"""JSON too deep, not JSON, or not text: a 400 with a code, never a 500 (REST)."""

import pytest

from tests.workflows.test_apis__rest import as_user

DEEP = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize("body", [DEEP, "[" * 40 + "]" * 40, '{"username": [' * 5000])
def test_deep_json_to_the_token_endpoint_is_a_400(client, db, body):
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "too_deep"


def test_deep_json_to_actions_and_reports_is_a_400(world):
    api = as_user(world.people["grid1"])
    case = world.report()
    for url in ("/api/v1/cases/", f"/api/v1/cases/{case.number}/comment/"):
        response = api.post(url, DEEP, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "too_deep"


def test_broken_or_undecodable_json_is_a_400(client, db):
    for body in (b'{"username": ', b"\xff\xfe{}"):
        response = client.post("/api/v1/auth/token/", body, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "parse_error"
