"""一组一会: the community's residents' council meetings, and opening a case or a proposal
from one of their decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grids.models import Area, Membership
from grids.roles import AreaLevel, Role
from grids.selectors import signed_in
from workflows.models import Category

from .. import permissions, services
from ..choices import MatterType
from ..errors import DeliberationDenied
from ..forms import MeetingForm
from ..models import Compound, Meeting, MeetingDecision
from .common import denied


def _communities(request: HttpRequest) -> list[Area]:
    """The communities whose meetings this person records."""
    if request.user.is_superuser:
        return list(Area.objects.filter(level=AreaLevel.COMMUNITY))
    ids = Membership.objects.filter(
        user_id=signed_in(request.user).pk,
        role=Role.COMMUNITY_STAFF,
        area__level=AreaLevel.COMMUNITY,
    ).values_list("area_id", flat=True)
    return list(Area.objects.filter(pk__in=ids))


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    communities = _communities(request)
    if not communities:
        return denied(request, _("Only community staff record residents' council meetings."))
    community = communities[0]
    if code := request.GET.get("community") or request.POST.get("community"):
        community = next((c for c in communities if c.code == code), None) or community
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_record(
                community=community,
                actor=signed_in(request.user),
                held_on=data["held_on"],
                place=data["place"],
                attendees=data["attendees"],
                topics=data["topics"],
                decisions=data["decisions"].splitlines(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except DeliberationDenied as exc:
            return denied(request, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("deliberation:meeting_detail", pk=meeting.pk)
    meetings = Meeting.objects.filter(community__in=communities).select_related("community")
    context = {
        "form": form,
        "meetings": meetings,
        "communities": communities,
        "community": community,
    }
    return render(
        request, "deliberation/meeting_list.html", context, status=400 if form.errors else 200
    )


class CaseFromDecisionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Case title"), max_length=120)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.filter(active=True)
    )
    area = forms.ModelChoiceField(label=gettext_lazy("Area"), queryset=Area.objects.none())

    def __init__(self, *args: Any, community: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.filter(path__startswith=community.path).order_by("path")


class ProposalFromDecisionForm(forms.Form):
    compound = forms.ModelChoiceField(
        label=gettext_lazy("Compound"), queryset=Compound.objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    matter = forms.ChoiceField(
        label=gettext_lazy("Matter (Civil Code art. 278)"), choices=MatterType.choices
    )
    text = forms.CharField(
        label=gettext_lazy("Proposal"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args: Any, community: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["compound"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Compound.objects.filter(area__path__startswith=community.path)


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("community", "recorded_by"), pk=pk)
    if not permissions.may_see_meeting(request.user, meeting):
        raise Http404
    return meeting


@login_required
def meeting_detail(
    request: HttpRequest, pk: int, forms_bound: dict[int, Any] | None = None
) -> HttpResponse:
    meeting = _meeting(request, pk)
    bound = forms_bound or {}
    rows = []
    for decision in meeting.decisions.select_related("case").prefetch_related("proposals"):
        case_form = bound.get(decision.pk, {}).get("case") or CaseFromDecisionForm(
            community=meeting.community,
            prefix=f"case-{decision.pk}",
            initial={"title": decision.text[:120]},
        )
        proposal_form = bound.get(decision.pk, {}).get("proposal") or ProposalFromDecisionForm(
            community=meeting.community,
            prefix=f"proposal-{decision.pk}",
            initial={"title": decision.text[:120], "text": decision.text},
        )
        rows.append({"decision": decision, "case_form": case_form, "proposal_form": proposal_form})
    status = 400 if bound else 200
    return render(
        request,
        "deliberation/meeting_detail.html",
        {"meeting": meeting, "rows": rows},
        status=status,
    )


@login_required
@require_POST
def decision_case(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(
        MeetingDecision.objects.select_related("meeting__community"), pk=pk
    )
    meeting = _meeting(request, decision.meeting_id)
    form = CaseFromDecisionForm(request.POST, community=meeting.community, prefix=f"case-{pk}")
    if form.is_valid():
        try:
            case = services.decision_case_open(
                decision=decision, actor=signed_in(request.user), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except DeliberationDenied as exc:
            return denied(request, exc)
        else:
            messages.success(
                request, _("Case %(number)s opened from the decision.") % {"number": case.number}
            )
            return redirect("deliberation:meeting_detail", pk=meeting.pk)
    return meeting_detail(request, meeting.pk, forms_bound={pk: {"case": form}})


@login_required
@require_POST
def decision_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(
        MeetingDecision.objects.select_related("meeting__community"), pk=pk
    )
    meeting = _meeting(request, decision.meeting_id)
    form = ProposalFromDecisionForm(
        request.POST, community=meeting.community, prefix=f"proposal-{pk}"
    )
    if form.is_valid():
        try:
            proposal = services.decision_proposal_open(
                decision=decision, actor=signed_in(request.user), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except DeliberationDenied as exc:
            return denied(request, exc)
        else:
            messages.success(
                request, _("Proposal opened from the decision; owners may co-sign it.")
            )
            return redirect("deliberation:proposal_detail", pk=proposal.pk)
    return meeting_detail(request, meeting.pk, forms_bound={pk: {"proposal": form}})
