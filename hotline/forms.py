"""The import's forms: the upload, the column mapping, placing a row."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Area, User
from workflows.models import Category
from workflows.visibility import hotline_import_streets

from .mapping import DEFAULT_PRESET, FIELDS
from .models import ColumnPreset
from .parsing import MAX_BYTES


class UploadForm(forms.Form):
    street = forms.ModelChoiceField(label=_("Street"), queryset=Area.objects.none())
    file = forms.FileField(label=_("Work orders (.xlsx or .csv)"))
    preset = forms.ModelChoiceField(
        label=_("Column preset"), queryset=ColumnPreset.objects.all(), required=False
    )
    fallback_category = forms.ModelChoiceField(
        label=_("Category when none matches"),
        queryset=Category.objects.filter(active=True),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        streets = Area.objects.filter(hotline_import_streets(user)).order_by("code")
        street_field = self.fields["street"]
        assert isinstance(street_field, forms.ModelChoiceField)
        street_field.queryset = streets
        if len(streets) == 1:
            street_field.initial = streets[0]
        self.fields["preset"].initial = ColumnPreset.objects.filter(name=DEFAULT_PRESET).first()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class ColumnsForm(forms.Form):
    """One choice per field among the file's headings, and a name to keep it as a preset."""

    preset_name = forms.CharField(label=_("Save as preset"), max_length=64, required=False)

    def __init__(
        self, *args: Any, headings: list[str], initial_columns: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —"))] + [(h, h) for h in headings if h]
        for field in FIELDS:
            chosen = initial_columns.get(field.name, "")
            self.fields[f"col_{field.name}"] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=field.required,
                initial=chosen if chosen in headings else "",
            )

    def columns(self) -> dict[str, str]:
        return {f.name: self.cleaned_data.get(f"col_{f.name}") or "" for f in FIELDS}

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{f.name}"] for f in FIELDS]


class PlaceForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())

    def __init__(self, *args: Any, street: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = Area.objects.filter(path__startswith=street.path).order_by("path")
