"""挂起 through HTTP: the supervising level's form (reason list, date to resume), the case's
flag, and the REST actions' answers."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from workflows import services
from workflows.models import Case


def test_suspended_and_resumed_on_the_case_page(client, world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    client.force_login(world.people["community1"])
    page = client.get(f"/cases/{case.number}/")
    assert 'id="action-suspend"' in page.text and 'value="court"' in page.text
    resume = f"{timezone.localtime(timezone.now() + timedelta(days=3)):%Y-%m-%dT%H:%M}"
    bad = client.post(
        f"/cases/{case.number}/suspend/", {"suspend-reason": "holiday", "suspend-resume_at": resume}
    )
    assert bad.status_code == 302 and bad["Location"].endswith("#action-suspend")
    assert "errorlist" in client.get(bad["Location"]).text  # the form again, with its error
    assert Case.objects.get(pk=case.pk).suspended_at is None
    done = client.post(
        f"/cases/{case.number}/suspend/", {"suspend-reason": "weather", "suspend-resume_at": resume}
    )
    assert done.status_code == 302
    page = client.get(f"/cases/{case.number}/")
    assert 'class="suspended"' in page.text and 'id="action-resume"' in page.text
    client.force_login(world.people["grid1"])
    grid = client.get(f"/cases/{case.number}/")
    assert 'id="action-resolve"' not in grid.text  # the work waits with the clocks
    refused = client.post(f"/cases/{case.number}/resume/")  # back to the case, still suspended
    assert refused.status_code == 302 and Case.objects.get(pk=case.pk).suspended_at is not None
    client.force_login(world.people["community1"])
    assert client.post(f"/cases/{case.number}/resume/").status_code == 302
    assert Case.objects.get(pk=case.pk).resolve_due is not None


def test_rest_suspend(world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    api = APIClient()
    api.force_authenticate(world.people["community1"])
    url = f"/api/v1/cases/{case.number}/suspend/"
    later = (timezone.now() + timedelta(days=2)).isoformat()
    assert api.post(url, {"reason": "court"}, format="json").status_code == 400
    ok = api.post(url, {"reason": "court", "resume_at": later}, format="json")
    assert ok.status_code == 200 and ok.json()["suspend_reason"] == "court"
    assert api.post(url, {"reason": "court", "resume_at": later}, format="json").status_code == 409
