import pytest
from django.core.exceptions import ValidationError

from workflows import services
from workflows.errors import CaseActionDenied, CaseConflict, error_status
from workflows.models import CaseEvent


def test_whoever_can_see_the_case_may_comment(world, django_capture_on_commit_callbacks):
    case = world.dispatched("police")
    with django_capture_on_commit_callbacks() as callbacks:
        event = services.case_comment(case=case, actor=world.people["cop1"], text=" 已电话联系 ")
    assert event.kind == "case.commented" and event.payload == {"comment": "已电话联系"}
    assert event.from_status == event.to_status == case.status
    assert callbacks  # broadcast after commit, like every event
    services.case_comment(case=case, actor=world.people["community1"], text="收到")
    assert CaseEvent.objects.filter(case=case, kind="case.commented").count() == 2


@pytest.mark.parametrize(
    ("who", "text", "error"),
    [
        ("grid3", "路过", CaseActionDenied),  # cannot see a case in another community
        ("city1", "路过", CaseActionDenied),  # a department it was not dispatched to
        ("cop1", "   ", ValidationError),
        ("cop1", "x" * 2001, ValidationError),
    ],
)
def test_refused_comments_write_nothing(world, who, text, error):
    case = world.dispatched("police")
    with pytest.raises(error):
        services.case_comment(case=case, actor=world.people[who], text=text)
    assert not CaseEvent.objects.filter(kind="case.commented").exists()


def test_error_status_is_one_mapping_for_pages_and_apis():
    assert error_status(ValidationError("x")) == 400
    assert error_status(CaseActionDenied("x")) == 403
    assert error_status(CaseConflict("x")) == 409
    assert error_status(ValueError("x")) is None
