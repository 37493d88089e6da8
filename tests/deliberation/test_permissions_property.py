"""Each "who may" question has two faces that must agree: the queryset (`compounds_staffed_by`,
`meetings_visible_to`) and the single-object check (`may_see_audit`, `may_see_meeting`), over
random people holding random roles in random places."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation import permissions
from deliberation.models import Compound, CompoundRole, Meeting
from grids.models import Membership
from grids.roles import Role
from grids.services import membership_remove
from tests.factories import UserFactory, member

ROLES = st.lists(
    st.tuples(
        st.sampled_from(
            ["staff:S-01", "staff:S-02", "committee:HDC", "committee:DLSA", "party_branch:HDC"]
        ),
        st.integers(0, 2),
    ),
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ROLES)
def test_lists_and_checks_agree(estate, grants):
    other = Compound.objects.get_or_create(
        code="DLSA", defaults={"name": "多蓝水岸", "area": estate.areas["S-02"]}
    )[0]
    compounds = {"HDC": estate.compound, "DLSA": other}
    people = [UserFactory() for _ in range(3)]
    meetings = [
        Meeting.objects.create(
            community=estate.areas[code],
            held_on=date(2026, 12, 1),
            attendees="a",
            topics="t",
            recorded_by=estate.people["staff"],
        )
        for code in ("S-01", "S-02")
    ]
    for grant, index in grants:
        kind, _, where = grant.partition(":")
        if kind == "staff":
            member(people[index], Role.COMMUNITY_STAFF, estate.areas[where])
        else:
            CompoundRole.objects.get_or_create(
                compound=compounds[where], user=people[index], role=kind
            )
    for user in [*people, estate.people["wang"], estate.people["staff"]]:
        listed = set(permissions.compounds_staffed_by(user))
        for compound in compounds.values():
            assert (compound in listed) == permissions.may_see_audit(user, compound), (
                user,
                compound,
            )
        seen = set(permissions.meetings_visible_to(user))
        for meeting in meetings:
            assert (meeting in seen) == permissions.may_see_meeting(user, meeting)
    for membership in Membership.objects.filter(user__in=people):
        membership_remove(membership=membership)
    CompoundRole.objects.filter(user__in=people).delete()
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).delete()
