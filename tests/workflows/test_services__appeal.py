"""申诉: a department appeals a poor rating of its part or a rework of its work, within the
window, with a reason and photos; the street upholds it (the rating or the rework no longer
counts: board counters, rankings and the rebuild agree) or dismisses it (it stands)."""

from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from grids.roles import Role
from notifications.models import Notification
from tests.factories import UserFactory, member
from tests.threads import all_at_once
from tests.workflows.test_counters import assert_counters_match_cases, counter_rows
from tests.workflows.test_flows__paths import fresh
from tests.workflows.world import photo
from workflows import services
from workflows.actions import action_get
from workflows.boards.board import board_build
from workflows.boards.metrics import Period, midnight
from workflows.boards.rebuild import counters_rebuild
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import CaseAppeal, CaseEvent, CasePhoto


def rated(world, score=1):
    """The police claimed a case the community dispatched, and the community rated it."""
    case = world.dispatched("police")
    police = world.departments["police"]
    services.case_claim(case=case, department=police, actor=world.people["cop1"])
    services.dispatch_rate(
        case=fresh(case), department=police, actor=world.people["community1"], score=score
    )
    return fresh(case)


def reworked(world):
    """The police reported its result; the community sent it back for rework."""
    case = world.dispatched("police")
    police = world.departments["police"]
    services.case_claim(case=case, department=police, actor=world.people["cop1"])
    services.case_dispatch_resolve(
        case=fresh(case), department=police, actor=world.people["cop1"], result="已处理",
        photos=[photo()],
    )  # fmt: skip
    return services.case_rework(case=fresh(case), actor=world.people["community1"], reason="没修好")


def appeal(world, case, kind="rating", by="police_head", reason="评价与事实不符", **kwargs):
    return services.case_appeal(
        case=fresh(case),
        actor=world.people[by],
        department=world.departments[kwargs.pop("department", "police")],
        kind=kind,
        reason=reason,
        **kwargs,
    )


def board_of(world):
    today = timezone.localdate()
    period = Period(midnight(today), midnight(today + timedelta(days=1)), timezone.now())
    return board_build(
        scope=world.areas["S"], period=period, sort="response_rate", dsort="avg_rating"
    )


def police_row(board):
    return next(r for r in board.departments if r.code == "PCS")


def test_an_upheld_rating_appeal_takes_the_rating_out_of_the_ranking(world):
    case = rated(world, score=1)
    assert police_row(board_of(world)).figures["avg_rating"] == 1
    offered = action_get("appeal", "part")
    dispatch = case.dispatches.get()
    assert offered.offered(world.people["police_head"], case, dispatch)
    assert offered.offered(world.people["cop2"], case, dispatch)  # any of its staff
    assert not offered.offered(world.people["city1"], case, dispatch)
    filed = appeal(world, case, photos=[photo(), photo("b.jpg", "blue")])
    assert filed.state == "pending" and filed.subject.kind == "dispatch.rated"
    assert CasePhoto.objects.filter(appeal=filed, kind="appeal").count() == 2
    told = Notification.objects.filter(recipient=world.people["street"], case=case)
    assert told.exists()  # street officials hear of a new appeal
    uphold = action_get("uphold_appeal", "part")
    assert uphold.offered(world.people["street"], fresh(case), dispatch)
    assert not uphold.offered(world.people["community1"], fresh(case), dispatch)
    services.case_appeal_uphold(
        case=case, actor=world.people["street"], department=world.departments["police"],
        reason="评价人确认误评",
    )  # fmt: skip
    assert CaseAppeal.objects.get().state == "upheld"
    row = police_row(board_of(world))
    assert row.figures["avg_rating"] is None and row.figures["rated"] == 0
    assert row.figures["appeals_upheld"] == 1
    assert board_of(world).total.figures["appeals_upheld"] == 1
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert event.kind == "case.appeal_upheld" and event.payload["reason"] == "评价人确认误评"
    assert Notification.objects.filter(recipient=world.people["police_head"], event=event).exists()
    # the rating is not given again, and nothing else is left to appeal
    assert not action_get("rate", "part").offered(world.people["community1"], fresh(case), dispatch)
    assert not offered.offered(world.people["police_head"], fresh(case), dispatch)
    kept = counter_rows()
    counters_rebuild()
    assert counter_rows() == kept
    assert_counters_match_cases(
        world.areas["S"], [a.pk for a in world.areas.values()], timezone.now()
    )


def test_an_upheld_rework_appeal_takes_the_rework_out_of_the_rework_rate(world):
    case = reworked(world)
    assert fresh(case).rework_count == 1
    assert CaseEvent.objects.filter(kind="case.reworked").get().payload["departments"] == ["PCS"]
    appeal(
        world, case, kind="rework", by="cop1", reason="已按要求修复，现场照片为证", photos=[photo()]
    )
    services.case_appeal_uphold(
        case=case, actor=world.people["street"], department=world.departments["police"],
        reason="复核属实",
    )  # fmt: skip
    case = fresh(case)
    assert case.rework_count == 0
    police = world.departments["police"]
    services.case_dispatch_resolve(
        case=case,
        department=police,
        actor=world.people["cop1"],
        result="再次处理",
        photos=[photo()],
    )
    services.case_verify(case=fresh(case), actor=world.people["community1"])
    board = board_of(world)
    assert board.total.figures["closed"] == 1 and board.total.figures["rework_rate"] == 0
    kept = counter_rows()
    counters_rebuild()
    assert counter_rows() == kept


def test_a_dismissed_appeal_leaves_the_rating_counted(world):
    case = rated(world, score=2)
    appeal(world, case)
    services.case_appeal_dismiss(
        case=case, actor=world.people["street"], department=world.departments["police"],
        reason="评价属实",
    )  # fmt: skip
    row = police_row(board_of(world))
    assert row.figures["avg_rating"] == 2 and row.figures["appeals_upheld"] == 0
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["case.appealed", "case.appeal_dismissed"]
    with pytest.raises(CaseConflict, match="already appealed"):  # not twice
        appeal(world, case, reason="再申诉")


def test_refusals_say_why(world):
    good = rated(world, score=4)
    with pytest.raises(CaseConflict, match="no poor rating"):
        appeal(world, good)
    case = rated(world, score=1)
    with pytest.raises(ValidationError, match="Say why"):
        appeal(world, case, reason="   ")
    with pytest.raises(ValidationError, match="rating or a rework"):
        appeal(world, case, kind="everything")
    with pytest.raises(CaseActionDenied, match="had no part"):  # the city was not dispatched
        appeal(world, case, by="city1", department="city")
    with pytest.raises(CaseActionDenied):  # another department's people
        appeal(world, case, by="city1")
    with pytest.raises(CaseConflict, match="no rework of its work"):  # a rating, but no rework
        appeal(world, case, kind="rework")
    appeal(world, case)
    with pytest.raises(CaseConflict, match="already appealed"):  # one open appeal
        appeal(world, case, by="cop1")
    with pytest.raises(ValidationError, match="reason"):
        services.case_appeal_uphold(
            case=case, actor=world.people["street"], department=world.departments["police"],
            reason="",
        )  # fmt: skip
    with pytest.raises(CaseActionDenied):  # the community does not decide appeals
        services.case_appeal_uphold(
            case=case, actor=world.people["community1"], department=world.departments["police"],
            reason="同意",
        )  # fmt: skip
    assert CaseAppeal.objects.get(case=case).state == "pending"  # nothing half-written


@override_settings(GRIDCASE_APPEAL_DAYS=2)
def test_an_appeal_after_the_window_is_refused(world):
    case = rated(world, score=1)
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1), tick=False):
        with pytest.raises(CaseConflict, match="window of 2 days has closed"):
            appeal(world, case)
        assert not action_get("appeal", "part").offered(
            world.people["police_head"], fresh(case), case.dispatches.get()
        )
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=23), tick=False):
        appeal(world, case)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_street_officials_deciding_one_appeal_at_once(world):
    colleague = UserFactory(username="street2", name="街道二号")
    member(colleague, Role.STREET_OFFICIAL, world.areas["S"])
    case = rated(world, score=1)
    appeal(world, case)
    police = world.departments["police"]

    def in_english(call, **kwargs):
        with translation.override("en"):  # each thread has its own active language
            return call(**kwargs)

    outcomes = all_at_once(
        [
            partial(
                in_english, services.case_appeal_uphold, case=case, actor=world.people["street"],
                department=police, reason="成立",
            ),
            partial(
                in_english, services.case_appeal_dismiss, case=case, actor=colleague,
                department=police, reason="驳回",
            ),
        ]
    )  # fmt: skip
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    assert "waiting for a decision" in str(failures[0])
    decided = CaseEvent.objects.filter(
        case=case, kind__in=["case.appeal_upheld", "case.appeal_dismissed"]
    )
    assert decided.count() == 1
    assert CaseAppeal.objects.get().state in ("upheld", "dismissed")
    kept = counter_rows()
    counters_rebuild()
    assert counter_rows() == kept
