"""Compounds (小区) with their register of units and owners, proposals going through
五议两公开, their votes and audit log, and 一组一会 meeting records.

Everything changes only through `deliberation.services`; `ProposalEvent` is append-only.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area, code_validator

from .choices import (
    CompoundRoleKind,
    EventKind,
    MatterType,
    ProposalStatus,
    VoteChannel,
    VoteChoice,
)

User = settings.AUTH_USER_MODEL


class Compound(models.Model):
    """A residential compound, attached to the Area of the tree it lies in (a grid, a
    micro-grid or a building area of its community)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(Area, models.PROTECT, related_name="compounds", verbose_name=_("area"))
    cosign_threshold = models.PositiveSmallIntegerField(
        _("co-signatures a proposal needs"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("Owners (units), the proposer's included, who must sign a proposal."),
    )

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    compound = models.ForeignKey(Compound, models.CASCADE, related_name="buildings")
    name = models.CharField(_("building"), max_length=32)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit (房屋): one owner's vote in the assembly, weighted by its floor area."""

    building = models.ForeignKey(Building, models.CASCADE, related_name="units")
    number = models.CharField(_("unit"), max_length=32)
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number"),
            models.CheckConstraint(condition=models.Q(floor_area__gt=0), name="unit_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name}-{self.number}"


class Owner(models.Model):
    """A person owning a unit (several may own one; the unit still has one vote)."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="owners")
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32, db_index=True)  # normalised

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["unit", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "phone"], name="owner_unique_phone")]

    def __str__(self) -> str:
        return self.name


class CompoundRole(models.Model):
    """A person on the compound's owners' committee or its party branch."""

    compound = models.ForeignKey(Compound, models.CASCADE, related_name="roles")
    user = models.ForeignKey(User, models.CASCADE, related_name="compound_roles")
    role = models.CharField(_("role"), max_length=16, choices=CompoundRoleKind.choices)

    class Meta:
        verbose_name = _("compound role")
        verbose_name_plural = _("compound roles")
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "user", "role"], name="compound_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.compound}"


class Proposal(models.Model):
    """A major matter of one compound on its way through 五议两公开."""

    compound = models.ForeignKey(Compound, models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("proposal"), max_length=4000)
    matter = models.CharField(
        _("matter (Civil Code art. 278)"), max_length=32, choices=MatterType.choices
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, db_index=True
    )
    proposer = models.ForeignKey(User, models.PROTECT, related_name="proposals")
    proposer_unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    motion = models.TextField(_("motion adopted by the owners' committee"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    branch_opinion = models.TextField(_("party branch opinion"), blank=True)
    review_note = models.TextField(_("community review note"), blank=True)
    step_due = models.DateTimeField(_("current step due"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    vote_opened_at = models.DateTimeField(_("vote opened"), null=True, blank=True)
    vote_closes_at = models.DateTimeField(_("vote closes"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    result = models.JSONField(_("count"), null=True, blank=True)  # the computed tally
    source_decision = models.ForeignKey(
        "MeetingDecision",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("from meeting decision"),
    )
    process = models.OneToOneField(
        "viewflow.Process",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        editable=False,
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def passed(self) -> bool | None:
        return None if self.result is None else bool(self.result["passed"])


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="deliberation/%Y/%m/")
    name = models.CharField(_("name"), max_length=120)
    uploaded_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class CoSignature(models.Model):
    """One unit's support for a proposal (the proposer's unit signs first)."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="cosignatures")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "unit"], name="cosignature_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.unit_id}"


class Vote(models.Model):
    """A unit's current vote on a proposal: one per unit, changeable until the vote closes
    (every change is also a `ProposalEvent`)."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="votes")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=VoteChannel.choices)
    voter = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("voter")
    )
    voter_name = models.CharField(_("owner"), max_length=64)
    entered_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "unit"], name="vote_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.unit_id} {self.choice}"


class ProposalEvent(models.Model):
    """The proposal's audit log: every step, every vote cast or changed."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=48, choices=EventKind.choices)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class ProgressReport(models.Model):
    """实施结果公开: the implementation's progress, published on the compound's page."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="progress")
    text = models.TextField(_("progress"), max_length=2000)
    final = models.BooleanField(_("implementation finished"), default=False)
    reported_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Meeting(models.Model):
    """一组一会: a residents' council meeting (居民议事会) of a community, as recorded by its
    staff."""

    community = models.ForeignKey(
        Area, models.PROTECT, related_name="meetings", verbose_name=_("community")
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    attendees = models.TextField(_("attendees"), max_length=2000)
    topics = models.TextField(_("topics"), max_length=4000)
    recorded_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("residents' council meeting")
        verbose_name_plural = _("residents' council meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.community.name} {self.held_on:%Y-%m-%d}"


class MeetingDecision(models.Model):
    """One decision of a meeting; it may open a case or a 五议两公开 proposal (linked both
    ways: `case`/`Proposal.source_decision` from here, the decision from there)."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"), max_length=2000)
    case = models.OneToOneField(
        "workflows.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_decision",
        verbose_name=_("case opened"),
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:40]
