"""接管核查 (issue 18, item 14): verification belongs to the level that whistled or dispatched
(`Case.verifier_area`); the street's officials verify a case of a lower level only after
taking the verification over, with a reason — before that they are refused with the reason
and offered no verify button, through the pages and the REST API alike."""

from rest_framework.test import APIClient

from tests.workflows.world import photo
from workflows import services
from workflows.actions import action_get
from workflows.choices import EventKind, Status
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import Case
from workflows.visibility import cases_verified_by

API = "/api/v1"


def api(world, name) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.people[name])
    return client


def resolved_by_police(world) -> Case:
    """Dispatched by community C1 (the verifying level), resolved by the police."""
    case = world.dispatched("police")
    police, cop = world.departments["police"], world.people["cop1"]
    services.case_claim(case=case, department=police, actor=cop)
    services.case_dispatch_resolve(
        case=case, department=police, actor=cop, result="已处理", photos=[photo()]
    )
    return Case.objects.get(pk=case.pk)


def test_the_street_may_not_verify_what_a_community_dispatched(world, client):
    case = resolved_by_police(world)
    street = world.people["street"]
    for name in ("verify", "rework"):
        assert not action_get(name).offered(street, case)
    assert action_get("verify").offered(world.people["community1"], case)
    try:
        services.case_verify(case=case, actor=street, method="phone", reason="电话回访")
    except CaseActionDenied as refusal:
        assert "接管核查" in str(refusal) and "一社区" in str(refusal)
    else:
        raise AssertionError("the street verified a case the community dispatched")
    answer = api(world, "street").post(
        f"{API}/cases/{case.number}/verify/", {"method": "phone", "reason": "电话回访"}
    )
    assert answer.status_code == 403 and "接管核查" in answer.json()["detail"]
    client.force_login(street)
    page = client.get(f"/cases/{case.number}/").text
    assert 'id="action-verify"' not in page and 'id="action-rework"' not in page
    assert 'id="action-take_over_verification"' in page
    # nor is it on the street's list of cases waiting for its verification
    assert not Case.objects.filter(cases_verified_by(street), pk=case.pk).exists()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_the_street_takes_the_verification_over_then_verifies(world, client):
    case = resolved_by_police(world)
    client.force_login(world.people["street"])
    url = f"/cases/{case.number}/take_over_verification/"
    bad = client.post(url, {"take_over_verification-reason": " "})
    assert bad.status_code == 302 and bad["Location"].endswith("#action-take_over_verification")
    assert "errorlist" in client.get(bad["Location"]).text  # the form again, with its error
    assert not case.events.filter(kind=EventKind.VERIFICATION_TAKEN_OVER).exists()
    done = client.post(url, {"take_over_verification-reason": "群众多次投诉，街道直接核查"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.verifier_area == world.areas["S"] and case.status == Status.RESOLVED
    event = case.events.get(kind=EventKind.VERIFICATION_TAKEN_OVER)
    assert event.payload == {
        "reason": "群众多次投诉，街道直接核查",
        "from_area": "S-01",
        "to_area": "S",
    }
    assert event.actor == world.people["street"]
    page = client.get(f"/cases/{case.number}/").text
    assert "群众多次投诉，街道直接核查" in page  # the history line
    assert 'id="action-verify"' in page and 'id="action-take_over_verification"' not in page
    # the community that dispatched it is told, and no longer verifies it
    community = world.people["community1"]
    assert community.notifications.filter(case=case, text__contains="接管核查").exists()
    assert not action_get("verify").offered(community, case)
    assert Case.objects.filter(cases_verified_by(world.people["street"]), pk=case.pk).exists()
    case = services.case_verify(
        case=case, actor=world.people["street"], method="phone", reason="电话回访居民"
    )
    assert case.status == Status.CLOSED


def test_take_over_through_rest(world):
    case = resolved_by_police(world)
    url = f"{API}/cases/{case.number}/take-over-verification/"
    assert api(world, "street").post(url, {}, format="json").status_code == 400
    assert (
        api(world, "community1").post(url, {"reason": "我也想"}, format="json").status_code == 403
    )
    ok = api(world, "street").post(url, {"reason": "街道督办件"}, format="json")
    assert ok.status_code == 200 and ok.json()["verifier_area"] == "S"
    again = api(world, "street").post(url, {"reason": "再来"}, format="json")
    assert again.status_code == 409 and case.number in again.json()["detail"]
    assert case.events.filter(kind=EventKind.VERIFICATION_TAKEN_OVER).count() == 1


def test_take_over_is_only_for_a_result_waiting_for_verification(world):
    case = world.dispatched("police")  # not resolved yet
    try:
        services.case_verification_take_over(
            case=case, actor=world.people["street"], reason="提前接管"
        )
    except CaseConflict:
        pass
    else:
        raise AssertionError("took over the verification of an unresolved case")
    assert Case.objects.get(pk=case.pk).verifier_area == world.areas["C1"]


def test_the_street_still_verifies_what_it_dispatched(world):
    case = services.case_whistle(
        case=world.at_community(),
        actor=world.people["community1"],
        whistle_type="routine",
        reason="社区无法处理",
    )
    case = services.case_resolve(case=case, actor=world.people["street"], result="街道处理完毕")
    assert case.verifier_area == world.areas["C1"]  # the community whistled it up: it verifies
    assert not action_get("verify").offered(world.people["street"], case)
    assert action_get("verify").offered(world.people["community1"], case)
    assert not action_get("take_over_verification").offered(world.people["community1"], case)
