"""Reporting a case: the field intake form (staff and residents with an account) and the
public form for residents without one. They check input and find the grid; the service
`case_report` does the writing."""

import operator
import uuid
from decimal import Decimal
from functools import reduce
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grids.models import Area, User
from grids.phones import normalise_phone
from grids.roles import AreaLevel, Role
from grids.selectors import AnyUser, area_at_point

from ..choices import Priority, Source
from ..models import Case, Category
from ..selectors import categories_common_first
from ..visibility import report_areas
from .actions import MultiplePhotoField, model_choice_field, text_field

REPORT_AREA_LEVELS = (AreaLevel.GRID, AreaLevel.MICROGRID)
TITLE_MAX = Case._meta.get_field("title").max_length


class CategoryField(forms.ModelChoiceField[Category]):
    """The categories as large radio buttons, the ones this reporter uses most first."""

    widget = forms.RadioSelect

    def label_from_instance(self, category: Category) -> str:
        return category.name


class AreaField(forms.ModelChoiceField[Area]):
    """Grids with their micro-grids indented below them (the queryset is ordered by code)."""

    def label_from_instance(self, area: Area) -> str:
        indent = "\u3000" if area.level == AreaLevel.MICROGRID else ""
        return f"{indent}{area.name} ({area.code})"


class BaseReportForm(forms.Form):
    """What every report has: category, description, photos, place, and a submission key
    that makes re-sending the same form (after a network failure) harmless."""

    category = CategoryField(label=_("Category"), queryset=None, empty_label=None)
    description = text_field(_("What is wrong?"), rows=4, max_length=4000)
    photos = MultiplePhotoField(label=_("Photos"), required=False)
    latitude = forms.DecimalField(
        min_value=-90, max_value=90, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        min_value=-180, max_value=180, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    area = AreaField(
        label=_("Grid"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Found from your location; choose by hand if it is not right."),
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    title = forms.CharField(
        label=_("Short title (optional)"),
        max_length=TITLE_MAX,
        required=False,
        help_text=_("Left empty, the category and the place make the title."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = categories_common_first(user)
        model_choice_field(self, "area").queryset = self.areas()
        self.initial.setdefault("submission_key", uuid.uuid4())
        self.fields["photos"].widget.attrs["capture"] = "environment"

    def areas(self) -> QuerySet[Area]:
        return Area.objects.filter(level__in=REPORT_AREA_LEVELS).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data (the stubs allow None)
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            raise forms.ValidationError(_("A location needs both a latitude and a longitude."))
        if not data.get("area") and "area" not in self.errors:
            data["area"] = self._area_from_location(latitude, longitude)
        if data.get("area") and data.get("category") and not data.get("title"):
            place = data.get("address") or data["area"].name
            data["title"] = f"{data['category'].name} · {place}"[:TITLE_MAX]
        return data

    def _area_from_location(
        self, latitude: Decimal | None, longitude: Decimal | None
    ) -> Area | None:
        if latitude is None or longitude is None:  # `clean` has checked: both or neither
            self.add_error("area", _("Choose the grid, or let the browser find your location."))
            return None
        area = area_at_point(float(latitude), float(longitude), deepest=AreaLevel.MICROGRID)
        grids = model_choice_field(self, "area").queryset
        assert grids is not None  # set in __init__
        if area is None or not grids.filter(pk=area.pk).exists():
            self.add_error(
                "area",
                _(
                    "Your location (%(lat)s, %(lng)s) is outside every grid you can report "
                    "in. Choose the grid by hand."
                )
                % {"lat": latitude, "lng": longitude},
            )
            return None
        return area

    def report_arguments(self) -> dict[str, Any]:
        """The keyword arguments for `case_report`."""
        data = dict(self.cleaned_data)
        data["submission_key"] = data.get("submission_key") or None
        return data


class CaseReportForm(BaseReportForm):
    """A new case from someone logged in. Staff report in their own grids and choose the
    priority; residents report anywhere in their street and leave their contact."""

    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("Category default")), *Priority.choices],
        required=False,
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        help_text=_("Your name and phone are never shown to the people handling the case."),
    )

    user: User  # logged in: the field intake page requires it

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.staff = Area.objects.filter(report_areas(user)).exists()
        super().__init__(*args, user=user, **kwargs)
        if self.staff:  # staff log what they see; residents' contact comes from the account
            del self.fields["anonymous"]
        else:  # residents do not choose how urgent their own case is
            del self.fields["priority"]
            self.initial.setdefault("contact_name", user.name)
            self.initial.setdefault("contact_phone", user.phone)

    @property
    def source(self) -> str:
        return Source.GRID_PATROL if self.staff else Source.RESIDENT

    def areas(self) -> QuerySet[Area]:
        grids = super().areas()
        if self.staff:
            return grids.filter(report_areas(self.user))
        streets = {
            area.ancestor_ids[0]
            for area in Area.objects.filter(
                memberships__user=self.user, memberships__role=Role.RESIDENT
            )
        }
        if not streets:  # the public may report anywhere
            return grids
        return grids.filter(reduce(operator.or_, (Q(path__startswith=f"{pk}/") for pk in streets)))


class PublicReportForm(BaseReportForm):
    """A resident without an account: a phone number to follow the case, optionally
    anonymous (the phone is then never shown to the people handling it)."""

    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=64, required=False)
    contact_phone = forms.RegexField(
        label=_("Your phone"),
        regex=r"^\+?[0-9][0-9 -]{5,30}$",
        max_length=32,
        help_text=_("With the case number it lets you follow the case and rate the result."),
        error_messages={"invalid": _("Enter a phone number: digits, spaces or dashes.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        help_text=_("Your name and phone are never shown to the people handling the case."),
    )

    source = Source.RESIDENT

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data["contact_phone"])


class TrackForm(forms.Form):
    """Follow a case without an account: its number and the phone given when reporting."""

    number = forms.CharField(label=_("Case number"), max_length=32)
    phone = forms.CharField(
        label=_("Phone given when reporting"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"]
        return number.strip().upper()

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])
