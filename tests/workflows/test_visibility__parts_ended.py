"""A department whose part has ended (issue 18, item 13): it keeps its own part's history —
the case's facts it worked from, its part, the events naming it, the problem's photos and its
own result photos — and nothing else: not the case's later events, other departments' work,
comments, actions, the case list, the `case:` stream or live events of later parts.

The case is dispatched by community C1 to the police (lead) and urban management (city)."""

import pytest
from rest_framework.test import APIClient

from tests.workflows.world import photo
from workflows import services
from workflows.actions import ACTIONS, case_actions_offered
from workflows.choices import EventKind, PhotoKind
from workflows.errors import CaseActionDenied
from workflows.models import Case, CaseEvent, CasePhoto
from workflows.streams import event_groups
from workflows.visibility import (
    can_view,
    cases_visible_to,
    part_events,
    parts_seen,
    photo_visible,
)

API = "/api/v1"


def api(world, name) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.people[name])
    return client


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def claim(world, case, department, who):
    services.case_claim(
        case=case, department=world.departments[department], actor=world.people[who]
    )


def resolve(world, case, department, who, result):
    services.case_dispatch_resolve(
        case=case,
        department=world.departments[department],
        actor=world.people[who],
        result=result,
        photos=[photo(color="blue")],
    )
    return fresh(case)


@pytest.fixture
def police_done(world):
    """Both claimed; the police reported its result, the city still works on it."""
    case = world.dispatched("police", "city")
    services.case_comment(case=case, actor=world.people["cop1"], text="派出所已到场")
    claim(world, case, "police", "cop1")
    claim(world, case, "city", "city1")
    return resolve(world, case, "police", "cop1", "已劝离")


def sees_whole(world, name, case) -> bool:
    """Both faces of visibility, which must agree."""
    user = world.people[name]
    whole = can_view(user, fresh(case))
    assert cases_visible_to(user).filter(pk=case.pk).exists() == whole
    return whole


def test_a_resolved_part_leaves_only_its_history(world, police_done):
    case = police_done
    services.case_comment(case=case, actor=world.people["city1"], text="城管还在清理")
    assert not sees_whole(world, "cop1", case) and not sees_whole(world, "police_head", case)
    assert sees_whole(world, "city1", case)  # its part goes on
    parts = parts_seen(world.people["cop1"], fresh(case))
    assert [p.department.code for p in parts] == ["PCS"]
    kinds = [e.kind for e in part_events(fresh(case), parts)]
    assert kinds == [EventKind.DISPATCHED, EventKind.CLAIMED, EventKind.DISPATCH_RESOLVED]
    # no comment (theirs was on the case, not on their part), no city claim


def test_every_action_is_closed_to_it(world, police_done):
    case, cop = fresh(police_done), world.people["cop1"]
    # 我也遇到 is anyone's, as a passer-by (the nearby list's +1): not through the case's
    # own page or API (test_the_case_page_…, test_rest_…)
    assert [a.name for a in case_actions_offered(cop, case)] == ["follow"]
    with pytest.raises(CaseActionDenied):
        services.case_comment(case=case, actor=cop, text="还想补充")
    assert not [
        a
        for a in ACTIONS
        if a.scope == "part"
        for d in case.dispatches.all()
        if a.offered(cop, case, d)
    ]


def test_the_case_page_shows_its_part_only(world, police_done, client):
    case = police_done
    services.case_comment(case=case, actor=world.people["city1"], text="城管还在清理")
    client.force_login(world.people["cop1"])
    page = client.get(f"/cases/{case.number}/")
    assert page.status_code == 200
    text = page.text
    assert case.title in text and "已劝离" in text and "part-ended" in text
    assert "城管还在清理" not in text and "派出所已到场" not in text  # comments are not its part
    assert "case:" + case.number not in text  # no live stream of the case
    assert 'id="action-' not in text and "process.svg" not in text
    posted = client.post(f"/cases/{case.number}/comment/", {"comment-text": "补充"})
    assert posted.status_code == 302 and posted["Location"] == f"/cases/{case.number}/"
    assert not CaseEvent.objects.filter(case=case, payload__text="补充").exists()
    assert client.get(f"/cases/{case.number}/process.svg").status_code == 404
    listed = client.get("/cases/")
    assert case.number not in listed.text


def test_rest_detail_is_its_part_and_actions_are_refused(world, police_done):
    case = police_done
    services.case_comment(case=case, actor=world.people["city1"], text="城管还在清理")
    cop = api(world, "cop1")
    body = cop.get(f"{API}/cases/{case.number}/").json()
    assert body["part_ended"] is True and "status" not in body and "contact" not in body
    assert [d["department"] for d in body["dispatches"]] == ["PCS"]
    assert {e["kind"] for e in body["events"]} == {
        "case.dispatched",
        "case.claimed",
        "case.dispatch_resolved",
    }
    assert [p["kind"] for p in body["photos"]] == ["after"]  # its own result photo
    refused = cop.post(f"{API}/cases/{case.number}/comment/", {"text": "补充"}, format="json")
    assert refused.status_code == 403 and case.number in refused.json()["detail"]
    assert cop.post(f"{API}/cases/{case.number}/follow/", {}, format="json").status_code == 403
    assert case.number not in str(cop.get(f"{API}/cases/").json())
    whole = api(world, "city1").get(f"{API}/cases/{case.number}/").json()
    assert whole["status"] == "handling" and "part_ended" not in whole


def test_photos_follow_the_rule(world, police_done):
    case = fresh(police_done)
    resolve(world, case, "city", "city1", "已清理")
    cop = world.people["cop1"]
    police_photo = CasePhoto.objects.get(case=case, kind=PhotoKind.AFTER, uploaded_by=cop)
    city_photo = CasePhoto.objects.get(
        case=case, kind=PhotoKind.AFTER, uploaded_by=world.people["city1"]
    )
    assert photo_visible(cop, police_photo, None)
    assert not photo_visible(cop, city_photo, None)  # another department's result
    assert photo_visible(world.people["city1"], city_photo, None)


@pytest.mark.parametrize("ending", ["reassigned", "return_accepted", "closed", "new_round"])
def test_every_way_a_part_ends(world, ending):
    case = world.dispatched("police")
    police, community = world.departments["police"], world.people["community1"]
    if ending == "reassigned":
        services.case_reassign(
            case=case,
            department=police,
            to_department=world.departments["city"],
            actor=community,
            reason="改派城管",
        )
    elif ending in ("return_accepted", "new_round"):
        services.case_return(
            case=case, department=police, actor=world.people["cop1"], reason="非本部门"
        )
        services.case_return_accept(case=case, department=police, actor=community, reason="同意")
        if ending == "new_round":
            services.case_dispatch(
                case=fresh(case),
                actor=community,
                departments=[world.departments["city"]],
                lead=world.departments["city"],
                whistle_type="routine",
                reason="改由城管",
            )
    else:
        claim(world, case, "police", "cop1")
        case = resolve(world, case, "police", "cop1", "已处理")
        services.case_verify(case=case, actor=community, method="phone", reason="电话回访")
    assert not sees_whole(world, "cop1", case)
    assert parts_seen(world.people["cop1"], fresh(case))


def test_rework_opens_the_part_again(world):
    case = world.dispatched("police")
    claim(world, case, "police", "cop1")
    case = resolve(world, case, "police", "cop1", "已处理")
    assert not sees_whole(world, "cop1", case)
    services.case_rework(case=case, actor=world.people["community1"], reason="还没清理干净")
    assert sees_whole(world, "cop1", case)


def test_live_events_of_later_parts_are_not_sent_to_it(world, police_done):
    case = police_done
    ended = CaseEvent.objects.filter(case=case, kind=EventKind.DISPATCH_RESOLVED).last()
    police = world.departments["police"].pk
    cop1 = world.people["cop1"].pk
    # the event that ended its part still reaches it; what follows does not
    assert {f"dept.{police}", f"user.{cop1}"} <= set(event_groups(ended))
    services.case_comment(case=case, actor=world.people["city1"], text="城管还在清理")
    later = CaseEvent.objects.filter(case=case, kind=EventKind.COMMENTED).last()
    groups = event_groups(later)
    assert f"dept.{police}" not in groups and f"user.{cop1}" not in groups
    assert f"dept.{world.departments['city'].pk}" in groups
