"""The proposal page (steps, count, history, diagram), and one POST endpoint per action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from viewflow.workflow import chart

from grids.selectors import signed_in

from .. import permissions, selectors
from ..actions import Action, action_get, actions_offered
from ..errors import DeliberationConflict, DeliberationDenied
from ..flows import ProposalFlow
from ..forms import ProposalActionForm
from ..models import Proposal
from .common import denied

Bound = tuple[str, ProposalActionForm]  # the action just sent and its form, kept for the page


def _proposal_get(pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("compound__area", "proposer", "source_decision__meeting"),
        pk=pk,
    )


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _proposal_get(pk))


def _page(
    request: HttpRequest,
    proposal: Proposal,
    *,
    bound: Bound | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    if not permissions.may_see_proposal(user, proposal):
        raise Http404
    actions = actions_offered(user, proposal)
    if bound and bound[0] not in [a.name for a in actions]:
        actions.append(action_get(bound[0]))
    offered = [
        {
            "action": action,
            "form": bound[1]
            if bound and bound[0] == action.name
            else action.form(proposal=proposal, prefix=action.name),
            "url": reverse(f"deliberation:act_{action.name}", args=[proposal.pk]),
        }
        for action in actions
    ]
    context = {
        "proposal": proposal,
        "compound": proposal.compound,
        "actions": offered,
        "signatures": proposal.cosignatures.count(),
        "participation": selectors.proposal_participation(proposal),
        "my_votes": selectors.my_votes(user, proposal),
        "events": selectors.proposal_history(user, proposal),
        "audit": permissions.may_see_audit(user, proposal.compound),
        "open_steps": selectors.open_steps(proposal),
        "attachments": proposal.attachments.all(),
        "progress": proposal.progress.all(),
        "conflict": conflict,
        "invalid": bound is not None,
    }
    return render(request, "deliberation/proposal_detail.html", context, status=status)


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST one action; on success back to the proposal (POST-redirect-GET)."""
    spec: Action = action_get(action)
    proposal = _proposal_get(pk)
    if not permissions.may_see_proposal(request.user, proposal):
        raise Http404
    form = spec.form(request.POST, request.FILES, proposal=proposal, prefix=spec.name)
    if form.is_valid():
        try:
            spec.run(proposal=proposal, actor=signed_in(request.user), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except DeliberationDenied as exc:
            return denied(request, exc)
        except DeliberationConflict as exc:
            return _page(request, _proposal_get(pk), conflict=str(exc), status=409)
        else:
            messages.success(request, str(spec.done))
            return redirect("deliberation:proposal_detail", pk=pk)
    return _page(request, _proposal_get(pk), bound=(spec.name, form), status=400)


@login_required
@never_cache
def proposal_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The ProposalFlow diagram as SVG with this proposal's done/current steps coloured."""
    proposal = _proposal_get(pk)
    if not permissions.may_see_proposal(request.user, proposal) or proposal.process_id is None:
        raise Http404
    grid = chart.calc_layout_data(ProposalFlow)
    chart.calc_cell_status(ProposalFlow, grid, proposal.process_id)
    svg = chart.grid_to_svg(grid).replace(
        'width="100%" height="100%"', f'width="{grid.width}" height="{grid.height}"', 1
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
