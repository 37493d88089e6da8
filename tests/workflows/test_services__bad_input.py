"""Bad input: a clear message, and nothing written or changed."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.workflows.world import photo
from workflows import services
from workflows.errors import CaseConflict
from workflows.models import Case, CaseEvent, CasePhoto


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", b"this is text, not a picture", "image/jpeg")


def nothing_reported() -> bool:
    return not (Case.objects.exists() or CaseEvent.objects.exists() or CasePhoto.objects.exists())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": "x" * 4001}, "longer than 4000"),
        ({"title": "  "}, "needs a title"),
        ({"photos": [photo(), not_an_image()]}, "not a photo"),
    ],
)
def test_a_bad_report_writes_nothing(world, changes, message):
    with pytest.raises(ValidationError, match=message):
        world.report(**changes)
    assert nothing_reported()


def test_an_oversized_photo_is_refused_before_anything_is_written(world, settings):
    settings.GRIDCASE_PHOTO_MAX_BYTES = 100  # the test photo is a few hundred bytes
    with pytest.raises(ValidationError, match="larger than"):
        world.report(photos=[photo()])
    assert nothing_reported()


@pytest.mark.parametrize("service", ["case_reject", "case_rework", "case_return", "case_whistle"])
def test_a_missing_reason_changes_nothing(world, service):
    case = world.dispatched("police")
    before = list(case.events.values_list("pk", flat=True))
    kwargs = {"case": case, "actor": world.people["community1"], "reason": "   "}
    if service == "case_return":
        kwargs |= {"department": world.departments["police"], "actor": world.people["cop1"]}
    if service == "case_whistle":
        kwargs["whistle_type"] = "routine"
    with pytest.raises(ValidationError):
        getattr(services, service)(**kwargs)
    assert list(Case.objects.get(pk=case.pk).events.values_list("pk", flat=True)) == before


def test_an_unknown_whistle_type_is_refused(world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    with pytest.raises(ValidationError, match="Unknown whistle type"):
        services.case_whistle(
            case=case, actor=world.people["grid1"], whistle_type="loud", reason="r"
        )


def test_a_department_result_needs_a_good_photo_and_changes_nothing_without(world):
    case = world.dispatched("police")
    police, cop1 = world.departments["police"], world.people["cop1"]
    services.case_claim(case=case, department=police, actor=cop1)
    for photos, message in (((), "at least one photo"), ((not_an_image(),), "not a photo")):
        with pytest.raises(ValidationError, match=message):
            services.case_dispatch_resolve(
                case=case, department=police, actor=cop1, result="已处理", photos=photos
            )
    assert case.dispatches.get().resolved_at is None
    assert not CasePhoto.objects.filter(kind="after").exists()


@pytest.mark.parametrize("service", ["case_verify", "case_accept"])
def test_an_illegal_transition_is_a_conflict_not_a_crash(world, service):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    with pytest.raises(CaseConflict):
        getattr(services, service)(case=case, actor=world.people["grid1"])
    assert Case.objects.get(pk=case.pk).status == "handling"


def test_claiming_twice_names_the_winner(world):
    case = world.dispatched("police")
    police = world.departments["police"]
    services.case_claim(case=case, department=police, actor=world.people["cop1"])
    with pytest.raises(CaseConflict, match=r"Already claimed by cop1 at \d{4}-\d\d-\d\d"):
        services.case_claim(case=case, department=police, actor=world.people["cop2"])


def test_photos_are_reencoded_under_server_names(world):
    case = world.report(photos=[photo("../../etc/passwd.jpg")])
    stored = case.photos.get().image.name
    assert stored.startswith("cases/") and "passwd" not in stored and stored.endswith(".jpg")
