"""退单审核 and 改派 through HTTP: the case page's forms, the dispatcher's workbench, the board,
and the REST actions (with their 400/403/409 answers)."""

from rest_framework.test import APIClient

from workflows import services
from workflows.models import CaseEvent

API = "/api/v1"


def api(world, name) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.people[name])
    return client


def returned(world):
    case = world.dispatched("police")
    services.case_return(
        case=case,
        department=world.departments["police"],
        actor=world.people["cop1"],
        reason="非本部门",
    )
    return case


def test_the_dispatcher_reviews_a_return_on_the_case_page(client, world):
    case = returned(world)
    client.force_login(world.people["community1"])
    workbench = client.get("/w/community/")
    assert workbench.status_code == 200
    assert case.number in workbench.text and "非本部门" in workbench.text
    page = client.get(f"/cases/{case.number}/")
    assert 'id="action-accept_return-PCS"' in page.text
    assert 'id="action-refuse_return-PCS"' in page.text
    prefix = "refuse_return-PCS"
    bad = client.post(f"/cases/{case.number}/refuse_return/PCS/", {f"{prefix}-reason": ""})
    assert bad.status_code == 302 and bad["Location"].endswith(f"#action-{prefix}")
    assert "errorlist" in client.get(bad["Location"]).text
    done = client.post(
        f"/cases/{case.number}/refuse_return/PCS/", {f"{prefix}-reason": "属于你们的职责"}
    )
    assert done.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="case.return_refused").count() == 1
    again = client.post(
        f"/cases/{case.number}/refuse_return/PCS/", {f"{prefix}-reason": "属于你们的职责"}
    )
    # nothing waits for review any more: back on the case page, nothing written twice
    assert again.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="case.return_refused").count() == 1
    timeline = client.get(f"/cases/{case.number}/").text
    assert "属于你们的职责" in timeline


def test_the_department_is_not_offered_the_review(client, world):
    case = returned(world)
    client.force_login(world.people["cop1"])
    page = client.get(f"/cases/{case.number}/")
    assert "action-accept_return-PCS" not in page.text
    denied = client.post(
        f"/cases/{case.number}/accept_return/PCS/", {"accept_return-PCS-reason": "自己批准"}
    )
    # refused: back on the case page with the reason, nothing done
    assert denied.status_code == 302 and denied["Location"] == f"/cases/{case.number}/"
    assert not CaseEvent.objects.filter(case=case, kind="case.return_accepted").exists()


def test_the_board_lists_returns_waiting_for_review(client, world):
    case = returned(world)
    client.force_login(world.people["street"])
    page = client.get("/w/board/")
    assert page.status_code == 200 and 'id="board-returns"' in page.text
    assert case.number in page.text
    data = client.get("/w/board/S/data/").json()
    assert data["returns_in_review"] == 1 and case.number in data["returns_html"]


def test_rest_accept_return_with_reassignment(world):
    case = returned(world)
    url = f"{API}/cases/{case.number}/accept-return/"
    body = {"department": "PCS", "reason": "改派城管", "to_department": "CG"}
    assert api(world, "cop1").post(url, body, format="json").status_code == 403
    unknown = api(world, "community1").post(url, body | {"to_department": "NOPE"}, format="json")
    assert unknown.status_code == 400 and "to_department" in unknown.json()["fields"]
    outside = api(world, "community1").post(url, body | {"to_department": "SW"}, format="json")
    assert outside.status_code == 400
    ok = api(world, "community1").post(url, body, format="json")
    assert ok.status_code == 200, ok.content
    parts = {d["department"]: d for d in ok.json()["dispatches"]}
    assert parts["PCS"]["active"] is False and parts["PCS"]["return_accepted_at"]
    assert parts["CG"]["active"] is True and parts["CG"]["claimed_by"] is None
    kinds = [e["kind"] for e in ok.json()["events"]]
    assert kinds[-2:] == ["case.return_accepted", "case.reassigned"]
    assert api(world, "community1").post(url, body, format="json").status_code == 409


def test_rest_reassign(world):
    case = world.dispatched("police")
    url = f"{API}/cases/{case.number}/reassign/"
    missing = api(world, "community1").post(
        url, {"department": "PCS", "reason": "x"}, format="json"
    )
    assert missing.status_code == 400 and "to_department" in missing.json()["fields"]
    body = {"department": "PCS", "to_department": "CG", "reason": "派错了"}
    assert api(world, "police_head").post(url, body, format="json").status_code == 403
    ok = api(world, "community1").post(url, body, format="json")
    assert ok.status_code == 200, ok.content
    assert [d["department"] for d in ok.json()["dispatches"] if d["active"]] == ["CG"]
