"""REST input and output shapes of the deliberation API (`apis.py`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .choices import MatterType, VoteChoice
from .models import Compound, Meeting, MeetingDecision, ProgressReport, Proposal, Unit


class EmptySerializer(serializers.Serializer[Any]):
    pass


class MotionSerializer(serializers.Serializer[Any]):
    motion = serializers.CharField(max_length=4000)


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=4000)


class OpinionSerializer(serializers.Serializer[Any]):
    opinion = serializers.CharField(max_length=4000)


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class OpenVoteSerializer(serializers.Serializer[Any]):
    closes_at = serializers.DateTimeField()


class VoteSerializer(serializers.Serializer[Any]):
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class PaperVoteSerializer(serializers.Serializer[Any]):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    owner_name = serializers.CharField(max_length=64)
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class ProgressSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000)


class ProposeSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=120)
    matter = serializers.ChoiceField(choices=MatterType.choices)
    text = serializers.CharField(max_length=4000)


class CountSerializer(serializers.Serializer[Any]):
    """The computed count (两公开): totals only, never a unit's vote."""

    units = serializers.IntegerField()
    area = serializers.CharField()
    voted_units = serializers.IntegerField()
    voted_area = serializers.CharField()
    for_units = serializers.IntegerField()
    for_area = serializers.CharField()
    against_units = serializers.IntegerField()
    against_area = serializers.CharField()
    abstain_units = serializers.IntegerField()
    abstain_area = serializers.CharField()
    supermajority = serializers.BooleanField()
    quorate = serializers.BooleanField()
    passed = serializers.BooleanField()


class ProgressOutSerializer(serializers.ModelSerializer[ProgressReport]):
    class Meta:
        model = ProgressReport
        fields = ["text", "final", "reported_at"]


class PublicProposalSerializer(serializers.ModelSerializer[Proposal]):
    """What the compound's public page shows of a proposal: no names, no units, no votes."""

    count = CountSerializer(source="result", allow_null=True)
    progress = ProgressOutSerializer(many=True)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "matter",
            "status",
            "status_label",
            "motion",
            "decline_reason",
            "vote_closes_at",
            "decided_at",
            "count",
            "progress",
        ]


class PublicCompoundSerializer(serializers.ModelSerializer[Compound]):
    proposals = serializers.SerializerMethodField()

    class Meta:
        model = Compound
        fields = ["code", "name", "cosign_threshold", "proposals"]

    @extend_schema_field(PublicProposalSerializer(many=True))
    def get_proposals(self, compound: Compound) -> list[dict[str, Any]]:
        rows = self.context["proposals"]
        return list(PublicProposalSerializer(rows, many=True).data)


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
    """A proposal as its owners and staff see it (still no unit's vote)."""

    compound = serializers.CharField(source="compound.code")
    signatures = serializers.IntegerField(source="cosignatures.count")
    votes_in = serializers.IntegerField(source="votes.count")
    count = CountSerializer(source="result", allow_null=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "compound",
            "title",
            "text",
            "matter",
            "status",
            "motion",
            "decline_reason",
            "branch_opinion",
            "review_note",
            "step_due",
            "overdue",
            "vote_opened_at",
            "vote_closes_at",
            "signatures",
            "votes_in",
            "count",
            "actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, proposal: Proposal) -> list[str]:
        return list(self.context.get("actions", []))


class DecisionSerializer(serializers.ModelSerializer[MeetingDecision]):
    case = serializers.CharField(source="case.number", allow_null=True, default=None)
    proposals = serializers.SerializerMethodField()

    class Meta:
        model = MeetingDecision
        fields = ["id", "text", "case", "proposals"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_proposals(self, decision: MeetingDecision) -> list[int]:
        return [proposal.pk for proposal in decision.proposals.all()]


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    community = serializers.CharField(source="community.code")
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "community", "held_on", "place", "attendees", "topics", "decisions"]
