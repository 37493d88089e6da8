"""Page forms of the deliberation actions and pages (the API has serializers alike)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MatterType, VoteChoice
from .models import Proposal, Unit


class ProposalActionForm(forms.Form):
    """An action's form; it knows its proposal (some choices depend on it)."""

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal


class EmptyForm(ProposalActionForm):
    pass


class MotionForm(ProposalActionForm):
    motion = forms.CharField(
        label=_("Motion"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, proposal=proposal, **kwargs)
        self.fields["motion"].initial = proposal.motion or proposal.text


class ReasonForm(ProposalActionForm):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class OpinionForm(ProposalActionForm):
    opinion = forms.CharField(
        label=_("The party branch's opinion"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class NoteForm(ProposalActionForm):
    note = forms.CharField(
        label=_("Note (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


class OpenVoteForm(ProposalActionForm):
    closes_at = forms.DateTimeField(
        label=_("Voting closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class VoteForm(ProposalActionForm):
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )


class PaperVoteForm(ProposalActionForm):
    unit = forms.ModelChoiceField(label=_("Flat"), queryset=Unit.objects.none())
    owner_name = forms.CharField(label=_("Owner who signed the ballot"), max_length=64)
    choice = forms.ChoiceField(
        label=_("Vote"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, proposal=proposal, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(
            building__compound=proposal.compound_id
        ).select_related("building")


class ProgressForm(ProposalActionForm):
    text = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ProposeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    matter = forms.ChoiceField(label=_("Matter (Civil Code art. 278)"), choices=MatterType.choices)
    text = forms.CharField(
        label=_("What do you propose?"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000
    )
    attachments = MultipleFileField(label=_("Attachments (up to 5)"), required=False)


class RegisterImportForm(forms.Form):
    file = forms.FileField(label=_("Register (CSV: building, unit, floor_area, owners, phones)"))


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    attendees = forms.CharField(
        label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    topics = forms.CharField(
        label=_("Topics"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    decisions = forms.CharField(
        label=_("Decisions (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )
