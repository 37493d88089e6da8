"""Forms for each action on a case and for the case list. They check input only: every write,
permission check and photo check happens in `workflows.services`."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from grids.models import Area, Department, User
from grids.roles import AreaLevel, Role
from grids.selectors import AnyUser, area_ancestor_at, unit_members

from ..choices import Level, Rating, Status, SuspendReason, WhistleType
from ..models import Case
from ..visibility import cases_visible_to

MAX_PHOTOS = 9


class MultiplePhotoInput(forms.FileInput):
    """A camera-friendly file input that takes several pictures at once."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": "image/*", "capture": "environment", **(attrs or {})})


class MultiplePhotoField(forms.FileField):
    """A list of uploads; their content is checked by the services (`PhotoRejected`)."""

    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
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


def text_field(
    label: StrOrPromise, *, required: bool = True, rows: int = 3, max_length: int = 1000
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Model]:
    """The form's own copy of a model choice field (the stubs type `form.fields` as Fields)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class CaseActionForm(forms.Form):
    """Base of the action forms: each knows the case and the user it is shown to (None: a
    resident following a case without an account)."""

    def __init__(
        self,
        *args: Any,
        case: Case,
        user: AnyUser | None,
        department: Department | None = None,
        **kwargs: Any,
    ) -> None:
        self.case, self.user, self.department = case, user, department
        super().__init__(*args, **kwargs)


class EmptyForm(CaseActionForm):
    """Actions that are a single button (accept, claim)."""


class ReasonForm(CaseActionForm):
    reason = text_field(_("Reason"))


class DuplicateForm(CaseActionForm):
    original = forms.CharField(
        label=_("Number of the earlier case"),
        max_length=32,
        help_text=_("For example QG-20261121-0042."),
    )

    def clean_original(self) -> Case:
        number = self.cleaned_data["original"].strip().upper()
        visible = cases_visible_to(self.user) if self.user else Case.objects.none()
        original = visible.filter(number=number).first()
        if original is None:
            raise forms.ValidationError(_("You can see no case with this number."))
        if original.pk == self.case.pk:
            raise forms.ValidationError(_("A case cannot duplicate itself."))
        return original


class WhistleForm(CaseActionForm):
    whistle_type = forms.ChoiceField(
        label=_("Whistle type"), choices=WhistleType.choices, initial=WhistleType.ROUTINE
    )
    reason = text_field(_("Why the level above must step in"))


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
    reason = text_field(_("What the departments must do"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        street = area_ancestor_at(self.case.area, AreaLevel.STREET)
        serving = Department.objects.filter(streets=street).order_by("code")
        model_choice_field(self, "departments").queryset = serving
        model_choice_field(self, "lead").queryset = serving

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data (the stubs allow None)
        lead, departments = data.get("lead"), data.get("departments")
        if lead and departments is not None and lead not in departments:
            self.add_error("lead", _("The lead department must be one of those chosen."))
        return data


class ResolveForm(CaseActionForm):
    result = text_field(_("What was done"), rows=4, max_length=4000)
    photos = MultiplePhotoField(label=_("Photos of the result"), required=False)


class DepartmentResolveForm(ResolveForm):
    photos = MultiplePhotoField(
        label=_("Photos of the result"), help_text=_("At least one photo is required.")
    )


class AssignForm(CaseActionForm):
    """A department head gives the department's part of a case to one of its staff."""

    assignee = forms.ModelChoiceField[User](label=_("Give it to"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = (Role.DEPARTMENT_STAFF, Role.DEPARTMENT_HEAD)
        staff = unit_members(self.department, roles) if self.department else []
        staff_pks = [u.pk for u in staff]
        model_choice_field(self, "assignee").queryset = User.objects.filter(pk__in=staff_pks)


class _OtherDepartmentForm(CaseActionForm):
    """改派: the departments serving the case's street, other than the part's own."""

    to_department = forms.ModelChoiceField(
        label=_("Reassign to"), queryset=Department.objects.none()
    )
    reason = text_field(_("Reason"))
    instruction = text_field(_("Instruction for the department (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        street = area_ancestor_at(self.case.area, AreaLevel.STREET)
        serving = Department.objects.filter(streets=street).order_by("code")
        if self.department is not None:
            serving = serving.exclude(pk=self.department.pk)
        model_choice_field(self, "to_department").queryset = serving


class ReassignForm(_OtherDepartmentForm):
    """改派 a department's part at any time."""


class ReturnAcceptForm(_OtherDepartmentForm):
    """退单审核, accepted: the part ends; choosing a department 改派 the case to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "to_department")
        field.required, field.label = False, _("Reassign to (optional)")
        field.empty_label = _("Nobody: the part ends here")


def deadline_field(label: StrOrPromise) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ExtensionAskForm(CaseActionForm):
    """延期: the deadline wanted and why."""

    due = deadline_field(_("New deadline wanted"))
    reason = text_field(_("Why more time is needed"))


class ExtensionApproveForm(CaseActionForm):
    """延期 granted: the deadline asked for, or a shorter one."""

    due = deadline_field(_("New deadline granted"))
    note = text_field(_("Note (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = self.case.extensions.filter(state="pending").first()
        if pending is not None:
            self.fields["due"].initial = timezone.localtime(pending.requested_due)
            self.fields["due"].help_text = _("Asked for: %(due)s. %(reason)s") % {
                "due": f"{timezone.localtime(pending.requested_due):%Y-%m-%d %H:%M}",
                "reason": pending.reason,
            }


class SuspendForm(CaseActionForm):
    """挂起: a reason from the list, the expected date to resume, a note ("other": required)."""

    reason = forms.ChoiceField(label=_("Why"), choices=SuspendReason.choices)
    resume_at = deadline_field(_("Expected to resume"))
    note = text_field(_("Note"), required=False)


class SuperviseForm(CaseActionForm):
    """督办: what the handling unit must do, and by when."""

    instruction = text_field(_("Instruction"))
    due = deadline_field(_("To be done by"))


class VerifyForm(CaseActionForm):
    note = text_field(_("Note (optional)"), required=False)


class ReworkForm(CaseActionForm):
    reason = text_field(_("What is still wrong"))


class RateForm(CaseActionForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = text_field(_("Comment (optional)"), required=False)


class DepartmentRatingForm(CaseActionForm):
    score = forms.TypedChoiceField(
        label=_("How well did the department respond?"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = text_field(_("Comment (optional)"), required=False)


class CommentForm(CaseActionForm):
    text = text_field(_("Comment"), max_length=2000)


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
