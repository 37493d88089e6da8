"""The case list's filters: status, level, area (and below), department, category, priority,
overdue, a reporting date range and free text."""

from datetime import UTC, datetime
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Model, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from grids.models import Area, Department

from ..choices import Level, Priority, Status
from ..models import Case, CaseDispatch


class CodeChoiceField(forms.ModelChoiceField[Model]):
    def to_python(self, value: Any) -> Model | None:
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot even compare it
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)


# django-filter ships no types (`ignore_missing_imports`): its classes are Any.
@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(filters.ModelChoiceFilter):  # type: ignore[misc]
    """An object chosen by its code; an unknown code is a 400."""

    field_class = CodeChoiceField


class UtcDateTimeFilter(filters.IsoDateTimeFilter):  # type: ignore[misc]
    """An ISO 8601 moment, compared in UTC: Python accepts offsets PostgreSQL refuses (±24 h)."""

    def filter(self, queryset: QuerySet[Case], value: datetime | None) -> QuerySet[Case]:
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                raise ValidationError({self.field_name: ["Date out of range."]}) from None
        filtered: QuerySet[Case] = super().filter(queryset, value)
        return filtered


class CaseFilter(filters.FilterSet):  # type: ignore[misc]
    status = filters.ChoiceFilter(choices=Status.choices)
    level = filters.ChoiceFilter(choices=Level.choices)
    priority = filters.ChoiceFilter(choices=Priority.choices)
    category = filters.CharFilter(field_name="category__code", max_length=32)
    hotline_number = filters.CharFilter(
        max_length=64, help_text="The city hotline's work-order number (12345 工单编号)."
    )
    area = CodeChoiceFilter(
        queryset=Area.objects.all(),
        to_field_name="code",
        method="filter_area",
        help_text="Area code: cases in this area and every area below it.",
    )
    department = CodeChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        method="filter_department",
        help_text="Department code: cases currently dispatched to it.",
    )
    overdue = filters.BooleanFilter()
    reported_after = UtcDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = UtcDateTimeFilter(field_name="reported_at", lookup_expr="lt")
    q = filters.CharFilter(
        method="filter_text", max_length=100, help_text="Text in number, title or description."
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_area(self, queryset: QuerySet[Case], name: str, area: Area) -> QuerySet[Case]:
        return queryset.filter(area_path__startswith=area.path)

    def filter_department(
        self, queryset: QuerySet[Case], name: str, department: Department
    ) -> QuerySet[Case]:
        dispatched = CaseDispatch.objects.filter(department=department, active=True)
        return queryset.filter(pk__in=dispatched.values("case_id"))

    def filter_text(self, queryset: QuerySet[Case], name: str, text: str) -> QuerySet[Case]:
        text = text.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(description__icontains=text)
        )
