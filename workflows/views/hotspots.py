"""未诉先办 on the board: the open hot spots inside the board's area (list and map markers),
and the two POSTs a street official answers one with."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.models import Area
from grids.selectors import AnyUser, signed_in

from ..boards.map import GridMap
from ..errors import CaseConflict
from ..hotspots.services import LISTED, hotspot_dismiss, hotspot_turn, hotspots_in
from ..models import HotSpot
from ..visibility import hotspots_manage_allowed


@dataclass
class Marker:
    spot: HotSpot
    x: float
    y: float
    r: float


def hotspots_board(user: AnyUser, scope: Area, grid_map: GridMap | None) -> dict[str, object]:
    """The board's hot-spot list, its map markers and whether this user may decide them."""
    spots = list(hotspots_in(scope)[:LISTED])
    markers = []
    for spot in spots if grid_map else []:
        assert grid_map is not None
        place = grid_map.point(float(spot.longitude), float(spot.latitude))
        if place is not None:
            markers.append(Marker(spot, place[0], place[1], min(6 + spot.count, 18)))
    streets = {spot.street_id: spot.street for spot in spots}
    manage = {pk for pk, street in streets.items() if hotspots_manage_allowed(user, street)}
    return {"hotspots": spots, "hotspot_markers": markers, "hotspot_manage": manage}


def _back(spot: HotSpot) -> HttpResponse:
    return redirect(reverse("board_area", args=[spot.street.code]) + "#hotspots")


@login_required
@require_POST
def hotspot_turn_view(request: HttpRequest, pk: int) -> HttpResponse:
    spot = get_object_or_404(HotSpot.objects.select_related("street"), pk=pk)
    try:
        case = hotspot_turn(hotspot=spot, actor=signed_in(request.user))
    except CaseConflict as exc:
        messages.error(request, str(exc))
        return _back(spot)
    messages.success(request, _("Proactive case %(number)s opened.") % {"number": case.number})
    return redirect("case_detail", number=case.number)


@login_required
@require_POST
def hotspot_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    spot = get_object_or_404(HotSpot.objects.select_related("street"), pk=pk)
    try:
        hotspot_dismiss(
            hotspot=spot, actor=signed_in(request.user), reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(
            "; ".join(exc.messages), content_type="text/plain; charset=utf-8"
        )
    except CaseConflict as exc:
        messages.error(request, str(exc))
        return _back(spot)
    messages.success(request, _("Hot spot dismissed."))
    return _back(spot)
