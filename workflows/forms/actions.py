"""Forms for each action on a case and for the case list. They check input only: every write,
permission check and photo check happens in `workflows.services`."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Case as Case_
from django.db.models import Model, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from grids.models import Area, Department, User
from grids.roles import AreaLevel, Role
from grids.selectors import AnyUser, area_ancestor_at, unit_members

from ..choices import (
    AppealKind,
    Level,
    Rating,
    Source,
    Status,
    SuspendReason,
    VerifyMethod,
    WhistleType,
)
from ..models import Case, CaseDispatch, Category
from ..selectors import departments_suggested
from ..visibility import cases_visible_to

MAX_PHOTOS = 9


class MultiplePhotoInput(forms.FileInput):
    """A camera-friendly file input that takes several pictures at once. `data-photos`: the
    browser shrinks and stamps them before sending (static/workflows/photos.js); the stamp
    names the place and case from `data-stamp-place` and `data-stamp-case`."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"accept": "image/*", "capture": "environment", "data-photos": ""}
        super().__init__({**defaults, "data-remove": _("Remove"), **(attrs or {})})


def photo_stamp_context(form: forms.BaseForm, *, place: str, number: str = "") -> None:
    """Tell the form's photo inputs what their stamp says besides the time."""
    for field in form.fields.values():
        if isinstance(field.widget, MultiplePhotoInput):
            field.widget.attrs.update({"data-stamp-place": place, "data-stamp-case": number})


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
        photo_stamp_context(self, place=case.area.name, number=case.number)


class EmptyForm(CaseActionForm):
    """Actions that are a single button (accept, claim)."""


class ReasonForm(CaseActionForm):
    reason = text_field(_("Reason"))


class DuplicateForm(CaseActionForm):
    """Merge into an earlier case; Open311's possible duplicate is proposed."""

    original = forms.CharField(
        label=_("Number of the earlier case"),
        max_length=32,
        help_text=_("For example QG-20261121-0042."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case.possible_duplicate_of_id:
            possible = Case.objects.filter(pk=self.case.possible_duplicate_of_id).first()
            if possible is not None:
                self.initial.setdefault("original", possible.number)

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
    lead = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose the lead department"),
    )
    whistle_type = forms.ChoiceField(
        label=_("Whistle type"), choices=WhistleType.choices, initial=WhistleType.ROUTINE
    )
    reason = text_field(_("What the departments must do"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        street = area_ancestor_at(self.case.area, AreaLevel.STREET)
        serving = Department.objects.filter(streets=street).order_by("code")
        # those that usually handle the category first (权责清单, then the default kind)
        self.suggested = (
            departments_suggested(self.case.category, street, list(serving)) if street else []
        )
        if self.suggested:
            order = Case_(
                *(When(pk=d.pk, then=Value(i)) for i, d in enumerate(self.suggested)),
                default=Value(len(self.suggested)),
            )
            serving = serving.annotate(suggested_order=order).order_by("suggested_order", "code")
            names = "、".join(d.name for d in self.suggested)
            self.fields["departments"].help_text = _("Usually handled by: %(names)s") % {
                "names": names
            }
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


class SuspensionApproveForm(CaseActionForm):
    """挂起 approved: until the date asked for, or another."""

    resume_at = deadline_field(_("Expected to resume"))
    note = text_field(_("Note (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = self.case.suspension_requests.filter(state="pending").first()
        if pending is not None:
            self.fields["resume_at"].initial = timezone.localtime(pending.resume_at)
            self.fields["resume_at"].help_text = _(
                "Asked: %(reason)s, until %(until)s. %(note)s"
            ) % {
                "reason": pending.get_reason_display(),
                "until": f"{timezone.localtime(pending.resume_at):%Y-%m-%d %H:%M}",
                "note": pending.note,
            }


class SuperviseForm(CaseActionForm):
    """督办: what the handling unit must do, and by when."""

    instruction = text_field(_("Instruction"))
    due = deadline_field(_("To be done by"))


class VerifyForm(CaseActionForm):
    """核查: how the result was verified — on site with a photo (the browser's location is
    sent with it), or otherwise with the reason — and a confirmation (no closing by one tap)."""

    method = forms.ChoiceField(
        label=_("How was the result verified?"),
        choices=VerifyMethod.choices,
        initial=VerifyMethod.ONSITE,
        widget=forms.RadioSelect,
    )
    photos = MultiplePhotoField(
        label=_("On-site photo"),
        required=False,
        help_text=_("Taken here and now: your location is sent with it."),
    )
    latitude = forms.DecimalField(
        min_value=-90, max_value=90, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        min_value=-180, max_value=180, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    reason = text_field(_("Why not on site? (by phone, by the resident …)"), required=False, rows=2)
    note = text_field(_("Note (optional)"), required=False)
    confirmed = forms.BooleanField(
        label=_("I have checked the result: close the case."),
        error_messages={"required": _("Confirm that you checked the result.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data (the stubs allow None)
        data.pop("confirmed", None)  # the form's question, not the service's input
        return data


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


def _part_of(form: CaseActionForm) -> CaseDispatch | None:
    if form.department is None:
        return None
    return (
        form.case.dispatches.filter(department=form.department)
        .select_related("department")
        .order_by("-active", "-pk")
        .first()
    )


class AppealForm(CaseActionForm):
    """申诉: what the department appeals against (what it may appeal now), why, and photos."""

    kind = forms.ChoiceField(label=_("Appeal against"), choices=AppealKind.choices)
    reason = text_field(_("Why the appeal is justified"))
    photos = MultiplePhotoField(label=_("Evidence photos"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ..appeals import appeal_subjects

        super().__init__(*args, **kwargs)
        dispatch = _part_of(self)
        if dispatch is not None:
            subjects, _why = appeal_subjects(self.case, dispatch)
            kinds = {s.kind for s in subjects}
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in AppealKind.choices if c[0] in kinds] or AppealKind.choices
            if subjects:
                field.help_text = _("You may appeal until %(when)s.") % {
                    "when": f"{timezone.localtime(subjects[0].due):%Y-%m-%d %H:%M}"
                }


class AppealDecisionForm(CaseActionForm):
    """申诉 decided by the street: which of the department's waiting appeals, and why."""

    kind = forms.ChoiceField(label=_("Appeal against"), choices=AppealKind.choices)
    reason = text_field(_("Reason for the decision"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = list(
            self.case.appeals.filter(department=self.department, state="pending")
            if self.department
            else []
        )
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        if pending:
            field.choices = [(a.kind, a.get_kind_display()) for a in pending]
            field.help_text = " ".join(f"{a.get_kind_display()}: {a.reason}" for a in pending)


class CommentForm(CaseActionForm):
    text = text_field(_("Comment"), max_length=2000)


class CaseFilterForm(forms.Form):
    """The case list's filters (GET), the same as the API's (`apis.filters.CaseFilter`):
    keyword, status, level, category, area (and below), department, source, overdue, the
    reporting dates, and the order."""

    SORTS = (("new", _("Newest first")), ("old", _("Oldest first")))

    q = forms.CharField(label=_("Keyword"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + Status.choices, required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All"))] + Level.choices, required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    # By code, so that the board's map can link to a grid's cases (?area=QG-01-02).
    area = forms.ModelChoiceField(
        label=_("Area code"),
        queryset=Area.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"size": 12}),
    )
    hotline_number = forms.CharField(label=_("Hotline work order"), max_length=64, required=False)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All"))] + Source.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    start = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Order"), choices=SORTS, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The range ends before it starts."))
        return data

    def apply(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        """`cases` narrowed by the valid filters (call after is_valid())."""
        data = self.cleaned_data
        for name in ("status", "level", "source", "category"):
            if data.get(name):
                cases = cases.filter(**{name: data[name]})
        if area := data.get("area"):
            cases = cases.filter(area_path__startswith=area.path)
        if department := data.get("department"):
            parts = CaseDispatch.objects.filter(department=department, active=True)
            cases = cases.filter(pk__in=parts.values("case_id"))
        if data.get("overdue"):
            cases = cases.filter(overdue=True)
        if start := data.get("start"):
            cases = cases.filter(reported_at__gte=_midnight(start))
        if end := data.get("end"):
            cases = cases.filter(reported_at__lt=_midnight(end + timedelta(days=1)))
        if number := (data.get("hotline_number") or "").strip():
            cases = cases.filter(hotline_number=number)
        if text := (data.get("q") or "").strip():
            cases = cases.filter(
                Q(number__icontains=text)
                | Q(title__icontains=text)
                | Q(description__icontains=text)
            )
        return cases


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
