"""`make demo`'s compound: loaded through the services once, idempotent, browsable."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from viewflow.workflow.models import Task

from deliberation.models import Compound, Proposal, Vote
from grids.models import User
from tests.workflows.demo_street import street_load


@pytest.fixture
def demo(db):
    street_load()
    call_command("load_demo_deliberation", stdout=StringIO())
    return Compound.objects.get(code="QG-01-QSY")


def test_the_demo_compound_has_a_register_and_a_proposal_in_the_vote(demo):
    assert demo.buildings.count() == 4
    proposal = Proposal.objects.get(compound=demo)
    assert proposal.status == "voting" and proposal.source_decision is not None
    assert Vote.objects.filter(proposal=proposal).count() == 8
    assert User.objects.get(username="resident_liu").phone_verified_at is not None
    assert not Task.objects.filter(status="ERROR").exists()
    out = StringIO()
    call_command("load_demo_deliberation", stdout=out)
    assert "already there" in out.getvalue() and Proposal.objects.count() == 1


def test_the_demo_pages(demo):
    client = Client()
    assert client.get("/deliberation/c/QG-01-QSY/").status_code == 200
    client.force_login(User.objects.get(username="resident_liu"))
    proposal = Proposal.objects.get(compound=demo)
    page = client.get(f"/deliberation/p/{proposal.pk}/")
    assert page.status_code == 200 and 'id="action-vote"' in page.content.decode()
    assert client.get(f"/deliberation/p/{proposal.pk}/process.svg").status_code == 200
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    for path in ("compound", "proposal", "proposalevent", "meeting"):
        assert admin.get(f"/admin/deliberation/{path}/").status_code == 200
    assert admin.get(f"/admin/deliberation/compound/{demo.pk}/change/").status_code == 200
