"""The street official's board (and community staff's, for their community): the page, the
same figures as JSON for the live script, and the table as CSV."""

from functools import cache
from typing import cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcase.spreadsheets import Cell, Sheet, csv_response, xlsx_response
from grids.coords import to_map
from grids.models import Area, User
from grids.roles import AreaLevel
from grids.selectors import signed_in, user_roles

from ..boards.board import Board, BoardFilterForm, Row, board_get, board_scope
from ..boards.map import legend, outline_features
from ..boards.metrics import AREA_METRICS, DEPARTMENT_METRICS, period_days
from ..models import HotSpot
from .hotspots import hotspots_board
from .maps import case_map
from .workbenches import street_queue_sections, workbench_tabs

CHART_JS = "vendor/chart.js/chart.umd.js"  # from node_modules (make install), see settings


@cache
def _charts_script() -> str | None:
    """Chart.js if `make install` fetched it; without it the board shows its tables only."""
    return CHART_JS if finders.find(CHART_JS) else None


def _board_or_form(
    request: HttpRequest, area: str | None
) -> tuple[Area, BoardFilterForm, Board | None]:
    """(scope, form, board); board is None when the form is invalid."""
    scope = board_scope(request.user, area)
    form = BoardFilterForm(request.GET)
    if not form.is_valid():
        return scope, form, None
    data = form.cleaned_data
    period = form.period_get(timezone.now())
    return (
        scope,
        form,
        board_get(scope=scope, period=period, sort=data["sort"], dsort=data["dsort"]),
    )


def _links(scope_code: str, query: str) -> dict[str, str]:
    suffix = f"?{query}" if query else ""
    return {
        "data": reverse("board_data", args=[scope_code]) + suffix,
        "export": reverse("board_export", args=[scope_code]) + suffix,
        "export_xlsx": reverse("board_export_xlsx", args=[scope_code]) + suffix,
    }


@login_required
def board(request: HttpRequest, area: str | None = None) -> HttpResponse:
    scope, form, built = _board_or_form(request, area)
    user = signed_in(request.user)
    roles = user_roles(user)
    context = {
        "scope": scope,
        "form": form,
        "board": built,
        "area_metrics": AREA_METRICS,
        "department_metrics": DEPARTMENT_METRICS,
        "legend": legend(),
        "links": _links(scope.code, request.GET.urlencode()),
        "workbenches": workbench_tabs(roles),
        "charts_script": _charts_script(),
        "queues": street_queue_sections(user) if scope.level == AreaLevel.STREET else [],
        "now": timezone.now(),
    }
    if built is not None:
        context["data"] = board_json(request, built, overdue=False)  # the page has the list
        spots = hotspots_board(user, scope, built.map)
        context |= spots
        context["case_map"] = _board_map(
            user, scope, built, cast("list[HotSpot]", spots["hotspots"])
        )
    return render(request, "workflows/board.html", context, status=200 if built else 400)


def _board_map(user: User, scope: Area, built: Board, spots: list[HotSpot]) -> dict[str, object]:
    """The board's Leaflet map: its coloured grids, the hot spots, the area's open cases."""
    features = dict(built.map.features) if built.map else outline_features([])
    listed = list(cast("list[object]", features.get("features") or []))
    for spot in spots:
        place = to_map(float(spot.latitude), float(spot.longitude))
        properties = {"kind": "hotspot", "name": spot.category.name, "count": spot.count}
        geometry = {"type": "Point", "coordinates": [place[1], place[0]]}
        listed.append({"type": "Feature", "geometry": geometry, "properties": properties})
    features["features"] = listed
    return case_map(user, features=features, query=urlencode({"area": scope.code}))


@login_required
def board_data(request: HttpRequest, area: str) -> JsonResponse:
    _scope, form, built = _board_or_form(request, area)
    if built is None:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(board_json(request, built))


def _row_json(row: Row) -> dict[str, object]:
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind,
        "rank": row.rank,
        "values": row.figures,
        "bases": row.bases,
        "display": {metric.name: text for metric, text in row.cells()},
    }


def board_json(request: HttpRequest, board: Board, *, overdue: bool = True) -> dict[str, object]:
    """The board's figures for the live script (no personal data: codes, names of units)."""
    first, last = period_days(board.period)
    data = {
        "scope": {"code": board.scope.code, "name": board.scope.name},
        "period": {"first": first.isoformat(), "last": last.isoformat()},
        "last_event_id": board.last_event_id,
        "total": _row_json(board.total),
        "communities": [_row_json(r) for r in board.communities],
        "grids": [_row_json(r) for r in board.grids],
        "departments": [_row_json(r) for r in board.departments],
        "trend": {
            "labels": [day.strftime("%m-%d") for day, _r, _c in board.trend],
            "reported": [reported for _d, reported, _c in board.trend],
            "closed": [closed for _d, _r, closed in board.trend],
        },
        "by_level": {
            "labels": [str(label) for label, _n in board.by_level],
            "values": [n for _label, n in board.by_level],
        },
        "by_category": {
            "labels": [label for label, _n in board.by_category],
            "values": [n for _label, n in board.by_category],
        },
        "verify_methods": {
            "labels": [str(label) for label, _n in board.verify_methods],
            "values": [n for _label, n in board.verify_methods],
        },
        "map": [
            {"code": s.code, "open": s.open_cases, "bucket": s.bucket}
            for s in (board.map.shapes if board.map else [])
        ],
    }
    data["returns_in_review"] = len(board.returns)
    data["cases_extended"] = board.extended
    data["supervised_now"] = len(board.supervised)
    data["supervisions_ended"], data["supervisions_on_time"] = board.supervisions
    data["appeals_pending"] = board.appeals_pending
    if overdue:
        data["overdue_html"] = render_to_string(
            "workflows/_board_overdue.html", {"board": board}, request=request
        )
        data["returns_html"] = render_to_string(
            "workflows/_board_returns.html",
            {"board": board, "now": timezone.now()},
            request=request,
        )
    return data


def _export_board(request: HttpRequest, area: str) -> Board | HttpResponse:
    _scope, form, built = _board_or_form(request, area)
    if built is None:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    return built


def _export_name(built: Board, extension: str) -> str:
    first, last = period_days(built.period)
    return f"board-{built.scope.code}-{first:%Y%m%d}-{last:%Y%m%d}.{extension}"


def _unit_rows(built: Board) -> list[tuple[str, Row]]:
    kinds = {"total": _("Total"), "community": _("Community"), "grid": _("Grid")}
    return [(kinds[row.kind], row) for row in [built.total, *built.communities, *built.grids]]


@login_required
def board_export(request: HttpRequest, area: str) -> HttpResponse:
    """The board's tables as CSV: UTF-8 with a BOM, so that Excel reads the Chinese names."""
    built = _export_board(request, area)
    if isinstance(built, HttpResponse):
        return built
    first, last = period_days(built.period)
    unit = [_("Unit"), _("Code"), _("Name")]
    areas = Sheet(
        _("Areas"),
        [_("Rank"), *unit, *(m.heading(csv=True) for m in AREA_METRICS)],
        [
            [row.rank or "", kind, row.code, row.name]
            + [m.display(row.figures[m.name], csv=True) for m in AREA_METRICS]
            for kind, row in _unit_rows(built)
        ],
        preamble=[[_("Period"), first, last]],
    )
    departments = Sheet(
        _("Departments"),
        [_("Rank"), *unit, *(m.heading(csv=True) for m in DEPARTMENT_METRICS)],
        [
            [row.rank or "", _("Department"), row.code, row.name]
            + [m.display(row.figures[m.name], csv=True) for m in DEPARTMENT_METRICS]
            for row in built.departments
        ],
    )
    return csv_response([areas, departments], _export_name(built, "csv"))


@login_required
def board_export_xlsx(request: HttpRequest, area: str) -> HttpResponse:
    """The same tables as .xlsx: one sheet for areas, one for departments; figures are
    numbers (rates as percentages of 1), empty where there is nothing to measure."""
    built = _export_board(request, area)
    if isinstance(built, HttpResponse):
        return built
    first, last = period_days(built.period)
    preamble: list[list[Cell]] = [[_("Period"), first, last]]
    unit = [_("Unit"), _("Code"), _("Name")]
    areas = Sheet(
        _("Areas"),
        [_("Rank"), *unit, *(m.heading() for m in AREA_METRICS)],
        [
            [row.rank, kind, row.code, row.name, *(row.figures[m.name] for m in AREA_METRICS)]
            for kind, row in _unit_rows(built)
        ],
        preamble=preamble,
        formats=[None, None, None, None, *(m.number_format for m in AREA_METRICS)],
    )
    departments = Sheet(
        _("Departments"),
        [_("Rank"), *unit, *(m.heading() for m in DEPARTMENT_METRICS)],
        [
            [
                row.rank,
                _("Department"),
                row.code,
                row.name,
                *(row.figures[m.name] for m in DEPARTMENT_METRICS),
            ]
            for row in built.departments
        ],
        preamble=preamble,
        formats=[None, None, None, None, *(m.number_format for m in DEPARTMENT_METRICS)],
    )
    return xlsx_response([areas, departments], _export_name(built, "xlsx"))
