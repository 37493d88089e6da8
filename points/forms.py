"""Forms of the points pages: they check the input; the services check again and decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Activity, EarningRule


class FindForm(forms.Form):
    q = forms.CharField(label=_("Phone or the person's code"), max_length=32)


class PhoneAccountForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=64, required=False)


class AwardForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("Item"), queryset=EarningRule.objects.none())
    note = forms.CharField(label=_("Evidence / note"), max_length=200, required=False)

    def __init__(self, *args: Any, rules: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rules is not None:
            field = self.fields["rule"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = rules


class RedeemForm(forms.Form):
    goods = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=20, initial=1)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ExpireForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1_000_000)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RuleForm(forms.ModelForm[EarningRule]):
    class Meta:
        model = EarningRule
        fields = ["item", "points", "trigger", "evidence", "monthly_cap", "active"]


class GoodsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    price = forms.IntegerField(label=_("Price (points)"), min_value=1, max_value=100_000)


class ReceiptForm(forms.Form):
    goods = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100_000)
    donor = forms.CharField(label=_("Donor"), max_length=100)


class ActivityForm(forms.ModelForm[Activity]):
    class Meta:
        model = Activity
        fields = ["title", "kind", "place", "starts_at", "points", "capacity"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class CheckinForm(forms.Form):
    code = forms.CharField(label=_("Code shown at the activity"), max_length=16)


class HelpForm(forms.Form):
    title = forms.CharField(label=_("What help do you need?"), max_length=100)
    description = forms.CharField(
        label=_("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    address = forms.CharField(label=_("Where"), max_length=200, required=False)


class DoneForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=200, required=False)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
