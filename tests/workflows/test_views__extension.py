"""延期 through HTTP: the case page's forms (datetime-local input), the board's figure and the
REST actions with their 400/403/409 answers."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from workflows import services
from workflows.models import Case, CaseExtension

API = "/api/v1"


def api(world, name) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.people[name])
    return client


def local(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%dT%H:%M}"


def test_asked_and_granted_on_the_case_page(client, world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    wanted = case.resolve_due + timedelta(days=3)
    client.force_login(world.people["grid1"])
    page = client.get(f"/cases/{case.number}/")
    assert 'id="action-ask_extension"' in page.text and 'type="datetime-local"' in page.text
    bad = client.post(
        f"/cases/{case.number}/ask_extension/",
        {"ask_extension-due": "明天", "ask_extension-reason": "x"},
    )
    assert bad.status_code == 302 and bad["Location"].endswith("#action-ask_extension")
    assert "errorlist" in client.get(bad["Location"]).text  # the form again, with its error
    assert not CaseExtension.objects.exists()
    asked = client.post(
        f"/cases/{case.number}/ask_extension/",
        {"ask_extension-due": local(wanted), "ask_extension-reason": "业主出差"},
    )
    assert asked.status_code == 302
    client.force_login(world.people["community1"])
    page = client.get(f"/cases/{case.number}/")
    assert 'id="action-approve_extension"' in page.text and local(wanted) in page.text
    granted = wanted - timedelta(days=1)
    done = client.post(
        f"/cases/{case.number}/approve_extension/", {"approve_extension-due": local(granted)}
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).resolve_due == granted.replace(second=0, microsecond=0)
    client.force_login(world.people["street"])
    board = client.get("/w/board/S/data/").json()
    assert board["cases_extended"] == 1


def test_rest_extension_answers(world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    url = f"{API}/cases/{case.number}/ask-extension/"
    due = (case.resolve_due + timedelta(days=2)).isoformat()
    assert api(world, "grid1").post(url, {"reason": "x"}, format="json").status_code == 400
    assert (
        api(world, "grid3").post(url, {"reason": "x", "due": due}, format="json").status_code == 404
    )
    with time_machine.travel(case.resolve_due + timedelta(minutes=1), tick=False):
        late = api(world, "grid1").post(url, {"reason": "x", "due": due}, format="json")
    assert late.status_code == 409 and "已超过办理期限" in late.json()["detail"]
    assert (
        api(world, "grid1").post(url, {"reason": "x", "due": due}, format="json").status_code == 200
    )
    approve = f"{API}/cases/{case.number}/approve-extension/"
    too_long = (case.resolve_due + timedelta(days=3)).isoformat()
    answer = api(world, "community1").post(approve, {"due": too_long}, format="json")
    assert answer.status_code == 400
    ok = api(world, "community1").post(approve, {"due": due}, format="json")
    assert ok.status_code == 200
    kinds = [e["kind"] for e in ok.json()["events"]]
    assert kinds[-2:] == ["case.extension_asked", "case.extension_approved"]
    again = api(world, "community1").post(approve, {"due": due}, format="json")
    assert again.status_code == 409
