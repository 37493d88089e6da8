"""Pictures of a case: its process diagram (viewflow draws the flow, the case's tasks mark
the current step) and its place on the grid's boundary (inline SVG, no tile server)."""

import math
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from viewflow.workflow import chart

from grids.models import Area

from ..flows import CaseFlow
from ..models import Case
from ..visibility import can_view

MAP_SIZE = 240  # px, the square the boundary is fitted into


@login_required
@never_cache
def case_process_chart(request: HttpRequest, number: str) -> HttpResponse:
    """The CaseFlow diagram as SVG with this case's done/current steps coloured."""
    case = get_object_or_404(Case.objects.select_related("area"), number=number)
    if not can_view(request.user, case) or case.process_id is None:
        raise Http404
    grid = chart.calc_layout_data(CaseFlow)
    chart.calc_cell_status(CaseFlow, grid, case.process_id)
    # viewflow sizes the drawing 100% × 100%: give it its own size so an <img> can scale it
    svg = chart.grid_to_svg(grid).replace(
        'width="100%" height="100%"', f'width="{grid.width}" height="{grid.height}"', 1
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def area_map(
    area: Area, latitude: Decimal | None = None, longitude: Decimal | None = None
) -> dict[str, object] | None:
    """SVG path data for the area's boundary and the case's point, fitted in MAP_SIZE.

    Longitude grows to the right, latitude upwards; at street scale a plain linear
    projection (x scaled by cos(latitude)) is accurate enough."""
    if not area.boundary:
        return None
    ring = area.boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    squash = math.cos(math.radians(sum(lats) / len(lats)))
    width = (max(lngs) - min(lngs)) * squash or 1e-9
    height = (max(lats) - min(lats)) or 1e-9
    scale = (MAP_SIZE - 20) / max(width, height)

    def xy(lng: float, lat: float) -> tuple[float, float]:
        return (
            round(10 + (lng - min(lngs)) * squash * scale, 1),
            round(10 + (max(lats) - lat) * scale, 1),
        )

    points = [xy(lng, lat) for lng, lat in (p[:2] for p in ring)]
    path = "M" + " L".join(f"{x},{y}" for x, y in points) + " Z"
    marker = None
    if latitude is not None and longitude is not None:
        marker = xy(float(longitude), float(latitude))
    return {"size": MAP_SIZE, "path": path, "marker": marker}
