"""申诉 through HTTP: the department's form on the case page (reason, photos), the street's
decision buttons there, the street's list of appeals (pending first, filters), the board's
figure and link, and the REST actions with their 400/403/409 answers."""

from rest_framework.test import APIClient

from tests.workflows.test_services__appeal import appeal, rated
from tests.workflows.world import photo
from workflows import services
from workflows.models import CaseAppeal, CaseEvent

API = "/api/v1"


def api(world, name) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.people[name])
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")  # the refusals' reasons, read in English
    return client


def test_filed_on_the_case_page_and_upheld_by_the_street(client, world):
    case = rated(world, score=2)
    client.force_login(world.people["police_head"])
    page = client.get(f"/cases/{case.number}/")
    assert 'id="action-appeal-PCS"' in page.text and 'enctype="multipart/form-data"' in page.text
    empty = client.post(f"/cases/{case.number}/appeal/PCS/", {"appeal-PCS-kind": "rating"})
    assert empty.status_code == 302 and empty["Location"].endswith("#action-appeal-PCS")
    assert "errorlist" in client.get(empty["Location"]).text
    assert not CaseAppeal.objects.exists()  # nothing half-written
    sent = client.post(
        f"/cases/{case.number}/appeal/PCS/",
        {
            "appeal-PCS-kind": "rating",
            "appeal-PCS-reason": "已按时到场处置",
            "appeal-PCS-photos": [photo()],
        },
    )
    assert sent.status_code == 302
    filed = CaseAppeal.objects.get()
    assert filed.photos.count() == 1
    client.force_login(world.people["street"])
    page = client.get(f"/cases/{case.number}/")
    assert 'id="action-uphold_appeal-PCS"' in page.text and "已按时到场处置" in page.text
    assert 'id="action-dismiss_appeal-PCS"' in page.text
    listing = client.get("/w/appeals/")
    assert listing.status_code == 200 and f'data-case="{case.number}"' in listing.text
    board = client.get("/w/board/S/data/").json()
    assert board["appeals_pending"] == 1
    assert "/w/appeals/" in client.get("/w/board/S/").text
    done = client.post(
        f"/cases/{case.number}/uphold_appeal/PCS/",
        {"uphold_appeal-PCS-kind": "rating", "uphold_appeal-PCS-reason": "经核实评价有误"},
    )
    assert done.status_code == 302
    assert CaseAppeal.objects.get().state == "upheld"
    history = client.get(f"/cases/{case.number}/").text
    assert "经核实评价有误" in history
    assert 'id="action-uphold_appeal-PCS"' not in history  # decided: no more buttons
    assert f'data-case="{case.number}"' not in client.get("/w/appeals/").text  # not pending
    decided = client.get("/w/appeals/", {"state": "decided"})
    assert f'data-case="{case.number}"' in decided.text and "经核实评价有误" in decided.text
    assert client.get("/w/appeals/", {"state": "nonsense"}).status_code == 200  # pending


def test_the_list_puts_pending_first_and_is_for_the_street(client, world):
    first = rated(world, score=1)
    appeal(world, first)
    services.case_appeal_dismiss(
        case=first, actor=world.people["street"], department=world.departments["police"],
        reason="驳回",
    )  # fmt: skip
    second = rated(world, score=1)
    appeal(world, second)
    client.force_login(world.people["street"])
    text = client.get("/w/appeals/", {"state": "all"}).text
    assert text.index(f'data-case="{second.number}"') < text.index(f'data-case="{first.number}"')
    client.force_login(world.people["grid1"])
    assert client.get("/w/appeals/").status_code == 403
    client.force_login(world.people["cop1"])  # its own department's appeals, without buttons
    own = client.get("/w/appeals/")
    assert own.status_code == 200 and f'data-case="{second.number}"' in own.text
    assert "#action-uphold_appeal-PCS" not in own.text


def test_rest_appeal_answers(world):
    case = rated(world, score=1)
    url = f"{API}/cases/{case.number}/appeal/"
    police = api(world, "police_head")
    bad = police.post(url, {"department": "PCS", "kind": "rating", "reason": ""}, format="json")
    assert bad.status_code == 400
    wrong = police.post(url, {"department": "PCS", "kind": "all", "reason": "x"}, format="json")
    assert wrong.status_code == 400
    other = api(world, "city1").post(
        url, {"department": "PCS", "kind": "rating", "reason": "x"}, format="json"
    )
    assert other.status_code == 404  # a department without a part does not see the case
    no_part = api(world, "city1").post(
        url, {"department": "CG", "kind": "rating", "reason": "x"}, format="json"
    )
    assert no_part.status_code == 404 and not CaseAppeal.objects.exists()
    head = api(world, "police_head")  # its own department's part only
    not_own = head.post(url, {"department": "CG", "kind": "rating", "reason": "x"}, format="json")
    assert not_own.status_code == 403 and "no part" in str(not_own.json())
    ok = police.post(
        url, {"department": "PCS", "kind": "rating", "reason": "证据见照片", "photos": [photo()]},
        format="multipart",
    )  # fmt: skip
    assert ok.status_code == 200, ok.content
    again = police.post(url, {"department": "PCS", "kind": "rating", "reason": "再"}, format="json")
    assert again.status_code == 409 and "already appealed" in str(again.json())
    decide = f"{API}/cases/{case.number}/dismiss-appeal/"
    community = api(world, "community1").post(
        decide, {"department": "PCS", "reason": "驳回"}, format="json"
    )
    assert community.status_code == 403
    street = api(world, "street")
    assert (
        street.post(decide, {"department": "PCS", "reason": ""}, format="json").status_code == 400
    )
    done = street.post(decide, {"department": "PCS", "reason": "评价属实"}, format="json")
    assert done.status_code == 200
    late = street.post(
        f"{API}/cases/{case.number}/uphold-appeal/",
        {"department": "PCS", "reason": "成立"},
        format="json",
    )
    assert late.status_code == 409 and "waiting for a decision" in str(late.json())
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["case.appealed", "case.appeal_dismissed"]
