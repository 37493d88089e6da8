"""Who may do what in 五议两公开 and 一组一会: the one module for this app's rules.

- an **owner** is a signed-in person whose verified phone (`grids.phones.verified_phone`)
  is an owner's phone in the compound's register; they propose, co-sign and vote online for
  the units they own;
- the **owners' committee** (业委会) and the **party branch** (小区党支部) are people named in
  `CompoundRole` rows of the compound;
- the **community party organisation** (社区党组织) is the community's staff: people holding
  `community_staff` on the compound's community (grids' memberships), who also keep the
  register, enter paper ballots (with the committee) and record 居民议事会 meetings.
Superusers may do every staff step. The status machine (`lifecycle`) names these functions
as its transitions' permissions; pages, the API and the services all ask them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeGuard

from django.db.models import Q, QuerySet

from grids.models import Area, Membership, User
from grids.phones import verified_phone
from grids.roles import AreaLevel, Role
from grids.selectors import AnyUser, area_ancestor_at

from .choices import CompoundRoleKind, ProposalStatus
from .models import Compound, CompoundRole, Meeting, Proposal, Unit


def _active(user: AnyUser) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_authenticated and user.is_active


def owned_units(user: AnyUser, compound: Compound) -> QuerySet[Unit]:
    """The compound's units one of whose owners has this person's verified phone."""
    if not _active(user):
        return Unit.objects.none()
    phone = verified_phone(user)
    if not phone:
        return Unit.objects.none()
    return Unit.objects.filter(building__compound=compound, owners__phone=phone).distinct()


@dataclass(frozen=True)
class Known:
    """One person's standing in one compound, read for many compounds at once."""

    owner: bool
    roles: frozenset[str]
    community_staff: bool


def roles_known(user: AnyUser, compounds: Iterable[Compound]) -> None:
    """Answer this person's questions about these compounds with three queries in all (for
    list pages: else each proposal listed asks again). The answers stay on these instances,
    which live for one request; every other caller asks the database."""
    compounds = list(compounds)
    if not _active(user) or not compounds:
        return
    ids = [c.pk for c in compounds]
    phone = verified_phone(user)
    owned = set(
        Unit.objects.filter(building__compound_id__in=ids, owners__phone=phone).values_list(
            "building__compound_id", flat=True
        )
        if phone
        else ()
    )
    roles: dict[int, set[str]] = {}
    for compound_id, role in CompoundRole.objects.filter(
        compound_id__in=ids, user_id=user.pk
    ).values_list("compound_id", "role"):
        roles.setdefault(compound_id, set()).add(role)
    staffed = set(
        Membership.objects.filter(user_id=user.pk, role=Role.COMMUNITY_STAFF).values_list(
            "area_id", flat=True
        )
    )
    for compound in compounds:
        known = Known(
            owner=compound.pk in owned,
            roles=frozenset(roles.get(compound.pk, ())),
            community_staff=user.is_superuser or bool(staffed & set(compound.area.ancestor_ids)),
        )
        compound.__dict__.setdefault("_known", {})[user.pk] = known


def _known(user: AnyUser, compound: Compound) -> Known | None:
    known: dict[int, Known] = compound.__dict__.get("_known", {})
    return known.get(user.pk) if user.pk is not None else None


def is_owner(user: AnyUser, compound: Compound) -> bool:
    if known := _known(user, compound):
        return known.owner
    return owned_units(user, compound).exists()


def may_still_sign(user: AnyUser, proposal: Proposal) -> bool:
    """An owner with a unit that has not signed `proposal` yet."""
    signed = proposal.cosignatures.values("unit_id")
    return owned_units(user, proposal.compound).exclude(pk__in=signed).exists()


def _holds(user: AnyUser, compound: Compound, role: str) -> bool:
    if not _active(user):
        return False
    if known := _known(user, compound):
        return role in known.roles
    return CompoundRole.objects.filter(compound=compound, user_id=user.pk, role=role).exists()


def is_committee(user: AnyUser, compound: Compound) -> bool:
    return _holds(user, compound, CompoundRoleKind.COMMITTEE)


def is_party_branch(user: AnyUser, compound: Compound) -> bool:
    return _holds(user, compound, CompoundRoleKind.PARTY_BRANCH)


def community_of(compound: Compound) -> Area | None:
    return area_ancestor_at(compound.area, AreaLevel.COMMUNITY)


def is_community_staff_of(user: AnyUser, area: Area) -> bool:
    """Staff of the community `area` is in (or above it: the community itself)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user_id=user.pk, role=Role.COMMUNITY_STAFF, area_id__in=area.ancestor_ids
    ).exists()


def is_community_staff(user: AnyUser, compound: Compound) -> bool:
    if known := _known(user, compound):
        return known.community_staff
    return is_community_staff_of(user, compound.area)


def may_keep_register(user: AnyUser, compound: Compound) -> bool:
    """Import the register, name the committee and the party branch."""
    return is_community_staff(user, compound)


def may_enter_paper_votes(user: AnyUser, compound: Compound) -> bool:
    return is_community_staff(user, compound) or is_committee(user, compound)


def may_see_audit(user: AnyUser, compound: Compound) -> bool:
    """The proposal's full log (who voted how, who entered which ballot)."""
    return (
        is_community_staff(user, compound)
        or is_committee(user, compound)
        or is_party_branch(user, compound)
    )


def may_see_proposal(user: AnyUser, proposal: Proposal) -> bool:
    """The proposal's page for signed-in people: its owners and its staff. Everyone else
    sees only the compound's public page (两公开), which carries no personal data."""
    return may_see_audit(user, proposal.compound) or is_owner(user, proposal.compound)


def compounds_staffed_by(user: AnyUser) -> QuerySet[Compound]:
    """Compounds where `user` has a staff role (for their list page)."""
    if not _active(user):
        return Compound.objects.none()
    if user.is_superuser:
        return Compound.objects.all()
    paths = Membership.objects.filter(user_id=user.pk, role=Role.COMMUNITY_STAFF).values_list(
        "area__path", flat=True
    )
    q = Q(roles__user_id=user.pk)
    for path in paths:
        q |= Q(area__path__startswith=path)
    return Compound.objects.filter(q).distinct()


def may_record_meeting(user: AnyUser, community: Area) -> bool:
    return community.level == AreaLevel.COMMUNITY and is_community_staff_of(user, community)


def may_see_meeting(user: AnyUser, meeting: Meeting) -> bool:
    return is_community_staff_of(user, meeting.community)


def meetings_visible_to(user: AnyUser) -> QuerySet[Meeting]:
    """The meetings `may_see_meeting` allows, as a queryset (the community staff's own)."""
    if not _active(user):
        return Meeting.objects.none()
    if user.is_superuser:
        return Meeting.objects.all()
    paths = Membership.objects.filter(user_id=user.pk, role=Role.COMMUNITY_STAFF).values_list(
        "area__path", flat=True
    )
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(community__path__startswith=path)
    return Meeting.objects.filter(q)


# --- adapters for the status machine: (machine, user) -> bool --------------------------------


class _Machine(Protocol):  # the part of ProposalLifecycle these adapters read
    proposal: Proposal


def lifecycle_owner(machine: _Machine, user: AnyUser) -> bool:
    return is_owner(user, machine.proposal.compound)


def lifecycle_committee(machine: _Machine, user: AnyUser) -> bool:
    return is_committee(user, machine.proposal.compound)


def lifecycle_party_branch(machine: _Machine, user: AnyUser) -> bool:
    return is_party_branch(user, machine.proposal.compound)


def lifecycle_community(machine: _Machine, user: AnyUser) -> bool:
    return is_community_staff(user, machine.proposal.compound)


def lifecycle_voter(machine: _Machine, user: AnyUser) -> bool:
    """Online by an owner, or a paper ballot entered by staff."""
    compound = machine.proposal.compound
    return is_owner(user, compound) or may_enter_paper_votes(user, compound)


def lifecycle_implementer(machine: _Machine, user: AnyUser) -> bool:
    compound = machine.proposal.compound
    return is_committee(user, compound) or is_community_staff(user, compound)


def lifecycle_nobody(machine: _Machine, user: AnyUser) -> bool:
    """System steps (timers): no person may do them."""
    return False


OPEN_FOR_VOTES = (ProposalStatus.VOTING,)
