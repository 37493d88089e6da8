"""The five steps through the services and ProposalFlow: each step's people, its bad input,
its wrong states, the timers (co-signing expiry, overdue steps, the vote's closing), and the
count computed at closing."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from viewflow.workflow.models import Task

from deliberation import services
from deliberation.errors import DeliberationConflict, DeliberationDenied
from deliberation.models import CoSignature, Proposal, ProposalEvent, Vote
from notifications import sms
from notifications.models import Notification

from .conftest import REGISTER, sweep


def kinds(proposal: Proposal) -> list[str]:
    return list(ProposalEvent.objects.filter(proposal=proposal).values_list("kind", flat=True))


def open_tasks(proposal: Proposal) -> set[str]:
    tasks = Task.objects.filter(
        process_id=proposal.process_id, status__in=["NEW", "ASSIGNED", "STARTED"]
    )
    return {t.flow_task.name for t in tasks if t.flow_task_type == "HUMAN"}


def assert_no_flow_errors() -> None:
    assert not Task.objects.filter(status="ERROR").exists()


def test_the_whole_way_to_an_implemented_decision(estate, django_capture_on_commit_callbacks):
    people = estate.people
    proposal = estate.propose()
    assert proposal.status == "cosigning" and open_tasks(proposal) == {"cosign"}
    assert CoSignature.objects.filter(proposal=proposal).count() == 2  # wang owns two units
    proposal = services.proposal_cosign(proposal=proposal, actor=people["li"])
    assert proposal.status == "submitted"  # three units: the compound's threshold
    assert open_tasks(proposal) == {"adopt"}
    assert Notification.objects.filter(recipient=people["committee"]).exists()

    proposal = services.proposal_adopt(
        proposal=proposal, actor=people["committee"], motion="更换门禁，加装监控"
    )
    assert proposal.status == "motion" and open_tasks(proposal) == {"branch"}
    proposal = services.proposal_record_opinion(
        proposal=proposal, actor=people["branch"], opinion="同意"
    )
    assert proposal.status == "review" and open_tasks(proposal) == {"review"}
    proposal = services.proposal_approve(proposal=proposal, actor=people["staff"], note="程序合规")
    assert proposal.status == "approved" and open_tasks(proposal) == {"convene"}
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_open_vote(
            proposal=proposal,
            actor=people["committee"],
            closes_at=timezone.now() + timedelta(days=7),
        )
    assert proposal.status == "voting" and open_tasks(proposal) == {"vote"}
    told = Notification.objects.filter(text__startswith="Owners' vote open")
    assert {n.recipient.username for n in told} >= {"staff", "wang", "liu", "chen"}
    assert "stranger" not in {n.recipient.username for n in told}
    assert all("更换小区门禁" in m.text and "和达城" in m.text for m in sms.outbox)
    assert sorted(m.phone for m in sms.outbox) == sorted({row[4] for row in REGISTER})  # per phone

    for who in ("wang", "li", "zhang", "liu"):
        services.vote_cast(proposal=proposal, actor=people[who], choice="for")
    services.vote_enter_paper(
        proposal=proposal,
        actor=people["staff"],
        unit=estate.unit("2栋-102"),
        choice="against",
        owner_name="陈静",
    )
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = estate.close(proposal)
    assert proposal.status == "passed"
    assert len(sms.outbox) == 5 and all("passed" in m.text for m in sms.outbox)
    # 6 of 6 units vote; for: 5 units, 510.75 of 585.75 m² (87%): ≥ 3/4 of both for a rebuild
    assert proposal.result["voted_units"] == 6 and proposal.result["for_units"] == 5
    assert proposal.result["for_area"] == "510.75" and proposal.result["supermajority"]
    assert open_tasks(proposal) == {"implement"}

    services.proposal_progress(proposal=proposal, actor=people["committee"], text="已招标")
    proposal = services.proposal_progress(
        proposal=proposal, actor=people["staff"], text="已完工验收", final=True
    )
    assert proposal.status == "implemented" and open_tasks(proposal) == set()
    assert (
        kinds(proposal)[0] == "proposal.proposed" and kinds(proposal)[-1] == "proposal.implemented"
    )
    assert_no_flow_errors()


def test_a_supermajority_matter_fails_where_a_simple_one_passes(estate):
    people = estate.people
    results = {}
    for matter in ("rebuild", "fund_use"):
        proposal = estate.voting(matter=matter)
        for who in ("wang", "li", "zhang"):  # 4 units, 360.75 m²
            services.vote_cast(proposal=proposal, actor=people[who], choice="for")
        for who in ("liu", "chen"):  # 2 units, 225 m²
            services.vote_cast(proposal=proposal, actor=people[who], choice="against")
        results[matter] = estate.close(proposal).status
    assert results == {"rebuild": "failed", "fund_use": "passed"}  # 4/6 < 3/4 ; 4/6 > 1/2


def test_too_few_owners_taking_part_fails(estate):
    proposal = estate.voting(matter="committee")
    services.vote_cast(proposal=proposal, actor=estate.people["li"], choice="for")
    proposal = estate.close(proposal)
    assert proposal.status == "failed"
    assert proposal.result["quorate"] is False and proposal.result["voted_units"] == 1
    assert open_tasks(proposal) == set()
    assert_no_flow_errors()


def test_a_vote_changes_until_the_close_and_every_change_is_logged(estate):
    people = estate.people
    proposal = estate.voting(matter="other")
    unit = estate.unit("1栋-201")
    services.vote_cast(proposal=proposal, actor=people["li"], choice="against")
    services.vote_cast(proposal=proposal, actor=people["li"], choice="for")
    services.vote_enter_paper(
        proposal=proposal,
        actor=people["committee"],
        unit=unit,
        choice="abstain",
        owner_name="李秀英",
    )
    vote = Vote.objects.get(proposal=proposal, unit=unit)
    assert (vote.choice, vote.channel, vote.entered_by) == ("abstain", "paper", people["committee"])
    assert Vote.objects.filter(proposal=proposal).count() == 1  # one vote per unit
    logged = ProposalEvent.objects.filter(proposal=proposal, kind__startswith="proposal.vote_c")
    assert [(e.payload["previous"], e.payload["choice"]) for e in logged] == [
        ("", "against"),
        ("against", "for"),
        ("for", "abstain"),
    ]
    assert logged.last().actor == people["committee"]
    late = time_machine.travel(proposal.vote_closes_at + timedelta(seconds=1), tick=False)
    with late, pytest.raises(DeliberationConflict, match="closed"):
        services.vote_cast(proposal=proposal, actor=people["li"], choice="for")
    assert Vote.objects.get(proposal=proposal, unit=unit).choice == "abstain"


def test_who_may_vote(estate):
    people = estate.people
    proposal = estate.voting()
    for who in ("unverified", "stranger", "elsewhere"):
        with pytest.raises(DeliberationDenied):
            services.vote_cast(proposal=proposal, actor=people[who], choice="for")
    with pytest.raises(DeliberationDenied):  # an owner, but not of this unit
        services.vote_cast(
            proposal=proposal, actor=people["li"], choice="for", unit=estate.unit("2栋-101")
        )
    with pytest.raises(DeliberationDenied):  # owners do not enter paper ballots
        services.vote_enter_paper(
            proposal=proposal,
            actor=people["zhang"],
            unit=estate.unit("2栋-101"),
            choice="for",
            owner_name="刘洋",
        )
    with pytest.raises(ValidationError, match="not an owner"):
        services.vote_enter_paper(
            proposal=proposal,
            actor=people["staff"],
            unit=estate.unit("2栋-101"),
            choice="for",
            owner_name="王建国",
        )
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, actor=people["li"], choice="maybe")
    assert not Vote.objects.exists()


def test_votes_only_while_voting(estate):
    proposal = estate.at_review()
    with pytest.raises(DeliberationConflict):
        services.vote_cast(proposal=proposal, actor=estate.people["li"], choice="for")


def test_the_committee_declines_with_a_published_reason(estate):
    people = estate.people
    proposal = estate.submitted()
    with pytest.raises(ValidationError):
        services.proposal_decline(proposal=proposal, actor=people["committee"], reason="  ")
    with pytest.raises(DeliberationDenied):
        services.proposal_decline(proposal=proposal, actor=people["branch"], reason="不行")
    proposal = services.proposal_decline(
        proposal=proposal, actor=people["committee"], reason="不属于业主大会议事范围"
    )
    assert proposal.status == "declined" and proposal.decline_reason == "不属于业主大会议事范围"
    assert open_tasks(proposal) == set()
    with pytest.raises(DeliberationConflict):
        services.proposal_adopt(proposal=proposal, actor=people["committee"], motion="x")
    assert_no_flow_errors()


def test_the_community_returns_a_motion_to_the_committee(estate):
    people = estate.people
    proposal = estate.at_review()
    with pytest.raises(DeliberationDenied):
        services.proposal_return(proposal=proposal, actor=people["elsewhere"], reason="材料不全")
    with pytest.raises(ValidationError):
        services.proposal_return(proposal=proposal, actor=people["staff"], reason="")
    proposal = services.proposal_return(proposal=proposal, actor=people["staff"], reason="补充报价")
    assert proposal.status == "submitted" and open_tasks(proposal) == {"adopt"}
    proposal = services.proposal_adopt(
        proposal=proposal, actor=people["committee"], motion="更换门禁（附三家报价）"
    )
    assert proposal.status == "motion" and proposal.motion.endswith("（附三家报价）")
    assert_no_flow_errors()


@pytest.mark.parametrize(
    ("step", "who"),
    [("adopt", "branch"), ("adopt", "staff"), ("adopt", "wang")],
)
def test_each_step_is_its_groups(estate, step, who):
    proposal = estate.submitted()
    with pytest.raises(DeliberationDenied):
        services.proposal_adopt(proposal=proposal, actor=estate.people[who], motion="m")
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_wrong_people_and_input_at_every_later_step(estate):
    people = estate.people
    proposal = services.proposal_adopt(
        proposal=estate.submitted(), actor=people["committee"], motion="m"
    )
    with pytest.raises(DeliberationDenied):
        services.proposal_record_opinion(
            proposal=proposal, actor=people["committee"], opinion="同意"
        )
    with pytest.raises(ValidationError):
        services.proposal_record_opinion(proposal=proposal, actor=people["branch"], opinion="")
    with pytest.raises(DeliberationConflict):
        services.proposal_approve(proposal=proposal, actor=people["staff"])
    proposal = services.proposal_record_opinion(
        proposal=proposal, actor=people["branch"], opinion="同意"
    )
    with pytest.raises(DeliberationDenied):
        services.proposal_approve(proposal=proposal, actor=people["branch"])
    proposal = services.proposal_approve(proposal=proposal, actor=people["staff"])
    for closes in (timedelta(hours=2), timedelta(days=61)):
        with pytest.raises(ValidationError):
            services.proposal_open_vote(
                proposal=proposal, actor=people["committee"], closes_at=timezone.now() + closes
            )
    with pytest.raises(DeliberationDenied):
        services.proposal_open_vote(
            proposal=proposal, actor=people["staff"], closes_at=timezone.now() + timedelta(days=3)
        )
    assert Proposal.objects.get(pk=proposal.pk).status == "approved"


def test_bad_proposals_are_refused_and_nothing_is_written(estate):
    with pytest.raises(ValidationError):
        estate.propose(title="")
    with pytest.raises(ValidationError):
        estate.propose(text=" ")
    with pytest.raises(ValidationError):
        estate.propose(matter="lottery")
    with pytest.raises(DeliberationDenied):
        estate.propose(by="unverified")
    with pytest.raises(DeliberationDenied):
        estate.propose(by="stranger")
    assert not Proposal.objects.exists() and not Task.objects.exists()


def test_co_signing_counts_units_once(estate):
    estate.compound.cosign_threshold = 4
    estate.compound.save()
    people = estate.people
    proposal = estate.propose()  # wang: two units
    with pytest.raises(DeliberationConflict, match="already signed"):
        services.proposal_cosign(proposal=proposal, actor=people["wang"])
    with pytest.raises(DeliberationDenied):
        services.proposal_cosign(proposal=proposal, actor=people["stranger"])
    proposal = services.proposal_cosign(proposal=proposal, actor=people["li"])
    assert proposal.status == "cosigning"
    proposal = services.proposal_cosign(proposal=proposal, actor=people["zhang"])
    assert proposal.status == "submitted" and proposal.cosignatures.count() == 4
    with pytest.raises(DeliberationConflict):
        services.proposal_cosign(proposal=proposal, actor=people["liu"])


def test_co_signing_expires(estate):
    estate.compound.cosign_threshold = 5
    estate.compound.save()
    proposal = estate.propose()
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        sweep()
    assert Proposal.objects.get(pk=proposal.pk).status == "cosigning"
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        sweep()
    proposal.refresh_from_db()
    assert proposal.status == "expired" and open_tasks(proposal) == set()
    assert Notification.objects.filter(
        recipient=estate.people["wang"], text__contains="Not enough"
    ).exists()
    assert_no_flow_errors()


def test_a_late_step_goes_overdue_once_and_stays_open(estate):
    proposal = estate.submitted()
    with time_machine.travel(timezone.now() + timedelta(days=16), tick=False):
        sweep()
        sweep()
    proposal.refresh_from_db()
    assert proposal.overdue and proposal.status == "submitted" and open_tasks(proposal) == {"adopt"}
    assert kinds(proposal).count("proposal.went_overdue") == 1
    assert Notification.objects.filter(recipient=estate.people["staff"], kind="overdue").exists()
    proposal = services.proposal_adopt(
        proposal=proposal, actor=estate.people["committee"], motion="m"
    )
    assert not proposal.overdue
    assert_no_flow_errors()


def test_the_register_is_frozen_while_a_vote_is_open(estate):
    from .conftest import register_csv

    proposal = estate.voting()
    with pytest.raises(DeliberationConflict):
        services.compound_register_import(
            compound=estate.compound, actor=estate.people["staff"], data=register_csv()
        )
    assert proposal.compound.buildings.count() == 2


def test_the_count_is_of_the_register_at_closing(estate):
    proposal = estate.voting(matter="other")
    services.vote_cast(proposal=proposal, actor=estate.people["wang"], choice="for")
    count = services.proposal_tally(proposal)
    assert (count.units, count.area, count.voted_area) == (6, Decimal("585.75"), Decimal("180.00"))
