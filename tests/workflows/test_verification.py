"""核查 on site: a photo taken within 200 m of the case (the browser's location), or another
method with its reason; the method stored; four eyes per street (the resolver may not
verify)."""

from decimal import Decimal

import pytest

from tests.workflows.demo_street import as_, jpeg, person, reported
from workflows import services
from workflows.actions import action_get
from workflows.choices import EventKind, PhotoKind, Status, VerifyMethod
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import Case

LAT, LNG = Decimal("30.550000"), Decimal("104.060000")
METRE = 1 / 111_320


def resolved(by: str = "qs_wgy01") -> Case:
    grid = person(by)
    case = reported(latitude=LAT, longitude=LNG)
    case = services.case_accept(case=case, actor=grid)
    return services.case_resolve(case=case, actor=grid, result="已清理", photos=[jpeg()])


def north(metres: float) -> Decimal:
    return Decimal(f"{float(LAT) + metres * METRE:.6f}")


def test_an_on_site_photo_near_the_case_verifies_it(street):
    case = resolved()
    case = services.case_verify(
        case=case,
        actor=person("qs_wgy01"),
        method=VerifyMethod.ONSITE,
        latitude=north(150),
        longitude=LNG,
        photos=[jpeg()],
    )
    assert case.status == Status.CLOSED and case.verify_method == VerifyMethod.ONSITE
    assert case.photos.filter(kind=PhotoKind.VERIFY).count() == 1
    closed = case.events.get(kind=EventKind.CLOSED)
    assert closed.payload["method"] == "onsite" and closed.payload["photos"] == 1


@pytest.mark.parametrize(
    "evidence, words",
    [
        ({"latitude": north(350), "longitude": LNG, "photos": "one"}, r"(349|350) m"),
        ({"latitude": north(10), "longitude": LNG}, "photo"),
        ({"photos": "one"}, "location"),
    ],
)
def test_an_on_site_verification_needs_the_photo_taken_there(street, evidence, words):
    case = resolved()
    if evidence.get("photos"):
        evidence = {**evidence, "photos": [jpeg()]}
    with pytest.raises(CaseConflict, match=words):
        services.case_verify(
            case=case, actor=person("qs_wgy01"), method=VerifyMethod.ONSITE, **evidence
        )
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and not case.photos.filter(kind=PhotoKind.VERIFY)


def test_another_method_needs_its_reason(street):
    case = resolved()
    with pytest.raises(CaseConflict, match="why"):
        services.case_verify(case=case, actor=person("qs_wgy01"), method=VerifyMethod.PHONE)
    case = services.case_verify(
        case=case, actor=person("qs_wgy01"), method=VerifyMethod.PHONE, reason="电话回访居民"
    )
    assert case.verify_method == VerifyMethod.PHONE
    assert case.events.get(kind=EventKind.CLOSED).payload["reason"] == "电话回访居民"


def test_four_eyes_streets_keep_the_resolver_from_verifying(street, settings):
    settings.GRIDCASE_FOUR_EYES_STREETS = ["QG"]
    case = resolved(by="qs_wgy01")
    verify = action_get("verify")
    assert not verify.offered(person("qs_wgy01"), case)
    assert verify.offered(person("qingshan_sq"), case)  # the community verifies instead
    with pytest.raises(CaseActionDenied, match="colleague"):
        services.case_verify(
            case=case, actor=person("qs_wgy01"), method=VerifyMethod.PHONE, reason="电话"
        )
    settings.GRIDCASE_FOUR_EYES_STREETS = ["XX"]  # another street's rule
    assert verify.offered(person("qs_wgy01"), case)


def test_the_page_asks_for_confirmation_and_shows_the_result_first(street, client):
    case = resolved()
    grid = as_(client, "qs_wgy01")
    page = grid.get(f"/cases/{case.number}/").content.decode()
    form = page[page.index('id="action-verify"') :]
    assert form.index("verify-first") < form.index('name="verify-method"')
    assert 'name="verify-photos"' in form and 'name="verify-confirmed"' in form
    base = f"/cases/{case.number}/verify/"
    unconfirmed = {"verify-method": "phone", "verify-reason": "电话回访"}
    refused = grid.post(base, unconfirmed)  # back to the case page, the form with its error
    assert refused.status_code == 302 and refused["Location"].endswith("#action-verify")
    again = grid.get(refused["Location"]).content.decode()
    assert 'name="verify-confirmed"' in again and "errorlist" in again
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
    done = grid.post(base, {**unconfirmed, "verify-confirmed": "on"})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).verify_method == VerifyMethod.PHONE


def test_no_closing_by_one_tap_from_a_list(street, client):
    case = resolved()
    assert not action_get("verify").one_tap
    page = as_(client, "qs_wgy01").get("/w/grid/").content.decode()
    assert f'action="/cases/{case.number}/verify/"' not in page
    assert f"/cases/{case.number}/#action-verify" in page


def test_the_board_counts_the_methods(street, client):
    grid = person("qs_wgy01")
    services.case_verify(case=resolved(), actor=grid, method=VerifyMethod.PHONE, reason="电话回访")
    services.case_verify(
        case=resolved(),
        actor=grid,
        method=VerifyMethod.ONSITE,
        latitude=LAT,
        longitude=LNG,
        photos=[jpeg()],
    )
    services.case_verify(case=resolved(), actor=grid)  # a system path: unrecorded
    data = as_(client, "qg_zhihui").get("/w/board/QG/data/?period=today").json()
    # on site, by phone, by the resident, otherwise, then those without a method
    assert data["verify_methods"]["values"] == [1, 1, 0, 0, 1]
    assert data["verify_methods"]["labels"][0] == "现场拍照"


def test_the_api_verifies_on_site_with_a_photo_and_location(street, client):
    case = resolved()
    api = as_(client, "qs_wgy01")
    url = f"/api/v1/cases/{case.number}/verify/"
    assert api.post(url, {}).status_code == 400  # the method is required
    far = {"method": "onsite", "latitude": str(north(500)), "longitude": str(LNG)}
    refused = api.post(url, {**far, "photos": [jpeg()]})
    assert refused.status_code == 409 and "200" in refused.json()["detail"]
    near = {**far, "latitude": str(north(20)), "photos": [jpeg()]}
    answer = api.post(url, near)
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "closed"
    assert Case.objects.get(pk=case.pk).verify_method == VerifyMethod.ONSITE


def test_the_api_follows_through_the_registry(street, client):
    case = resolved()
    api = as_(client, "cg_wang")
    # cg_wang cannot see the case: its REST actions are a 404, the nearby list is the way in
    assert api.post(f"/api/v1/cases/{case.number}/follow/").status_code == 404
    grid = as_(client, "qingshan_sq")
    answer = grid.post(f"/api/v1/cases/{case.number}/follow/")
    assert answer.status_code == 200 and answer.json()["follower_count"] == 1
