"""REST representations of cases (read) and the input of reporting and of each action.

Input serializers only check shape and look up referenced objects; every permission and
state check happens in `workflows.services`.
"""

from decimal import Decimal
from typing import Any, TypeVar, cast

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from grids.models import Area, Department, User
from grids.selectors import area_at_point

from ..choices import AppealKind, Priority, Rating, SuspendReason, VerifyMethod, WhistleType
from ..forms import MAX_PHOTOS
from ..models import Case, CaseDispatch, CaseEvent, CasePhoto, Category
from ..privacy import ReporterContact, reporter_contact, reporter_name
from ..services.intake import MAX_DESCRIPTION
from ..visibility import cases_visible_to, part_events, part_photos

# A JSON object: what the serializers without a model read and write (they hold no instance).
Body = dict[str, Any]
_M = TypeVar("_M", bound=Model)


class ErrorSerializer(serializers.Serializer[Body]):
    """Every error answer: a machine-readable code, a message, and per-field messages."""

    code = serializers.CharField()
    detail = serializers.CharField()
    # The body's `fields` key: the metaclass moves declared fields off the class, so this does
    # not hide `Serializer.fields` at run time (it does for the type checker).
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class CategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["code", "name", "default_priority", "default_department_kind"]


class DispatchSerializer(serializers.ModelSerializer[CaseDispatch]):
    department = serializers.SlugRelatedField[Department](slug_field="code", read_only=True)
    claimed_by = serializers.StringRelatedField[User](allow_null=True)

    class Meta:
        model = CaseDispatch
        fields = [
            "department",
            "lead",
            "active",
            "dispatched_at",
            "claim_due",
            "resolve_due",
            "claimed_by",
            "claimed_at",
            "returned_at",
            "return_reason",
            "review_due",
            "return_accepted_at",
            "reassigned_at",
            "resolved_at",
            "result",
            "response_rating",
        ]


class PhotoSerializer(serializers.ModelSerializer[CasePhoto]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["kind", "url", "uploaded_at", "taken_at"]

    def get_url(self, photo: CasePhoto) -> str:
        request: Request = self.context["request"]
        return request.build_absolute_uri(photo.get_absolute_url())


class EventSerializer(serializers.ModelSerializer[CaseEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "from_status", "to_status", "level", "payload"]
        fields += ["created_at"]

    def get_actor(self, event: CaseEvent) -> str | None:
        """The actor's name; the reporter as `workflows.privacy` allows (anonymous: null)."""
        case: Case = self.context["case"]
        if event.actor is None:
            return None
        if event.actor_id == case.reporter_id:
            return reporter_name(case, event.actor, self.context["contact"])
        return str(event.actor)


class CaseSerializer(serializers.ModelSerializer[Case]):
    """A case in a list: no personal data, no history."""

    category = serializers.SlugRelatedField[Category](slug_field="code", read_only=True)
    area = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)
    handling_area = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)
    departments = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "title",
            "status",
            "level",
            "priority",
            "source",
            "hotline_number",
            "category",
            "area",
            "handling_area",
            "departments",
            "overdue",
            "reported_at",
            "respond_due",
            "resolve_due",
            "closed_at",
            "rating",
            "follower_count",
            "verify_method",
        ]

    def get_departments(self, case: Case) -> list[str]:
        """Codes of the departments currently dispatched (uses the prefetched dispatches)."""
        return [d.department.code for d in case.dispatches.all() if d.active]


class ContactSerializer(serializers.Serializer[Body]):
    anonymous = serializers.BooleanField()
    name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)


class CaseDetailSerializer(CaseSerializer):
    """A case with its contact (masked as on the page), dispatches, photos and events."""

    contact = serializers.SerializerMethodField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    handler = serializers.StringRelatedField[User](allow_null=True)
    verifier_area = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)
    dispatches = DispatchSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField()
    # Plain text: the choices are SuspendSerializer's `reason` enum already (one name each).
    suspend_reason = serializers.CharField(read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + [
            "description",
            "address",
            "latitude",
            "longitude",
            "media_url",
            "contact",
            "handler",
            "verifier_area",
            "whistle_type",
            "result",
            "rework_count",
            "reopen_count",
            "suspended_at",
            "suspend_reason",
            "resume_at",
            "responded_at",
            "resolved_at",
            "rated_at",
            "dispatches",
            "photos",
            "events",
        ]

    def _contact(self, case: Case) -> ReporterContact:
        """`reporter_contact` once per case (its permission checks cost queries)."""
        cached: dict[int, ReporterContact] = getattr(self, "_contacts", {})
        if case.pk not in cached:
            cached[case.pk] = reporter_contact(self.context["request"].user, case)
            self._contacts = cached
        return cached[case.pk]

    @extend_schema_field(ContactSerializer)
    def get_contact(self, case: Case) -> ReporterContact:
        contact = self._contact(case).copy()
        contact.pop("masked", None)
        return contact

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case: Case) -> list[Body]:
        events = case.events.select_related("actor").order_by("pk")
        context = {**self.context, "case": case, "contact": self._contact(case)}
        # many=True makes DRF build a ListSerializer, whose data is a list; the stubs know
        # only the single serializer's dict.
        return cast(list[Body], EventSerializer(events, many=True, context=context).data)


class CasePartSerializer(serializers.ModelSerializer[Case]):
    """A case as a department whose part has ended sees it (`visibility.parts_seen`): the
    facts it worked from, its parts, their events and photos; not the case's status now."""

    category = serializers.SlugRelatedField[Category](slug_field="code", read_only=True)
    area = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    part_ended = serializers.SerializerMethodField()
    dispatches = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["number", "title", "description", "priority", "category", "area"]
        fields += ["address", "latitude", "longitude", "reported_at", "part_ended"]
        fields += ["dispatches", "photos", "events"]

    def get_part_ended(self, case: Case) -> bool:
        return True

    @extend_schema_field(DispatchSerializer(many=True))
    def get_dispatches(self, case: Case) -> list[Body]:
        parts = self.context["parts"]
        return cast(list[Body], DispatchSerializer(parts, many=True, context=self.context).data)

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, case: Case) -> list[Body]:
        photos = part_photos(case, self.context["parts"])
        return cast(list[Body], PhotoSerializer(photos, many=True, context=self.context).data)

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case: Case) -> list[Body]:
        events = part_events(case, self.context["parts"])
        contact = reporter_contact(self.context["request"].user, case)
        context = {**self.context, "case": case, "contact": contact}
        return cast(list[Body], EventSerializer(events, many=True, context=context).data)


# --- input ------------------------------------------------------------------------------------


class CodeRelatedField(serializers.SlugRelatedField[_M]):
    """An object given by its code. A NUL character is refused here: PostgreSQL would answer
    the lookup with an error instead of "no such object"."""

    def __init__(self, queryset: QuerySet[_M], **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=queryset, **kwargs)

    def to_internal_value(self, data: Any) -> _M:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


def _coordinate(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


class ReportSerializer(serializers.Serializer[Body]):
    """A new case: in `area` (a code), or where (latitude, longitude) falls."""

    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=MAX_DESCRIPTION)
    category = CodeRelatedField(Category.objects.filter(active=True))
    area = CodeRelatedField(Area.objects.all(), required=False)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    address = serializers.CharField(max_length=200, required=False, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    contact_name = serializers.CharField(max_length=64, required=False, default="")
    contact_phone = serializers.CharField(max_length=32, required=False, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    photos = serializers.ListField(
        child=serializers.FileField(), max_length=MAX_PHOTOS, required=False, default=list
    )

    def validate(self, data: Body) -> Body:
        has_lat, has_lng = "latitude" in data, "longitude" in data
        if has_lat != has_lng:
            raise serializers.ValidationError(
                _("Give both latitude and longitude, or neither."), code="coordinates"
            )
        if has_lat:
            data["latitude"] = _coordinate(data["latitude"])
            data["longitude"] = _coordinate(data["longitude"])
        if "area" not in data:
            if not has_lat:
                raise serializers.ValidationError(
                    {"area": [_("Give an area code or a location.")]}, code="required"
                )
            area = area_at_point(float(data["latitude"]), float(data["longitude"]))
            if area is None:
                raise serializers.ValidationError(
                    {"latitude": [_("This location lies in no known area.")]}, code="outside"
                )
            data["area"] = area
        return data


class EmptyInputSerializer(serializers.Serializer[Body]):
    pass


class ReasonSerializer(serializers.Serializer[Body]):
    reason = serializers.CharField(max_length=1000)


class DepartmentField(CodeRelatedField[Department]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Department.objects.all(), **kwargs)


class DepartmentInputSerializer(serializers.Serializer[Body]):
    department = DepartmentField()


class DepartmentReasonSerializer(DepartmentInputSerializer, ReasonSerializer):
    pass


class ReassignSerializer(DepartmentReasonSerializer):
    """改派: `department` names the part, `to_department` where it goes."""

    to_department = DepartmentField()
    instruction = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True
    )


class ReturnAcceptSerializer(DepartmentReasonSerializer):
    """退单审核, accepted; with `to_department`, 改派 to it."""

    to_department = DepartmentField(required=False, allow_null=True, default=None)
    instruction = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True
    )


class AppealSerializer(DepartmentReasonSerializer):
    """申诉: `department` appeals its part's poor rating or a rework (`kind`), with photos."""

    kind = serializers.ChoiceField(choices=AppealKind.choices)
    photos = serializers.ListField(
        child=serializers.FileField(), max_length=MAX_PHOTOS, required=False, default=list
    )


class AppealDecisionSerializer(DepartmentReasonSerializer):
    """申诉 decided: `kind` names the appeal when the department has two waiting."""

    kind = serializers.ChoiceField(choices=AppealKind.choices, required=False, default="")


class ExtensionAskSerializer(ReasonSerializer):
    """延期: `due` is the deadline wanted (ISO 8601, with its offset)."""

    due = serializers.DateTimeField()


class ExtensionApproveSerializer(serializers.Serializer[Body]):
    due = serializers.DateTimeField(help_text="The deadline granted (at most the one asked for).")
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class SuperviseSerializer(serializers.Serializer[Body]):
    instruction = serializers.CharField(max_length=1000)
    due = serializers.DateTimeField(help_text="When the supervised case must be done.")


class SuspendSerializer(serializers.Serializer[Body]):
    reason = serializers.ChoiceField(choices=SuspendReason.choices)
    resume_at = serializers.DateTimeField(help_text="When the case is expected to resume.")
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class SuspensionApproveSerializer(serializers.Serializer[Body]):
    resume_at = serializers.DateTimeField(
        required=False, default=None, help_text="When to resume (default: the date asked for)."
    )
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class DuplicateSerializer(serializers.Serializer[Body]):
    original = serializers.CharField(max_length=32, help_text="Number of the earlier case.")

    def validate_original(self, number: str) -> Case:
        user, case = self.context["request"].user, self.context["case"]
        original = cases_visible_to(user).filter(number=number.strip().upper()).first()
        if original is None:
            raise serializers.ValidationError(_("You can see no case with this number."))
        if original.pk == case.pk:
            raise serializers.ValidationError(_("A case cannot duplicate itself."))
        return original


class WhistleSerializer(ReasonSerializer):
    whistle_type = serializers.ChoiceField(choices=WhistleType.choices)


class DispatchInputSerializer(WhistleSerializer):
    departments = serializers.ListField(child=DepartmentField(), min_length=1, max_length=20)
    lead = DepartmentField()


class ResolveSerializer(serializers.Serializer[Body]):
    """The result; with `department`, that department's part (at least one photo then)."""

    result = serializers.CharField(max_length=4000)
    department = DepartmentField(required=False)
    photos = serializers.ListField(
        child=serializers.FileField(), max_length=MAX_PHOTOS, required=False, default=list
    )


class VerifySerializer(serializers.Serializer[Body]):
    """核查: `method` onsite needs `photos` and the verifier's `latitude`/`longitude` near the
    case; the other methods a `reason`."""

    method = serializers.ChoiceField(choices=VerifyMethod.choices)
    reason = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        required=False,
        allow_null=True,
        default=None,
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        required=False,
        allow_null=True,
        default=None,
    )
    photos = serializers.ListField(
        child=serializers.FileField(), max_length=MAX_PHOTOS, required=False, default=list
    )
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class RateSerializer(serializers.Serializer[Body]):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class DepartmentRateSerializer(DepartmentInputSerializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class AssignSerializer(DepartmentInputSerializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        help_text="Username of a staff member of the department.",
    )


class CommentSerializer(serializers.Serializer[Body]):
    text = serializers.CharField(max_length=2000)


class TokenRequestSerializer(serializers.Serializer[Body]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer[Body]):
    token = serializers.CharField()
