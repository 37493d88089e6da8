"""一组一会: recording a meeting, and a decision opening a case or a proposal (linked both ways)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from deliberation import services
from deliberation.errors import DeliberationDenied
from deliberation.models import Meeting, MeetingDecision, Proposal
from workflows.models import Case, CaseEvent, Category


def record(estate, by="staff", **kwargs):
    fields = {
        "community": estate.areas["S-01"],
        "held_on": date(2026, 12, 1),
        "attendees": "社区书记、业委会主任、居民代表6人",
        "topics": "和达城门禁；楼道堆物",
        "decisions": ["和达城门禁改造提交五议两公开", "", "清理2栋楼道堆物"],
    }
    return services.meeting_record(actor=estate.people[by], **(fields | kwargs))


def test_a_meeting_with_its_decisions(estate):
    meeting = record(estate)
    assert [d.text for d in meeting.decisions.all()] == [
        "和达城门禁改造提交五议两公开",
        "清理2栋楼道堆物",
    ]


@pytest.mark.parametrize(
    ("who", "fields", "error"),
    [
        ("elsewhere", {}, DeliberationDenied),
        ("committee", {}, DeliberationDenied),
        ("staff", {"attendees": " "}, ValidationError),
        ("staff", {"topics": ""}, ValidationError),
        ("staff", {"decisions": ["x" * 2001]}, ValidationError),
        ("staff", {"decisions": ["d"] * 31}, ValidationError),
    ],
)
def test_bad_meetings_write_nothing(estate, who, fields, error):
    with pytest.raises(error):
        record(estate, by=who, **fields)
    assert not Meeting.objects.exists() and not MeetingDecision.objects.exists()


def test_a_meeting_is_only_for_a_community(estate):
    with pytest.raises(DeliberationDenied):
        record(estate, community=estate.areas["S-01-01"])


def test_a_decision_opens_a_case_through_the_case_engine(estate):
    decision = record(estate).decisions.last()
    category = Category.objects.get(code="corridor")
    case = services.decision_case_open(
        decision=decision,
        actor=estate.people["staff"],
        title="2栋楼道堆物",
        category=category,
        area=estate.areas["S-01-01"],
    )
    decision.refresh_from_db()
    assert decision.case == case and case.meeting_decision == decision
    assert "清理2栋楼道堆物" in case.description and "2026-12-01" in case.description
    assert CaseEvent.objects.filter(case=case, kind="case.reported").exists()
    assert case.process_id is not None  # in the 吹哨报到 flow like any other case
    with pytest.raises(ValidationError, match="already"):
        services.decision_case_open(
            decision=decision,
            actor=estate.people["staff"],
            title="又一次",
            category=category,
            area=estate.areas["S-01-01"],
        )
    assert Case.objects.count() == 1


def test_a_case_must_lie_in_the_meetings_community(estate):
    decision = record(estate).decisions.last()
    with pytest.raises(ValidationError):
        services.decision_case_open(
            decision=decision,
            actor=estate.people["staff"],
            title="t",
            category=Category.objects.get(code="corridor"),
            area=estate.areas["S-02"],
        )
    with pytest.raises(DeliberationDenied):
        services.decision_case_open(
            decision=decision,
            actor=estate.people["elsewhere"],
            title="t",
            category=Category.objects.get(code="corridor"),
            area=estate.areas["S-01-01"],
        )
    assert not Case.objects.exists()


def test_a_decision_opens_a_proposal_the_owners_then_cosign(estate):
    decision = record(estate).decisions.first()
    proposal = services.decision_proposal_open(
        decision=decision,
        actor=estate.people["staff"],
        compound=estate.compound,
        title="门禁改造",
        text=decision.text,
        matter="rebuild",
    )
    assert proposal.source_decision == decision and list(decision.proposals.all()) == [proposal]
    assert proposal.status == "cosigning" and proposal.cosignatures.count() == 0
    proposal = services.proposal_cosign(proposal=proposal, actor=estate.people["wang"])
    proposal = services.proposal_cosign(proposal=proposal, actor=estate.people["li"])
    assert proposal.status == "submitted"


def test_a_decision_opens_proposals_only_in_its_community(estate):
    from deliberation.models import Compound

    other = Compound.objects.create(code="DLSA", name="多蓝水岸", area=estate.areas["S-02"])
    decision = record(estate).decisions.first()
    with pytest.raises(ValidationError):
        services.decision_proposal_open(
            decision=decision,
            actor=estate.people["staff"],
            compound=other,
            title="t",
            text="x",
            matter="other",
        )
    assert not Proposal.objects.exists()
