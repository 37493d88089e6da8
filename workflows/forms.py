"""Forms for reporting a case and for each action on it. They check input only: every write,
permission check and photo check happens in `workflows.services`."""

import operator
from functools import reduce

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Area, Department
from grids.roles import AreaLevel, Role
from grids.selectors import area_ancestor_at, areas_q

from .choices import Level, Priority, Rating, Source, Status, WhistleType
from .models import Case, Category
from .selectors import cases_visible_to

MAX_PHOTOS = 9
REPORT_AREA_LEVELS = (AreaLevel.GRID, AreaLevel.MICROGRID)


class MultiplePhotoInput(forms.FileInput):
    """A camera-friendly file input that takes several pictures at once."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "capture": "environment", **(attrs or {})})


class MultiplePhotoField(forms.FileField):
    """A list of uploads; their content is checked by the services (`PhotoRejected`)."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            super().clean(None, initial)  # "required" when it is
            return []
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Add at most %(count)d photos."), code="too_many", params={"count": MAX_PHOTOS}
            )
        single = super().clean
        return [single(item, initial) for item in uploads]


def _text(label, *, required: bool = True, rows: int = 3, max_length: int = 1000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CaseActionForm(forms.Form):
    """Base of the action forms: each knows the case and the user it is shown to."""

    def __init__(self, *args, case: Case, user, **kwargs):
        self.case, self.user = case, user
        super().__init__(*args, **kwargs)


class EmptyForm(CaseActionForm):
    """Actions that are a single button (accept, claim)."""


class ReasonForm(CaseActionForm):
    reason = _text(_("Reason"))


class DuplicateForm(CaseActionForm):
    original = forms.CharField(
        label=_("Number of the earlier case"),
        max_length=32,
        help_text=_("For example QG-20261121-0042."),
    )

    def clean_original(self) -> Case:
        number = self.cleaned_data["original"].strip().upper()
        original = cases_visible_to(self.user).filter(number=number).first()
        if original is None:
            raise forms.ValidationError(_("You can see no case with this number."))
        if original.pk == self.case.pk:
            raise forms.ValidationError(_("A case cannot duplicate itself."))
        return original


class WhistleForm(CaseActionForm):
    whistle_type = forms.ChoiceField(
        label=_("Whistle type"), choices=WhistleType.choices, initial=WhistleType.ROUTINE
    )
    reason = _text(_("Why the level above must step in"))


class DispatchForm(CaseActionForm):
    """吹哨 to departments: only those serving the case's street can be chosen."""

    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    lead = forms.ModelChoiceField(label=_("Lead department"), queryset=Department.objects.none())
    whistle_type = forms.ChoiceField(
        label=_("Whistle type"), choices=WhistleType.choices, initial=WhistleType.ROUTINE
    )
    reason = _text(_("What the departments must do"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        street = area_ancestor_at(self.case.area, AreaLevel.STREET)
        serving = Department.objects.filter(streets=street).order_by("code")
        self.fields["departments"].queryset = serving
        self.fields["lead"].queryset = serving

    def clean(self):
        data = super().clean()
        lead, departments = data.get("lead"), data.get("departments")
        if lead and departments is not None and lead not in departments:
            self.add_error("lead", _("The lead department must be one of those chosen."))
        return data


class ResolveForm(CaseActionForm):
    result = _text(_("What was done"), rows=4, max_length=4000)
    photos = MultiplePhotoField(label=_("Photos of the result"), required=False)


class DepartmentResolveForm(ResolveForm):
    photos = MultiplePhotoField(
        label=_("Photos of the result"), help_text=_("At least one photo is required.")
    )


class VerifyForm(CaseActionForm):
    note = _text(_("Note (optional)"), required=False)


class ReworkForm(CaseActionForm):
    reason = _text(_("What is still wrong"))


class RateForm(CaseActionForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = _text(_("Comment (optional)"), required=False)


class DepartmentRatingForm(CaseActionForm):
    score = forms.TypedChoiceField(
        label=_("How well did the department respond?"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = _text(_("Comment (optional)"), required=False)


class CaseReportForm(forms.Form):
    """A new case. Staff report in their own grids; residents anywhere in their street."""

    title = forms.CharField(label=_("Title"), max_length=120)
    description = _text(_("Description"), rows=5, max_length=4000)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True)
    )
    area = forms.ModelChoiceField(label=_("Grid"), queryset=Area.objects.none())
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("Category default")), *Priority.choices],
        required=False,
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)
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

    def __init__(self, *args, user, **kwargs):
        self.user = user
        self.staff = Area.objects.filter(areas_q(user, "report_area_cases")).exists()
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self._areas()
        self.fields["area"].label_from_instance = _area_label
        if not self.staff:  # residents do not choose how urgent their own case is
            del self.fields["priority"]
            self.initial.setdefault("contact_name", user.name)
            self.initial.setdefault("contact_phone", user.phone)

    @property
    def source(self) -> str:
        return Source.GRID_PATROL if self.staff else Source.RESIDENT

    def _areas(self):
        grids = Area.objects.filter(level__in=REPORT_AREA_LEVELS).order_by("code")
        if self.staff:
            return grids.filter(areas_q(self.user, "report_area_cases"))
        streets = {
            area.ancestor_ids[0]
            for area in Area.objects.filter(
                memberships__user=self.user, memberships__role=Role.RESIDENT
            )
        }
        if not streets:  # the public may report anywhere
            return grids
        return grids.filter(reduce(operator.or_, (Q(path__startswith=f"{pk}/") for pk in streets)))


def _area_label(area: Area) -> str:
    """Micro-grids indented under their grid (the list is ordered by code, i.e. as a tree)."""
    indent = "\u3000" if area.level == AreaLevel.MICROGRID else ""
    return f"{indent}{area.name} ({area.code})"


class CaseFilterForm(forms.Form):
    """The case list's filters (GET)."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + Status.choices, required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All"))] + Level.choices, required=False
    )
    # By code, so that the board's map can link to a grid's cases (?area=QG-01-02).
    area = forms.ModelChoiceField(
        label=_("Area code"),
        queryset=Area.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"size": 12}),
    )
