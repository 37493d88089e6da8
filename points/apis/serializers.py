"""What the points API reads and writes."""

from typing import Any

from rest_framework import serializers

from grids.models import Area
from workflows.models import Case

from ..models import (
    Account,
    Activity,
    EarningRule,
    Entry,
    Goods,
    HelpRequest,
    Redemption,
    Signup,
)

MAX_ID = 999_999_999  # ids have at most 9 digits here (paths too)


class EntrySerializer(serializers.ModelSerializer[Entry]):
    cause = serializers.CharField(read_only=True)
    case = serializers.SlugRelatedField[Case](slug_field="number", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "kind",
            "points",
            "note",
            "cause",
            "created_at",
            "case",
            "activity",
            "redemption",
            "help_request",
            "reverses",
            "rule",
        ]


class AccountSerializer(serializers.ModelSerializer[Account]):
    community = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "community", "name", "kind", "code", "balance", "created_at"]


class AccountDetailSerializer(AccountSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "entries"]

    def get_entries(self, account: Account) -> list[dict[str, Any]]:
        rows = account.entries.select_related("case", "activity").order_by("-pk")[:200]
        return list(EntrySerializer(rows, many=True).data)


class GoodsSerializer(serializers.ModelSerializer[Goods]):
    class Meta:
        model = Goods
        fields = ["id", "name", "price", "stock"]


class RuleSerializer(serializers.ModelSerializer[EarningRule]):
    class Meta:
        model = EarningRule
        fields = [
            "id",
            "item",
            "points",
            "trigger",
            "awarded_by",
            "evidence",
            "monthly_cap",
            "active",
        ]
        read_only_fields = ["awarded_by"]


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    class Meta:
        model = Activity
        fields = ["id", "title", "kind", "place", "starts_at", "points", "capacity"]


class SignupSerializer(serializers.ModelSerializer[Signup]):
    class Meta:
        model = Signup
        fields = ["id", "activity", "account", "signed_up_at", "attended_at"]


class RedemptionSerializer(serializers.ModelSerializer[Redemption]):
    goods = GoodsSerializer(read_only=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "account",
            "goods",
            "quantity",
            "points",
            "channel",
            "status",
            "created_at",
            "handed_over_at",
            "cancelled_at",
            "cancel_reason",
        ]


class HelpRequestSerializer(serializers.ModelSerializer[HelpRequest]):
    community = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)
    helper = serializers.CharField(source="helper.display_name", read_only=True, default="")

    class Meta:
        model = HelpRequest
        fields = [
            "id",
            "community",
            "title",
            "description",
            "address",
            "status",
            "points",
            "created_at",
            "claim_due",
            "helper",
            "claimed_at",
            "done_at",
            "confirmed_at",
        ]


class AwardInput(serializers.Serializer[Any]):
    account = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    rule = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RedeemInput(serializers.Serializer[Any]):
    goods = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=20, default=1)
    account = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="At the counter (desk): whose points; omit to ask online for yourself.",
    )


class CodeInput(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=16)


class AttendanceInput(serializers.Serializer[Any]):
    account = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class HelpInput(serializers.Serializer[Any]):
    community = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True
    )
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class NoteInput(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class FiguresSerializer(serializers.Serializer[Any]):
    community = serializers.CharField(source="community.code")
    registered = serializers.IntegerField()
    issued = serializers.IntegerField()
    redeemed = serializers.IntegerField()
    activities = serializers.IntegerField()
    answered = serializers.IntegerField()
