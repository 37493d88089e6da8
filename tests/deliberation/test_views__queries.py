"""The compound's pages cost the same number of queries whatever their rows: more proposals,
votes and history lines add rows, not queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deliberation import services

from .test_views import client_for


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    return len(captured.captured_queries), page.content.decode()


@pytest.mark.parametrize("who", ["staff", "li", "committee"])
def test_the_public_page_and_the_list_do_not_grow_with_the_proposals(estate, who):
    estate.voting(title="议题0")
    staff = client_for(estate.people[who])
    for url in (reverse("deliberation:compound_public", args=["HDC"]), "/deliberation/"):
        staff.get(url)  # warm the per-process caches
        small, _text = queries(staff, url)
        for i in range(1, 4):
            estate.voting(title=f"议题{i}")
        large, text = queries(staff, url)
        assert large == small, url
        assert "议题3" in text


def test_the_proposal_page_does_not_grow_with_its_votes(estate):
    proposal = estate.voting()
    url = reverse("deliberation:proposal_detail", args=[proposal.pk])
    staff = client_for(estate.people["staff"])
    services.vote_cast(proposal=proposal, actor=estate.people["wang"], choice="for")
    staff.get(url)
    small, _text = queries(staff, url)
    for who in ("li", "zhang", "liu", "chen"):
        services.vote_cast(proposal=proposal, actor=estate.people[who], choice="against")
    large, _text = queries(staff, url)
    assert large == small
