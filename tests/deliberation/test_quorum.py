"""Art. 278 arithmetic: an independent oracle (fractions, division) over random and over all
small registers and votes, the exact boundaries, and the properties a fair count must have."""

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.quorum import SUPERMAJORITY_MATTERS, Choice, Matter, tally

AREAS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
REGISTERS = st.dictionaries(st.integers(1, 400), AREAS, min_size=0, max_size=40)
CHOICES = st.sampled_from(list(Choice))
MATTERS = st.sampled_from(list(Matter))


@st.composite
def registers_and_votes(draw):
    register = draw(REGISTERS)
    voters = draw(st.lists(st.sampled_from(sorted(register)), unique=True)) if register else []
    return register, {unit: draw(CHOICES) for unit in voters}


def oracle(matter, register, votes) -> tuple[bool, bool]:
    """(quorate, passed) by the text of art. 278, with fractions and division."""
    total_area = Fraction(sum(register.values(), Decimal(0)))
    voted = [unit for unit in votes]
    voted_area = Fraction(sum((register[u] for u in voted), Decimal(0)))
    yes = [u for u in voted if votes[u] == Choice.FOR]
    yes_area = Fraction(sum((register[u] for u in yes), Decimal(0)))
    if not voted:
        return False, False
    quorate = voted_area / total_area >= Fraction(2, 3) and Fraction(
        len(voted), len(register)
    ) >= Fraction(2, 3)
    share_area, share_owners = yes_area / voted_area, Fraction(len(yes), len(voted))
    if matter in (Matter.FUND_RAISE, Matter.REBUILD, Matter.COMMON_PARTS_USE):
        majority = share_area >= Fraction(3, 4) and share_owners >= Fraction(3, 4)
    else:
        majority = share_area > Fraction(1, 2) and share_owners > Fraction(1, 2)
    return quorate, quorate and majority


@settings(max_examples=600)
@given(MATTERS, registers_and_votes())
def test_the_count_agrees_with_the_text_of_the_law(matter, drawn):
    register, votes = drawn
    result = tally(matter, register, votes)
    assert (result.quorate, result.passed) == oracle(matter, register, votes)
    assert result.voted_units == len(votes)
    assert result.for_units + result.against_units + result.abstain_units == len(votes)
    assert result.for_area + result.against_area + result.abstain_area == result.voted_area
    assert result.area == sum(register.values(), Decimal(0))


def test_every_small_register_and_every_vote():
    """All registers of up to four units with areas 1–3 m², every unit voting for, against,
    abstaining or not at all, for every matter."""
    options = [None, *Choice]
    for size in range(0, 5):
        for areas in itertools.product([Decimal(1), Decimal(2), Decimal(3)], repeat=size):
            register = dict(enumerate(areas))
            for ballot in itertools.product(options, repeat=size):
                votes = {u: c for u, c in zip(register, ballot, strict=True) if c is not None}
                for matter in Matter:
                    result = tally(matter, register, votes)
                    assert (result.quorate, result.passed) == oracle(matter, register, votes)


@settings(max_examples=300)
@given(MATTERS, registers_and_votes(), st.data())
def test_turning_a_vote_into_a_yes_never_loses_a_passed_motion(matter, drawn, data):
    register, votes = drawn
    others = [u for u, c in votes.items() if c != Choice.FOR]
    if not others:
        return
    unit = data.draw(st.sampled_from(others))
    before = tally(matter, register, votes)
    after = tally(matter, register, votes | {unit: Choice.FOR})
    assert after.quorate == before.quorate
    assert after.passed or not before.passed


@settings(max_examples=300)
@given(MATTERS, registers_and_votes(), st.data())
def test_a_new_voter_never_breaks_the_quorum(matter, drawn, data):
    register, votes = drawn
    absent = [u for u in register if u not in votes]
    if not absent:
        return
    unit = data.draw(st.sampled_from(absent))
    before = tally(matter, register, votes)
    after = tally(matter, register, votes | {unit: data.draw(CHOICES)})
    assert after.quorate or not before.quorate


@settings(max_examples=200)
@given(registers_and_votes())
def test_items_6_to_8_are_never_easier_than_a_simple_majority(drawn):
    register, votes = drawn
    simple = tally(Matter.OTHER, register, votes).passed
    for matter in SUPERMAJORITY_MATTERS:
        assert simple or not tally(matter, register, votes).passed
    assert tally(Matter.FUND_USE, register, votes).passed == simple  # using the fund: 1/2


def register_of(n: int, area: str = "100") -> dict[int, Decimal]:
    return {unit: Decimal(area) for unit in range(n)}


def votes_of(fors: int, againsts: int = 0, abstains: int = 0) -> dict[int, Choice]:
    ballot = [Choice.FOR] * fors + [Choice.AGAINST] * againsts + [Choice.ABSTAIN] * abstains
    return dict(enumerate(ballot))


@pytest.mark.parametrize(("voters", "quorate"), [(5, False), (6, True), (9, True)])
def test_participation_needs_two_thirds_exactly(voters, quorate):
    assert tally(Matter.OTHER, register_of(9), votes_of(voters)).quorate is quorate


def test_participation_needs_two_thirds_of_the_area_too():
    # 6 of 9 owners vote, but the three big flats stay away: 600 of 1200 m² is not 2/3
    register = register_of(6) | {6: Decimal(200), 7: Decimal(200), 8: Decimal(200)}
    result = tally(Matter.OTHER, register, votes_of(6))
    assert not result.quorate and not result.passed


@pytest.mark.parametrize(("fors", "passed"), [(3, False), (4, True)])
def test_half_is_not_a_majority(fors, passed):
    # 6 take part: 3 for is exactly half (fails), 4 for passes; abstentions count as taking part
    votes = votes_of(fors, againsts=6 - fors - 1, abstains=1)
    assert tally(Matter.COMMITTEE, register_of(6), votes).passed is passed


def test_half_of_the_owners_with_more_area_still_fails():
    register = {0: Decimal(300), 1: Decimal(50), 2: Decimal(50), 3: Decimal(50)}
    votes = {0: Choice.FOR, 1: Choice.FOR, 2: Choice.AGAINST, 3: Choice.AGAINST}
    result = tally(Matter.PROPERTY_COMPANY, register, votes)
    assert result.quorate and not result.passed  # 350 of 450 m², but 2 of 4 owners


@pytest.mark.parametrize(
    ("matter", "fors", "passed"),
    [
        (Matter.REBUILD, 8, False),  # 8 of 12 = 2/3 < 3/4
        (Matter.REBUILD, 9, True),  # exactly 3/4 passes
        (Matter.FUND_RAISE, 9, True),
        (Matter.COMMON_PARTS_USE, 8, False),
        (Matter.FUND_USE, 7, True),  # using the fund needs only > 1/2
        (Matter.FUND_USE, 6, False),
    ],
)
def test_three_quarters_for_items_6_to_8(matter, fors, passed):
    assert tally(matter, register_of(12), votes_of(fors, againsts=12 - fors)).passed is passed


def test_nobody_voting_is_no_quorum_even_in_an_empty_register():
    assert not tally(Matter.OTHER, {}, {}).quorate
    assert not tally(Matter.OTHER, register_of(3), {}).passed


def test_a_vote_for_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="not in the register"):
        tally(Matter.OTHER, register_of(2), {5: Choice.FOR})
    with pytest.raises(ValueError, match="positive floor area"):
        tally(Matter.OTHER, {1: Decimal(0)}, {})
    with pytest.raises(ValueError):
        tally("no-such-matter", register_of(2), {})
