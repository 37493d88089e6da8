"""A case a grid member reported on a resident's behalf, with her phone as the contact,
is hers once her account's phone is verified: in 我的案件, on its page, rateable by her."""

from django.utils import timezone

from grids.phones import verified_phone
from tests.workflows.demo_street import PHONE, as_, person, reported
from workflows.models import Case
from workflows.permissions import is_reporter
from workflows.visibility import can_view, cases_reported_by, cases_visible_to


def on_behalf() -> Case:
    return reported(reporter=person("qs_wgy01"), contact_name="刘霞", contact_phone="+86 " + PHONE)


def test_a_verified_phone_makes_the_case_hers(client, street):
    case = on_behalf()
    assert case.contact_phone == PHONE  # one normal form, whatever was typed
    liu = person("resident_liu")
    liu.phone, liu.phone_verified_at = PHONE, None
    liu.save()
    assert not can_view(liu, case) and not cases_reported_by(liu).filter(pk=case.pk).exists()
    assert as_(client, "resident_liu").get(f"/cases/{case.number}/").status_code in (403, 404)

    liu.phone_verified_at = timezone.now()
    liu.save()
    assert verified_phone(liu) == PHONE
    assert can_view(liu, case) and is_reporter(liu, case)
    assert cases_visible_to(liu).filter(pk=case.pk).exists()
    mine = as_(client, "resident_liu").get("/w/resident/")
    assert case.number in mine.content.decode()
    assert client.get(f"/cases/{case.number}/").status_code == 200


def test_an_unverified_or_other_phone_sees_nothing(street):
    case = on_behalf()
    other = person("cg_wang")
    other.phone, other.phone_verified_at = "13900000000", timezone.now()
    other.save()
    assert not is_reporter(other, case)
    assert not cases_reported_by(other).filter(pk=case.pk).exists()
