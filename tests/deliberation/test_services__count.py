"""The count the services publish is the art. 278 arithmetic of the votes they stored: random
ballots (online and on paper, some changed) through the services and the closing timer."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation import services
from deliberation.quorum import Choice, Matter, tally

from .conftest import REGISTER

UNITS = [f"{building}-{number}" for building, number, *_ in REGISTER]
OWNER = {f"{b}-{n}": name for b, n, _, name, _ in REGISTER}
AREA = {f"{b}-{n}": Decimal(area) for b, n, area, _, _ in REGISTER}
BALLOTS = st.fixed_dictionaries(
    {unit: st.lists(st.sampled_from(list(Choice)), max_size=2) for unit in UNITS}
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(list(Matter)), BALLOTS)
def test_the_published_count_is_the_law_applied_to_the_stored_votes(estate, matter, ballots):
    proposal = estate.voting(matter=matter.value)
    final = {}
    for unit, choices in ballots.items():
        for choice in choices:  # a second choice changes the unit's vote
            services.vote_enter_paper(
                proposal=proposal,
                actor=estate.people["staff"],
                unit=estate.unit(unit),
                choice=choice.value,
                owner_name=OWNER[unit],
            )
            final[unit] = choice
    proposal = estate.close(proposal)
    expected = tally(matter, AREA, final)
    assert proposal.result["passed"] == expected.passed
    assert proposal.result["quorate"] == expected.quorate
    assert proposal.result["voted_units"] == expected.voted_units == len(final)
    assert Decimal(proposal.result["for_area"]) == expected.for_area
    assert proposal.status == ("passed" if expected.passed else "failed")
