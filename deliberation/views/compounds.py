"""Compound pages: the list, the public 两公开 page (and its JSON twin), the register, proposing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from grids.selectors import signed_in

from .. import permissions, selectors, services
from ..actions import actions_offered
from ..choices import ENDED_STATUSES
from ..errors import DeliberationConflict, DeliberationDenied
from ..forms import ProposeForm, RegisterImportForm
from ..models import Compound, Proposal, Unit
from ..serializers import PublicCompoundSerializer
from .common import denied


@login_required
def compound_list(request: HttpRequest) -> HttpResponse:
    compounds = list(selectors.compounds_for(request.user).select_related("area"))
    permissions.roles_known(request.user, compounds)
    by_id = {compound.pk: compound for compound in compounds}
    open_proposals = list(
        Proposal.objects.filter(compound__in=compounds).exclude(status__in=ENDED_STATUSES)
    )
    for proposal in open_proposals:
        proposal.compound = by_id[proposal.compound_id]  # with its roles known
    waiting = [
        (proposal, offered)
        for proposal in open_proposals
        if (offered := actions_offered(request.user, proposal))
    ]
    context = {"compounds": compounds, "waiting": waiting}
    return render(request, "deliberation/compound_list.html", context)


def compound_public(request: HttpRequest, code: str) -> HttpResponse:
    """两公开: decisions with their counts, then the implementation; open to everyone and
    without personal data (no names, units or individual votes)."""
    compound = get_object_or_404(Compound.objects.select_related("area"), code=code)
    user = request.user
    context = {
        "compound": compound,
        "proposals": selectors.public_proposals(compound),
        "summary": selectors.register_summary(compound),
        "is_owner": permissions.is_owner(user, compound),
        "may_keep_register": permissions.may_keep_register(user, compound),
        "staff": permissions.may_see_audit(user, compound),
        "cosigning": compound.proposals.filter(status="cosigning").count(),
    }
    return render(request, "deliberation/compound_public.html", context)


@never_cache
def compound_data(request: HttpRequest, code: str) -> JsonResponse:
    compound = get_object_or_404(Compound, code=code)
    proposals = selectors.public_proposals(compound)
    data = PublicCompoundSerializer(compound, context={"proposals": proposals}).data
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
def compound_register(request: HttpRequest, code: str) -> HttpResponse:
    """The register for its keepers: import a CSV (all rows or nothing), see the units."""
    compound = get_object_or_404(Compound, code=code)
    if not permissions.may_keep_register(request.user, compound):
        return denied(request, _("Only the community's staff keep the register."))
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.compound_register_import(
                compound=compound,
                actor=signed_in(request.user),
                data=form.cleaned_data["file"].read(),
            )
        except ValidationError as exc:
            errors, status = exc.messages, 400
        except DeliberationConflict as exc:
            errors, status = [str(exc)], 409
        else:
            messages.success(
                request,
                _(
                    "Register imported: %(created)d new units, %(updated)d updated, "
                    "%(owners)d owners."
                )
                % {"created": result.created, "updated": result.updated, "owners": result.owners},
            )
            return redirect("deliberation:compound_register", code=compound.code)
    elif request.method == "POST":
        status = 400
    units = (
        Unit.objects.filter(building__compound=compound)
        .select_related("building")
        .prefetch_related("owners")
    )
    context = {
        "compound": compound,
        "form": form,
        "errors": errors,
        "units": units,
        "summary": selectors.register_summary(compound),
    }
    return render(request, "deliberation/compound_register.html", context, status=status)


@login_required
def propose(request: HttpRequest, code: str) -> HttpResponse:
    compound = get_object_or_404(Compound, code=code)
    if not permissions.is_owner(request.user, compound):
        return denied(
            request,
            _("Only the compound's owners propose: verify your phone at /account/phone/ first."),
        )
    form = ProposeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_propose(
                compound=compound,
                actor=signed_in(request.user),
                title=data["title"],
                text=data["text"],
                matter=data["matter"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except DeliberationDenied as exc:
            return denied(request, exc)
        else:
            messages.success(request, _("Proposal made: owners may co-sign it now."))
            return redirect("deliberation:proposal_detail", pk=proposal.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "deliberation/propose.html", {"compound": compound, "form": form}, status=status
    )
