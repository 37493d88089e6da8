"""申诉: the street's list of appeals (pending first; filter pending / decided), as cards that
read on a phone and a laptop; decisions are taken on the case page (the registry's actions)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case as Case_
from django.db.models import IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ..actions import action_get
from ..models import CaseAppeal
from ..visibility import appeals_decided_by, appeals_listed_for

LIST_SIZE = 100
STATES = (("pending", _("Waiting for a decision")), ("decided", _("Decided")), ("all", _("All")))


class AppealFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)


@login_required
def appeals_list(request: HttpRequest) -> HttpResponse:
    """The appeals of the user's street (or their own department's), pending first."""
    user = request.user
    deciding = appeals_decided_by(user)
    form = AppealFilterForm(request.GET)
    state = form.cleaned_data.get("state") if form.is_valid() else ""
    state = state or "pending"
    appeals = CaseAppeal.objects.filter(appeals_listed_for(user))
    if not deciding and not appeals.exists():
        raise PermissionDenied(_("You decide no street's appeals."))
    if state == "pending":
        appeals = appeals.filter(state=CaseAppeal.State.PENDING)
    elif state == "decided":
        appeals = appeals.exclude(state=CaseAppeal.State.PENDING)
    pending_first = Case_(
        When(state=CaseAppeal.State.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    listed = (
        appeals.select_related("case", "case__area", "department", "appealed_by", "decided_by")
        .prefetch_related("photos")
        .order_by(pending_first, "-appealed_at", "-pk")[:LIST_SIZE]
    )
    context = {
        "form": form,
        "state": state,
        "states": STATES,
        "appeals": list(listed),
        "deciding": deciding,
        "uphold": action_get("uphold_appeal", "part"),
        "dismiss": action_get("dismiss_appeal", "part"),
    }
    return render(request, "workflows/appeals.html", context)
