"""The case list, the case page, reporting, and the one POST endpoint per action.

Views are thin: a form checks the input, one service does the work, and its errors become
HTTP answers: ValidationError → the form again (400), CaseActionDenied → 403 with the reason,
CaseConflict → the case page with the message (409). The services check permissions again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from grids.models import Department, User
from grids.selectors import signed_in

from .. import forms
from ..actions import Action, action_get, case_actions_offered, part_actions_offered
from ..choices import Level, Rating, Status, WhistleType
from ..errors import AlreadyClaimed, CaseActionDenied, CaseConflict
from ..models import Case, CaseDispatch
from ..photos import PhotoRejected
from ..privacy import ReporterContact, reporter_contact, reporter_name
from ..selectors import case_open_tasks, cases_page
from ..visibility import can_view, cases_visible_to
from .drawing import area_map

# --- the case list, the case page and reporting ------------------------------------------------

CASES_PER_PAGE = 50
# The action form just sent, kept for the page: (department code or None, action name, form).
Bound = tuple[str | None, str, forms.CaseActionForm]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters = forms.CaseFilterForm(request.GET)
    cases = cases_visible_to(request.user).select_related("category", "area")
    if filters.is_valid():
        wanted = {key: value for key, value in filters.cleaned_data.items() if value}
        if area := wanted.pop("area", None):
            cases = cases.filter(area_path__startswith=area.path)
        cases = cases.filter(**wanted)
    rows, after = cases_page(cases, after=request.GET.get("after", ""), size=CASES_PER_PAGE)
    context = {"filters": filters, "cases": rows, "after": after, "paged": "after" in request.GET}
    return render(request, "workflows/case_list.html", context)


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, _case_get(number))


def _case_get(number: str) -> Case:
    dispatches = CaseDispatch.objects.select_related("department", "claimed_by", "dispatched_by")
    return get_object_or_404(
        Case.objects.select_related(
            "category", "area", "handling_area", "verifier_area", "reporter", "handler"
        ).prefetch_related(
            Prefetch("dispatches", dispatches.order_by("-active", "-lead", "pk")), "photos"
        ),
        number=number,
    )


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: Bound | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    """The case page: 404 unless the user may see the case; only the actions they may use."""
    user = request.user
    if not can_view(user, case):
        raise Http404
    offered = action_forms(request, case, case_actions_offered(user, case), None, bound)
    dispatches = [
        (d, action_forms(request, case, part_actions_offered(user, case, d), d, bound))
        if d.active
        else (d, [])
        for d in case.dispatches.all()
    ]
    photos = list(case.photos.all())
    contact = reporter_contact(user, case)
    context = {
        "case": case,
        "contact": contact,
        "map": area_map(case.area, case.latitude, case.longitude),
        "open_steps": [
            STEP_LABELS.get(task.flow_task.name, task.flow_task.name)
            for task in case_open_tasks(case)
        ],
        "before": [p for p in photos if p.kind == "before"],
        "after": [p for p in photos if p.kind == "after"],
        "dispatches": dispatches,
        "actions": offered,
        "events": _timeline(case, contact),
        "conflict": conflict,
        "invalid": bound is not None,
        "now": timezone.now(),
    }
    return render(request, "workflows/case_detail.html", context, status=status)


STEP_LABELS = {
    "intake": _("intake"),
    "handle": _("handling"),
    "claim": _("reporting for duty"),
    "verify": _("verification"),
}
PAYLOAD_TEXT = ("reason", "note", "comment", "original")
STATUS_LABELS, LEVEL_LABELS = dict(Status.choices), dict(Level.choices)
PAYLOAD_LABELS = {"whistle_type": dict(WhistleType.choices), "rating": dict(Rating.choices)}


def _timeline(case: Case, contact: ReporterContact) -> list[dict[str, object]]:
    """The event log as the page shows it, the reporter named as `privacy` allows."""
    rows = []
    for event in case.events.select_related("actor").order_by("pk"):
        payload = event.payload or {}
        actor: User | StrOrPromise = event.actor or _("System")
        if event.actor_id and event.actor_id == case.reporter_id:
            actor = reporter_name(case, event.actor, contact) or _("Anonymous")
        details = [labels.get(payload.get(key, ""), "") for key, labels in PAYLOAD_LABELS.items()]
        details.append(payload.get("department", ""))
        details.append("、".join(payload.get("departments", [])))
        details += [str(payload.get(key, "")) for key in PAYLOAD_TEXT]
        rows.append(
            {
                "event": event,
                "kind": event.get_kind_display(),
                "actor": actor,
                "from": STATUS_LABELS.get(event.from_status, event.from_status),
                "to": STATUS_LABELS.get(event.to_status, event.to_status),
                "level": LEVEL_LABELS.get(event.level, event.level),
                "details": [d for d in details if d],
            }
        )
    return rows


@login_required
@require_POST
def case_action(
    request: HttpRequest, number: str, action: str, department: str = ""
) -> HttpResponse:
    """POST one action; on success back to the case page (POST-redirect-GET)."""
    spec = action_get(action, "part" if department else "case")
    case = _case_get(number)
    if not can_view(request.user, case):
        raise Http404  # a hidden case answers as an unknown one: its number tells nothing
    unit = get_object_or_404(Department, code=department) if department else None
    form = spec.form(
        request.POST,
        request.FILES,
        case=case,
        user=request.user,
        department=unit,
        prefix=form_prefix(spec, unit),
    )
    if form.is_valid():
        try:
            actor = signed_in(request.user)
            spec.run(case=case, actor=actor, department=unit, **form.cleaned_data)
        except ValidationError as exc:
            form_error(form, exc)
        except CaseActionDenied as exc:
            return denied(request, exc)
        except CaseConflict as exc:
            return _case_page(request, _case_get(number), conflict=_conflict(exc), status=409)
        else:
            messages.success(request, str(spec.done))
            return redirect(_next(request) or reverse("case_detail", args=[number]))
    bound = (unit.code if unit else None, action, form)
    return _case_page(request, _case_get(number), bound=bound, status=400)


def form_prefix(action: Action, department: Department | None) -> str:
    return f"{action.name}-{department.code}" if department else action.name


def action_url(case: Case, action: Action, department: Department | None) -> str:
    if department:
        return reverse(f"dispatch_{action.name}", args=[case.number, department.code])
    return reverse(f"case_{action.name}", args=[case.number])


def action_forms(
    request: HttpRequest,
    case: Case,
    actions: list[Action],
    dispatch: CaseDispatch | None,
    bound: Bound | None,
) -> list[dict[str, object]]:
    """The offered actions' forms for the page; the one just sent keeps its input and errors
    (`bound`: department code or None, action name, form)."""
    department = dispatch.department if dispatch else None
    key = department.code if department else None
    if bound and bound[0] == key and bound[1] not in [a.name for a in actions]:
        # the state moved on, but the person must see their errors
        actions = [*actions, action_get(bound[1], "part" if department else "case")]
    offered = []
    for action in actions:
        if bound and bound[:2] == (key, action.name):
            form = bound[2]
        else:
            prefix = form_prefix(action, department)
            form = action.form(case=case, user=request.user, department=department, prefix=prefix)
        url = action_url(case, action, department)
        offered.append({"action": action, "form": form, "url": url, "department": department})
    return offered


def _next(request: HttpRequest) -> str:
    """Where a one-tap action from a workbench list returns to (same site only)."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe else ""


def form_error(form: BaseForm, exc: ValidationError) -> None:
    """A service's refusal of the input, shown on the form (bad photos on the photo field)."""
    field = "photos" if isinstance(exc, PhotoRejected) and "photos" in form.fields else None
    form.add_error(field, exc)


def _conflict(exc: CaseConflict) -> str:
    if isinstance(exc, AlreadyClaimed):
        when = date_format(timezone.localtime(exc.claimed_at), "Y-m-d H:i")
        return _("Already claimed by %(owner)s at %(time)s.") % {"owner": exc.owner, "time": when}
    return str(exc)


def denied(request: HttpRequest, reason: StrOrPromise | CaseActionDenied) -> HttpResponse:
    return render(request, "workflows/denied.html", {"reason": reason}, status=403)
