"""Reporting a case: the field intake form, the public form, and "which grid is here?".

A report form carries a submission key: when a phone re-sends it after a network failure,
the service returns the case the first sending made, and the reporter lands on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridcase.limits import phone_and_address, rate_limited
from grids.coords import from_map, to_map
from grids.models import User
from grids.roles import AreaLevel
from grids.selectors import area_at_point, signed_in

from .. import forms, services
from ..errors import CaseActionDenied
from ..models import Case
from .cases import denied, form_error
from .maps import case_map


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """The field intake: category, description, photos, location → grid, priority."""
    user = signed_in(request.user)
    form = forms.CaseReportForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            case = _report(form, reporter=user)
        except CaseActionDenied as exc:
            return denied(request, exc)
        if case is not None:
            messages.success(request, _("Case %(number)s reported.") % {"number": case.number})
            return redirect("case_detail", number=case.number)
    status = 400 if form.errors else 200
    context = {"form": form, "pin_map": case_map(user)}  # the pin on the user's grids
    return render(request, "workflows/case_new.html", context, status=status)


JUST_REPORTED = "workflows.just_reported"


@rate_limited("report_address")
@rate_limited("report", identity=phone_and_address("contact_phone"))
def report_public(request: HttpRequest) -> HttpResponse:
    """A resident without an account reports; the case number and phone follow the case."""
    form = forms.PublicReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        case = _report(form, reporter=None, issued=request.session.get(ISSUED_KEYS, []))
        if case is not None:
            request.session["tracked_case"] = [case.number, case.contact_phone]
            request.session[JUST_REPORTED] = case.number  # the progress page confirms, once
            return redirect("track_case", number=case.number)
    _issue_key(request, form)
    status = 400 if form.errors else 200
    return render(request, "workflows/report_public.html", {"form": form}, status=status)


ISSUED_KEYS = "report_keys"  # the submission keys of the public forms this session was given
KEPT_KEYS = 20


def _issue_key(request: HttpRequest, form: forms.PublicReportForm) -> None:
    """Remember the form's submission key in the visitor's session (before the form is
    sent, so a retry whose first answer was lost still belongs to this session): without an
    account, the key is only honoured for the session it was given to."""
    key = str(form["submission_key"].value() or "")
    issued: list[str] = request.session.get(ISSUED_KEYS, [])
    if key and key not in issued:
        request.session[ISSUED_KEYS] = [*issued, key][-KEPT_KEYS:]


def _report(
    form: forms.CaseReportForm | forms.PublicReportForm,
    *,
    reporter: User | None,
    issued: list[str] | None = None,
) -> Case | None:
    """Run `case_report`; its refusals land on the form (then None). Without an account
    (`issued`: the keys given to this session), a key this session was not given counts for
    nothing: the report is a new one, never someone else's earlier case."""
    arguments = form.report_arguments()
    if issued is not None and str(arguments["submission_key"]) not in issued:
        arguments["submission_key"] = None
    try:
        return services.case_report(reporter=reporter, source=form.source, **arguments)
    except ValidationError as exc:
        form_error(form, exc)
    except IntegrityError:  # the same form sent twice at the same moment: one case won
        earlier = Case.objects.filter(submission_key=arguments["submission_key"]).first()
        if earlier is not None and _same_sender(earlier, reporter, arguments):
            return earlier
        form.add_error(None, _("This form was already used; reload it to report again."))
    return None


def _same_sender(case: Case, reporter: User | None, arguments: dict[str, object]) -> bool:
    if reporter is not None:
        return case.reporter_id == reporter.pk
    return case.reporter_id is None and case.contact_phone == arguments.get("contact_phone")


@require_GET
def area_at(request: HttpRequest) -> JsonResponse:
    """The grid (or micro-grid) at ?lat=&lng=, for the report forms' location button and
    the intake map's pin.

    The browser's location is WGS-84 and is stored as it is. With `map=1` the point is one
    placed on the map (the dragged pin), in the tiles' system: it is converted here
    (grids/coords.py, the one place), and the answer gives the WGS-84 point to store
    (`point`) and where it is on the map (`map_point`) either way."""
    try:
        latitude, longitude = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Give lat and lng as numbers.")}, status=400)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return JsonResponse({"error": _("lat or lng is out of range.")}, status=400)
    if request.GET.get("map") == "1":
        latitude, longitude = from_map(latitude, longitude)
    places = {
        "point": [round(latitude, 6), round(longitude, 6)],
        "map_point": [round(c, 6) for c in to_map(latitude, longitude)],
    }
    area = area_at_point(latitude, longitude, deepest=AreaLevel.MICROGRID)
    if area is None or area.level not in (AreaLevel.GRID, AreaLevel.MICROGRID):
        return JsonResponse(
            {"error": _("This place is outside every grid. Choose the grid by hand."), **places},
            status=404,
        )
    return JsonResponse({"area": {"pk": area.pk, "code": area.code, "name": area.name}, **places})
